"""Which hazards: one filter for the hazard list, the dashboard's links, the ledger export, the public board.

A `HazardFilter` is read from a query string (`from_args`, a clear 400 for a value it cannot use), written
back into one (`to_args`, so a figure links to `url_for('hazards.index', **f.to_args())`) and turned into SQL
(`apply`). It never decides who may see what: callers start from access.visible_hazards.

The rules of the figures that filters can name live here too, once, as SQL (server/reports/figures.py counts
with them, the list filters with them, so a figure and the list behind its link always agree):

- **Fixed**: closed by a passed recheck or fixed on the spot (`Hazard.fixed`, only ever true while closed).
  A hazard that failed a recheck and later passed is one hazard, fixed once.
- **Valid**: every hazard that was not invalidated (作废: duplicates, not a hazard, not ours). The
  rectification rate is fixed / valid.
- **Rectified at**: when the accepted rectification was done: the last "submit for recheck" (by the phone's
  clock, so work done with no signal counts when it was done, not when it was sent), or the report itself for
  a hazard fixed on the spot (立行立改, always on time).
- **Deadline then**: the deadline in force when it was rectified: the one set by the latest assignment,
  approved deferral, failed recheck or reopening before that submit. A deferral that moved the deadline counts
  its new date; a deferral only asked for does not.
- **On time / late**: a fixed hazard is on time when it was rectified at or before the deadline then (fixed
  on the spot, or no deadline ever set: on time); late otherwise. Open and invalidated hazards are neither:
  "overdue now" says how the open ones stand.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from server.auth.models import User
from server.converters import db_int
from server.errors import ServiceError
from server.hazards import states
from server.hazards.models import Hazard, HazardEvent
from server.schooltime import start_of_day
from server.zones.models import Zone

# Groups of states a filter can name as it names a state (?state=open).
OPEN = "open"
OVERDUE = "overdue"
FINISHED = "finished"
VALID = "valid"
GROUPS = (OPEN, OVERDUE, FINISHED, VALID)

_KNOWN_STATES = frozenset(states.STATES) | frozenset(GROUPS)

# ?timing=on_time or late (only fixed hazards have either).
ON_TIME = "on_time"
LATE = "late"
TIMINGS = (ON_TIME, LATE)

# A text filter's value for "none": a zone with no building or department, a hazard with no rectifier, a
# rectifier with no contractor (school staff).
NONE = "-"

TEXT_MAX = 100
# Far past any real list (a page past the last is empty), and its offset stays a database integer.
PAGE_MAX = 1_000_000


class BadFilter(ServiceError):
    """A filter value that names nothing the filter knows (400, the value named)."""

    status = 400
    code = "bad_filter"


@cache
def _alias(name: str):
    """Return the alias of the events that the rules below name `name` ("submit" or "setter").

    Made once, on first use (once every model is mapped): a fresh alias per call costs SQLAlchemy the
    adaptation of its columns again, most of the time the dashboard spent building its on-time query. Each
    alias appears once along any chain of nested subqueries, so correlation stays as it was.
    """
    return aliased(HazardEvent, name=name)


def _deadline_set(hazard_id, before=None):
    """Return SQL for the deadline set by a hazard's latest assignment, approved deferral, failed recheck or
    reopening (before the event id `before`, when given); a deferral only asked for sets none."""
    setter = _alias("setter")
    query = select(setter.deadline).where(setter.hazard_id == hazard_id, setter.deadline.is_not(None),
                                          setter.action != states.REQUEST_DEFERRAL)
    if before is not None:
        query = query.where(setter.id < before)
    return query.order_by(setter.id.desc()).limit(1).scalar_subquery()


def _about_accepted_submit(expression, submit):
    """Return SQL for `expression` about the hazard's accepted submit (its last), NULL when it has none."""
    return (select(expression).where(submit.hazard_id == Hazard.id, submit.action == states.SUBMIT)
            .order_by(submit.id.desc()).limit(1).scalar_subquery())


def _done_at(event):
    # The phone's time when it sent one, else the server's.
    return func.coalesce(event.device_at, event.at)


def rectified_at():
    """Return SQL for when a hazard's accepted rectification was done (last submit, else the report)."""
    submit = _alias("submit")
    return func.coalesce(_about_accepted_submit(_done_at(submit), submit), Hazard.device_reported_at)


def deadline_then():
    """Return SQL for the deadline in force when the hazard was rectified (with no submit: the latest one)."""
    submit = _alias("submit")
    return func.coalesce(_about_accepted_submit(_deadline_set(submit.hazard_id, submit.id), submit),
                         _deadline_set(Hazard.id))


def on_time():
    """Return SQL that is 1 for a fixed hazard rectified on time, 0 for a late one, NULL for the rest.

    One correlated subquery reads the accepted submit and the deadline in force before it; a fixed hazard with
    no submit was fixed on the spot (on time), and one with no deadline ever set is on time.
    """
    submit = _alias("submit")
    # A NULL deadline makes the comparison NULL: not late.
    in_time = case((_done_at(submit) > _deadline_set(submit.hazard_id, submit.id), 0), else_=1)
    return case((Hazard.state != states.CLOSED, None),
                else_=func.coalesce(_about_accepted_submit(in_time, submit), 1))


def group_condition(name: str, now: datetime):
    """Return the SQL condition of one state or group of states."""
    if name == OPEN:
        return Hazard.state.in_(states.OPEN_STATES)
    if name == OVERDUE:
        return Hazard.overdue_at(now)
    if name == FINISHED:
        return Hazard.state.in_(states.FINISHED_STATES)
    if name == VALID:
        return Hazard.state != states.INVALID
    return Hazard.state == name


@dataclass(frozen=True)
class HazardFilter:
    """Which hazards: every field left empty means "any"."""

    states: tuple[str, ...] = ()  # states or groups (GROUPS), any of them
    zone_id: int | None = None
    building: str = ""  # NONE: zones with no building
    category_id: int | None = None
    severity: str = ""
    department: str = ""  # the zone's 责任部门; NONE: zones with none
    company: str = ""  # the rectifier's contractor (外包单位); NONE: a rectifier on the school's staff
    rectifier_id: int | None = None
    no_rectifier: bool = False
    reporter_id: int | None = None
    person_id: int | None = None  # reported it or rectifies it
    found_from: date | None = None  # school-local days of device_reported_at, both ends included
    found_to: date | None = None
    closed_from: date | None = None  # school-local days of closed_at, both ends included
    closed_to: date | None = None
    timing: str = ""  # ON_TIME or LATE
    overdue: bool | None = None  # True: overdue now only; False: all but those
    deferral_pending: bool | None = None
    supervised: bool | None = None  # True: open and flagged 督办 by the daily pass; False: all but those
    event: str = ""  # had at least one event of this action (fail: a failed recheck; reopen: reopened)
    text: str = ""  # words in the description or the zone's name or code

    # Query-string names of the fields (the rest are spelled as the fields are).
    ARG_NAMES = {"states": "state", "zone_id": "zone", "category_id": "category", "rectifier_id": "rectifier",
                 "reporter_id": "reporter", "person_id": "person", "deferral_pending": "deferral",
                 "text": "q"}

    def __post_init__(self):
        """Refuse values that name nothing, whoever built the filter (a query string or a caller)."""
        # Known names in one frozen set: the dashboard checks a filter for each of its thousands of figures.
        if not _KNOWN_STATES.issuperset(self.states):
            unknown = set(self.states) - _KNOWN_STATES
            raise BadFilter(_l("Unknown state: %(state)s", state=", ".join(sorted(unknown))),
                            details={"state": "unknown"})
        if self.severity and self.severity not in states.SEVERITIES:
            raise BadFilter(_l("Choose the severity: general, major or critical."),
                            details={"severity": "unknown"})
        if self.event and self.event not in states.EVENT_ACTIONS:
            raise BadFilter(_l("Unknown action: %(action)s", action=self.event), details={"event": "unknown"})
        if self.timing and self.timing not in TIMINGS:
            raise BadFilter(_l("Choose on time or late."), details={"timing": "unknown"})
        for first, last, name in ((self.found_from, self.found_to, "found_from"),
                                  (self.closed_from, self.closed_to, "closed_from")):
            if first and last and first > last:
                raise BadFilter(_l("The first day comes after the last."), details={name: "after_last"})

    @classmethod
    def from_args(cls, args) -> HazardFilter:
        """Read a filter from a query string (request.args); raise BadFilter naming a value it cannot use."""
        values: dict = {}
        for item in fields(cls):
            name = cls.ARG_NAMES.get(item.name, item.name)
            if item.name == "states":
                values["states"] = tuple(dict.fromkeys(
                    s.strip() for raw in args.getlist(name) for s in raw.split(",") if s.strip()))
            elif item.name == "no_rectifier":
                continue  # spelled ?rectifier=-
            elif item.name == "rectifier_id" and args.get(name, "").strip() == NONE:
                values["no_rectifier"] = True
            elif args.get(name, "").strip():
                values[item.name] = _parse(item.type, name, args.get(name).strip())
        return cls(**values)

    def to_args(self) -> dict:
        """Return the filter as query-string arguments (empty fields left out), for url_for."""
        args = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None or value in ("", ()) or (item.name == "no_rectifier" and not value):
                continue
            name = self.ARG_NAMES.get(item.name, item.name)
            if item.name == "no_rectifier":
                args["rectifier"] = NONE
            elif isinstance(value, bool):
                args[name] = "1" if value else "0"
            elif isinstance(value, date):
                args[name] = value.isoformat()
            elif isinstance(value, tuple):
                args[name] = list(value)
            else:
                args[name] = str(value)  # a query string is text: ids read back as they were written
        return args

    def apply(self, query: Select, now: datetime) -> Select:
        """Return `query` (a select of Hazard) narrowed to the hazards this filter names, at `now`."""
        return query.where(*self.conditions(now))

    def conditions(self, now: datetime) -> list:
        """Return the SQL conditions of this filter (empty when it names every hazard)."""
        found = []
        if self.states:
            found.append(or_(*(group_condition(name, now) for name in self.states)))
        for column, value in ((Hazard.zone_id, self.zone_id), (Hazard.category_id, self.category_id),
                              (Hazard.rectifier_id, self.rectifier_id),
                              (Hazard.reporter_id, self.reporter_id)):
            if value is not None:
                found.append(column == value)
        if self.no_rectifier:
            found.append(Hazard.rectifier_id.is_(None))
        if self.severity:
            found.append(Hazard.severity == self.severity)
        if self.building:
            found.append(Hazard.zone_id.in_(select(Zone.id).where(
                Zone.building == _none_is_empty(self.building))))
        if self.department:
            found.append(Hazard.zone_id.in_(select(Zone.id).where(
                Zone.department == _none_is_empty(self.department))))
        if self.company:
            found.append(Hazard.rectifier_id.in_(select(User.id).where(
                User.company == _none_is_empty(self.company))))
        if self.person_id is not None:
            found.append(or_(Hazard.reporter_id == self.person_id, Hazard.rectifier_id == self.person_id))
        found += _between(Hazard.device_reported_at, self.found_from, self.found_to)
        found += _between(Hazard.closed_at, self.closed_from, self.closed_to)
        if self.timing:
            found.append(on_time() == (1 if self.timing == ON_TIME else 0))
        if self.overdue is not None:
            found.append(Hazard.overdue_at(now) if self.overdue else ~Hazard.overdue_at(now))
        if self.deferral_pending is not None:
            pending = Hazard.deferral_requested_at.is_not(None)
            found.append(pending if self.deferral_pending else ~pending)
        if self.supervised is not None:
            flagged = and_(Hazard.supervised_at.is_not(None), Hazard.state.in_(states.OPEN_STATES))
            found.append(flagged if self.supervised else ~flagged)
        if self.event:
            found.append(select(HazardEvent.id).where(HazardEvent.hazard_id == Hazard.id,
                                                      HazardEvent.action == self.event).exists())
        if self.text:
            in_zone = select(Zone.id).where(or_(Zone.name.icontains(self.text, autoescape=True),
                                                Zone.code.icontains(self.text, autoescape=True)))
            found.append(or_(Hazard.description.icontains(self.text, autoescape=True),
                             Hazard.zone_id.in_(in_zone)))
        return found

    def replace(self, **changes) -> HazardFilter:
        """Return a copy with some fields changed (a figure's link: the period's filter and its row)."""
        # The dashboard makes a filter for each of its thousands of figures: the copy takes the instance's own
        # dict (exactly its fields) rather than the frozen dataclass's __init__ (a setattr per field), a third
        # of the time; the checks still run, and a name that is no field is refused as __init__ would.
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"HazardFilter has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(HazardFilter)
        copy.__dict__.update(self.__dict__, **changes)
        copy.__post_init__()
        return copy

    @property
    def is_empty(self) -> bool:
        """Say whether the filter names every hazard."""
        return self == HazardFilter()


def _none_is_empty(value: str) -> str:
    return "" if value == NONE else value


def _between(column, first: date | None, last: date | None) -> list:
    # School-local days: from the first moment of the first day to before the first moment of the day after.
    found = []
    if first is not None:
        found.append(column >= start_of_day(first))
    if last is not None:
        found.append(column < start_of_day(last + timedelta(days=1)))
    return found


_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def parse_day(name: str, raw: str) -> date | None:
    """Return a query string's day (YYYY-MM-DD), None when empty; raise BadFilter naming a bad one."""
    return _parse("date | None", name, raw.strip()) if raw and raw.strip() else None


def _parse(kind: str, name: str, raw: str):
    """Return a query-string value as the field's type, or raise BadFilter naming it."""
    try:
        if kind == "int | None":
            return db_int(raw)
        if kind == "bool | None":
            return _FLAGS[raw.lower()]
        if kind == "date | None":
            day = date.fromisoformat(raw)
            # The calendar's first and last days have no start in UTC when the school's zone is hours off it.
            if not date.min < day < date.max:
                raise ValueError(raw)
            return day
    except (ValueError, KeyError):
        raise BadFilter(_l("%(name)s: %(value)s is not a usable value.", name=name, value=raw[:TEXT_MAX]),
                        details={name: "invalid"}) from None
    return raw[:TEXT_MAX]



def page_number(args) -> int:
    """Return the list page a query string asks for (?page=, 1 when missing or unreadable)."""
    try:
        return min(max(1, db_int(args.get("page", "1"))), PAGE_MAX)
    except ValueError:
        return 1
