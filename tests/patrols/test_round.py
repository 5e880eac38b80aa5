"""Today's round: the zones due for a patrol (by frequency, in the school's calendar) and what I did today."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.auth.models import User
from server.extensions import db
from server.patrols import services
from server.patrols.models import PatrolVisit
from server.zones.models import Zone
from tests.conftest import new_client_id
from tests.statements import ran

# 10:00 in Shanghai on a Wednesday.
NOW = datetime(2030, 1, 9, 2, 0, tzinfo=UTC)


def _visit(app, zone, user, at):
    with app.app_context():
        db.session.add(PatrolVisit(client_id=new_client_id(), content_hash="x", zone_id=zone.id,
                                   patrol_id=user.id, result="no_hazard", device_at=at, received_at=at))
        db.session.commit()


def _round(app, user, now=NOW):
    with app.app_context():
        today = services.todays_round(db.session.get(User, user.id), now=now)
        return today.day, [(z.code, last) for z, last in today.due], [z.code for z in today.done]


def test_due_zones_follow_each_zones_frequency(app, make_user, make_zone):
    me, other = make_user(roles=("patrol",)), make_user(roles=("patrol",))
    daily_done = make_zone(code="D-DONE", frequency="daily")
    make_zone(code="D-NEVER", frequency="daily")
    daily_yesterday = make_zone(code="D-LATE", frequency="daily")
    weekly_recent = make_zone(code="W-RECENT", frequency="weekly")
    weekly_old = make_zone(code="W-OLD", frequency="weekly")
    custom = make_zone(code="C-3", frequency="custom", frequency_days=3)
    make_zone(code="K-KEY", frequency="daily", key_area=True)
    _visit(app, daily_done, me, NOW - timedelta(hours=1))
    # 23:30 in Shanghai yesterday is yesterday for the school, though it is today's date in UTC minus a bit.
    _visit(app, daily_yesterday, other, datetime(2030, 1, 8, 15, 30, tzinfo=UTC))
    _visit(app, weekly_recent, other, NOW - timedelta(days=6))
    _visit(app, weekly_old, other, NOW - timedelta(days=7, hours=1))
    _visit(app, custom, other, NOW - timedelta(days=2))

    day, due, done = _round(app, me)
    assert day.isoformat() == "2030-01-09"
    codes = [code for code, _ in due]
    # Key areas first, then never patrolled, then the longest since a patrol.
    assert codes == ["K-KEY", "D-NEVER", "W-OLD", "D-LATE"]
    assert dict(due)["D-NEVER"] is None and dict(due)["W-OLD"] is not None
    assert done == ["D-DONE"]
    assert _round(app, other)[2] == []  # the others' visits are theirs, and none of them was today


def test_an_inactive_zone_is_never_due_and_rectifiers_have_no_round(app, make_user, make_zone):
    zone = make_zone(code="GONE", frequency="daily")
    with app.app_context():
        db.session.get(Zone, zone.id).active = False
        db.session.commit()
    assert _round(app, make_user(roles=("patrol",)))[1] == []
    make_zone(code="HERE", frequency="daily")
    assert _round(app, make_user(roles=("rectifier",)))[1:] == ([], [])


def test_the_round_over_the_api(app, make_zone, login_as):
    patrol = login_as("patrol")
    zone = make_zone(code="API-1", frequency="daily")
    body = patrol.get("/api/v1/me/today").get_json()
    assert [d["zone"]["code"] for d in body["due"]] == ["API-1"] and body["done"] == []
    assert body["due"][0]["zone"]["token"] == zone.qr_token and body["due"][0]["last_visit_at"] is None
    visit = {"client_id": new_client_id(), "zone_id": zone.id, "device_at": datetime.now(UTC).isoformat()}
    assert patrol.post("/api/v1/visits", json=visit).status_code == 201
    body = patrol.get("/api/v1/me/today").get_json()
    assert body["due"] == [] and [z["code"] for z in body["done"]] == ["API-1"]


def test_a_phone_clock_set_ahead_does_not_mark_zones_patrolled(app, make_user, make_zone):
    me = make_user(roles=("patrol",))
    zone = make_zone(code="CLOCK", frequency="daily")
    with app.app_context():  # the phone said "a month from now"; the server received it yesterday
        db.session.add(PatrolVisit(client_id=new_client_id(), content_hash="x", zone_id=zone.id,
                                   patrol_id=me.id, result="no_hazard", device_at=NOW + timedelta(days=30),
                                   received_at=NOW - timedelta(days=1)))
        db.session.commit()
    _day, due, done = _round(app, me)
    assert [code for code, _ in due] == ["CLOCK"] and done == []
    assert dict(due)["CLOCK"] == NOW - timedelta(days=1)


# Today at school (Shanghai) is 2030-01-09, from 2030-01-08 16:00 UTC to 2030-01-09 16:00 UTC. A visit counts
# at the earlier of the phone's time and the server's.
START = datetime(2030, 1, 8, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(("phone", "server", "done_today"), [
    (NOW - timedelta(hours=1), NOW - timedelta(hours=1), True),
    (START, START + timedelta(hours=1), True),  # the first moment of today
    (START - timedelta(seconds=1), NOW, False),  # the phone says yesterday: done yesterday (sent late)
    (NOW, START - timedelta(seconds=1), False),  # received yesterday, the phone's clock ahead
    (NOW + timedelta(days=30), NOW - timedelta(hours=1), True),  # a clock a month ahead, received today
    (START + timedelta(days=1), START + timedelta(days=1), False),  # tomorrow's first moment
    (START + timedelta(days=1, seconds=-1), START + timedelta(days=2), True),  # last moment, sent tomorrow
])
def test_a_visit_is_done_today_by_the_earlier_of_its_two_times(app, make_user, make_zone, phone, server,
                                                              done_today):
    me = make_user(roles=("patrol",))
    zone = make_zone(code="BOTH", frequency="weekly")
    with app.app_context():
        db.session.add(PatrolVisit(client_id=new_client_id(), content_hash="x", zone_id=zone.id,
                                   patrol_id=me.id, result="no_hazard", device_at=phone, received_at=server))
        db.session.commit()
    assert _round(app, me)[2] == (["BOTH"] if done_today else [])



@pytest.mark.parametrize(("never_visited", "statements", "due"), [
    (0, 2, ["S-0"]),  # the zones with their last visits; my visits of today
    (2, 3, ["S-3", "S-4", "S-0"]),  # and the creation times of the two zones never visited
])
def test_the_round_reads_its_zones_with_their_last_visits_in_one_statement(app, make_user, make_zone,
                                                                           never_visited, statements, due):
    """The zones as rows with their last visit (no Zone objects, no query per zone), then my visits of today:
    two statements however many zones (issue 12: 500 Zone objects and their own query were most of it), and
    one more when some zone was never visited."""
    me = make_user(roles=("patrol",))
    zones = [make_zone(code=f"S-{n}", frequency="daily") for n in range(3 + never_visited)]
    _visit(app, zones[0], me, NOW - timedelta(days=2))
    _visit(app, zones[1], me, NOW - timedelta(hours=1))
    _visit(app, zones[2], me, NOW - timedelta(hours=2))
    with app.app_context():
        user = db.session.get(User, me.id)
        today, said = ran(app, lambda: services.todays_round(user, now=NOW))
    assert (len(said), [z.code for z, _ in today.due], [z.code for z in today.done]) == (
        statements, due, ["S-1", "S-2"])


H = timedelta(hours=1)


@pytest.mark.parametrize(("visits", "last"), [
    ([], None),
    ([(NOW - 5 * H, NOW - 5 * H), (NOW - 2 * H, NOW - 2 * H + timedelta(minutes=1))], NOW - 2 * H),
    ([(NOW - 24 * H, NOW)], NOW - 24 * H),  # sent a day late: its phone's time
    ([(NOW + 720 * H, NOW - 24 * H)], NOW - 24 * H),  # a clock a month ahead: its receipt
    # The latest phone time ahead, received before another visit's moment: that moment.
    ([(NOW - 2 * H, NOW - 2 * H), (NOW + 720 * H, NOW - 3 * H)], NOW - 2 * H),
    # The latest phone time ahead, received after the other visit: its receipt.
    ([(NOW - 5 * H, NOW - 5 * H), (NOW + 720 * H, NOW - 3 * H)], NOW - 3 * H),
    # Two phones ahead, the later by phone received first.
    ([(NOW + 24 * H, NOW - 1 * H), (NOW + 720 * H, NOW - 3 * H)], NOW - 1 * H),
])
def test_a_zones_last_visit_is_its_latest_moment(app, make_user, make_zone, visits, last):
    """The last visit is the latest of the visits' moments (each the earlier of phone and server time)."""
    me, zone = make_user(roles=("patrol",)), make_zone(code="LAST", frequency="daily")
    with app.app_context():
        for phone, server in visits:
            db.session.add(PatrolVisit(client_id=new_client_id(), content_hash="x", zone_id=zone.id,
                                       patrol_id=me.id, result="no_hazard", device_at=phone,
                                       received_at=server))
        db.session.commit()
        found = db.session.scalar(select(services.last_visit(Zone.id)).where(Zone.id == zone.id))
    assert found == last


@pytest.mark.parametrize(("frequency", "days"), [("daily", None), ("weekly", None), ("custom", 3)])
def test_the_round_is_due_froms_rule_at_every_boundary(app, make_user, make_zone, frequency, days):
    """The round compares a visit with one instant per period: the same answer as due_from's school days,
    on both sides of each midnight in Shanghai (16:00 UTC)."""
    from server.schooltime import local_date

    me = make_user(roles=("patrol",))
    instants = [datetime(2030, 1, day, 16, 0, tzinfo=UTC) + shift
                for day in range(1, 9) for shift in (timedelta(microseconds=-1), timedelta(0))]
    zones = []
    for n, at in enumerate(instants):
        zone = make_zone(code=f"Z{n:02d}", frequency=frequency, frequency_days=days)
        _visit(app, zone, me, at)
        zones.append((zone, at))
    with app.app_context():
        today = local_date(NOW)
        expected = [f"Z{n:02d}" for n, (zone, at) in enumerate(zones)
                    if services.due_from(db.session.get(Zone, zone.id), local_date(at)) <= today]
    due = [code for code, _ in _round(app, me)[1]]
    assert sorted(due) == expected
    assert 0 < len(expected) < len(zones)  # the boundary falls inside the instants tried
