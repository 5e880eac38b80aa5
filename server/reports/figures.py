"""The dashboard's and the scorecards' figures, counted in SQL (aggregates and GROUP BY, never a Python loop
over hazards), so they stay quick with 100,000 hazards.

Every figure is the number of hazards one HazardFilter names, and carries that filter: its link is
`url_for('hazards.index', **figure.filter.to_args())`, and the SQL that counts it is that filter's own
conditions (server/hazards/filters.py), so the number and the list behind it cannot disagree. The rules
(fixed, valid, on time, the deadline in force) are written there, once.

The figures of a period are about the hazards FOUND in it (school-local days of device_reported_at):
- rectification rate = fixed / valid: invalidated hazards are left out, and a hazard that failed a recheck and
  then passed is one hazard, fixed once;
- on-time rate = fixed on time / fixed (see filters.py: rectified by the deadline in force then, a deferral's
  new date counting; open hazards are in "overdue" instead);
- days to close = from found (the phone's report time) to closed, over the fixed hazards: the mean and the
  90th percentile (nearest rank: the smallest value at or above 90 % of them).
"Open", "overdue", "awaiting recheck" are as things stand now; "closed this week" counts closings since
Monday. A scorecard's "overdue now" counts every hazard overdue now, whenever it was found.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from server.auth.models import User
from server.extensions import db
from server.hazards import access, filters, states
from server.hazards.filters import LATE, NONE, ON_TIME, OPEN, OVERDUE, VALID, BadFilter, HazardFilter
from server.hazards.models import Category, Hazard
from server.schooltime import today as school_today
from server.zones.models import Zone

# The period chooser.
WEEK, MONTH, TERM, YEAR, RANGE = "week", "month", "term", "year", "range"
PERIODS = (WEEK, MONTH, TERM, YEAR, RANGE)
PERIOD_LABELS = {WEEK: _l("This week"), MONTH: _l("This month"), TERM: _l("This term"), YEAR: _l("This year"),
                 RANGE: _l("Date range")}
# Scorecards are for a month or a term.
SCORECARD_PERIODS = (MONTH, TERM)
TREND_WEEKS = 12

Rectifier = aliased(User, name="rectifier")


@dataclass(frozen=True)
class Figure:
    """A number of hazards and the filter that names exactly them."""

    value: int
    filter: HazardFilter


@dataclass(frozen=True)
class Rate:
    """A share: the hazards of `part` among those of `whole` (None when there are none)."""

    part: Figure
    whole: Figure

    @property
    def value(self) -> float | None:
        """Return part / whole, or None when the whole is empty."""
        return self.part.value / self.whole.value if self.whole.value else None


@dataclass(frozen=True)
class Period:
    """The days a dashboard or scorecard is about, both ends included (school-local)."""

    kind: str
    first: date
    last: date

    @property
    def filter(self) -> HazardFilter:
        """Return the filter of the hazards found in the period."""
        return HazardFilter(found_from=self.first, found_to=self.last)

    def to_args(self) -> dict:
        """Return the period as query-string arguments (the chooser's, for links and exports)."""
        args = {"period": self.kind}
        if self.kind == RANGE:
            args.update({"from": self.first.isoformat(), "to": self.last.isoformat()})
        return args


def term_start(today: date) -> date:
    """Return the first day of the school term `today` is in.

    TERM_START (a date in the configuration, e.g. "2026-09-01") when it is set and not after today; otherwise
    the Chinese school year's rule: terms start on 1 September and 1 February.
    """
    configured = current_app.config.get("TERM_START")
    if configured:
        start = configured if isinstance(configured, date) else date.fromisoformat(str(configured))
        if start <= today:
            return start
    if today.month >= 9:
        return date(today.year, 9, 1)
    if today.month >= 2:
        return date(today.year, 2, 1)
    return date(today.year - 1, 9, 1)


def week_start(day: date) -> date:
    """Return the Monday of the week `day` is in (Chinese weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def period_from(args, today: date, allowed=PERIODS) -> Period:
    """Read the period chooser (?period=week|month|term|year|range&from=&to=); this week when not given."""
    kind = (args.get("period") or allowed[0]).strip()
    if kind not in allowed:
        raise BadFilter(_l("Choose the period: %(periods)s.", periods=", ".join(allowed)),
                        details={"period": "unknown"})
    if kind == RANGE:
        first = filters.parse_day("from", args.get("from", ""))
        last = filters.parse_day("to", args.get("to", ""))
        if first is None or last is None or first > last:
            raise BadFilter(_l("A date range needs its first day, then its last."), details={"from": "range"})
        return Period(RANGE, first, last)
    first = {WEEK: week_start(today), MONTH: today.replace(day=1), TERM: term_start(today),
             YEAR: today.replace(month=1, day=1)}[kind]
    return Period(kind, first, today)


# -- counting -----------------------------------------------------------------------------------------------

def _count(changes: dict, now: datetime):
    """Return the SQL sum of the rows a filter with `changes` names (1 each), 0 when none."""
    condition = and_(*HazardFilter(**changes).conditions(now))
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def days_to_close():
    """Return SQL for the days from a hazard's report (phone time) to its closing, as a fraction."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(Hazard.closed_at) - func.julianday(Hazard.device_reported_at)
    return func.extract("epoch", Hazard.closed_at - Hazard.device_reported_at) / 86400.0


def _base(user, base: HazardFilter, now: datetime, *columns):
    return (select(*columns).select_from(Hazard).join(Zone, Zone.id == Hazard.zone_id)
            .join(Category, Category.id == Hazard.category_id)
            .outerjoin(Rectifier, Rectifier.id == Hazard.rectifier_id)
            .where(access.visibility(user), *base.conditions(now)))


def count_figures(user, base: HazardFilter, measures: dict[str, dict], now: datetime,
                  narrow: bool = False) -> dict[str, Figure]:
    """Return one Figure per measure (filter changes on top of `base`), in one aggregate query.

    `narrow`: read only the rows some measure counts (WHERE one of their conditions), for measures that each
    name few hazards through an index (open states, a week's dates): the same figures, fewer rows read.
    """
    query = _base(user, base, now, *(_count(changes, now).label(name) for name, changes in measures.items()))
    if narrow:  # a row no measure counts adds 0 to every sum, so leaving it out changes no figure
        query = query.where(or_(*(and_(*HazardFilter(**changes).conditions(now))
                                  for changes in measures.values())))
    row = db.session.execute(query).one()
    return {name: Figure(int(getattr(row, name)), base.replace(**changes))
            for name, changes in measures.items()}


@dataclass(frozen=True)
class DaysToClose:
    """Days from found to closed over some fixed hazards: how many, the mean and the 90th percentile."""

    closed: Figure
    mean: float | None
    p90: float | None


def days_figures(user, base: HazardFilter, now: datetime) -> DaysToClose:
    """Return the days to close of the fixed hazards `base` names (two queries: count+mean, then the rank)."""
    fixed = base.replace(states=(states.CLOSED,))
    days = days_to_close()
    count, mean = db.session.execute(_base(user, fixed, now, func.count(), func.avg(days))).one()
    p90 = None
    if count:
        rank = math.ceil(0.9 * count)  # nearest rank
        p90 = db.session.scalar(_base(user, fixed, now, days).order_by(days).limit(1).offset(rank - 1))
    return DaysToClose(Figure(int(count), fixed), _round(mean), _round(p90))


def _round(days) -> float | None:
    return None if days is None else round(float(days), 1)


# -- the dashboard ------------------------------------------------------------------------------------------

HEADLINE = {"open": {"states": (OPEN,)}, "overdue": {"states": (OVERDUE,)},
            "awaiting_recheck": {"states": (states.AWAITING_RECHECK,)}}
# The measures a breakdown can count (the public board counts found, fixed, on time and overdue).
BREAKDOWN = {"found": {"states": (VALID,)}, "open": {"states": (OPEN,)}, "overdue": {"states": (OVERDUE,)},
             "fixed": {"states": (states.CLOSED,)}, "on_time": {"timing": ON_TIME}}
# The dashboard's six breakdowns leave on time out: its correlated subquery per fixed hazard would cost each
# of them most of their time (the period's on-time rate above them has it).
DASHBOARD_BREAKDOWN = {name: BREAKDOWN[name] for name in ("found", "open", "overdue", "fixed")}


@dataclass(frozen=True)
class Dimension:
    """A way to break figures down: the columns grouped by, the filter of a group, its label."""

    name: str
    title: object
    columns: Callable[[], tuple]
    changes: Callable[[tuple], dict]
    label: Callable[[tuple, str], str]
    only: Callable[[], tuple] = lambda: ()  # conditions on the rows that have such a group at all


def _text_label(empty):
    return lambda row, locale: row[0] or str(empty)


DIMENSIONS = {
    "category": Dimension(
        "category", _l("By category"), lambda: (Category.id, Category.name, Category.name_en),
        lambda row: {"category_id": row[0]},
        lambda row, locale: row[2] if str(locale).startswith("en") and row[2] else row[1]),
    "building": Dimension("building", _l("By building"), lambda: (Zone.building,),
                          lambda row: {"building": row[0] or NONE}, _text_label(_l("No building"))),
    "zone": Dimension("zone", _l("By zone"), lambda: (Zone.id, Zone.code, Zone.name),
                      lambda row: {"zone_id": row[0]}, lambda row, locale: f"{row[1]} · {row[2]}"),
    "department": Dimension("department", _l("By department"), lambda: (Zone.department,),
                            lambda row: {"department": row[0] or NONE}, _text_label(_l("No department"))),
    "rectifier": Dimension(
        "rectifier", _l("By rectifier"), lambda: (Rectifier.id, Rectifier.display_name),
        lambda row: {"rectifier_id": row[0]} if row[0] is not None else {"no_rectifier": True},
        lambda row, locale: row[1] or str(_l("Not assigned"))),
    "contractor": Dimension("contractor", _l("By contractor"), lambda: (Rectifier.company,),
                            lambda row: {"company": row[0] or NONE}, _text_label(_l("School staff")),
                            only=lambda: (Hazard.rectifier_id.is_not(None),)),
}


@dataclass
class Group:
    """One row of a breakdown: its label and its figures."""

    key: tuple
    label: str
    figures: dict[str, Figure] = field(default_factory=dict)
    mean_days: float | None = None


def breakdown(user, base: HazardFilter, dimension: Dimension, measures: dict[str, dict], now: datetime,
              locale: str = "zh", only: tuple = (), with_days: bool = False) -> list[Group]:
    """Return the figures of `measures` per group of `dimension` (one GROUP BY query), most found first.

    `only`: more conditions on the rows counted (a scorecard leaves out the hazards nobody rectifies);
    `with_days`: the mean days to close of each group's fixed hazards too.
    """
    columns = dimension.columns()
    days = func.avg(case((Hazard.state == states.CLOSED, days_to_close()))) if with_days else literal(None)
    query = (_base(user, base, now, *columns, days.label("mean_days"),
                   *(_count(changes, now).label(name) for name, changes in measures.items()))
             .where(*dimension.only(), *only).group_by(*columns))
    groups = []
    for row in db.session.execute(query):
        key = tuple(row[:len(columns)])
        group_filter = base.replace(**dimension.changes(key))
        groups.append(Group(key, dimension.label(key, locale),
                            {name: Figure(int(getattr(row, name)), group_filter.replace(**changes))
                             for name, changes in measures.items()},
                            _round(row.mean_days)))
    first = next(iter(measures))
    return sorted(groups, key=lambda g: (-g.figures[first].value, g.label))


@dataclass(frozen=True)
class Week:
    """One week of the trend: its Monday, the valid hazards found and the hazards closed in it."""

    monday: date
    found: Figure
    closed: Figure


def trend(user, now: datetime, weeks: int = TREND_WEEKS) -> list[Week]:
    """Return the last `weeks` weeks (this one last): found vs closed, in one aggregate query."""
    this_monday = week_start(school_today(now))
    mondays = [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    measures = {}
    for i, monday in enumerate(mondays):
        sunday = monday + timedelta(days=6)
        measures[f"found{i}"] = {"states": (VALID,), "found_from": monday, "found_to": sunday}
        measures[f"closed{i}"] = {"states": (states.CLOSED,), "closed_from": monday, "closed_to": sunday}
    figures = count_figures(user, HazardFilter(), measures, now, narrow=True)
    return [Week(monday, figures[f"found{i}"], figures[f"closed{i}"]) for i, monday in enumerate(mondays)]


@dataclass
class Dashboard:
    """Everything the dashboard shows."""

    period: Period
    headline: dict[str, Figure]
    found: Figure
    fixed: Figure
    rectification: Rate
    on_time: Rate
    late: Figure
    days: DaysToClose
    breakdowns: dict[str, list[Group]]
    trend: list[Week]


def dashboard(user, period: Period, now: datetime, locale: str = "zh") -> Dashboard:
    """Return the dashboard's figures for the hazards found in `period`, as things stand at `now`."""
    today = school_today(now)
    headline = count_figures(user, HazardFilter(), {
        **HEADLINE,
        "closed_this_week": {"states": (states.CLOSED,), "closed_from": week_start(today),
                             "closed_to": today},
    }, now, narrow=True)
    base = period.filter
    summary = count_figures(user, base, {"found": {"states": (VALID,)}, "fixed": {"states": (states.CLOSED,)},
                                         "on_time": {"timing": ON_TIME}, "late": {"timing": LATE}}, now)
    return Dashboard(
        period=period, headline=headline, found=summary["found"], fixed=summary["fixed"],
        rectification=Rate(summary["fixed"], summary["found"]),
        on_time=Rate(summary["on_time"], summary["fixed"]),
        late=summary["late"], days=days_figures(user, base, now),
        breakdowns={name: breakdown(user, base, dimension, DASHBOARD_BREAKDOWN, now, locale)
                    for name, dimension in DIMENSIONS.items()},
        trend=trend(user, now))


# -- scorecards ---------------------------------------------------------------------------------------------

SCORECARD_KINDS = ("rectifier", "department", "contractor")
SCORECARD = {"assigned": {"states": (VALID,)}, "fixed": {"states": (states.CLOSED,)},
             "on_time": {"timing": ON_TIME}, "failed": {"event": states.FAIL},
             "reopened": {"event": states.REOPEN}}


def scorecard(user, kind: str, period: Period, now: datetime, locale: str = "zh") -> list[Group]:
    """Return one row per rectifier, department or contractor: the period's hazards and who is overdue now.

    Assigned: the valid hazards found in the period whose (current, or last) rectifier this is, or of the
    department's zones; fixed, fixed on time, rechecks failed (hazards that failed at least one) and reopened
    are among them; mean days to fix is days to close over the fixed ones; overdue now counts every hazard of
    theirs overdue now, whenever found.
    """
    dimension = DIMENSIONS[kind]
    # A scorecard is about who answers for the work: a hazard nobody was given has no row.
    people = (Hazard.rectifier_id.is_not(None),) if kind == "rectifier" else ()
    rows = {group.key: group
            for group in breakdown(user, period.filter, dimension, SCORECARD, now, locale, people, True)}
    overdue = breakdown(user, HazardFilter(), dimension, {"overdue": {"states": (OVERDUE,)}}, now, locale,
                        people)
    for group in overdue:
        if group.key not in rows:  # overdue now, nothing found in the period: a row of zeros, still linked
            row_filter = period.filter.replace(**dimension.changes(group.key))
            rows[group.key] = Group(group.key, group.label, {name: Figure(0, row_filter.replace(**changes))
                                                             for name, changes in SCORECARD.items()})
        rows[group.key].figures["overdue"] = group.figures["overdue"]
    for group in rows.values():
        group.figures.setdefault("overdue", Figure(0, HazardFilter(states=(OVERDUE,),
                                                                   **dimension.changes(group.key))))
    return sorted(rows.values(), key=lambda g: (-g.figures["assigned"].value, g.label))
