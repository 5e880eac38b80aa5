"""The hazard ledger (隐患台账) exported from the desk: columns in order, one row per hazard, the register of
closed hazards, batches without one query per hazard, and who may export."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from server.extensions import db

# Hazards made at a fixed time: found 2026-03-02 09:00 at the school (Asia/Shanghai).
FOUND = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

ENGLISH_HEADERS = [
    "No.", "Hazard number", "Date found", "Found by", "Zone (location)", "Category", "Description", "Level",
    "Rectification measures", "Responsible for rectification", "Responsible department", "Deadline",
    "Date rectified", "Rechecked by", "Recheck date", "Recheck result", "Status", "Days overdue",
    "Photo before", "Photo after",
]
COLUMN = {header: index for index, header in enumerate(ENGLISH_HEADERS)}


@pytest.fixture
def boss(make_user):
    """Return a supervisor, who may export."""
    return make_user(roles=("supervisor",), display_name="王主任")


@pytest.fixture
def english(sign_in, boss):
    """Return the supervisor's client with the desk in English."""
    client = sign_in(boss)
    client.post("/language", data={"locale": "en"})
    return client


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    book = load_workbook(io.BytesIO(response.data))
    return list(book.worksheets[0].iter_rows(values_only=True))


def _row_of(rows, hazard_id):
    return next(row for row in rows[1:] if row[COLUMN["Hazard number"]] == hazard_id)


def test_xlsx_headers_in_ledger_order(english, make_hazard, boss):
    make_hazard("closed", supervisor=boss, now=FOUND)
    rows = _sheet(english.get("/hazards/ledger.xlsx"))
    assert list(rows[0]) == ENGLISH_HEADERS


def test_xlsx_one_row_per_hazard_numbered(english, make_hazard, boss):
    made = [make_hazard(state, supervisor=boss, now=FOUND + timedelta(minutes=i))
            for i, state in enumerate(("reported", "assigned", "closed", "invalid"))]
    rows = _sheet(english.get("/hazards/ledger.xlsx"))
    assert [(row[COLUMN["No."]], row[COLUMN["Hazard number"]]) for row in rows[1:]] == [
        (1, made[0].id), (2, made[1].id), (3, made[2].id), (4, made[3].id)]


@pytest.mark.parametrize(("state", "status", "result", "rectified"), [
    ("reported", "Not rectified", None, None),
    ("assigned", "Being rectified", None, None),
    ("awaiting_recheck", "Awaiting recheck", None, datetime(2026, 3, 2)),
    ("closed", "Closed", "Passed", datetime(2026, 3, 2)),
    ("invalid", "Invalid", None, None),
])
def test_xlsx_status_and_recheck_by_state(english, make_hazard, boss, state, status, result, rectified):
    hazard = make_hazard(state, supervisor=boss, now=FOUND)
    row = _row_of(_sheet(english.get("/hazards/ledger.xlsx")), hazard.id)
    assert (row[COLUMN["Status"]], row[COLUMN["Recheck result"]], row[COLUMN["Date rectified"]]) == (
        status, result, rectified)


def test_xlsx_closed_hazard_row(english, make_hazard, make_user, make_zone, boss):
    rectifier = make_user(roles=("rectifier",), display_name="张师傅")
    zone = make_zone(name="化学实验室", building="教学楼", floor="3F", department="后勤处",
                     responsible=rectifier)
    hazard = make_hazard("closed", supervisor=boss, rectifier=rectifier, zone=zone, now=FOUND,
                         description="灭火器压力不足")
    row = _row_of(_sheet(english.get("/hazards/ledger.xlsx")), hazard.id)
    with english.application.app_context():
        from server.hazards.models import Photo

        before, after = db.session.scalars(db.select(Photo.id).where(Photo.hazard_id == hazard.id)
                                           .order_by(Photo.id)).all()
    link = 'https://school.example/api/v1/photos/{0}'
    assert row == (
        1, hazard.id, datetime(2026, 3, 2), hazard.people.reporter.display_name, "化学实验室（教学楼 3F）",
        "Buildings", "灭火器压力不足", "General", "已整改", "张师傅", "后勤处",
        datetime(2026, 3, 9), datetime(2026, 3, 2), "王主任", datetime(2026, 3, 2), "Passed", "Closed", 0,
        f'=HYPERLINK("{link.format(before)}","{link.format(before)}")',
        f'=HYPERLINK("{link.format(after)}","{link.format(after)}")',
    )


@pytest.mark.parametrize(("column", "number_format"), [
    ("Date found", "yyyy-mm-dd"), ("Deadline", "yyyy-mm-dd"), ("Date rectified", "yyyy-mm-dd"),
    ("Recheck date", "yyyy-mm-dd"),
])
def test_xlsx_dates_are_dates(english, make_hazard, boss, column, number_format):
    make_hazard("closed", supervisor=boss, now=FOUND)
    response = english.get("/hazards/ledger.xlsx")
    cell = load_workbook(io.BytesIO(response.data)).worksheets[0].cell(row=2, column=COLUMN[column] + 1)
    assert (cell.is_date, cell.number_format) == (True, number_format)


def test_overdue_days_of_an_open_hazard(english, make_hazard, boss):
    # Assigned 2026-03-02 with the building category's period: due 2026-03-09; asked today, it is late.
    hazard = make_hazard("assigned", supervisor=boss, now=FOUND)
    row = _row_of(_sheet(english.get("/hazards/ledger.xlsx")), hazard.id)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert row[COLUMN["Days overdue"]] == (today - date(2026, 3, 9)).days


def test_the_list_filters_name_the_rows(english, make_hazard, boss):
    make_hazard("assigned", supervisor=boss, now=FOUND)
    closed = make_hazard("closed", supervisor=boss, now=FOUND)
    rows = _sheet(english.get("/hazards/ledger.xlsx?state=closed"))
    assert [row[COLUMN["Hazard number"]] for row in rows[1:]] == [closed.id]


def test_a_filter_it_cannot_use_is_refused(english):
    assert english.get("/hazards/ledger.xlsx?state=lost").status_code == 400


def test_csv_round_trips_chinese_with_bom(english, make_hazard, make_zone, boss):
    zone = make_zone(name="锅炉房（地下一层）")
    hazard = make_hazard("closed", supervisor=boss, zone=zone, now=FOUND,
                         description="压力表读数异常，“红线”以上")
    response = english.get("/hazards/ledger.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ENGLISH_HEADERS
    row = rows[1]
    assert (row[COLUMN["Hazard number"]], row[COLUMN["Zone (location)"]], row[COLUMN["Description"]],
            row[COLUMN["Date found"]]) == (str(hazard.id), "锅炉房（地下一层）", "压力表读数异常，“红线”以上",
                                           "2026-03-02")


@pytest.mark.parametrize(("path", "filename"), [
    ("/hazards/ledger.xlsx", "hazard-ledger-"),
    ("/hazards/ledger.csv", "hazard-ledger-"),
    ("/hazards/register.xlsx?year=2026", "closed-hazards-register-2026.xlsx"),
    ("/hazards/register.csv?year=2026", "closed-hazards-register-2026.csv"),
])
def test_downloads_are_named(english, path, filename):
    assert f"filename*=UTF-8''{filename}" in english.get(path).headers["Content-Disposition"]


def test_register_holds_the_years_closed_hazards(english, make_hazard, boss):
    closed = make_hazard("closed", supervisor=boss, now=FOUND)
    make_hazard("closed", supervisor=boss, now=datetime(2025, 6, 1, tzinfo=UTC))
    make_hazard("assigned", supervisor=boss, now=FOUND)
    make_hazard("invalid", supervisor=boss, now=FOUND)
    rows = _sheet(english.get("/hazards/register.xlsx?year=2026"))
    assert [row[COLUMN["Hazard number"]] for row in rows[1:]] == [closed.id]


@pytest.mark.parametrize("year", ["1999", "3000", "abc", "1e400", str(2**63)])
def test_register_refuses_a_year_it_cannot_hold(english, year):
    assert english.get(f"/hazards/register.csv?year={year}").status_code == 422


@pytest.mark.parametrize("n", [3, 12])
def test_export_reads_in_batches_not_per_hazard(app, english, make_hazard, make_zone, boss, n):
    zone = make_zone()
    for i in range(n):
        make_hazard("closed", supervisor=boss, zone=zone, now=FOUND + timedelta(minutes=i))
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = _sheet(english.get("/hazards/ledger.xlsx"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == n + 1
    # The hazards, then for their batch: when the done ones were rectified and the deadline then, their
    # rectifications and rechecks, their photos: as many for 3 hazards as for 12.
    assert len([s for s in statements if "hazard" in s.lower()]) == 4


def test_batches_keep_the_ledgers_order_and_rows(app, english, make_hazard, make_zone, boss, monkeypatch):
    from server.ledger import queries

    monkeypatch.setattr(queries, "BATCH", 2)  # five hazards: three batches, the last one short
    zone = make_zone()
    made = [make_hazard(state, supervisor=boss, zone=zone, now=FOUND + timedelta(minutes=i))
            for i, state in enumerate(("closed", "reported", "assigned", "awaiting_recheck", "closed"))]
    rows = _sheet(english.get("/hazards/ledger.xlsx"))[1:]
    assert [(row[COLUMN["No."]], row[COLUMN["Hazard number"]], row[COLUMN["Status"]]) for row in rows] == [
        (1, made[0].id, "Closed"), (2, made[1].id, "Not rectified"), (3, made[2].id, "Being rectified"),
        (4, made[3].id, "Awaiting recheck"), (5, made[4].id, "Closed")]
    assert [row[COLUMN["Date rectified"]] is not None for row in rows] == [True, False, False, True, True]


@pytest.mark.parametrize("path", [
    "/hazards/ledger.xlsx", "/hazards/ledger.csv", "/hazards/register.xlsx", "/hazards/register.csv",
])
@pytest.mark.parametrize("roles", [("patrol",), ("rectifier",), ("patrol", "rectifier")])
def test_only_supervisors_and_admins_export(login_as, path, roles):
    assert login_as(*roles).get(path).status_code == 403


@pytest.mark.parametrize("roles", [("supervisor",), ("admin",)])
def test_supervisors_and_admins_export(login_as, roles):
    assert login_as(*roles).get("/hazards/ledger.xlsx").status_code == 200


def test_export_asks_a_visitor_to_sign_in(client):
    response = client.get("/hazards/ledger.xlsx")
    assert (response.status_code, response.location.split("?")[0]) == (302, "/login")


def test_the_list_links_its_filters_to_the_ledger(english):
    page = english.get("/hazards?state=closed&severity=major").get_data(as_text=True)
    expected = ['href="/hazards/ledger.xlsx?state=closed&amp;severity=major"',
                'href="/hazards/ledger.csv?state=closed&amp;severity=major"', 'href="/hazards/register.xlsx"']
    assert [link for link in expected if link not in page] == []


def test_the_desk_links_the_register(english):
    assert 'href="/hazards/register.xlsx"' in english.get("/desk").get_data(as_text=True)


def test_the_list_shows_no_export_to_a_patrol(login_as):
    assert "/hazards/ledger.xlsx" not in login_as("patrol").get("/hazards").get_data(as_text=True)
