"""Coverage on a fixture with known answers: a zone patrolled late, one missed, one patrolled twice, custom
frequencies, and visits either side of the school's midnight (Asia/Shanghai, UTC+8)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.extensions import db
from server.patrols import coverage
from server.patrols.models import PatrolVisit
from server.zones.models import Zone
from tests.conftest import new_client_id

SHANGHAI = timezone(timedelta(hours=8))
# 10:00 in Shanghai on Wednesday 9 January 2030: the week began on Monday the 7th.
NOW = datetime(2030, 1, 9, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)


def at(day, hour=10, minute=0):
    """Return a time of January 2030 (or December 2029 for days below 1) in Shanghai."""
    return datetime(2030, 1, 1, hour, minute, tzinfo=SHANGHAI) + timedelta(days=day - 1)


# code: (frequency, days, building, floor, department, risk, key area,
#        visits as (day, hour, minute, who, scanned on site))
ZONES = {
    "A-ONTIME": ("daily", None, "教学楼", "1F", "后勤处", "general", False,
                 [(6, 9, 0, 1, False), (7, 9, 0, 1, False), (8, 9, 0, 1, False), (9, 9, 0, 1, False)]),
    "B-LATE": ("daily", None, "教学楼", "1F", "后勤处", "general", False,
               [(5, 9, 0, 1, False), (8, 9, 0, 1, False), (9, 9, 5, 1, False)]),
    "C-MISSED": ("weekly", None, "教学楼", "1F", "后勤处", "low", True, [(-3, 9, 0, 1, False)]),  # 28 Dec
    "D-TWICE": ("daily", None, "教学楼", "2F", "后勤处", "general", False,
                [(6, 9, 0, 2, True), (7, 9, 0, 2, True), (8, 9, 0, 2, True), (9, 8, 0, 2, True),
                 (9, 9, 30, 2, True)]),
    "E-CUSTOM3": ("custom", 3, "教学楼", "2F", "安全办", "significant", False,
                  [(0, 9, 0, 1, False), (3, 9, 0, 1, False), (6, 9, 0, 1, False)]),  # 31 Dec, 3 and 6 Jan
    "F-2330": ("daily", None, "宿舍楼", "1F", "安全办", "major", False,
               [(6, 10, 0, 1, False), (7, 10, 0, 1, False), (8, 23, 30, 1, False)]),
    "G-0030": ("daily", None, "宿舍楼", "1F", "安全办", "general", False,
               [(6, 10, 0, 2, False), (7, 10, 0, 2, False), (8, 10, 0, 2, False), (9, 0, 30, 2, False)]),
    "H-CUSTOM5": ("custom", 5, "宿舍楼", "1F", "安全办", "low", False, [(6, 9, 0, 1, False)]),
}


@pytest.fixture
def world(app, make_user, make_zone):
    """Make the zones and their visits; return the app."""
    people = {1: make_user(roles=("patrol",), display_name="李老师"),
              2: make_user(roles=("patrol",), display_name="周保安")}
    for code, (freq, days, building, floor, dept, risk, key, visits) in ZONES.items():
        zone = make_zone(code=code, frequency=freq, frequency_days=days, building=building, floor=floor,
                         department=dept, risk_level=risk, key_area=key)
        with app.app_context():
            db.session.get(Zone, zone.id).created_at = at(-30)
            for day, hour, minute, who, scan in visits:
                moment = at(day, hour, minute).astimezone(UTC)
                db.session.add(PatrolVisit(client_id=new_client_id(), content_hash="x", zone_id=zone.id,
                                           patrol_id=people[who].id, result="no_hazard", device_at=moment,
                                           received_at=moment, on_site=scan,
                                           scanned_at=moment if scan else None))
            db.session.commit()
    return app


def _coverage(app, kind):
    with app.app_context():
        shown = coverage.coverage(coverage.window(kind, NOW.astimezone(SHANGHAI).date()))
        statuses = {z.zone.code: (z.status, z.late_days, z.visits) for z in shown.zones}
        breakdowns = {name: {r.label: (r.due, r.on_time, r.late, r.missed) for r in rows}
                      for name, rows in shown.breakdowns.items()}
        return (shown, statuses, breakdowns, [z.zone.code for z in shown.missed],
                [(p.name, p.visits, p.zones, p.on_site) for p in shown.patrols])


# code: (status, days late, visits in the window) today and this week.
EXPECTED = {
    "A-ONTIME": {"today": ("on_time", 0, 1), "week": ("on_time", 0, 3)},
    "B-LATE": {"today": ("on_time", 0, 1), "week": ("late", 2, 2)},  # due since the 6th, patrolled the 8th
    "C-MISSED": {"today": ("missed", 5, 0), "week": ("missed", 5, 0)},  # due since 4 Jan
    "D-TWICE": {"today": ("on_time", 0, 2), "week": ("on_time", 0, 4)},
    "E-CUSTOM3": {"today": ("missed", 0, 0), "week": ("missed", 0, 0)},  # due from the 9th: today
    "F-2330": {"today": ("missed", 0, 0), "week": ("missed", 0, 2)},  # 23:30 on the 8th was the 8th
    "G-0030": {"today": ("on_time", 0, 1), "week": ("on_time", 0, 3)},  # 00:30 on the 9th (UTC: the 8th)
    "H-CUSTOM5": {"today": (None, 0, 0), "week": (None, 0, 0)},  # due from the 11th
}


@pytest.mark.parametrize("kind", ["today", "week"])
@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_zones_status(world, code, kind):
    assert _coverage(world, kind)[1][code] == EXPECTED[code][kind]


@pytest.mark.parametrize(("kind", "expected"), [
    ("today", (7, 4, 0, 3)),
    ("week", (7, 3, 1, 3)),
    # Made on 1 December and first patrolled in January (A, B, D, G, H: late), or due now (C, E, F).
    ("month", (8, 0, 5, 3)),
])
def test_totals(world, kind, expected):
    total = _coverage(world, kind)[0].total
    assert (total.due, total.on_time, total.late, total.missed) == expected


@pytest.mark.parametrize(("dimension", "expected"), [
    ("building", {"教学楼": (5, 2, 1, 2), "宿舍楼": (2, 1, 0, 1)}),
    ("floor", {"教学楼 · 1F": (3, 1, 1, 1), "教学楼 · 2F": (2, 1, 0, 1), "宿舍楼 · 1F": (2, 1, 0, 1)}),
    ("department", {"后勤处": (4, 2, 1, 1), "安全办": (3, 1, 0, 2)}),
    ("person", {"—": (7, 3, 1, 3)}),
])
def test_this_weeks_breakdowns(world, dimension, expected):
    assert _coverage(world, "week")[2][dimension] == expected


def test_missed_zones_come_key_areas_first_then_higher_risk(world):
    assert _coverage(world, "week")[3] == ["C-MISSED", "F-2330", "E-CUSTOM3"]


def test_who_patrolled_today(world):
    assert _coverage(world, "today")[4] == [("周保安", 3, 2, 2), ("李老师", 2, 2, 0)]


def test_another_window_is_refused(app):
    from server.errors import ServiceError

    with app.app_context(), pytest.raises(ServiceError):
        coverage.window("year", NOW.date())


@pytest.fixture
def cadence_world(app, make_user, make_zone):
    """Two departments' zones; a guard, a department's teacher, a supervisor and a visitor patrol them."""
    from server.auth.models import User

    zones = {code: make_zone(code=code, department=dept) for code, dept in
             [("Q-1", "后勤处"), ("Q-2", "后勤处"), ("S-1", "安全办")]}
    guard = make_user(roles=("patrol",), department="安保队")
    teacher = make_user(roles=("patrol",), department="后勤处")
    boss = make_user(roles=("supervisor",), department="安全办")
    # (who, zone, day of January 2030): today is Wednesday the 9th.
    for person, code, day in [(guard, "Q-1", 9), (guard, "Q-2", 9), (guard, "S-1", 8), (teacher, "Q-1", 7),
                              (teacher, "S-1", 7), (boss, "S-1", 2), (boss, "Q-2", 3)]:
        moment = at(day).astimezone(UTC)
        with app.app_context():
            assert db.session.get(User, person.id) is not None
            db.session.add(PatrolVisit(client_id=new_client_id(), content_hash="x", zone_id=zones[code].id,
                                       patrol_id=person.id, result="no_hazard", device_at=moment,
                                       received_at=moment))
            db.session.commit()
    return app


def test_the_schools_cadence_by_whom(cadence_world):
    with cadence_world.app_context():
        cadence_world.config["TERM_START"] = "2029-12-01"
        rows = [(r.every, r.who, r.first.isoformat(), r.zones, r.covered, r.visits)
                for r in coverage.cadence(NOW.astimezone(SHANGHAI).date())]
    assert rows == [
        ("day", "安保队", "2030-01-09", 3, 2, 2),  # the guard's two zones today
        ("week", "后勤处", "2030-01-07", 2, 1, 1),  # the teacher in 后勤处's zones only
        ("week", "安全办", "2030-01-07", 1, 0, 0),
        ("month", "supervisor", "2030-01-01", 3, 2, 2),
        ("term", "", "2029-12-01", 3, 3, 7),  # anyone: the full sweep
    ]
