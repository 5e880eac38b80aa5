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
from sqlalchemy import and_, case, func, literal, select, union_all
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


@dataclass(frozen=True, slots=True)  # slots: a dashboard holds thousands
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


@dataclass(frozen=True, eq=False)
class Join:
    """A table a query of figures may join for the columns it groups by, and the hazard's column naming its
    row (its foreign key); outer when a hazard may have none."""

    table: object
    key: object
    outer: bool = False


# Every hazard has exactly one zone and one category (NOT NULL foreign keys) and at most one rectifier (an
# outer join), so a join adds columns, never rows or figures; a query joins only what it reads, since a join
# it does not need can lead SQLite's planner to read every hazard zone by zone instead of the period's
# through their index.
ZONE = Join(Zone, Hazard.zone_id)
CATEGORY = Join(Category, Hazard.category_id)
RECTIFIER = Join(Rectifier, Hazard.rectifier_id, outer=True)


def _base(user, base: HazardFilter, now: datetime, *columns, joins: tuple = ()):
    query = select(*columns).select_from(Hazard)
    for join in joins:
        query = query.join(join.table, join.table.id == join.key, isouter=join.outer)
    return query.where(access.visibility(user), *base.conditions(now))


def count_figures(user, base: HazardFilter, measures: dict[str, dict], now: datetime,
                  also: tuple[HazardFilter, dict[str, dict]] | None = None) -> dict[str, Figure]:
    """Return one Figure per measure (filter changes on top of `base`), in one aggregate query.

    The query reads the rows `base` names, so a base that an index narrows (a period, the open states) reads
    only those. `also`: another base and its measures, counted in the same statement by a subquery of their
    own (reading their rows through their own index).
    """
    columns = [_count(changes, now).label(name) for name, changes in measures.items()]
    named = {name: base.replace(**changes) for name, changes in measures.items()}
    if also:
        other, extra = also
        # Not correlated: the subquery reads the hazards its own base names, not the outer row.
        columns += [_base(user, other, now, _count(changes, now)).correlate(None).scalar_subquery()
                    .label(name) for name, changes in extra.items()]
        named.update({name: other.replace(**changes) for name, changes in extra.items()})
    row = db.session.execute(_base(user, base, now, *columns)).one()
    return {name: Figure(int(getattr(row, name)), found) for name, found in named.items()}


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
    join: Join | None = None  # the table its columns come from (ZONE, CATEGORY, RECTIFIER)
    only: Callable[[], tuple] = lambda: ()  # conditions on the rows that have such a group at all


def _text_label(empty):
    return lambda row, locale: row[0] or str(empty)


DIMENSIONS = {
    "category": Dimension(
        "category", _l("By category"), lambda: (Category.id, Category.name, Category.name_en),
        lambda row: {"category_id": row[0]},
        lambda row, locale: row[2] if str(locale).startswith("en") and row[2] else row[1], join=CATEGORY),
    "building": Dimension("building", _l("By building"), lambda: (Zone.building,),
                          lambda row: {"building": row[0] or NONE}, _text_label(_l("No building")),
                          join=ZONE),
    "zone": Dimension("zone", _l("By zone"), lambda: (Zone.id, Zone.code, Zone.name),
                      lambda row: {"zone_id": row[0]}, lambda row, locale: f"{row[1]} · {row[2]}",
                      join=ZONE),
    "department": Dimension("department", _l("By department"), lambda: (Zone.department,),
                            lambda row: {"department": row[0] or NONE}, _text_label(_l("No department")),
                            join=ZONE),
    "rectifier": Dimension(
        "rectifier", _l("By rectifier"), lambda: (Rectifier.id, Rectifier.display_name),
        lambda row: {"rectifier_id": row[0]} if row[0] is not None else {"no_rectifier": True},
        lambda row, locale: row[1] or str(_l("Not assigned")), join=RECTIFIER),
    "contractor": Dimension("contractor", _l("By contractor"), lambda: (Rectifier.company,),
                            lambda row: {"company": row[0] or NONE}, _text_label(_l("School staff")),
                            join=RECTIFIER, only=lambda: (Hazard.rectifier_id.is_not(None),)),
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
                   *(_count(changes, now).label(name) for name, changes in measures.items()),
                   joins=(dimension.join,))
             .where(*dimension.only(), *only).group_by(*columns))
    return _sorted([_group(base, dimension, tuple(row[:len(columns)]), measures,
                           [getattr(row, name) for name in measures], locale, _round(row.mean_days))
                    for row in db.session.execute(query)], measures)


def _group(base: HazardFilter, dimension: Dimension, key: tuple, measures: dict[str, dict], values: list,
           locale: str, mean_days: float | None = None) -> Group:
    """Return one group of a breakdown: its label, and its figures (`values`, in `measures`' order)."""
    # Each figure's filter in one step from the period's: the group's changes, then the measure's.
    group = dimension.changes(key)
    return Group(key, dimension.label(key, locale),
                 {name: Figure(int(value), base.replace(**{**group, **changes}))
                  for (name, changes), value in zip(measures.items(), values, strict=True)}, mean_days)


def _sorted(groups: list[Group], measures: dict[str, dict]) -> list[Group]:
    """Return a breakdown's groups, most of the first measure first, then by label."""
    first = next(iter(measures))
    return sorted(groups, key=lambda g: (-g.figures[first].value, g.label))


def breakdowns(user, base: HazardFilter, dimensions: dict[str, Dimension], measures: dict[str, dict],
               now: datetime, locale: str = "zh") -> dict[str, list[Group]]:
    """Return breakdown()'s groups for each of `dimensions`, from one read of the hazards `base` names.

    One GROUP BY over the hazards' own keys of the tables the dimensions read (zone, category, rectifier;
    and, for a dimension counting only some rows, whether a row is one of them), with no join; then the
    columns each dimension groups by, read once per zone, category or person named. A dimension's groups
    are unions of those rows, so their figures are the rows' sums, added up here. Reading the period's
    hazards once, not once per dimension, is what keeps the dashboard near the bare SQL.
    """
    joins = list(dict.fromkeys(dimension.join for dimension in dimensions.values()))
    flags = {name: case((and_(*dimension.only()), 1), else_=0)
             for name, dimension in dimensions.items() if dimension.only()}
    grain = [join.key for join in joins] + list(flags.values())
    rows = db.session.execute(
        _base(user, base, now, *grain, *(_count(changes, now) for changes in measures.values()))
        .group_by(*grain)).all()
    keys = _keys(joins, dimensions, rows)
    plan = [(name, joins.index(dimension.join), keys[name],
             len(joins) + list(flags).index(name) if name in flags else None)
            for name, dimension in dimensions.items()]
    sums: dict[str, dict[tuple, list[int]]] = {name: {} for name in dimensions}
    for row in rows:
        values = row[len(grain):]
        for name, at, key_of, flag in plan:
            if flag is not None and not row[flag]:
                continue
            key = key_of[row[at]]
            total = sums[name].get(key)
            sums[name][key] = (list(values) if total is None
                               else [a + b for a, b in zip(total, values, strict=True)])
    return {name: _sorted([_group(base, dimension, key, measures, values, locale)
                           for key, values in sums[name].items()], measures)
            for name, dimension in dimensions.items()}


def _keys(joins: list[Join], dimensions: dict[str, Dimension], rows) -> dict[str, dict]:
    """Return, per dimension, the group key (its columns' values) of each zone, category or person named in
    `rows` (by their position in `joins`); no one (an outer join's NULL) has a key of NULLs."""
    keys: dict[str, dict] = {}
    for at, join in enumerate(joins):
        mine = {name: dimension.columns() for name, dimension in dimensions.items() if dimension.join is join}
        for name, columns in mine.items():
            keys[name] = {None: (None,) * len(columns)}
        named = {row[at] for row in rows} - {None}
        if not named:
            continue
        everyone = [column for columns in mine.values() for column in columns]
        for entity in db.session.execute(select(join.table.id, *everyone).where(join.table.id.in_(named))):
            start = 1
            for name, columns in mine.items():
                keys[name][entity[0]] = tuple(entity[start:start + len(columns)])
                start += len(columns)
    return keys


@dataclass(frozen=True)
class Week:
    """One week of the trend: its Monday, the valid hazards found and the hazards closed in it."""

    monday: date
    found: Figure
    closed: Figure


def trend(user, now: datetime, weeks: int = TREND_WEEKS) -> list[Week]:
    """Return the last `weeks` weeks (this one last): found vs closed, in one query."""
    this_monday = week_start(school_today(now))
    mondays = [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    sundays = [monday + timedelta(days=6) for monday in mondays]
    found = [HazardFilter(states=(VALID,), found_from=monday, found_to=sunday)
             for monday, sunday in zip(mondays, sundays, strict=True)]
    closed = [HazardFilter(states=(states.CLOSED,), closed_from=monday, closed_to=sunday)
              for monday, sunday in zip(mondays, sundays, strict=True)]
    figures = counted(user, found + closed, now)
    return [Week(monday, figures[i], figures[weeks + i]) for i, monday in enumerate(mondays)]


def counted(user, filters: list[HazardFilter], now: datetime) -> list[Figure]:
    """Return the figure of each filter, counted in one query: a COUNT per filter, their UNION ALL.

    Each count reads its own rows through their index (a week's days through the index on their time), with
    no sort and no test of a row against the other filters: a GROUP BY on a week computed per row cost the
    trend twice as much. Each count is the hazards its filter names, exactly.
    """
    counts = dict(db.session.execute(union_all(*(_base(user, one, now, literal(i), func.count())
                                                 for i, one in enumerate(filters)))).all())
    return [Figure(counts.get(i, 0), one) for i, one in enumerate(filters)]


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


def headline(user, now: datetime) -> dict[str, Figure]:
    """Return the figures of things as they stand: open, overdue, awaiting recheck, closed this week."""
    today = school_today(now)
    # Two reads in one statement, each through its index: the open hazards (the state index covers state and
    # deadline) and this week's closings (closed_at); one read for both would read every hazard.
    return count_figures(user, HazardFilter(states=(OPEN,)), HEADLINE, now,
                         also=(HazardFilter(closed_from=week_start(today), closed_to=today),
                               {"closed_this_week": {"states": (states.CLOSED,)}}))


def summary(user, base: HazardFilter, now: datetime) -> dict[str, Figure]:
    """Return the found (valid), fixed, on-time and late hazards `base` names."""
    found = count_figures(user, base, {"found": {"states": (VALID,)}, "fixed": {"states": (states.CLOSED,)},
                                       "on_time": {"timing": ON_TIME}}, now)
    # On time and late split the fixed hazards (filters.on_time() is 1 or 0 for each one), so the late are
    # the fixed less the on time: counting them too would run the on-time subquery twice per hazard.
    found["late"] = Figure(found["fixed"].value - found["on_time"].value, base.replace(timing=LATE))
    return found


def dashboard(user, period: Period, now: datetime, locale: str = "zh") -> Dashboard:
    """Return the dashboard's figures for the hazards found in `period`, as things stand at `now`."""
    base = period.filter
    figures = summary(user, base, now)
    return Dashboard(
        period=period, headline=headline(user, now), found=figures["found"], fixed=figures["fixed"],
        rectification=Rate(figures["fixed"], figures["found"]),
        on_time=Rate(figures["on_time"], figures["fixed"]),
        late=figures["late"], days=days_figures(user, base, now),
        breakdowns=breakdowns(user, base, DIMENSIONS, DASHBOARD_BREAKDOWN, now, locale),
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
    # Only the hazards overdue now are read: grouping every hazard kept gave a row of zeros to anyone ever
    # named on one (a patrol who fixed one on the spot last term), and read 100,000 rows for a district.
    overdue = breakdown(user, HazardFilter(states=(OVERDUE,)), dimension, {"overdue": {"states": (OVERDUE,)}},
                        now, locale, people)
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
