"""Time the coverage page's figures against bare SQL that gives the same answers.

Run: .venv/bin/python bench/coverage.py [--hazards 100000] [--runs 5]   (also part of `make bench`)

On the district data set (bench/district.py: at 100,000 hazards 500 zones and 200,000 patrol visits over two
years), for today, this week and this month as the data set's last day sees them:
- ours: server/patrols/coverage.coverage, everything the coverage page shows (every zone's status, the totals,
  four breakdowns, the missed zones in order, who patrolled);
- bare SQL, written by hand on sqlite3: one statement that gives every zone's status (each visit's school day
  with the one before it by a window function, the rule of "due" in SQL), then the same breakdowns by GROUP BY
  and the patrols' GROUP BY. Like ours it reads only the window's visits and each zone's last one before it,
  through the indexes on (zone_id, device_at) and (patrol_id, device_at), not every visit kept. The
  school's time zone is Asia/Shanghai (UTC+8 all year, so a fixed offset).
Both sides must give the same figures (checked before timing). Times are medians of interleaved runs (aim:
ours <= 2x the bare SQL).
"""

import argparse
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, ms, ratio  # noqa: E402
from district import district_app, district_db, facts_of  # noqa: E402

STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLite holds the app's UTC times
OFFSET = "+8 hours"  # Asia/Shanghai, the district app's default time zone
MOMENT = "CASE WHEN v.device_at < v.received_at THEN v.device_at ELSE v.received_at END"
PERIOD = "CASE z.frequency WHEN 'daily' THEN 1 WHEN 'weekly' THEN 7 ELSE max(1, z.frequency_days) END"

# Every active zone's status over [:first, :last] (school days as 'YYYY-MM-DD'): the rule of coverage.py, in
# SQL. `due` of a visit: the day its zone fell due before it (its period after the visit before, or the
# zone's first day); a visit at or after that day was waited for, late by the days between.
STATUSES = f"""
WITH days AS (
    -- The visits whose phone time is from the window's start on (each zone's through its index) ...
    SELECT DISTINCT v.zone_id, date({MOMENT}, '{OFFSET}') AS day
    FROM zones z JOIN patrol_visits v ON v.zone_id = z.id AND v.device_at >= :start
    UNION
    -- ... and each zone's last moment of the visits whose phone time is before it, in one seek: the visit
    -- with the latest phone time, or if that phone was ahead of the server, the visits from its receipt on.
    SELECT z.id, date((SELECT CASE WHEN t.device_at <= t.received_at THEN t.device_at ELSE
               (SELECT max(min(v.device_at, v.received_at)) FROM patrol_visits v
                WHERE v.zone_id = z.id AND v.device_at >= t.received_at AND v.device_at < :start) END
               FROM patrol_visits t WHERE t.zone_id = z.id AND t.device_at < :start
               ORDER BY t.device_at DESC LIMIT 1), '{OFFSET}') AS day
    FROM zones z),
seq AS (
    SELECT zone_id, day, lag(day) OVER (PARTITION BY zone_id ORDER BY day) AS prev
    FROM days WHERE day IS NOT NULL AND day <= :last),
due AS (
    SELECT s.zone_id, s.day,
           CASE WHEN s.prev IS NULL THEN date(z.created_at, '{OFFSET}')
                ELSE date(s.prev, '+' || ({PERIOD}) || ' days') END AS due_day
    FROM seq s JOIN zones z ON z.id = s.zone_id WHERE s.day >= :first),
per_zone AS (
    SELECT zone_id, max(due_day <= day) AS was_due,
           max(CASE WHEN due_day <= day THEN julianday(day) - julianday(due_day) ELSE 0 END) AS late
    FROM due GROUP BY zone_id),
latest AS (SELECT zone_id, max(day) AS day FROM seq GROUP BY zone_id),
now_due AS (
    SELECT z.id AS zone_id,
           CASE WHEN l.day IS NULL THEN date(z.created_at, '{OFFSET}')
                ELSE date(l.day, '+' || ({PERIOD}) || ' days') END AS due_day
    FROM zones z LEFT JOIN latest l ON l.zone_id = z.id WHERE z.active)
SELECT z.code, z.building, z.floor, z.department, coalesce(u.display_name, ''),
       CASE WHEN n.due_day <= :last THEN 'missed'
            WHEN coalesce(p.was_due, 0) = 0 THEN NULL
            WHEN p.late > 0 THEN 'late' ELSE 'on_time' END AS status,
       CAST(CASE WHEN n.due_day <= :last THEN julianday(:last) - julianday(n.due_day)
                 WHEN coalesce(p.was_due, 0) = 0 THEN 0 ELSE p.late END AS INTEGER) AS late_days
FROM now_due n JOIN zones z ON z.id = n.zone_id LEFT JOIN per_zone p ON p.zone_id = z.id
LEFT JOIN users u ON u.id = z.responsible_id
"""  # noqa: S608 - built from the constants above only
GROUPS = {"building": "building", "floor": "building || ' · ' || floor", "department": "department",
          "person": "person"}
BREAKDOWN = """
SELECT {key} AS label, count(*), sum(status = 'on_time'), sum(status = 'late'), sum(status = 'missed')
FROM statuses WHERE status IS NOT NULL GROUP BY label
"""
PATROLS = """
SELECT u.display_name, count(*), count(DISTINCT v.zone_id), sum(v.on_site)
FROM users u JOIN patrol_visits v ON v.patrol_id = u.id AND v.device_at >= :start AND v.received_at >= :start
WHERE (CASE WHEN v.device_at < v.received_at THEN v.device_at ELSE v.received_at END) < :end
GROUP BY u.id ORDER BY count(*) DESC, u.display_name
"""


def bare(conn: sqlite3.Connection, first: date, last: date) -> dict:
    """Return the figures by bare SQL: statuses per zone, the four breakdowns, the patrols."""
    conn.execute("DROP TABLE IF EXISTS temp.statuses")
    conn.execute("CREATE TEMP TABLE statuses (code, building, floor, department, person, status, late_days)")
    start = datetime.combine(first, datetime.min.time()) - timedelta(hours=8)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time()) - timedelta(hours=8)
    conn.execute(f"INSERT INTO statuses {STATUSES}", {"first": first.isoformat(), "last": last.isoformat(),  # noqa: S608
                                                     "start": start.strftime(STAMP)})
    zones = {code: (status, late) for code, status, late in
             conn.execute("SELECT code, status, late_days FROM statuses")}
    breakdowns = {name: {label or "—": tuple(rest)
                         for label, *rest in conn.execute(BREAKDOWN.format(key=key))}
                  for name, key in GROUPS.items()}
    patrols = [tuple(row) for row in conn.execute(PATROLS, {"start": start.strftime(STAMP),
                                                           "end": end.strftime(STAMP)})]
    return {"zones": zones, "breakdowns": breakdowns, "patrols": patrols}


def ours(app, kind: str, today: date) -> dict:
    """Return the same figures from server/patrols/coverage."""
    from server.patrols import coverage

    with app.app_context():
        shown = coverage.coverage(coverage.window(kind, today))
        return {"zones": {z.zone.code: (z.status, z.late_days) for z in shown.zones},
                "breakdowns": {name: {r.label: (r.due, r.on_time, r.late, r.missed) for r in rows}
                               for name, rows in shown.breakdowns.items()},
                "patrols": [(p.name, p.visits, p.zones, p.on_site) for p in shown.patrols]}


def main() -> None:
    """Build or reuse the district, check both sides agree, then time them per window."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="a district database already built (its .json beside it)")
    args = parser.parse_args()
    path, facts = (args.db.resolve(), facts_of(args.db)) if args.db else district_db(args.hazards)
    counts = facts["counts"]
    print(f"district: {counts['zones']} zones, {counts['patrol_visits']} visits ({path.name})")
    app = district_app(path, BABEL_DEFAULT_TIMEZONE="Asia/Shanghai")
    # The data set ends at `until` (00:00 UTC, 08:00 in Shanghai): "today" is its last whole school day.
    until = datetime.fromisoformat(facts["until"]).astimezone(UTC)
    today = (until + timedelta(hours=8)).date() - timedelta(days=1)
    conn = sqlite3.connect(path)
    from server.patrols import coverage

    for kind in coverage.WINDOWS:
        with app.app_context():
            win = coverage.window(kind, today)
        mine, theirs = ours(app, kind, today), bare(conn, win.first, win.last)
        for part in ("zones", "breakdowns", "patrols"):
            assert mine[part] == theirs[part], (kind, part)
        statuses = [s for s, _late in mine["zones"].values()]
        print(f"{kind:5} {win.first} – {win.last}: due {sum(s is not None for s in statuses)}, "
              f"on time {statuses.count('on_time')}, late {statuses.count('late')}, "
              f"missed {statuses.count('missed')}; the same figures both ways")
        seconds = interleaved({"ours": lambda k=kind: ours(app, k, today),
                               "bare": lambda w=win: bare(conn, w.first, w.last)}, args.runs)
        print(f"      ours {ms(seconds['ours'])}   bare SQL {ms(seconds['bare'])}   "
              f"ratio {ratio(seconds['ours'], seconds['bare']):.2f}")


if __name__ == "__main__":
    main()
