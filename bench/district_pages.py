"""Time every page and API answer issue 12 names at district scale, each against the bare SQL of its rows.

Run: .venv/bin/python bench/district_pages.py [--hazards 1000 10000 100000] [--runs 5] [--db FILE ...]

For each data set (bench/district.py, built once then cached; or --db, a district file already built), signed
in through the real sign-in form, each answer is fetched whole through the app (Flask's test client: routing,
session, queries, templates or JSON; no network) and timed against hand-written sqlite3 giving the same rows
(the page's hazards and its total, the round's zones and last visits, the notifications). Printed: the
answer's uncompressed bytes, ours and the bare SQL's median (min) of interleaved runs, and their ratio.
Also timed: the simplest signed-in request (/api/v1/session) of each user, the fixed cost every answer pays
before its rows, and each answer's ratio with that cost taken off ("less fixed"); and the "bare answer": the
same bare SQL answered by a bare Flask route as JSON (routing, SQL, json.dumps; no session or template), the
floor of any Python web answer of those rows.
Aims (issue 12): ours <= 3x the bare SQL, <= 3x its own time at demo size, <= 200 kB uncompressed.
"""

import argparse
import json
import sqlite3
import statistics
import sys
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, ms, ratio  # noqa: E402
from district import PASSWORD, district_app, district_db, facts_of  # noqa: E402
from flask import Flask, Response  # noqa: E402

from server import schooltime  # noqa: E402
from server.database import utcnow  # noqa: E402

PAGE = 50  # the desk's cards per page and the field app's first page of tasks
OPEN = "('reported', 'assigned', 'awaiting_recheck')"
# The rows behind each answer, by bare SQL ("now" and the signed-in user's id bound): a page of hazards with
# what its cards show, and the total, as the app's lists and counts give them (overdue, open, finished).
HAZARD_ROWS = """SELECT h.*, z.name, z.code, z.building, z.responsible_id, c.name, c.name_en,
    r.display_name, u.display_name FROM hazards h
    JOIN zones z ON z.id = h.zone_id JOIN categories c ON c.id = h.category_id
    JOIN users r ON r.id = h.reporter_id LEFT JOIN users u ON u.id = h.rectifier_id"""
# What a card or an item shows beside its hazard, for the page's hazards ({ids}: the ids of the page's rows,
# bound as the app binds them): its photos (the thumbnail, before and after) and, while open, its interim
# controls with who recorded them.
PHOTOS = "SELECT id, hazard_id, event_id, kind FROM photos WHERE hazard_id IN ({ids}) ORDER BY id"
INTERIM = ("SELECT e.*, p.display_name FROM hazard_events e JOIN users p ON p.id = e.actor_id "
           "WHERE e.hazard_id IN ({ids}) AND e.action = 'interim_control' ORDER BY e.at DESC, e.id DESC")
# The app's order for lists (overdue first, then open, then finished; each by deadline, none last, then
# newest) as the fastest SQL for the same rows: each group by its own query (the overdue and open ones through
# the index on (state, deadline)), joined in that order and cut at the page; SQLite stops at the page's end.
# (One ORDER BY on CASE expressions gives the same rows but sorts every hazard: 5.1 s against 0.2 s at 100k.)
GROUPS = ["h.state = 'assigned' AND h.deadline < :now",
          f"h.state IN {OPEN} AND (h.state <> 'assigned' OR h.deadline >= :now)",
          f"h.state NOT IN {OPEN}"]
ORDER = "h.deadline IS NULL, h.deadline, h.received_at DESC, h.id DESC"
RECHECKS = (f"{HAZARD_ROWS} WHERE h.state = 'awaiting_recheck' "
            f"AND (h.rectifier_id IS NULL OR h.rectifier_id <> :me) ORDER BY h.updated_at, h.id LIMIT {PAGE}")
RECHECKS_COUNT = ("SELECT count(*) FROM hazards WHERE state = 'awaiting_recheck' AND "
                  "(rectifier_id IS NULL OR rectifier_id <> :me)")


def urgent(where: str = "1") -> str:
    """Return the bare SQL of the first page of the hazards matching `where`, in the app's urgency order."""
    # Written from this file's constants only: no input reaches the SQL.
    return " UNION ALL ".join(f"SELECT * FROM ({HAZARD_ROWS} WHERE ({where}) AND {group} "  # noqa: S608
                              f"ORDER BY {ORDER} LIMIT {PAGE})" for group in GROUPS) + f" LIMIT {PAGE}"


class Page(str):
    """A statement whose rows are a page of hazards (their id first): {ids} in the statements after it."""


BARE = {
    "desk list, first page": [
        Page(urgent()),
        "SELECT count(*) FROM hazards",
        # The figures above the list, each counted through an index (one sum() per figure over the table
        # reads every row: 57 ms at 100k against under 1 ms for these six).
        "SELECT state, count(*) FROM hazards WHERE state IN ('reported', 'assigned', 'awaiting_recheck') "
        "GROUP BY state",
        "SELECT count(*) FROM hazards WHERE state = 'assigned' AND deadline < :now",
        "SELECT count(*) FROM hazards WHERE state = 'closed' AND closed_at >= :month",
        "SELECT count(*) FROM hazards WHERE state = 'assigned' AND deferral_requested_at IS NOT NULL",
        PHOTOS, INTERIM],
    "queue (new reports)": [
        Page(f"{HAZARD_ROWS} WHERE h.state = 'reported' ORDER BY {ORDER} LIMIT {PAGE}"),
        "SELECT count(*) FROM hazards WHERE state = 'reported'",
        # The one list of rectifiers to assign to (each card's default among them: its last rectifier or its
        # zone's responsible person, both in the page's rows).
        "SELECT u.id, u.display_name, u.department, u.company FROM users u JOIN user_roles r "
        "ON r.user_id = u.id AND r.role = 'rectifier' WHERE u.active ORDER BY u.display_name",
        PHOTOS, INTERIM],
    "rechecks": [Page(RECHECKS), RECHECKS_COUNT, PHOTOS],
    "/api/v1/me/tasks (supervisor)": [
        Page(urgent("h.state = 'assigned' AND h.rectifier_id = :me")),
        Page(RECHECKS), RECHECKS_COUNT, PHOTOS, INTERIM],
    "/api/v1/me/today (patrol)": [
        # The zones and each one's last visit (phone time, capped at receipt) through (zone_id, device_at):
        # the visit with the latest phone time is the last moment when its clock was not ahead (one seek);
        # else the visits from its receipt on are compared.
        """SELECT z.*, (SELECT CASE WHEN t.device_at <= t.received_at THEN t.device_at ELSE
               (SELECT max(min(v.device_at, v.received_at)) FROM patrol_visits v
                WHERE v.zone_id = z.id AND v.device_at >= t.received_at) END
               FROM patrol_visits t WHERE t.zone_id = z.id ORDER BY t.device_at DESC LIMIT 1)
           FROM zones z WHERE z.active ORDER BY z.code""",
        "SELECT zone_id FROM patrol_visits WHERE patrol_id = :me AND device_at >= :today"],
    "notifications page": [
        # Each notice's text names its hazard's zone and category; the page says how many are unread.
        "SELECT n.*, h.severity, h.deadline, h.fixed_on_the_spot, z.name, c.name, c.name_en "
        "FROM notifications n JOIN hazards h ON h.id = n.hazard_id JOIN zones z ON z.id = h.zone_id "
        "JOIN categories c ON c.id = h.category_id "
        "WHERE n.user_id = :me ORDER BY n.created_at DESC, n.id DESC LIMIT 100",
        "SELECT count(*) FROM notifications WHERE user_id = :me AND read_at IS NULL"],
}
# Who asks, and where.
PAGES = {"desk list, first page": ("admin", "/hazards"), "queue (new reports)": ("admin", "/hazards/queue"),
         "rechecks": ("admin", "/hazards/rechecks"),
         "/api/v1/me/tasks (supervisor)": ("admin", "/api/v1/me/tasks"),
         "/api/v1/me/today (patrol)": ("patrol001", "/api/v1/me/today"),
         "notifications page": ("admin", "/notifications")}
LIMIT_BYTES = 200_000
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLite holds the app's UTC times
# The simplest signed-in answer: the session, user and roles loaded, the language chosen, a small JSON body:
# what every request pays before its own rows; subtracted, it shows what the rows cost against the bare SQL.
FIXED = "/api/v1/session"


def bare(conn: sqlite3.Connection, statements: list[str], params: dict) -> list:
    """Run a page's bare statements, returning their rows (a statement after a Page gets its ids bound)."""
    found, ids = [], []
    for sql in statements:
        if "{ids}" in sql:
            rows = conn.execute(sql.format(ids=",".join("?" * len(ids))), ids).fetchall() if ids else []
        else:
            rows = conn.execute(sql, params).fetchall()
        if isinstance(sql, Page):
            ids += [row[0] for row in rows]
        found.append(rows)
    return found


def bare_app(conn: sqlite3.Connection, params: dict[str, dict]):
    """Return a test client of a bare Flask app answering each page's bare statements as JSON: routing, the
    SQL and writing the rows out, the least any Python web answer of the same rows costs (no session, no
    sign-in, no ORM, no template)."""
    app = Flask("bare")
    for number, name in enumerate(PAGES):
        app.add_url_rule(f"/{number}", str(number), lambda n=name: Response(
            json.dumps(bare(conn, BARE[n], params[n]), default=str, ensure_ascii=False),
            mimetype="application/json"))
    return app.test_client(), {name: f"/{number}" for number, name in enumerate(PAGES)}


def signed_in(app, username: str):
    """Return a test client signed in as `username` through the sign-in form."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"could not sign in as {username}"
    return client


def fetch(client, path: str) -> bytes:
    """Fetch a page or answer whole, uncompressed, and return its body."""
    response = client.get(path, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return response.get_data()


def measure(path: Path, runs: int) -> dict[str, dict]:
    """Return, per answer, its bytes and its and the bare SQL's times on the district file at `path`."""
    now = utcnow()  # the app's lists read the clock: the bare SQL is given the same time
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    app = district_app(path, WTF_CSRF_ENABLED=False)
    users = dict(conn.execute("SELECT username, id FROM users WHERE username IN ('admin', 'patrol001')"))
    clients = {name: signed_in(app, name) for name in users}
    text = now.strftime(STAMP)
    with app.app_context():  # the month's first moment in the school's time zone, stored as UTC
        month = schooltime.month_start(now).astimezone(UTC).strftime(STAMP)
    params = {name: {"now": text, "today": text, "me": users[who], "month": month}
              for name, (who, _) in PAGES.items()}
    plain, plain_urls = bare_app(conn, params)
    cases, sizes = {}, {}
    for who in users:
        cases[f"fixed: {who}"] = lambda c=clients[who]: fetch(c, FIXED)
    for name, (who, url) in PAGES.items():
        sizes[name] = len(fetch(clients[who], url))
        cases[f"{name}: ours"] = lambda c=clients[who], u=url: fetch(c, u)
        cases[f"{name}: bare"] = lambda s=BARE[name], p=params[name]: bare(conn, s, p)
        cases[f"{name}: bare answer"] = lambda u=plain_urls[name]: fetch(plain, u)
    seconds = interleaved(cases, runs)
    return {name: {"bytes": sizes[name], "ours": seconds[f"{name}: ours"], "bare": seconds[f"{name}: bare"],
                   "bare answer": seconds[f"{name}: bare answer"], "fixed": seconds[f"fixed: {who}"]}
            for name, (who, _) in PAGES.items()}


def main() -> None:
    """Measure each data set, print each answer's bytes, times and ratios, and the growth from the first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--db", type=Path, nargs="*", default=[],
                        help="district files already built (their .json beside them), instead of --hazards")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    paths = [p.resolve() for p in args.db] or [district_db(n)[0] for n in args.hazards]
    first = None
    for path in paths:
        counts = facts_of(path)["counts"]
        print(f"{counts['hazards']:,} hazards, {counts['zones']} zones ({path.name})", flush=True)
        figures = measure(path, args.runs)
        first = first or figures  # the first data set given: demo size by default
        fixed = {PAGES[name][0]: statistics.median(found["fixed"]) for name, found in figures.items()}
        print("  fixed cost of a signed-in request (" + FIXED + "): "
              + ", ".join(f"{who} {seconds * 1000:.1f} ms" for who, seconds in fixed.items()), flush=True)
        for name, found in figures.items():
            ours, bare = statistics.median(found["ours"]), statistics.median(found["bare"])
            growth = ours / statistics.median(first[name]["ours"])
            flag = "" if found["bytes"] <= LIMIT_BYTES else "  (over 200 kB)"
            print(f"  {name:32} {found['bytes'] / 1000:7.1f} kB{flag}  ours {ms(found['ours'])}  "
                  f"bare {ms(found['bare'])}  ours/bare {ratio(found['ours'], found['bare']):6.2f}  "
                  f"less fixed {(ours - fixed[PAGES[name][0]]) / bare:6.2f}  vs first size {growth:5.2f}  "
                  f"bare answer {ms(found['bare answer'])}  ours/bare answer "
                  f"{ratio(found['ours'], found['bare answer']):6.2f}",
                  flush=True)
    print(json.dumps({"aims": "ours/bare <= 3, vs first (demo) size <= 3, <= 200 kB"}))


if __name__ == "__main__":
    main()
