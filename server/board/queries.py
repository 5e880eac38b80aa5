"""The board's figures, counted in SQL (aggregates and GROUP BY: quick with 100,000 hazards). Never writes.

The rules are the dashboard's, written once in server/hazards/filters.py and used here through HazardFilter
(the periods are server/reports/figures.py's; a test holds every figure equal to figures.breakdown's):
a period's figures are about the hazards FOUND in it (school-local days of the report); found = valid (not
invalidated), fixed = closed (by a passed recheck or on the spot), on time = rectified by the deadline in
force then, overdue = overdue now. "Overdue now" on its own (the headline) counts every hazard overdue now.
It counts with its own query, not figures.breakdown: the board has no viewer to filter by, and one pass over
zone x category serves the four dimensions and the totals (breakdown is one query per dimension and period).

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
from server.reports import figures
from server.schooltime import today as school_today
from server.zones.models import Zone

WEEK, MONTH = figures.WEEK, figures.MONTH
PERIODS = (WEEK, MONTH)
# What each period shows, as HazardFilter changes on top of the period's days.
# On time names closed hazards only; saying "closed" too lets SQL skip the on-time rule's subqueries for
# the others (the state is tested first), ten times quicker with 100,000 hazards.
MEASURES = {"found": {"states": (VALID,)}, "fixed": {"states": (states.CLOSED,)},
            "on_time": {"states": (states.CLOSED,), "timing": ON_TIME}, "overdue": {"states": (OVERDUE,)}}
# Recently closed: the last 12 closed in the last 30 days (the days bound the sort: no index on closed_at).
RECENTLY_CLOSED = 12
RECENT_DAYS = 30


# The columns of one count: a zone and a category, and what the dimensions read from them.
CELL = (Zone.id.label("zone_id"), Zone.name.label("zone"), Zone.building, Zone.department,
        Category.id.label("category_id"), Category.name.label("category"),
        Category.name_en.label("category_en"))


@dataclass(frozen=True)
class Dimension:
    """A way to break the board down: a group's key and label, read from a row of CELL."""

    name: str
    key: object  # (row) -> the group's key
    label: object  # (row, locale) -> the label in the reader's language; "" for no building or department


def _category_label(row, locale: str) -> str:
    return row.category_en if locale.startswith("en") and row.category_en else row.category


DIMENSIONS = (
    Dimension("zone", lambda row: row.zone_id, lambda row, locale: row.zone),
    Dimension("building", lambda row: row.building, lambda row, locale: row.building),
    Dimension("category", lambda row: row.category_id, _category_label),
    Dimension("department", lambda row: row.department, lambda row, locale: row.department),
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
    supervised_now: int = 0  # open hazards flagged 督办 (under supervision) by the daily pass


def periods(now: datetime) -> dict[str, tuple[date, date]]:
    """Return the first and last school-local days of this week and this month, as the dashboard has them."""
    today = school_today(now)
    chosen = {kind: figures.period_from({"period": kind}, today) for kind in PERIODS}
    return {kind: (period.first, period.last) for kind, period in chosen.items()}


def _measures(days: dict[str, tuple[date, date]]) -> dict[str, dict]:
    return {f"{period}_{name}": {**changes, "found_from": first, "found_to": last}
            for period, (first, last) in days.items() for name, changes in MEASURES.items()}


def _with_zone_and_category(*columns):
    """Return a SELECT of `columns` over the hazards joined to their zone and category."""
    # "+ 0": SQLite would otherwise walk every zone and each one's hazards by ix_hazards_zone_id (to save a
    # sort), reading all 100,000 hazards in index order instead of scanning them once and keeping the few the
    # board wants: 7 to 12 times slower. An expression, not a bare column, cannot use that index.
    # https://www.sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_
    return (select(*columns).select_from(Hazard).join(Zone, Zone.id == Hazard.zone_id + 0)
            .join(Category, Category.id == Hazard.category_id + 0))


def count_cells(days: dict[str, tuple[date, date]], now: datetime, *, since: date) -> list:
    """Count every measure of every period per zone and category, in one GROUP BY query; return the rows.

    The one place the board counts: each figure is the number of hazards a HazardFilter names (the rules of
    server/hazards/filters.py), summed with CASE so all of them come from one pass over the hazards found
    from `since`. The dimensions and the totals add these cells up (a few hundred rows, not hazards).
    """
    measures = _measures(days)
    sums = [func.coalesce(func.sum(case((and_(*HazardFilter(**changes).conditions(now)), 1), else_=0)), 0)
            .label(name) for name, changes in measures.items()]
    query = _with_zone_and_category(*CELL, *sums).where(
        *HazardFilter(found_from=since).conditions(now)).group_by(*CELL)
    return db.session.execute(query).all()


def _add_up(label: str, cells, days) -> Group:
    return Group(label, {period: {name: sum(getattr(cell, f"{period}_{name}") for cell in cells)
                                  for name in MEASURES} for period in days})


def _busiest_first(group: Group) -> tuple:
    # Overdue first (this week's or this month's), then most found this month, then this week.
    return (-max(f["overdue"] for f in group.figures.values()), -group.figures[MONTH]["found"],
            -group.figures[WEEK]["found"], group.label)


def board(now: datetime, locale: str = "zh_CN") -> Board:
    """Return the board's figures at `now`: totals, each dimension's groups (busiest first), lately closed."""
    days = periods(now)
    cells = count_cells(days, now, since=min(first for first, _last in days.values()))
    overdue_now = db.session.scalar(select(func.count()).select_from(Hazard).where(
        *HazardFilter(states=(OVERDUE,)).conditions(now)))
    groups = {}
    for dimension in DIMENSIONS:
        by_key: dict = {}
        for cell in cells:
            by_key.setdefault(dimension.key(cell), []).append(cell)
        rows = [_add_up(dimension.label(same[0], locale), same, days) for same in by_key.values()]
        rows = [g for g in rows if any(any(f.values()) for f in g.figures.values())]  # invalidated only: none
        groups[dimension.name] = sorted(rows, key=_busiest_first)
    supervised_now = db.session.scalar(select(func.count()).select_from(Hazard).where(
        *HazardFilter(supervised=True).conditions(now)))
    return Board(days, _add_up("", cells, days), overdue_now, groups, recently_closed(now, locale),
                 supervised_now)


def recently_closed(now: datetime, locale: str = "zh_CN", limit: int = RECENTLY_CLOSED) -> list[Closed]:
    """Return the hazards closed last (fixed; invalidated ones are not news): zone, category and when."""
    # Hazard.fixed, true exactly while closed, rather than the state: SQLite would fetch every closed hazard
    # through ix_hazards_state_deadline (80,000 of 100,000) to keep a month's; one scan is 5 times quicker.
    recent = HazardFilter(closed_from=school_today(now) - timedelta(days=RECENT_DAYS))
    query = (_with_zone_and_category(Zone.name, Category.name, Category.name_en, Hazard.closed_at)
             .where(Hazard.fixed.is_(True), *recent.conditions(now))
             .order_by(Hazard.closed_at.desc(), Hazard.id.desc()).limit(limit))
    return [Closed(zone, name_en if locale.startswith("en") and name_en else name, closed_at)
            for zone, name, name_en, closed_at in db.session.execute(query)]
