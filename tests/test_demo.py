"""The demo (issue 10): `seed-demo` makes a term of patrols and hazards in every state through the services,
with photo files, missed zones and notifications; loaded once, the same on every seeding, started over."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from server import demo
from server.auth.models import User
from server.demo_history import HAZARD_COUNT, TERM_DAYS, seed_history
from server.extensions import db
from server.hazards import states
from server.hazards.models import AFTER, BEFORE, Hazard, HazardEvent, Photo
from server.media.storage import get_storage
from server.notifications.models import Notification
from server.patrols.models import PatrolVisit
from server.schooltime import local_date, school_tz, start_of_day
from server.zones.models import DAILY, Zone
from tests.conftest import app_on_copy

# A fixed end for the tests that compare seedings: the start of 1 December 2026 in Shanghai.
END = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, schema_database):
    """An app whose database holds the demo as `flask seed-demo` loads it (a term up to today)."""
    with app_on_copy(tmp_path_factory.mktemp("demo"), schema_database) as app:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert "Loading the demo: 120 days of patrols and 300 hazards" in result.output
        assert "Demo data loaded." in result.output
        yield app


@pytest.fixture
def seeded(demo_app):
    """The demo app, its context pushed for this test only (a CLI command runs in the app of the context
    pushed, so one left pushed would take other tests' commands)."""
    with demo_app.app_context():
        yield demo_app


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _hazards_with(*actions):
    # Hazards that have an event of every one of the actions.
    query = select(Hazard.id)
    for action in actions:
        query = query.where(Hazard.id.in_(select(HazardEvent.hazard_id).where(HazardEvent.action == action)))
    return query


def test_every_state_and_every_action(seeded):
    found_states = set(db.session.scalars(select(Hazard.state).distinct()))
    actions = set(db.session.scalars(select(HazardEvent.action).distinct()))
    assert found_states == set(states.STATES)
    assert actions == set(states.EVENT_ACTIONS)


_submitted = select(HazardEvent.hazard_id, func.min(HazardEvent.at).label("at")).where(
    HazardEvent.action == states.SUBMIT).group_by(HazardEvent.hazard_id).subquery()


@pytest.mark.parametrize(("what", "query", "low", "high"), [
    # The term's, and the one the finished special inspection's failed item opened (server/campaigns/demo.py).
    ("hazards", select(Hazard.id), HAZARD_COUNT + 1, HAZARD_COUNT + 1),
    ("reported, not yet assigned", select(Hazard.id).where(Hazard.state == states.REPORTED), 1, 20),
    ("overdue", select(Hazard.id).where(Hazard.overdue_at(datetime.now(UTC))), 3, 40),
    ("a deferral waiting", select(Hazard.id).where(Hazard.deferral_requested_at.is_not(None)), 1, 10),
    ("awaiting recheck", select(Hazard.id).where(Hazard.state == states.AWAITING_RECHECK), 1, 30),
    ("closed", select(Hazard.id).where(Hazard.state == states.CLOSED), 200, 290),
    ("invalidated", select(Hazard.id).where(Hazard.state == states.INVALID), 1, 30),
    ("fixed on the spot", select(Hazard.id).where(Hazard.fixed_on_the_spot), 10, 60),
    ("deferral asked and approved", _hazards_with(states.REQUEST_DEFERRAL, states.APPROVE_DEFERRAL), 1, 50),
    ("deferral declined", _hazards_with(states.DECLINE_DEFERRAL), 1, 30),
    ("recheck failed then passed", _hazards_with(states.FAIL, states.PASS), 1, 50),
    ("reopened", _hazards_with(states.REOPEN), 1, 30),
    ("reassigned", select(HazardEvent.hazard_id).where(HazardEvent.action == states.ASSIGN)
     .group_by(HazardEvent.hazard_id).having(func.count() > 1), 1, 40),
    ("closed on time", select(Hazard.id).join(_submitted, _submitted.c.hazard_id == Hazard.id)
     .where(Hazard.state == states.CLOSED, _submitted.c.at <= Hazard.deadline), 100, 290),
    ("closed late", select(Hazard.id).join(_submitted, _submitted.c.hazard_id == Hazard.id)
     .where(Hazard.state == states.CLOSED, _submitted.c.at > Hazard.deadline), 10, 120),
    ("major or critical", select(Hazard.id).where(Hazard.severity != states.GENERAL), 30, 120),
    ("critical", select(Hazard.id).where(Hazard.severity == states.CRITICAL), 1, 30),
    ("patrol visits", select(PatrolVisit.id), 1200, 2000),
    ("visits done on site (after a scan)", select(PatrolVisit.id).where(PatrolVisit.on_site), 900, 2000),
    ("notifications", select(Notification.id), 500, 20000),
    ("notifications read", select(Notification.id).where(Notification.read_at.is_not(None)), 300, 20000),
    ("notifications unread", select(Notification.id).where(Notification.read_at.is_(None)), 1, 2000),
])
def test_the_term_in_figures(seeded, what, query, low, high):
    assert low <= _count(query) <= high, what


@pytest.mark.parametrize(("username", "company", "hazards_at_least"), [
    ("liu", "物业公司", 20),
    ("ma", "电梯维保公司", 3),
    ("zhang", "", 20),
    ("chen", "", 20),
])
def test_rectifiers_and_their_companies(seeded, username, company, hazards_at_least):
    user = db.session.scalar(select(User).where(User.username == username))
    assert user.company == company
    assert _count(select(HazardEvent.id).where(HazardEvent.rectifier_id == user.id)) >= hazards_at_least


def test_the_lift_is_the_lift_company_s(seeded):
    lift = db.session.scalar(select(Zone).where(Zone.code == "JX-LIFT"))
    assert lift.responsible.username == "ma"


def test_photos_are_stored_files(seeded):
    storage = get_storage()
    photos = list(db.session.scalars(select(Photo)))
    missing = [p.key for p in photos if not (storage.exists(p.key) and storage.exists(p.thumb_key))]
    without_before = _count(select(Hazard.id).where(~Hazard.id.in_(
        select(Photo.hazard_id).where(Photo.kind == BEFORE))))
    with_after = select(Photo.event_id).where(Photo.kind == AFTER)
    submits_without_after = _count(select(HazardEvent.id).where(
        HazardEvent.action == states.SUBMIT, ~HazardEvent.id.in_(with_after)))
    assert len(photos) >= 2 * HAZARD_COUNT
    assert missing == []
    assert (without_before, submits_without_after) == (0, 0)
    assert len({p.sha256 for p in photos}) > 0.9 * len(photos)  # drawn one by one, not one picture copied
    assert max(p.bytes for p in photos) < 100_000 and {(p.width, p.height) for p in photos} == {(640, 480)}


def test_daily_zones_are_patrolled_on_most_school_days_and_missed_on_some(seeded):
    last_day = local_date(datetime.now(UTC)) - timedelta(days=1)
    school_days = {last_day - timedelta(days=n) for n in range(TERM_DAYS)} - {
        d for d in (last_day - timedelta(days=n) for n in range(TERM_DAYS)) if d.weekday() >= 5}
    due = missed = 0
    for zone in db.session.scalars(select(Zone).where(Zone.frequency == DAILY)):
        visited = {local_date(at) for at in db.session.scalars(
            select(PatrolVisit.device_at).where(PatrolVisit.zone_id == zone.id))}
        due += len(school_days)
        missed += len(school_days - visited)
    assert 0.03 * due <= missed <= 0.2 * due


def test_everything_happened_in_the_past_in_school_hours(seeded):
    end = start_of_day(local_date(datetime.now(UTC)))
    first = end - timedelta(days=TERM_DAYS)
    times = list(db.session.scalars(select(HazardEvent.at))) + list(db.session.scalars(
        select(PatrolVisit.received_at))) + list(db.session.scalars(select(Notification.created_at)))
    outside = [t for t in times if not (first <= t < end and time(7, 0) <= t.astimezone(school_tz()).time()
                                        <= time(19, 0))]
    assert outside == []


def test_seeding_again_adds_nothing(seeded):
    before = [_count(select(model.id)) for model in (User, Zone, Hazard, HazardEvent, Photo, PatrolVisit)]
    result = seeded.test_cli_runner().invoke(args=["seed-demo"])
    after = [_count(select(model.id)) for model in (User, Zone, Hazard, HazardEvent, Photo, PatrolVisit)]
    assert result.exit_code == 0 and "kept" in result.output and "Loading" not in result.output
    assert after == before


def _history(app, days, hazards) -> tuple[list, list]:
    """Seed a short term up to END into the app's fresh database; return its hazards and events as rows."""
    with app.app_context():
        demo.seed(history=False)
        seed_history(END, days=days, hazards=hazards)
        rows = [(h.zone.code, h.category.code, h.severity, h.state, h.description, h.reporter.username,
                 h.rectifier and h.rectifier.username, h.deadline, h.closed_at, h.fixed, h.fixed_on_the_spot,
                 len(h.photos)) for h in db.session.scalars(select(Hazard).order_by(Hazard.received_at))]
        events = [(e.hazard.client_id, e.action, e.to_state, e.actor.username, e.at, e.device_at, e.note,
                   e.deadline, e.on_site) for e in db.session.scalars(
                       select(HazardEvent).order_by(HazardEvent.at, HazardEvent.id))]
        return rows, events


def test_two_seedings_make_the_same_term(tmp_path, schema_database):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with app_on_copy(tmp_path / "one", schema_database) as one, \
            app_on_copy(tmp_path / "two", schema_database) as two:
        first, second = _history(one, 21, 40), _history(two, 21, 40)
    assert len(first[0]) == 40 and len(first[1]) > 80
    assert first == second


@pytest.fixture
def short_demo(tmp_path, schema_database):
    """An app with the demo's people and a short term of history, with its photo files."""
    with app_on_copy(tmp_path, schema_database) as app:
        with app.app_context():
            demo.seed(history=False)
            seed_history(END, days=10, hazards=8)
        yield app


def test_reset_starts_the_demo_over(short_demo):
    result = short_demo.test_cli_runner().invoke(args=["seed-demo", "--reset", "--yes", "--no-history"])
    assert result.exit_code == 0, result.output
    with short_demo.app_context():
        counts = [_count(select(model.id)) for model in (Hazard, Photo, PatrolVisit, Notification)]
        users = _count(select(User.id))
        files = list(get_storage().files())
    assert "Everything deleted" in result.output and "Demo data loaded." in result.output
    assert (counts, users, files) == ([0, 0, 0, 0], len(demo.PEOPLE), [])


def test_reset_asks_first(short_demo):
    result = short_demo.test_cli_runner().invoke(args=["seed-demo", "--reset"], input="n\n")
    with short_demo.app_context():
        hazards = _count(select(Hazard.id))
    assert result.exit_code != 0 and hazards == 8
