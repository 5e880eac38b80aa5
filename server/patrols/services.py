"""The rules for patrol visits: the only code that creates or changes a PatrolVisit.

A visit is recorded in one tap ("no hazard found") from the zone page, or made by the first hazard reported
in that visit (server/hazards/reporting.report). Idempotent by client id like every record made on a device.
"""

import functools
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, bindparam, case, func, null, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from server import sync
from server.auth.models import PATROL, SUPERVISOR, User
from server.database import UTCDateTime, utcnow
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.patrols.models import HAZARDS_FOUND, NO_HAZARD, RESULTS, PatrolVisit
from server.patrols.schemas import CHECKLIST_MAX_ITEMS, NOTE_MAX
from server.schooltime import local_date, start_of_day
from server.zones.models import DAILY, WEEKLY, Zone

VISIT_ROLES = (PATROL, SUPERVISOR)
# What the round reads of a zone: what its line shows, and what "due" needs (due_from reads it by name).
ROUND_COLUMNS = (Zone.id, Zone.code, Zone.name, Zone.key_area, Zone.qr_token, Zone.frequency,
                 Zone.frequency_days)
# A zone as the round reads it, with its last visit and, if it was never visited, its creation time: a tuple,
# whose fields are read by name faster than a Row's (500 zones, each read six times or so by the rule and the
# sort).
RoundZone = namedtuple("RoundZone", [*(column.key for column in ROUND_COLUMNS), "last_visit", "created_at"])


@dataclass
class Visit:
    """A patrol visit as the field app sends it."""

    client_id: str
    zone_id: int | None
    result: str = NO_HAZARD
    device_at: datetime | None = None
    scanned_at: datetime | None = None
    zone_token: str | None = None
    checklist: dict = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        self.checklist = {} if self.checklist is None else self.checklist
        self.note = (self.note or "").strip() if isinstance(self.note, str) else self.note


@dataclass
class VisitOutcome:
    """The visit, and whether it was made now (False: a repeat of its client id)."""

    visit: PatrolVisit
    created: bool


def _check_actor(actor: User) -> None:
    if not actor.has_role(*VISIT_ROLES):
        raise Forbidden(_l("Only patrol staff and supervisors record patrol visits."),
                        details={"reason": "role"})


def _active_zone(zone_id) -> Zone:
    zone = db.session.get(Zone, zone_id) if isinstance(zone_id, int) else None
    if zone is None:
        raise ValidationFailed(_l("Choose the zone."), details={"zone_id": "required"})
    if not zone.active:
        raise Conflict(_l("This zone (%(name)s) is no longer in use. Please tell the logistics office.",
                          name=zone.name), details={"reason": "zone_inactive"})
    return zone


def _check_checklist(checklist) -> dict:
    if checklist is None:
        return {}
    def fits(question, answer) -> bool:
        return isinstance(question, str) and len(question) <= 200 and (
            answer is None or isinstance(answer, bool | str) and len(str(answer)) <= 500)

    if not isinstance(checklist, dict) or len(checklist) > CHECKLIST_MAX_ITEMS \
            or not all(fits(k, v) for k, v in checklist.items()):
        raise ValidationFailed(_l("The checklist answers are not valid."), details={"checklist": "invalid"})
    return checklist


def record_visit(actor: User, new: Visit, *, now: datetime | None = None) -> VisitOutcome:
    """Record a patrol visit to an active zone (commits); a repeat of its client id returns the first."""
    now = now or utcnow()
    client_id = sync.check_client_id(new.client_id)
    digest = sync.record_digest(new, actor=actor.id)
    repeat = sync.find_repeat(PatrolVisit, client_id, digest)
    if repeat is not None:
        return VisitOutcome(repeat, created=False)
    _check_actor(actor)
    if new.result not in RESULTS:
        raise ValidationFailed(_l("The result must be \"no hazard\" or \"hazards found\"."),
                               details={"result": "unknown"})
    checklist = _check_checklist(new.checklist)
    note = new.note
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_l("The note is too long (at most %(n)d characters).", n=NOTE_MAX),
                               details={"note": "too_long"})
    zone = _active_zone(new.zone_id)
    device_at = new.device_at or now

    def write() -> PatrolVisit:
        visit = PatrolVisit(zone=zone, patrol=actor, device_at=device_at, received_at=now, result=new.result,
                            scanned_at=new.scanned_at,
                            on_site=sync.on_site(zone, new.zone_token, new.scanned_at, device_at),
                            checklist=checklist, note=note, client_id=client_id, content_hash=digest)
        db.session.add(visit)
        db.session.flush()
        return visit

    visit, created = sync.write_once(PatrolVisit, client_id, digest, write, lambda: None)
    return VisitOutcome(visit, created=created)


def visit_for_report(actor: User, zone: Zone, client_id: str, *, device_at: datetime,
                     scanned_at: datetime | None, zone_token: str | None, now: datetime,
                     result: str = HAZARDS_FOUND) -> PatrolVisit:
    """Return the visit a hazard report belongs to, making it (result "hazards found") if it is new.

    Runs inside the report's transaction and does not commit. A checklist answered with nothing failed (a
    campaign's) makes its visit with `result` "no hazard".
    """
    visit = db.session.scalar(select(PatrolVisit).where(PatrolVisit.client_id == client_id))
    if visit is None:
        visit = PatrolVisit(zone=zone, patrol=actor, device_at=device_at, received_at=now,
                            result=result, scanned_at=scanned_at,
                            on_site=sync.on_site(zone, zone_token, scanned_at, device_at),
                            checklist={}, note="", client_id=client_id,
                            content_hash=sync.record_digest(
                                Visit(client_id, zone.id, result, device_at, scanned_at, zone_token),
                                actor=actor.id))
        try:
            # A savepoint: if another report of the same visit made it meanwhile, use that one.
            with db.session.begin_nested():
                db.session.add(visit)
        except IntegrityError:
            visit = db.session.scalar(select(PatrolVisit).where(PatrolVisit.client_id == client_id))
    if visit is None or visit.patrol_id != actor.id or visit.zone_id != zone.id:
        raise ValidationFailed(_l("This visit belongs to another zone or person."),
                               details={"visit_client_id": "mismatch"})
    if visit.result == NO_HAZARD and result == HAZARDS_FOUND:
        visit.result = HAZARDS_FOUND  # "no hazard" tapped, then one noticed after all
    return visit


@dataclass
class Round:
    """A patrol's day: the zones due for a patrol (with their last visit), and those patrolled today.

    Each zone is a RoundZone (read by name like a Zone: id, code, name, key_area, qr_token, …).
    """

    day: date
    due: list[tuple[RoundZone, datetime | None]]
    done: list[RoundZone]


_PERIODS = {DAILY: 1, WEEKLY: 7}


def period_days(zone: Zone) -> int:
    """Return how many calendar days one patrol of the zone covers (daily 1, weekly 7, custom its days)."""
    return _PERIODS.get(zone.frequency) or max(1, zone.frequency_days or 1)


def visit_moment():
    """Return the SQL time a visit happened: the phone's clock, never later than the server received it."""
    # A phone set a month ahead must not mark its zones patrolled for a month.
    return case((PatrolVisit.device_at < PatrolVisit.received_at, PatrolVisit.device_at),
                else_=PatrolVisit.received_at)


def moment_from(start):
    """Return the SQL condition "the visit's moment is at `start` or later", in a form indexes serve.

    The moment is the earlier of the two times, so it is from `start` on exactly when both are; an index on
    (zone_id or patrol_id, device_at) then reads only the visits from `start` on, not every visit kept.
    """
    return and_(PatrolVisit.device_at >= start, PatrolVisit.received_at >= start)


def last_visit(zone_id, phone_before=None):
    """Return a correlated SQL scalar: the latest visit_moment of the zone `zone_id` (a column), or NULL.

    With `phone_before`, of its visits whose phone time is before it only (their moments are before it too;
    a visit whose phone time is later but whose receipt is earlier is the caller's to count).

    Read through the index on (zone_id, device_at), one row per zone instead of every visit: take the visit N
    with the latest phone time. If N's phone time is not after its receipt, it is the latest moment of all (a
    visit's moment is at most its phone time, at most N's). Else (a phone clock ahead) N's moment is its
    receipt time R, and no visit whose phone time is before R can be later than R, so only the visits from R
    on are compared.
    """
    # One seek per zone where the visits' clocks were right (all of a district's 200,000): the earlier form
    # always did the second, 1.5 to 1.0 ms for 500 zones.
    newest = aliased(PatrolVisit)
    def before(visit):
        return [] if phone_before is None else [visit.device_at < phone_before]

    later = (select(func.max(visit_moment())).where(PatrolVisit.zone_id == zone_id,
                                                     PatrolVisit.device_at >= newest.received_at,
                                                     *before(PatrolVisit))
             .correlate_except(PatrolVisit).scalar_subquery())
    return (select(case((newest.device_at <= newest.received_at, newest.device_at), else_=later))
            .where(newest.zone_id == zone_id, *before(newest)).order_by(newest.device_at.desc()).limit(1)
            .correlate_except(newest).scalar_subquery())


def due_from(zone: Zone, last_visit_day: date | None) -> date:
    """Return the school day from which the zone is due for a patrol: its period after the last visit's day.

    The one rule of "due": a zone is due on every day from this one until it is visited (weekly, visited on a
    Monday: due from the next Monday on). A zone never visited is due from the day it was made.
    """
    if last_visit_day is None:
        return local_date(zone.created_at)
    return last_visit_day + timedelta(days=period_days(zone))


def visited_before(zone: Zone, today: date) -> datetime:
    """Return the instant a visit must precede for the zone to be due `today`: due_from's rule as one time.

    due_from(zone, day) <= today holds exactly when day <= today - period, that is when the visit happened
    before the school day (today - period + 1) began. One instant per period, not a school date per zone.
    """
    return start_of_day(today - timedelta(days=period_days(zone) - 1))


@functools.cache
def _round_statements() -> tuple[Select, Select]:
    """Return the round's two statements, built once: the active zones with their last visits, and the zones
    a patrol (:patrol) visited between :start and :end."""
    # Built per request, their expressions and cache keys were a tenth of the round (0.35 ms at 100k).
    # Their creation times are read only for the zones never visited (a time read back for each of 500 zones
    # cost half a millisecond; a district's zones have all been visited).
    zones = (select(*ROUND_COLUMNS, last_visit(Zone.id), null())
             .where(Zone.active.is_(True)).order_by(Zone.code))
    # The visit's moment (the earlier of phone and server time) is in the day: both times from its start on
    # (so the index on (patrol_id, device_at) reads only that day's), and one of them before its end.
    start, end = bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    mine = select(PatrolVisit.zone_id).where(
        PatrolVisit.patrol_id == bindparam("patrol"), moment_from(start),
        or_(PatrolVisit.device_at < end, PatrolVisit.received_at < end))
    return zones, mine


def todays_round(user: User, *, now: datetime | None = None) -> Round:
    """Return the zones due for a patrol today, key areas and the longest unvisited first, and `user`'s done.

    A zone is due when nobody has visited it within its period, counted in the school's calendar days and
    ending today (daily: not yet today; weekly: not in the last 7 days, today included). Rectifiers who do not
    patrol get an empty round.
    """
    now = now or utcnow()
    today = local_date(now)
    if not user.has_role(*VISIT_ROLES):
        return Round(today, [], [])
    # The active zones as rows of the columns a line and the rule read, each with its last visit, in one
    # statement: 500 Zone objects (and a second query for the visits) were most of the round at 100k
    # (issue 12).
    zones_statement, mine_statement = _round_statements()
    zones = list(map(RoundZone._make, db.session.execute(zones_statement)))
    never = [z.id for z in zones if z.last_visit is None]
    if never:
        made = dict(db.session.execute(select(Zone.id, Zone.created_at).where(Zone.id.in_(never))).all())
        zones = [z._replace(created_at=made[z.id]) if z.last_visit is None else z for z in zones]
    # A zone visited is due when its last visit came before its period's instant, worked out once per period:
    # a school date for each of 500 zones was a fifth of the round's Python (issue 12).
    before = {}
    for z in zones:
        if (z.frequency, z.frequency_days) not in before:
            before[z.frequency, z.frequency_days] = visited_before(z, today)
    due = [(z, z.last_visit) for z in zones
           if (z.last_visit < before[z.frequency, z.frequency_days] if z.last_visit
               else due_from(z, None) <= today)]
    due.sort(key=lambda item: (not item[0].key_area, item[1] is not None, item[1] or now, item[0].code))
    mine = set(db.session.scalars(mine_statement, {
        "patrol": user.id, "start": start_of_day(today), "end": start_of_day(today + timedelta(days=1))}))
    return Round(today, due, [z for z in zones if z.id in mine])
