"""Documents: rectification notices numbered once per hazard and per year, unique under two workers; the
hazard file; the buttons that print them; who may print."""

import re
import threading
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from server.extensions import db
from server.ledger import services
from server.ledger.models import Notice
from tests.conftest import PASSWORD

FOUND = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
NUMBER = re.compile(r"\d{4}-\d{4}")


@pytest.fixture
def boss(make_user):
    """Return a supervisor, who may print."""
    return make_user(roles=("supervisor",), display_name="王主任")


@pytest.fixture
def desk(sign_in, boss):
    """Return the supervisor's client with the desk in English."""
    client = sign_in(boss)
    client.post("/language", data={"locale": "en"})
    return client


def _numbers(app, hazard_ids) -> list[str]:
    with app.app_context():
        notices = services.notices_of(hazard_ids)
        return [notices[i].number if i in notices else None for i in hazard_ids]


def _year_now_school() -> int:
    """Return the year now at the school (Asia/Shanghai, the test configuration's zone)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).year


def test_notices_are_numbered_in_order_within_the_year(app, desk, make_hazard, boss):
    ids = [make_hazard("assigned", supervisor=boss, now=FOUND).id for _ in range(3)]
    response = desk.post("/hazards/notices", data={"hazard": [str(i) for i in reversed(ids)]})
    assert response.status_code == 303
    year = _year_now_school()
    assert _numbers(app, ids) == [f"{year}-0001", f"{year}-0002", f"{year}-0003"]


def test_a_reprint_keeps_the_number(app, desk, make_hazard, boss):
    first, second = (make_hazard("assigned", supervisor=boss, now=FOUND).id for _ in range(2))
    desk.post("/hazards/notices", data={"hazard": str(first)})
    desk.post("/hazards/notices", data={"hazard": [str(second), str(first)]})
    desk.post("/hazards/notices", data={"hazard": str(first)})
    year = _year_now_school()
    assert _numbers(app, [first, second]) == [f"{year}-0001", f"{year}-0002"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Notice)) == 2


def test_each_year_starts_at_one(app, make_hazard, boss, monkeypatch):
    ids = [make_hazard("assigned", supervisor=boss, now=FOUND).id for _ in range(3)]
    with app.test_request_context():
        from server.auth.models import User

        user = db.session.get(User, boss.id)
        # 2026-12-31 20:00 UTC is already 2027-01-01 at the school (UTC+8): the school's year counts.
        for hazard_id, moment in zip(ids, (datetime(2026, 12, 31, 15, 0, tzinfo=UTC),
                                           datetime(2026, 12, 31, 20, 0, tzinfo=UTC),
                                           datetime(2027, 3, 1, tzinfo=UTC)), strict=True):
            monkeypatch.setattr(services, "utcnow", lambda moment=moment: moment)
            services.issue_notices(user, [hazard_id])
    assert _numbers(app, ids) == ["2026-0001", "2027-0001", "2027-0002"]


def test_a_number_taken_meanwhile_is_retried(app, make_hazard, boss, monkeypatch):
    """Another worker took the number read as free: the insert fails on (year, seq) and the next is used."""
    taken, mine = (make_hazard("assigned", supervisor=boss, now=FOUND).id for _ in range(2))
    real_next_seq = services.next_seq
    stale = iter([1])  # the first read answers as if the number were still free
    monkeypatch.setattr(services, "next_seq", lambda year: next(stale, None) or real_next_seq(year))
    with app.test_request_context():
        from server.auth.models import User

        user = db.session.get(User, boss.id)
        db.session.add(Notice(hazard_id=taken, year=_year_now_school(), seq=1, issued_by_id=user.id))
        db.session.commit()
        services.issue_notices(user, [mine])
    year = _year_now_school()
    assert _numbers(app, [taken, mine]) == [f"{year}-0001", f"{year}-0002"]


@pytest.fixture
def live_server(app):
    """Serve the app on a free loopback port from a thread (threaded: requests run side by side)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _signed_in_opener(base, username):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    opener.open(f"{base}/login", form, timeout=30).close()
    return opener


def test_two_workers_never_share_a_number(app, live_server, make_hazard, make_user, boss):
    other = make_user(roles=("supervisor",))
    hazards = [make_hazard("assigned", supervisor=boss, now=FOUND).id for _ in range(8)]
    openers = [_signed_in_opener(live_server, boss.username), _signed_in_opener(live_server, other.username)]
    failures = []

    def issue(opener, ids):
        for hazard_id in ids:
            body = urllib.parse.urlencode({"hazard": hazard_id}).encode()
            try:
                opener.open(f"{live_server}/hazards/notices", body, timeout=60).close()
            except Exception as exc:  # noqa: BLE001 - reported below, whatever it was
                failures.append(exc)

    # Both number every hazard, in opposite orders, at the same time.
    threads = [threading.Thread(target=issue, args=(openers[0], hazards)),
               threading.Thread(target=issue, args=(openers[1], list(reversed(hazards))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    numbers = _numbers(app, hazards)
    year = _year_now_school()
    assert sorted(numbers) == [f"{year}-{seq:04d}" for seq in range(1, 9)]


def test_an_invalidated_hazard_gets_no_notice(app, desk, make_hazard, boss):
    hazard = make_hazard("invalid", supervisor=boss, now=FOUND)
    assert desk.post("/hazards/notices", data={"hazard": str(hazard.id)}).status_code == 409
    assert _numbers(app, [hazard.id]) == [None]


@pytest.mark.parametrize(("form", "status"), [
    ({}, 422), ({"hazard": "abc"}, 422), ({"hazard": str(2**63)}, 422), ({"hazard": "0"}, 404),
    ({"hazard": ",".join(str(i) for i in range(1, 202))}, 422),
])
def test_notice_requests_it_cannot_use(desk, form, status):
    assert desk.post("/hazards/notices", data=form).status_code == status


def test_the_notice_page(desk, make_hazard, make_zone, boss):
    zone = make_zone(name="化学实验室", building="教学楼", floor="3F")
    hazard = make_hazard("assigned", supervisor=boss, zone=zone, now=FOUND, description="灭火器压力不足")
    response = desk.post("/hazards/notices", data={"hazard": str(hazard.id)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    year = _year_now_school()
    expected = [f"No. {year}-0001", "Hazard rectification notice", "化学实验室（教学楼 3F）", "2026-03-09",
                "灭火器压力不足", hazard.people.rectifier.display_name, "Receipt", "王主任"]
    assert [text for text in expected if text not in page] == []
    assert page.count(f"{year}-0001") == 3  # the notice's number, the receipt's, and the receipt's sentence


def test_bulk_notices_one_article_each(desk, make_hazard, boss):
    ids = [make_hazard("reported", supervisor=boss, now=FOUND).id for _ in range(3)]
    response = desk.post("/hazards/notices", data={"hazard": [str(i) for i in ids]}, follow_redirects=True)
    assert response.get_data(as_text=True).count('<article class="doc rect-notice"') == 3


def test_a_notice_not_issued_is_not_shown(desk, make_hazard, boss):
    hazard = make_hazard("assigned", supervisor=boss, now=FOUND)
    assert desk.get(f"/hazards/notices?hazard={hazard.id}").status_code == 404


def test_the_hazard_file(desk, make_hazard, boss):
    hazard = make_hazard("closed", supervisor=boss, now=FOUND)
    page = desk.get(f"/hazards/{hazard.id}/file").get_data(as_text=True)
    expected = ["Hazard file", hazard.zone_obj.name, "Buildings", "General", "2026-03-09", "Report", "Assign",
                "Submit rectification", "Pass recheck", "Rectifier (signature):", "Checker (signature):",
                "/api/v1/photos/"]
    assert [text for text in expected if text not in page] == []


def test_the_hazard_page_offers_both_documents(desk, make_hazard, boss):
    hazard = make_hazard("assigned", supervisor=boss, now=FOUND)
    page = desk.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert f'href="/hazards/{hazard.id}/file"' in page
    assert 'action="/hazards/notices"' in page and f'name="hazard" value="{hazard.id}"' in page


def test_the_queue_offers_bulk_notices(desk, make_hazard, boss):
    ids = [make_hazard("reported", supervisor=boss, now=FOUND).id for _ in range(2)]
    page = desk.get("/hazards/queue").get_data(as_text=True)
    assert 'id="bulk-notices"' in page
    assert [i for i in ids if f'value="{i}" form="bulk-notices" checked' not in page] == []


@pytest.mark.parametrize("roles", [("patrol",), ("rectifier",)])
def test_others_may_not_print(login_as, make_hazard, roles):
    hazard = make_hazard("assigned", now=FOUND)
    client = login_as(*roles)
    answers = [client.get(f"/hazards/{hazard.id}/file").status_code,
               client.post("/hazards/notices", data={"hazard": str(hazard.id)}).status_code,
               client.get(f"/hazards/notices?hazard={hazard.id}").status_code]
    assert answers == [403, 403, 403]


def test_a_hazard_of_no_record_is_not_found(desk):
    assert desk.get("/hazards/0/file").status_code == 404
