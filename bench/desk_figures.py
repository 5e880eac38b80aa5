"""Time the desk's dashboard and its first list page against bare SQL that gives the same answers.

Run: .venv/bin/python bench/desk_figures.py [--hazards 100000] [--runs 5]   (also part of `make bench`)

On the district data set (bench/district.py: built once, then cached), for each period of the chooser (this
week, month, term, year, and a range of the whole two years):
- ours: server/reports/figures.dashboard, everything the desk home shows (headline, rates, days to close,
  six breakdowns, the 12-week trend);
- bare SQL, written by hand on sqlite3: one temporary table of the period's hazards with each one's facts
  (valid, fixed, open, overdue, on time by the deadline in force when it was rectified, days to close), then
  one GROUP BY per breakdown, the headline and the trend on the hazards table.
Both sides must give the same figures (checked before timing). Then the first page of the desk's hazard
list (queries.list_hazards: overdue first, then open, by deadline, with the total) against one bare SELECT of
the same rows and a COUNT. Times are medians of interleaved runs (aim: ours <= 2x the bare SQL); "now" is the
moment the data set ends.
"""

import argparse
import math
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, ms, ratio  # noqa: E402
from district import ROOT, district_app, district_db  # noqa: E402

PAGE = 50
TREND_WEEKS = 12

# The SQL below is built from these constants only (never from input), hence its noqa: S608.
OPEN = "state IN ('reported', 'assigned', 'awaiting_recheck')"
OVERDUE = "state = 'assigned' AND deadline < :now"

# One row per hazard found in the period (school days of the phone's report time), with its facts. On time:
# rectified (the last submit, by the phone's clock; else the report: fixed on the spot) at or before the
# deadline in force then (the last one set before that submit, a deferral only asked for not counting), as
# server/hazards/filters.py defines it; here computed once per hazard.
FACTS = f"""
CREATE TEMP TABLE facts AS
WITH found AS (
    SELECT h.*, (SELECT max(e.id) FROM hazard_events e WHERE e.hazard_id = h.id AND e.action = 'submit')
           AS sid
    FROM hazards h WHERE h.device_reported_at >= :start AND h.device_reported_at < :end)
SELECT f.id, f.category_id, f.zone_id, z.building, z.department, f.rectifier_id, u.company,
       f.state <> 'invalid' AS valid, f.state = 'closed' AS fixed, f.{OPEN} AS open,
       f.state = 'assigned' AND f.deadline < :now AS overdue,
       CASE WHEN f.state <> 'closed' THEN NULL
            WHEN f.sid IS NULL THEN 1
            ELSE coalesce((SELECT coalesce(s.device_at, s.at) FROM hazard_events s WHERE s.id = f.sid)
                          <= (SELECT d.deadline FROM hazard_events d WHERE d.hazard_id = f.id
                              AND d.deadline IS NOT NULL AND d.action <> 'request_deferral' AND d.id < f.sid
                              ORDER BY d.id DESC LIMIT 1), 1) END AS on_time,
       CASE WHEN f.state = 'closed' THEN julianday(f.closed_at) - julianday(f.device_reported_at) END AS days
FROM found f JOIN zones z ON z.id = f.zone_id LEFT JOIN users u ON u.id = f.rectifier_id
"""  # noqa: S608
# A breakdown's figures by the names server/reports/figures.py gives them (the dashboard says which).
MEASURES = {"found": "sum(valid)", "open": "sum(open)", "overdue": "sum(overdue)", "fixed": "sum(fixed)",
            "on_time": "sum(on_time = 1)"}
# The breakdowns: the column grouped by, and which facts have such a group (a contractor needs a rectifier).
BREAKDOWNS = {"category": ("category_id", ""), "building": ("building", ""), "zone": ("zone_id", ""),
              "department": ("department", ""), "rectifier": ("rectifier_id", ""),
              "contractor": ("company", "WHERE rectifier_id IS NOT NULL")}
# The headline in two indexed reads: the open hazards (the index on state and deadline covers them) and this
# week's closings (the index on closed_at); one pass for both would read every hazard.
HEADLINE = f"""SELECT sum({OPEN}), sum({OVERDUE}), sum(state = 'awaiting_recheck'),
    (SELECT count(*) FROM hazards WHERE state = 'closed' AND closed_at >= :monday AND closed_at < :tomorrow)
    FROM hazards WHERE {OPEN}"""  # noqa: S608
WEEK = "CAST((julianday({0}) - julianday(:from)) / 7 AS INT)"
TREND_FOUND = f"""SELECT {WEEK.format('device_reported_at')}, count(*) FROM hazards
    WHERE device_reported_at >= :from AND device_reported_at < :to AND state <> 'invalid' GROUP BY 1"""  # noqa: S608
TREND_CLOSED = f"""SELECT {WEEK.format('closed_at')}, count(*) FROM hazards
    WHERE closed_at >= :from AND closed_at < :to AND state = 'closed' GROUP BY 1"""  # noqa: S608
LIST_PAGE = f"""SELECT h.*, z.name, z.code, c.name, r.display_name, u.display_name FROM hazards h
    JOIN zones z ON z.id = h.zone_id JOIN categories c ON c.id = h.category_id
    JOIN users r ON r.id = h.reporter_id LEFT JOIN users u ON u.id = h.rectifier_id
    ORDER BY (h.{OVERDUE}) DESC, h.{OPEN} DESC, h.deadline IS NULL, h.deadline, h.received_at DESC, h.id DESC
    LIMIT :page"""  # noqa: S608


def bare_dashboard(conn: sqlite3.Connection, first: date, last: date, now: datetime,
                   measures: tuple[str, ...], with_days: bool) -> dict:
    """Return the dashboard's figures computed by hand-written SQL (sqlite3, no ORM), as plain values.

    `measures`: the figures of each breakdown's groups; `with_days`: their mean days to close too.
    """
    from server.schooltime import local_date, start_of_day

    today = local_date(now)
    monday = today - timedelta(days=today.weekday())
    days = {"now": _text(now), "start": _text(start_of_day(first)),
            "end": _text(start_of_day(last + timedelta(days=1))), "monday": _text(start_of_day(monday)),
            "tomorrow": _text(start_of_day(today + timedelta(days=1)))}
    headline = conn.execute(HEADLINE, days).fetchone()
    conn.execute("DROP TABLE IF EXISTS temp.facts")
    conn.execute(FACTS, days)
    found, fixed, on_time, late, count, mean = conn.execute(
        "SELECT sum(valid), sum(fixed), sum(on_time = 1), sum(on_time = 0), count(days), avg(days) FROM facts"
    ).fetchone()
    p90 = conn.execute("SELECT days FROM facts WHERE days IS NOT NULL ORDER BY days LIMIT 1 OFFSET ?",
                       (math.ceil(0.9 * count) - 1,)).fetchone() if count else None  # nearest rank
    sums = ", ".join([*(MEASURES[m] for m in measures), "avg(days)" if with_days else "NULL"])
    groups = {name: conn.execute(
        f"SELECT {column}, {sums} FROM facts {where} GROUP BY {column}").fetchall()  # noqa: S608
        for name, (column, where) in BREAKDOWNS.items()}
    weeks = {"from": _text(start_of_day(monday - timedelta(weeks=TREND_WEEKS - 1))),
             "to": _text(start_of_day(monday + timedelta(days=7)))}
    found_weeks = dict(conn.execute(TREND_FOUND, weeks).fetchall())
    closed_weeks = dict(conn.execute(TREND_CLOSED, weeks).fetchall())
    return {"headline": tuple(v or 0 for v in headline), "found": found or 0, "fixed": fixed or 0,
            "on_time": on_time or 0, "late": late or 0, "days": (count, _round(mean), _round(p90 and p90[0])),
            "groups": {name: _by_key((row[0], *(v or 0 for v in row[1:-1]), _round(row[-1])) for row in rows)
                       for name, rows in groups.items()},
            "trend": [(found_weeks.get(i, 0), closed_weeks.get(i, 0)) for i in range(TREND_WEEKS)]}


def ours_as_values(board, measures: tuple[str, ...]) -> dict:
    """Return the desk's Dashboard as the plain values bare_dashboard returns, to check they agree."""
    headline = ("open", "overdue", "awaiting_recheck", "closed_this_week")
    return {"headline": tuple(board.headline[k].value for k in headline),
            "found": board.found.value, "fixed": board.fixed.value, "on_time": board.on_time.part.value,
            "late": board.late.value, "days": (board.days.closed.value, board.days.mean, board.days.p90),
            "groups": {name: _by_key((g.key[0], *(g.figures[m].value for m in measures), g.mean_days)
                                     for g in groups) for name, groups in board.breakdowns.items()},
            "trend": [(w.found.value, w.closed.value) for w in board.trend]}


def bare_list_page(conn: sqlite3.Connection, now: datetime) -> tuple[list, int]:
    """Return the desk list's first page (overdue, open, by deadline, newest) and the total, by bare SQL."""
    rows = conn.execute(LIST_PAGE, {"now": _text(now), "page": PAGE}).fetchall()
    return rows, conn.execute("SELECT count(*) FROM hazards").fetchone()[0]


def _by_key(rows) -> list[tuple]:
    # Groups in one order on both sides; a group's key may be None (no rectifier).
    return sorted(rows, key=lambda row: (row[0] is None, str(row[0])))


def _round(days) -> float | None:
    # The desk shows days to one decimal (server/reports/figures.py).
    return None if days is None else round(float(days), 1)


def _text(moment: datetime) -> str:
    # As SQLAlchemy stores a UTC DateTime in SQLite (bench/district.py writes the same).
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def shown(board) -> tuple[tuple[str, ...], bool]:
    """Return what the desk's breakdowns show: their figures' names, and whether mean days to close."""
    groups = [group for rows in board.breakdowns.values() for group in rows]
    return (tuple(groups[0].figures) if groups else (),
            any(group.mean_days is not None for group in groups))


def periods(today: date) -> dict[str, tuple[str, date, date]]:
    """Return the dashboard's periods (the chooser's kind, first and last school day) up to `today`."""
    from server.reports.figures import term_start

    return {"week": ("week", today - timedelta(days=today.weekday()), today),
            "month": ("month", today.replace(day=1), today), "term": ("term", term_start(today), today),
            "year": ("year", today.replace(month=1, day=1), today),
            "two years": ("range", today - timedelta(days=730), today)}


def dashboard(db, user, kind: str, first: date, last: date, now: datetime):
    """Return the desk's dashboard as one request makes it (its session's objects dropped afterwards)."""
    from server.reports import figures

    board = figures.dashboard(user, figures.Period(kind, first, last), now)
    db.session.expunge_all()
    return board


def list_page(db, user, now: datetime):
    """Return the desk list's first page and total as one request makes them."""
    from server.hazards import queries

    result = queries.list_hazards(user, limit=PAGE, now=now)
    db.session.expunge_all()
    return result


def dashboard_parts(kind: str, first: date, last: date, now: datetime) -> dict:
    """Return the dashboard's parts as figures.dashboard computes them, one callable each (a diagnosis)."""
    from server.auth.models import User
    from server.extensions import db
    from server.reports import figures

    admin = db.session.scalar(db.select(User).where(User.username == "admin"))
    base = figures.Period(kind, first, last).filter
    parts = {"headline": lambda: figures.headline(admin, now),
             "summary (found, fixed, rates)": lambda: figures.summary(admin, base, now),
             "days to close": lambda: figures.days_figures(admin, base, now),
             "trend (12 weeks)": lambda: figures.trend(admin, now),
             "breakdowns (all six)": lambda: figures.breakdowns(admin, base, figures.DIMENSIONS,
                                                                figures.DASHBOARD_BREAKDOWN, now)}
    return parts


def main() -> None:
    """Build or reuse the district data set, check both sides agree, time them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parts", choices=["week", "month", "term", "year", "two years"],
                        help="also time each part of the dashboard (its queries) for this period")
    args = parser.parse_args()
    path, facts = district_db(args.hazards)
    now = datetime.fromisoformat(facts["until"])
    counts = facts["counts"]
    print(f"district data set: {counts['hazards']:,} hazards, {counts['hazard_events']:,} events, "
          f"{counts['zones']} zones ({path.relative_to(ROOT)}); now = {now:%Y-%m-%d %H:%M} UTC")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with district_app(path).app_context():
        from server.auth.models import User
        from server.extensions import db
        from server.schooltime import local_date

        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        chosen = periods(local_date(now))
        cases = {}
        for name, (kind, first, last) in chosen.items():
            # The check is each side's first (warming) run; its times are printed as it goes.
            started = time.perf_counter()
            board = dashboard(db, admin, kind, first, last, now)
            middle = time.perf_counter()
            measures, with_days = shown(board)
            bare = bare_dashboard(conn, first, last, now, measures, with_days)
            assert ours_as_values(board, measures) == bare, f"the dashboard's {name} figures differ"
            print(f"  dashboard, {name}: the same figures; first run ours {middle - started:.1f} s, bare SQL "
                  f"{time.perf_counter() - middle:.1f} s", flush=True)
            cases[f"dashboard, {name}: ours"] = (lambda k=kind, f=first, t=last:
                                                 dashboard(db, admin, k, f, t, now))
            cases[f"dashboard, {name}: bare SQL"] = (lambda f=first, t=last, m=measures, d=with_days:
                                                     bare_dashboard(conn, f, t, now, m, d))
        page, total = list_page(db, admin, now)
        bare_page, bare_total = bare_list_page(conn, now)
        assert [h.id for h in page] == [r[0] for r in bare_page] and total == bare_total, "list pages differ"
        cases["hazard list, first page: ours"] = lambda: list_page(db, admin, now)
        cases["hazard list, first page: bare SQL"] = lambda: bare_list_page(conn, now)
        seconds = interleaved(cases, args.runs, warm=0)
    for name, values in seconds.items():
        print(f"  {name:36} {ms(values)}")
    for name in [*(f"dashboard, {p}" for p in chosen), "hazard list, first page"]:
        times = ratio(seconds[f"{name}: ours"], seconds[f"{name}: bare SQL"])
        print(f"  {name}: ours / bare SQL = {times:.2f} (aim <= 2)")
    if args.parts:
        with district_app(path).app_context():
            kind, first, last = chosen[args.parts]
            parts = interleaved(dashboard_parts(kind, first, last, now), args.runs, warm=0)
        print(f"  the dashboard's parts, {args.parts}:")
        for name, values in parts.items():
            print(f"    {name:30} {ms(values)}")


if __name__ == "__main__":
    main()
