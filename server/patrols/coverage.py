"""Patrol coverage: of the zones due for a patrol today, this week or this month, which were patrolled on
time, which late, which are still missed; per building, floor, department and responsible person; each
zone's patrol history. Read only.

"Due" is the round's rule, once (services.due_from): a zone is due from its period after its last visit's
school day until it is visited again. Over a window of school days (today; Monday to today; the 1st to
today) a zone is
- due: it was due on at least one day of the window;
- on time: every time it fell due in the window it was patrolled that very day;
- late: patrolled, but at least once only days after it fell due (how late: the most days of one wait);
- missed: due now and not patrolled yet (how late: days since it fell due; 0 is "due today").
The visits are counted in SQL (one GROUP BY per zone and day of the window, over the window's visits only;
one index seek per zone for the last visit before it), so the work grows with the zones and the window's
visits, not with the visits kept.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from server.auth.models import SUPERVISOR, User, UserRole
from server.errors import ServiceError
from server.extensions import db
from server.patrols.models import PatrolVisit
from server.patrols.services import due_from, last_visit, moment_from, visit_moment
from server.reports.figures import term_start
from server.schooltime import local_date, start_of_day
from server.zones.models import RISK_LEVELS, Zone

TODAY, WEEK, MONTH = "today", "week", "month"
WINDOWS = (TODAY, WEEK, MONTH)
WINDOW_LABELS = {TODAY: _l("Today"), WEEK: _l("This week"), MONTH: _l("This month")}
ON_TIME, LATE, MISSED = "on_time", "late", "missed"
STATUS_LABELS = {ON_TIME: _l("On time"), LATE: _l("Late"), MISSED: _l("Not patrolled")}
BUILDING, FLOOR, DEPARTMENT, PERSON = "building", "floor", "department", "person"
DIMENSIONS = {BUILDING: _l("Building"), FLOOR: _l("Floor"), DEPARTMENT: _l("Department"),
              PERSON: _l("Responsible person")}
# The school's cadence of inspections by whom, beside each zone's own frequency: (every, who, which).
# Who: "department" (its people; "*": each department in its own zones), "role", or "anyone" (a full
# sweep). PATROL_CADENCE in the configuration replaces it, e.g. [["day", "department", "保卫科"], ...].
DAY, TERM = "day", "term"
CADENCE = (("day", "department", "安保队"), ("week", "department", "*"), ("month", "role", SUPERVISOR),
           ("term", "anyone", ""))
CADENCE_PERIODS = {DAY: _l("Every day"), WEEK: _l("Every week"), MONTH: _l("Every month"),
                   TERM: _l("Every term")}
HISTORY_MAX = 200  # a zone's latest visits shown; a daily zone's term is about 100


@dataclass(frozen=True)
class Window:
    """The school days a coverage is about, both ends included; the last one is today."""

    kind: str
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        """Return the window's days in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def window(kind: str, today: date) -> Window:
    """Return today's, this week's (from Monday) or this month's window; refuse another kind."""
    if kind not in WINDOWS:
        raise ServiceError(_l("Choose today, this week or this month."), details={"period": "unknown"})
    first = {TODAY: today, WEEK: today - timedelta(days=today.weekday()), MONTH: today.replace(day=1)}[kind]
    return Window(kind, first, today)


@dataclass
class ZoneCoverage:
    """One zone over the window: its status (None: not due in it), days late, visits in it, its last visit."""

    zone: Zone
    status: str | None
    late_days: int
    visits: int
    last_visit: datetime | None


@dataclass
class Row:
    """Counts of zones in one group (a building, a person ...): due, and of them on time, late, missed."""

    label: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def rate(self) -> float | None:
        """Return the share patrolled on time, or None when nothing was due."""
        return self.on_time / self.due if self.due else None

    def add(self, status: str) -> None:
        """Count one due zone of this status."""
        self.due += 1
        setattr(self, status, getattr(self, status) + 1)


@dataclass
class PatrolRow:
    """What one person patrolled in the window: visits, different zones, visits on site (by scan)."""

    name: str
    visits: int
    zones: int
    on_site: int


@dataclass
class Coverage:
    """The coverage of a window: every active zone's, the totals, the breakdowns, the missed, the patrols."""

    window: Window
    zones: list[ZoneCoverage]
    total: Row
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    missed: list[ZoneCoverage] = field(default_factory=list)
    patrols: list[PatrolRow] = field(default_factory=list)


def classify(zone: Zone, last_before: date | None, visit_days: list[date],
             win: Window) -> tuple[str | None, int]:
    """Return a zone's status over the window and its days late, from its visits' school days.

    `last_before`: the day of its last visit before the window; `visit_days`: the days it was visited in the
    window, in order, each once.
    """
    due = due_from(zone, last_before)
    was_due, late = False, 0
    for day in visit_days:
        if due <= day:  # it was waiting for this visit (a visit before it fell due only moves it on)
            was_due, late = True, max(late, (day - due).days)
        due = due_from(zone, day)
    if due <= win.last:
        return MISSED, (win.last - due).days
    if not was_due:
        return None, 0
    return (LATE, late) if late > 0 else (ON_TIME, 0)


BEFORE = -1  # the day index of every visit before the window


def _day_index(at, win: Window):
    """Return the SQL number of the window's school day a time falls on (0 the first; BEFORE before it)."""
    # One branch per day of the window (at most 31): school days of any time zone, in SQLite and PostgreSQL.
    return case((at < start_of_day(win.first), BEFORE),
                *((at < start_of_day(day + timedelta(days=1)), n) for n, day in enumerate(win.days)))


def zone_coverage(win: Window) -> list[ZoneCoverage]:
    """Return every active zone's coverage over the window, by code."""
    at = visit_moment()
    zones = list(db.session.scalars(select(Zone).where(Zone.active.is_(True)).order_by(Zone.code)))
    day = _day_index(at, win)
    start = start_of_day(win.first)
    # Per zone, the last visit before the window: of the visits whose phone time is before it, one index
    # seek each (grouping every visit kept was 0.3 s at a district's 200,000) ...
    before: dict[int, datetime] = {zone_id: last for zone_id, last in db.session.execute(
        select(Zone.id, last_visit(Zone.id, phone_before=start)).where(Zone.active.is_(True))) if last}
    days: dict[int, list[int]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    latest: dict[int, datetime] = {}
    # ... and the window's days visited, from the visits whose phone time is in it or later, read through the
    # index on (zone_id, device_at) zone by zone; one received before the window counts as before it.
    rows = db.session.execute(
        select(PatrolVisit.zone_id, day, func.count(), func.max(at))
        .select_from(Zone)
        .join(PatrolVisit, and_(PatrolVisit.zone_id == Zone.id, PatrolVisit.device_at >= start))
        .where(Zone.active.is_(True), at < start_of_day(win.last + timedelta(days=1)))
        .group_by(PatrolVisit.zone_id, day))
    for zone_id, index, n, last in rows:
        if index == BEFORE:
            before[zone_id] = max(last, before.get(zone_id, last))
            continue
        days[zone_id].append(index)
        counts[zone_id] += n
        latest[zone_id] = max(last, latest.get(zone_id, last))
    for visited in days.values():
        visited.sort()
    found = []
    for zone in zones:
        last_before = before.get(zone.id)
        visit_days = [win.first + timedelta(days=n) for n in days.get(zone.id, [])]
        status, late = classify(zone, local_date(last_before) if last_before else None, visit_days, win)
        found.append(ZoneCoverage(zone, status, late, counts.get(zone.id, 0),
                                  latest.get(zone.id, last_before)))
    return found


def _group_keys() -> dict[str, Callable[[Zone], str]]:
    return {BUILDING: lambda z: z.building,
            FLOOR: lambda z: " · ".join(part for part in (z.building, z.floor) if part),
            DEPARTMENT: lambda z: z.department,
            PERSON: lambda z: z.responsible.display_name if z.responsible else ""}


def missed_order(item: ZoneCoverage) -> tuple:
    """Sort key of the missed zones: key areas first, then the higher risk, then the longest late."""
    return (not item.zone.key_area, RISK_LEVELS.index(item.zone.risk_level), -item.late_days, item.zone.code)


def coverage(win: Window) -> Coverage:
    """Return the window's coverage: totals, per building, floor, department and person, missed, patrols."""
    zones = zone_coverage(win)
    due = [z for z in zones if z.status is not None]
    total = Row(str(_l("All zones")))
    groups: dict[str, dict[str, Row]] = {name: {} for name in DIMENSIONS}
    for item in due:
        total.add(item.status)
        for name, key in _group_keys().items():
            label = key(item.zone) or "—"
            groups[name].setdefault(label, Row(label)).add(item.status)
    breakdowns = {name: sorted(rows.values(), key=lambda r: (r.rate if r.rate is not None else 1, r.label))
                  for name, rows in groups.items()}
    missed = sorted((z for z in due if z.status == MISSED), key=missed_order)
    return Coverage(win, zones, total, breakdowns, missed, patrols(win))


def patrols(win: Window) -> list[PatrolRow]:
    """Return who patrolled in the window, most visits first: visits, different zones, on site by scan."""
    at = visit_moment()
    rows = db.session.execute(
        select(User.display_name, func.count(), func.count(PatrolVisit.zone_id.distinct()),
               func.sum(case((PatrolVisit.on_site.is_(True), 1), else_=0)))
        .join(User, User.id == PatrolVisit.patrol_id)
        .where(moment_from(start_of_day(win.first)), at < start_of_day(win.last + timedelta(days=1)))
        .group_by(User.id, User.display_name).order_by(func.count().desc(), User.display_name))
    return [PatrolRow(name, visits, zones, on_site or 0) for name, visits, zones, on_site in rows]


def history(zone: Zone, limit: int = HISTORY_MAX) -> list[tuple[PatrolVisit, datetime]]:
    """Return the zone's latest visits and when each was, newest first, with the hazards found in each."""
    at = visit_moment()
    return [tuple(row) for row in db.session.execute(
        select(PatrolVisit, at).where(PatrolVisit.zone_id == zone.id)
        .options(selectinload(PatrolVisit.hazards)).order_by(at.desc(), PatrolVisit.id.desc()).limit(limit))]


@dataclass
class CadenceRow:
    """One line of the school's cadence: who inspects how often, and the zones they covered this period."""

    every: str
    who: str  # a department or a role; "" for anyone
    first: date
    zones: int  # in their scope
    covered: int  # of those, visited by them in the period
    visits: int


def _cadence_first(every: str, today: date) -> date:
    return {DAY: today, WEEK: today - timedelta(days=today.weekday()), MONTH: today.replace(day=1),
            TERM: term_start(today)}[every]


def cadence(today: date) -> list[CadenceRow]:
    """Return the school's cadence (PATROL_CADENCE or CADENCE) with what each part of it covered so far."""
    plan = current_app.config.get("PATROL_CADENCE") or CADENCE
    firsts = sorted({_cadence_first(every, today) for every, _who, _which in plan})
    at = visit_moment()
    # One pass over the visits of the longest period: each counted under the latest period start it follows.
    since = case(*((at >= start_of_day(first), n) for n, first in reversed(list(enumerate(firsts)))))
    zones = dict(db.session.execute(select(Zone.id, Zone.department).where(Zone.active.is_(True))).all())
    # The active zones' visits of the period, read through the index on (zone_id, device_at) zone by zone.
    visits = db.session.execute(
        select(PatrolVisit.zone_id, PatrolVisit.patrol_id, since, func.count())
        .select_from(Zone).join(PatrolVisit, and_(PatrolVisit.zone_id == Zone.id,
                                                  moment_from(start_of_day(firsts[0]))))
        .where(Zone.active.is_(True), at < start_of_day(today + timedelta(days=1)))
        .group_by(PatrolVisit.zone_id, PatrolVisit.patrol_id, since)).all()
    patrol_ids = {patrol for _zone, patrol, _since, _n in visits}
    departments = dict(db.session.execute(
        select(User.id, User.department).where(User.id.in_(patrol_ids))).all())
    roles = defaultdict(set)
    for user_id, role in db.session.execute(select(UserRole.user_id, UserRole.role)
                                            .where(UserRole.user_id.in_(patrol_ids))):
        roles[user_id].add(role)
    tests = {"department": lambda zone, patrol, which: departments[patrol] == (
                 zones[zone] if which == "*" else which),
             "role": lambda zone, patrol, which: which in roles[patrol],
             "anyone": lambda zone, patrol, which: True}
    rows = []
    for every, who, which in plan:
        first = _cadence_first(every, today)
        theirs = [(zone, n) for zone, patrol, index, n in visits
                  if firsts[index] >= first and tests[who](zone, patrol, which)]
        if who == "department" and which == "*":  # each department in its own zones
            for department in sorted(set(zones.values())):
                mine = [(zone, n) for zone, n in theirs if zones[zone] == department]
                rows.append(CadenceRow(every, department or "—", first,
                                       list(zones.values()).count(department),
                                       len({zone for zone, _n in mine}), sum(n for _zone, n in mine)))
            continue
        rows.append(CadenceRow(every, which, first, len(zones), len({zone for zone, _n in theirs}),
                               sum(n for _zone, n in theirs)))
    return rows
