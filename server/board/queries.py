"""The board's figures, counted in SQL (aggregates and GROUP BY: quick with 100,000 hazards). Never writes.

The rules are the dashboard's, written once in server/hazards/filters.py and used here through HazardFilter:
a period's figures are about the hazards FOUND in it (school-local days of the report); found = valid (not
invalidated), fixed = closed (by a passed recheck or on the spot), on time = rectified by the deadline in
force then, overdue = overdue now. "Overdue now" on its own (the headline) counts every hazard overdue now.

Only aggregates and what is public leave this module: zone, building, category and department names, counts,
closing days. Nothing names a person, and no description or photo is read.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select

from server.extensions import db
from server.hazards import states
from server.hazards.filters import ON_TIME, OVERDUE, VALID, HazardFilter
from server.hazards.models import Category, Hazard
from server.schooltime import today as school_today
from server.zones.models import Zone

WEEK, MONTH = "week", "month"
PERIODS = (WEEK, MONTH)
# What each period shows, as HazardFilter changes on top of the period's days.
MEASURES = {"found": {"states": (VALID,)}, "fixed": {"states": (states.CLOSED,)},
            "on_time": {"timing": ON_TIME}, "overdue": {"states": (OVERDUE,)}}
RECENTLY_CLOSED = 12


@dataclass(frozen=True)
class Dimension:
    """A way to break the board down: the columns grouped by, and the label of a group."""

    name: str
    columns: tuple
    label: object  # (row, locale) -> the label in the reader's language; "" for no building or department


DIMENSIONS = (
    Dimension("zone", (Zone.id, Zone.name), lambda row, locale: row[1]),
    Dimension("building", (Zone.building,), lambda row, locale: row[0]),
    Dimension("category", (Category.id, Category.name, Category.name_en),
              lambda row, locale: row[2] if locale.startswith("en") and row[2] else row[1]),
    Dimension("department", (Zone.department,), lambda row, locale: row[0]),
)


@dataclass
class Group:
    """One row of the board: its label and, per period, its figures (found, fixed, on_time, overdue)."""

    label: str
    figures: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Closed:
    """A hazard closed lately, as the board may show it: where, what kind, which day."""

    zone: str
    category: str
    closed_at: datetime


@dataclass
class Board:
    """Everything the board shows."""

    days: dict[str, tuple[date, date]]
    totals: Group
    overdue_now: int
    groups: dict[str, list[Group]]
    closed: list[Closed]


def periods(now: datetime) -> dict[str, tuple[date, date]]:
    """Return this week (from Monday: Chinese weeks start on Monday) and this month, school-local days."""
    today = school_today(now)
    return {WEEK: (today - timedelta(days=today.weekday()), today), MONTH: (today.replace(day=1), today)}


def _measures(days: dict[str, tuple[date, date]]) -> dict[str, dict]:
    return {f"{period}_{name}": {**changes, "found_from": first, "found_to": last}
            for period, (first, last) in days.items() for name, changes in MEASURES.items()}


def count_by(columns: tuple, days: dict[str, tuple[date, date]], now: datetime, *, since: date | None):
    """Count every measure of every period per group of `columns` in one GROUP BY query; yield the rows.

    The one place the board counts: each figure is the number of hazards a HazardFilter names (the rules of
    server/hazards/filters.py), summed with CASE so all of them come from one pass. `since` keeps the scan
    to the hazards found from that day (None: all, for figures that are not about a period).
    """
    measures = _measures(days)
    sums = [func.coalesce(func.sum(case((and_(*HazardFilter(**changes).conditions(now)), 1), else_=0)), 0)
            .label(name) for name, changes in measures.items()]
    query = (select(*columns, *sums).select_from(Hazard).join(Zone, Zone.id == Hazard.zone_id)
             .join(Category, Category.id == Hazard.category_id))
    if since is not None:
        query = query.where(*HazardFilter(found_from=since).conditions(now))
    if columns:
        query = query.group_by(*columns)
    yield from db.session.execute(query)


def _group(label: str, row, days) -> Group:
    return Group(label, {period: {name: int(getattr(row, f"{period}_{name}")) for name in MEASURES}
                         for period in days})


def _busiest_first(group: Group) -> tuple:
    # Overdue first (this week's or this month's), then most found this month, then this week.
    return (-max(f["overdue"] for f in group.figures.values()), -group.figures[MONTH]["found"],
            -group.figures[WEEK]["found"], group.label)


def board(now: datetime, locale: str = "zh_CN") -> Board:
    """Return the board's figures at `now`: totals, each dimension's groups (busiest first), lately closed."""
    days = periods(now)
    since = min(first for first, _last in days.values())
    totals = _group("", next(count_by((), days, now, since=since)), days)
    overdue_now = db.session.scalar(select(func.count()).select_from(Hazard).where(
        *HazardFilter(states=(OVERDUE,)).conditions(now)))
    groups = {}
    for dimension in DIMENSIONS:
        rows = [_group(dimension.label(row, locale), row, days)
                for row in count_by(dimension.columns, days, now, since=since)]
        rows = [g for g in rows if any(any(f.values()) for f in g.figures.values())]  # invalidated only: none
        groups[dimension.name] = sorted(rows, key=_busiest_first)
    return Board(days, totals, overdue_now, groups, recently_closed(now, locale))


def recently_closed(now: datetime, locale: str = "zh_CN", limit: int = RECENTLY_CLOSED) -> list[Closed]:
    """Return the hazards closed last (fixed; invalidated ones are not news): zone, category and when."""
    query = (select(Zone.name, Category.name, Category.name_en, Hazard.closed_at).select_from(Hazard)
             .join(Zone, Zone.id == Hazard.zone_id).join(Category, Category.id == Hazard.category_id)
             .where(*HazardFilter(states=(states.CLOSED,)).conditions(now))
             .order_by(Hazard.closed_at.desc(), Hazard.id.desc()).limit(limit))
    return [Closed(zone, name_en if locale.startswith("en") and name_en else name, closed_at)
            for zone, name, name_en, closed_at in db.session.execute(query)]
