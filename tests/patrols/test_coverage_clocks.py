"""Coverage read through the indexes gives what the rule gives over every visit kept, whatever the phones'
clocks said: visits with phone times ahead of or behind their receipt, either side of the window's start.

The reference below reads every visit in Python: its moment is the earlier of phone and server time
(services.visit_moment), the last before the window and the window's days follow, and classify decides.
"""

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.auth.models import User
from server.extensions import db
from server.patrols import coverage
from server.patrols.models import PatrolVisit
from server.zones.models import Zone
from tests.conftest import new_client_id

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2030, 1, 9, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)  # a Wednesday
# How far a phone's clock was off: right, hours or days ahead (received earlier than it says), behind.
SKEWS = [timedelta(0), timedelta(0), timedelta(hours=3), timedelta(days=2), timedelta(days=9),
         timedelta(hours=-5), timedelta(days=-1)]
FREQUENCIES = [("daily", None), ("weekly", None), ("custom", 3), ("daily", None), ("weekly", None),
               ("custom", 2)]


@pytest.fixture
def skewed(app, make_user, make_zone):
    """Six zones with 14 visits each over the 40 days up to now, at seeded random times and clock skews."""
    draw = random.Random(20301)  # noqa: S311 (the same test data each run, not a secret)
    people = [make_user(roles=("patrol",), display_name=name) for name in ("甲", "乙", "丙")]
    for n, (frequency, days) in enumerate(FREQUENCIES):
        zone = make_zone(code=f"K-{n}", frequency=frequency, frequency_days=days)
        with app.app_context():
            db.session.get(Zone, zone.id).created_at = NOW - timedelta(days=60)
            for _ in range(14):
                received = NOW - timedelta(minutes=draw.randrange(1, 40 * 24 * 60))
                db.session.add(PatrolVisit(client_id=new_client_id(), content_hash="x", zone_id=zone.id,
                                           patrol_id=draw.choice(people).id, result="no_hazard",
                                           device_at=received + draw.choice(SKEWS), received_at=received))
            db.session.commit()
    return app


def _reference(win):
    """Return each zone's (status, late days, visits in the window, last visit) and who patrolled, from
    every visit kept."""
    start = coverage.start_of_day(win.first)
    end = coverage.start_of_day(win.last + timedelta(days=1))
    moments = [(v.zone_id, v.patrol_id, min(v.device_at, v.received_at)) for v in db.session.scalars(
        db.select(PatrolVisit))]
    zones = {}
    for zone in db.session.scalars(db.select(Zone).where(Zone.active.is_(True))):
        mine = [m for z, _p, m in moments if z == zone.id and m < end]
        before = max((m for m in mine if m < start), default=None)
        inside = [m for m in mine if m >= start]
        days = sorted({coverage.local_date(m) for m in inside})
        status, late = coverage.classify(zone, coverage.local_date(before) if before else None, days, win)
        zones[zone.code] = (status, late, len(inside), max(inside, default=before))
    names = {u.id: u.display_name for u in db.session.scalars(db.select(User))}
    patrols = {}
    for z, p, m in moments:
        if start <= m < end:
            patrols.setdefault(names[p], []).append(z)
    return zones, {name: (len(zs), len(set(zs))) for name, zs in patrols.items()}


@pytest.mark.parametrize("kind", coverage.WINDOWS)
def test_coverage_is_the_rule_over_every_visit(skewed, kind):
    with skewed.app_context():
        win = coverage.window(kind, NOW.astimezone(SHANGHAI).date())
        expected_zones, expected_patrols = _reference(win)
        shown = coverage.coverage(win)
        zones = {z.zone.code: (z.status, z.late_days, z.visits, z.last_visit) for z in shown.zones}
        patrols = {p.name: (p.visits, p.zones) for p in shown.patrols}
    assert zones == expected_zones
    assert patrols == expected_patrols
    # The fixture reaches the case the indexes make hard: a visit received before the window whose phone
    # said a time in it (its moment is before the window).
    with skewed.app_context():
        start = coverage.start_of_day(win.first)
        assert db.session.scalar(db.select(db.func.count()).where(
            PatrolVisit.received_at < start, PatrolVisit.device_at >= start)) > 0


def test_the_cadence_counts_the_visits_whose_moment_is_in_the_term(skewed):
    with skewed.app_context():
        skewed.config["TERM_START"] = "2029-12-01"
        today = NOW.astimezone(SHANGHAI).date()
        sweep = next(r for r in coverage.cadence(today) if r.every == coverage.TERM)
        start, end = coverage.start_of_day(sweep.first), coverage.start_of_day(today + timedelta(days=1))
        visits = [v for v in db.session.scalars(db.select(PatrolVisit))
                  if start <= min(v.device_at, v.received_at) < end]
    assert (sweep.covered, sweep.visits) == (len({v.zone_id for v in visits}), len(visits))
