"""The public board (公示): figures on a fixture with known answers, nothing about people or what was seen,
no sign-in, off by configuration."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from server.extensions import db
from tests.conftest import new_client_id, photo_bytes

# Thursday 1 October 2026, 12:00 in Shanghai: this week is 28 Sep – 1 Oct (it began last month), this month
# is 1 Oct alone.
NOW = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)


def _at(day: str, hour: int) -> datetime:
    """Return a UTC time from a school-local day and hour (Shanghai is UTC+8)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").astimezone(UTC)


@pytest.fixture
def fixture_world(app, make_user, make_zone, make_hazard):
    """Make the hazards whose figures are written out below; return the zones and people."""
    from server.auth.models import User
    from server.hazards import reporting, services
    from server.hazards.models import Category

    patrol = make_user(roles=("patrol",), display_name="巡查员甲某")
    boss = make_user(roles=("supervisor",), display_name="主管乙某")
    fixer = make_user(roles=("rectifier",), display_name="维修工丙某")
    people = {"reporter": patrol, "supervisor": boss, "rectifier": fixer}
    hall = make_zone(name="一号楼走廊", building="教学楼", department="后勤处", responsible=fixer)
    boiler = make_zone(name="锅炉房", building="锅炉房", department="后勤处", responsible=fixer)
    kitchen = make_zone(name="食堂后厨", building="教学楼", department="", responsible=fixer)

    def hazard(state, zone, category, when, severity="general", description="楼梯扶手松动"):
        return make_hazard(state, zone=zone, category=category, now=when, severity=severity,
                           description=description, **people)

    def act(hazard_id, user, action, when, **fields):
        with app.app_context():
            from server.hazards.models import Hazard

            seen = db.session.get(Hazard, hazard_id).state
            services.perform(db.session.get(User, user.id), hazard_id, services.Command(
                action=action, client_id=new_client_id(), seen_state=seen, **fields), now=when)

    hazard("reported", hall, "building", _at("2026-09-29", 10), description="走廊灯管闪烁")  # A
    hazard("closed", hall, "fire", _at("2026-10-01", 9), description="灭火器过期")  # B
    hazard("assigned", boiler, "building", _at("2026-09-01", 10), description="管道保温层破损")  # C
    late = hazard("assigned", boiler, "fire", _at("2026-09-28", 1), severity="critical",
                  description="锅炉压力表失灵")  # D: due by 29 Sep, rectified on 1 Oct
    act(late.id, fixer, "submit", _at("2026-10-01", 10), note="已更换压力表", photos=[photo_bytes()])
    act(late.id, boss, "pass", _at("2026-10-01", 10))
    hazard("invalid", kitchen, "building", _at("2026-09-30", 10), description="重复上报的地面湿滑")  # E
    with app.app_context():  # F: fixed on the spot
        food = db.session.scalar(select(Category.id).where(Category.code == "food"))
        reporting.report(db.session.get(User, patrol.id), reporting.Report(
            client_id=new_client_id(), zone_id=kitchen.id, category_id=food, severity="general",
            description="冰柜门封条脱落", photos=[photo_bytes()], after_photos=[photo_bytes((0, 90, 0))],
            fixed_on_the_spot=True), now=_at("2026-10-01", 11))
    hazard("assigned", kitchen, "building", _at("2026-09-28", 10), severity="critical",
           description="燃气管道漏气")  # G: overdue now
    return people


@pytest.fixture
def figures(app, fixture_world):
    from server.board import queries

    with app.app_context():
        return queries.board(NOW, "zh_CN")


def test_the_periods_are_school_days(app):
    from server.board import queries

    with app.app_context():
        assert queries.periods(NOW) == {"week": (date(2026, 9, 28), date(2026, 10, 1)),
                                        "month": (date(2026, 10, 1), date(2026, 10, 1))}


# (period) -> found, fixed, fixed on time, overdue (among those found in the period)
@pytest.mark.parametrize(("period", "expected"), [
    ("week", {"found": 5, "fixed": 3, "on_time": 2, "overdue": 1}),
    ("month", {"found": 2, "fixed": 2, "on_time": 2, "overdue": 0}),
])
def test_totals(figures, period, expected):
    assert figures.totals.figures[period] == expected


def test_overdue_now_counts_every_overdue_hazard(figures):
    assert figures.overdue_now == 2  # C (found in September) and G


ROWS = [
    ("zone", "一号楼走廊", (2, 1, 1, 0), (1, 1, 1, 0)),
    ("zone", "锅炉房", (1, 1, 0, 0), (0, 0, 0, 0)),
    ("zone", "食堂后厨", (2, 1, 1, 1), (1, 1, 1, 0)),
    ("building", "教学楼", (4, 2, 2, 1), (2, 2, 2, 0)),
    ("building", "锅炉房", (1, 1, 0, 0), (0, 0, 0, 0)),
    ("department", "后勤处", (3, 2, 1, 0), (1, 1, 1, 0)),
    ("department", "", (2, 1, 1, 1), (1, 1, 1, 0)),
    ("category", "校舍安全", (2, 0, 0, 1), (0, 0, 0, 0)),
    ("category", "消防安全", (2, 2, 1, 0), (1, 1, 1, 0)),
    ("category", "饮食安全", (1, 1, 1, 0), (1, 1, 1, 0)),
]


@pytest.mark.parametrize(("dimension", "label", "week", "month"), ROWS,
                         ids=[f"{d}:{label or '-'}" for d, label, _w, _m in ROWS])
def test_figures_per_group(figures, dimension, label, week, month):
    """Found, fixed, fixed on time, overdue: this week, then this month."""
    (row,) = [g for g in figures.groups[dimension] if g.label == label]
    keys = ("found", "fixed", "on_time", "overdue")
    assert (tuple(row.figures["week"][k] for k in keys), tuple(row.figures["month"][k] for k in keys)) == \
        (week, month)


@pytest.mark.parametrize(("dimension", "labels"), [
    ("zone", ["食堂后厨", "一号楼走廊", "锅炉房"]),  # overdue first, then most found this month
    ("building", ["教学楼", "锅炉房"]),
    ("department", ["", "后勤处"]),
    ("category", ["校舍安全", "消防安全", "饮食安全"]),
])
def test_groups_busiest_first_and_no_empty_ones(figures, dimension, labels):
    assert [g.label for g in figures.groups[dimension]] == labels


def test_recently_closed_names_zone_category_and_day(figures):
    assert [(c.zone, c.category, c.closed_at) for c in figures.closed] == [
        ("食堂后厨", "饮食安全", _at("2026-10-01", 11)),
        ("锅炉房", "消防安全", _at("2026-10-01", 10)),
        ("一号楼走廊", "消防安全", _at("2026-10-01", 9)),
    ]


def test_the_page_tells_nothing_about_people_or_what_was_seen(app, client, make_hazard, make_user, make_zone):
    from server.auth.models import User
    from server.hazards.models import Hazard, Photo

    people = {"reporter": make_user(roles=("patrol",), display_name="巡查员甲某"),
              "supervisor": make_user(roles=("supervisor",), display_name="主管乙某"),
              "rectifier": make_user(roles=("rectifier",), display_name="维修工丙某")}
    zone = make_zone(name="一号楼走廊", building="教学楼", department="后勤处",
                     responsible=people["rectifier"])
    # The board's own words (e.g. 已整改, "fixed") may equal a note someone typed: what an empty board
    # already says tells nothing about the hazards.
    own_words = client.get("/board").get_data(as_text=True)
    for state, description in (("closed", "灭火器过期"), ("assigned", "走廊灯管闪烁"),
                               ("reported", "管道保温层破损"), ("invalid", "重复上报的地面湿滑"),
                               ("awaiting_recheck", "锅炉压力表失灵")):
        make_hazard(state, zone=zone, category="fire", description=description, **people)
    page = client.get("/board").get_data(as_text=True)
    with app.app_context():
        users = db.session.execute(select(User.username, User.display_name)).all()
        descriptions = db.session.scalars(select(Hazard.description)).all()
        keys = db.session.execute(select(Photo.key, Photo.thumb_key)).all()
        notes = db.session.scalars(db.text("SELECT note FROM hazard_events WHERE note <> ''")).all()
    secrets = [*(n for u in users for n in u), *descriptions, *(k for pair in keys for k in pair), *notes]
    assert len(descriptions) == 5 and len(keys) >= 6 and len(notes) >= 2
    assert [s for s in secrets if s in page and s not in own_words] == []
    assert "<img" not in page and "/photos" not in page and "/media" not in page
    # What it does show: the zone, the category, the figures of this week and the closed hazard.
    assert "一号楼走廊" in page and "消防安全" in page and page.count('<time datetime="') == 2


def test_no_sign_in_chinese_by_default_and_english_complete(client, make_hazard):
    make_hazard("assigned")
    response = client.get("/board")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="zh-CN">' in page
    assert "<th scope=\"col\">责任区</th>" in page and "逾期" in page
    client.post("/language", data={"locale": "en", "next": "/board"})
    english = client.get("/board").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert [w for w in ("This week", "This month", "By department", "Fixed on time", "Recently closed")
            if w not in english] == []


def test_every_word_of_the_board_has_its_chinese():
    """Each message of the board's template is in the Chinese catalog or in this part's pending fragment."""
    from babel.messages.pofile import read_po
    from jinja2.ext import babel_extract

    root = Path(__file__).resolve().parents[2] / "server"
    with (root / "templates/board/index.html").open("rb") as template:
        # A message with keyword arguments comes out as (message, None).
        words = {message[0] if isinstance(message, tuple) else message for _line, _func, message, _notes
                 in babel_extract(template, ("_", "gettext"), [], {})}
    known = {}
    for path in (root / "translations/zh_Hans_CN/LC_MESSAGES/messages.po",
                 root / "translations/pending/board-notices.po", root / "translations/pending/escalation.po"):
        with path.open("rb") as po:
            known.update({m.id: m.string for m in read_po(po) if m.id and m.string})
    assert len(words) > 20
    assert sorted(w for w in words if w not in known) == []


def test_off_by_configuration_is_404(app, client):
    app.config["BOARD_ENABLED"] = False
    assert client.get("/board").status_code == 404


def test_the_queries_do_not_grow_with_the_hazards(app, client, make_hazard, make_zone):
    """Counting is GROUP BY in SQL: as many statements for three hazards in three zones as for one."""
    from sqlalchemy import event

    def statements() -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/board").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    make_hazard("closed")
    one = statements()
    for _ in range(3):
        make_hazard("assigned", zone=make_zone())
    assert statements() == one


@pytest.mark.parametrize(("closed_days_ago", "listed"), [(30, True), (31, False)])
def test_recently_closed_means_the_last_thirty_days(app, make_hazard, make_zone, closed_days_ago, listed):
    from datetime import timedelta

    from server.board import queries

    make_hazard("closed", zone=make_zone(name="图书馆"), now=NOW - timedelta(days=closed_days_ago))
    with app.app_context():
        assert [c.zone for c in queries.recently_closed(NOW)] == (["图书馆"] if listed else [])


# How the dashboard's groups are named on the board: its key -> the board's label.
DASHBOARD_LABEL = {"zone": lambda key: key[2], "building": lambda key: key[0],
                   "category": lambda key: key[1], "department": lambda key: key[0]}


@pytest.mark.parametrize("period", ["week", "month"])
@pytest.mark.parametrize("dimension", ["zone", "building", "category", "department"])
def test_every_figure_is_the_dashboards(app, fixture_world, figures, dimension, period):
    """Each board figure is the dashboard's (figures.breakdown) for a supervisor, who sees every hazard."""
    from server.auth.models import User
    from server.reports import figures as dashboard

    measures = {name: dashboard.BREAKDOWN[name] for name in ("found", "fixed", "on_time", "overdue")}
    with app.app_context():
        supervisor = db.session.get(User, fixture_world["supervisor"].id)
        first, last = figures.days[period]
        groups = dashboard.breakdown(supervisor, dashboard.Period(period, first, last).filter,
                                     dashboard.DIMENSIONS[dimension], measures, NOW)
    expected = {DASHBOARD_LABEL[dimension](g.key): {name: f.value for name, f in g.figures.items()}
                for g in groups if any(f.value for f in g.figures.values())}
    board = {g.label: g.figures[period] for g in figures.groups[dimension] if any(g.figures[period].values())}
    assert board == expected and board
