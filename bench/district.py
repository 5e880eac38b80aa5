"""Build (once) a district-sized SQLite database with the app's real schema, for the desk and page benchmarks.

Run: .venv/bin/python bench/district.py [--hazards 100000] [--rebuild]   (also part of `make bench`, 1,000)

Import: `from bench.district import district_db, district_app` (or `import district` from another script in
bench/): `district_db(10_000)` returns the cached file's path and its facts (sizes, counts, the moment the
data ends), `district_app(path)` a Flask app on it, `working_copy(path)` a throw-away copy to write into.

- Schema: the migrations (flask_migrate.upgrade) and the default categories, as `flask db upgrade` makes it;
  at the end ANALYZE, as an installation's migrations and daily pass do.
- Fill: sqlite3 directly, one transaction per table with executemany, journal and sync off, the secondary
  indexes dropped during the fill and made again after. Columns the generator does not know (added by a later
  migration) get their model's default, so a new column with a default needs no change here.
- Data, deterministic (fixed seed): at 100,000 hazards 500 zones over 40 buildings, about 200 people
  (patrols, supervisors, rectifiers, contractor companies' staff in `users.company` when the column exists),
  200,000 patrol visits, and for each hazard a history simulated through the state machine's table
  (server/hazards/states.py) over two years ending `until` (default: today 00:00 UTC): reports, assignments,
  deferrals asked and decided, submissions, rechecks passed and failed, invalidations, reopenings; a few
  hazards stall (forgotten, overdue for months). Notifications follow the app's rules
  (server/notifications/subscribers.py and the deadline sweep); photo rows point at no file.
- Cache: instance/bench/district-<sizes>-<schema head>-<generator hash>-<until>.sqlite with a .json of its
  facts; a second run with the same arguments on the same day reuses it, older days' files are removed.
"""

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from bisect import bisect_right
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CACHE = ROOT / "instance" / "bench"
PASSWORD = "bench-password-1"  # noqa: S105 (every generated account; a throw-away database)
SEED = 20261201
DAY = 86400
HOUR = 3600
SUPERVISORS = 2  # the admin and one: every new report and submission tells both (1.4 M notices at 100k)

BUILDING_KINDS = ["教学楼", "宿舍楼", "实验楼", "食堂", "体育馆", "办公楼", "图书馆", "康复楼"]
ROOMS = ["走廊", "楼梯间", "教室", "卫生间", "配电间", "仓库", "消防通道", "电梯", "机房", "活动室"]
DEPARTMENTS = ["后勤处", "安全办", "教务处", "学生处", "体育组", "食堂", "康复部", "安保队"]
RECTIFIER_GROUPS = ["后勤维修组", "食堂", "锅炉房", "电工组", "康复部", "信息中心"]
COMPANIES = ["物业公司（保洁）", "绿化公司", "电梯维保公司", "消防维保公司"]
DESCRIPTIONS = ["墙面瓷砖松动", "灭火器过期", "插座外壳破损", "地面湿滑无警示", "应急灯不亮", "楼梯扶手松动",
                "消防通道堆放杂物", "食品未按规定留样", "电线私拉乱接", "门窗玻璃裂缝", "器材螺丝缺失", ""]


@dataclass(frozen=True)
class Sizes:
    """How big the district is: hazards, and the other tables scaled from them (500 zones at 100,000)."""

    hazards: int
    zones: int
    buildings: int
    users: int
    visits: int
    years: int = 2

    @classmethod
    def for_hazards(cls, hazards: int, zones: int | None = None, users: int | None = None,
                    visits: int | None = None) -> "Sizes":
        """Return the sizes for a number of hazards, others scaled unless given."""
        zones = zones or min(500, max(26, hazards // 200))
        users = users or min(200, max(40, hazards // 500))
        return cls(hazards=hazards, zones=zones, buildings=max(2, math.ceil(zones / 12.5)), users=users,
                   visits=visits or 2 * hazards)

    def slug(self) -> str:
        """Return the part of the cache file's name that names the sizes."""
        return f"h{self.hazards}-z{self.zones}-u{self.users}-v{self.visits}-y{self.years}"


# -- Times: integers (seconds since the epoch, UTC) while simulating, SQLAlchemy's SQLite text when stored

_DAY_TEXT: dict[int, str] = {}
_CLOCK = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(DAY)]  # one per second


def stamp(seconds: int | None) -> str | None:
    """Return a UTC time as SQLAlchemy stores DateTime in SQLite ('YYYY-MM-DD HH:MM:SS.ffffff')."""
    if seconds is None:
        return None
    day, rest = divmod(seconds, DAY)
    text = _DAY_TEXT.get(day)
    if text is None:
        text = _DAY_TEXT[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
    return text + _CLOCK[rest]


def iso(seconds: int) -> str:
    """Return an aware UTC time's isoformat(), as the deadline sweep keys its notices."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()


class Calendar:
    """The school's days for integer times: the offset of its time zone (fixed over the data's two years)."""

    def __init__(self, tz_name: str, until: int):
        from zoneinfo import ZoneInfo

        moment = datetime.fromtimestamp(until, UTC)
        self.offset = int(moment.astimezone(ZoneInfo(tz_name)).utcoffset().total_seconds())

    def day_start(self, seconds: int) -> int:
        """Return the first moment of the school day holding `seconds`."""
        return (seconds + self.offset) // DAY * DAY - self.offset

    def end_of_day_after(self, seconds: int, days: int) -> int:
        """Return the last second (23:59:59) of the school day `days` after the one holding `seconds`."""
        return self.day_start(seconds) + (days + 1) * DAY - 1

    def school_hours(self, rng: random.Random, day_start: int) -> int:
        """Return a random moment between 07:30 and 18:00 of a school day."""
        return day_start + rng.randint(27000, 64800)


# -- People, buildings, zones -----------------------------------------------------------------------------

@dataclass
class People:
    """The generated users by role, as ids (id 1 is the admin, a supervisor too)."""

    supervisors: list[int]
    patrols: list[int]
    rectifiers: list[int]
    rows: list[dict]
    roles: list[tuple[int, str]]


def make_people(rng: random.Random, sizes: Sizes, password_hash: str, now: str, has_company: bool) -> People:
    """Return the users: one admin, supervisors, patrols (a few supervisors patrol too), rectifiers."""
    rows, roles, supervisors, patrols, rectifiers = [], [], [], [], []
    n_patrols = max(8, round(sizes.users * 0.3))
    n_rectifiers = sizes.users - SUPERVISORS - n_patrols

    def add(username, name, department, role_names, company=""):
        uid = len(rows) + 1
        row = {"id": uid, "username": username, "display_name": name, "password_hash": password_hash,
               "department": department, "phone": f"1390000{uid:04d}", "active": 1, "session_version": 1,
               "locale": None, "created_at": now, "last_login_at": None}
        if has_company:
            row["company"] = company
        rows.append(row)
        roles.extend((uid, r) for r in role_names)
        return uid

    supervisors.append(add("admin", "系统管理员", "信息中心", ["admin", "supervisor"]))
    for n in range(1, SUPERVISORS):
        uid = add(f"sup{n:02d}", f"主管{n:02d}", rng.choice(["后勤处", "安全办"]),
                  ["supervisor", "patrol"] if n <= 2 else ["supervisor"])
        supervisors.append(uid)
        if n <= 2:
            patrols.append(uid)
    for n in range(1, n_patrols + 1):
        patrols.append(add(f"patrol{n:03d}", f"巡查员{n:03d}", rng.choice(["安全办", "安保队", "学生处"]),
                           ["patrol"]))
    for n in range(1, n_rectifiers + 1):
        contractor = n % 4 == 0  # a quarter of the rectifiers work for a contracted company
        company = COMPANIES[n // 4 % len(COMPANIES)] if contractor else ""
        department = company if contractor and not has_company else rng.choice(RECTIFIER_GROUPS)
        both = n % 10 == 1  # some maintenance staff also patrol (赵师傅 in the demo)
        uid = add(f"rect{n:03d}", f"整改员{n:03d}", department,
                  ["patrol", "rectifier"] if both else ["rectifier"], company)
        rectifiers.append(uid)
        if both:
            patrols.append(uid)
    return People(supervisors, patrols, rectifiers, rows, roles)


def make_zones(rng: random.Random, sizes: Sizes, people: People, now: str) -> list[dict]:
    """Return the zones, spread over the buildings, each with a responsible rectifier and a frequency."""
    buildings = [(f"{BUILDING_KINDS[b % len(BUILDING_KINDS)]}{b // len(BUILDING_KINDS) + 1}号",
                  rng.choice(DEPARTMENTS)) for b in range(sizes.buildings)]
    zones = []
    for n in range(sizes.zones):
        building, department = buildings[n % sizes.buildings]
        floor = n // sizes.buildings % 6 + 1
        frequency, days = rng.choices([("daily", 1), ("weekly", 7), ("custom", 3)], weights=[25, 65, 10])[0]
        zones.append({"id": n + 1, "code": f"D{n % sizes.buildings:02d}-{n + 1:04d}",
                      "name": f"{building}{floor}楼{ROOMS[n % len(ROOMS)]}{n // len(ROOMS) % 9 + 1}",
                      "building": building, "floor": f"{floor}F", "department": department,
                      "responsible_id": rng.choice(people.rectifiers), "key_area": int(rng.random() < 0.15),
                      "frequency": frequency, "frequency_days": days, "active": 1,
                      "qr_token": f"{rng.getrandbits(80):020x}", "created_at": now, "updated_at": now})
    return zones


# -- Hazards and their histories ---------------------------------------------------------------------------

@dataclass
class Category:
    """What the simulation needs of a category: its id and default period."""

    id: int
    period: int


class Simulation:
    """Walk each hazard through the state machine's table from its report until `until` (or a stall)."""

    def __init__(self, rng, calendar: Calendar, until: int, people: People, zones: list[dict],
                 categories: list[Category], default_days: int):
        from server.hazards import states

        self.rng, self.cal, self.until, self.people = rng, calendar, until, people
        self.zones, self.categories, self.default_days = zones, categories, default_days
        self.states = states
        self.hazards: list[dict] = []
        self.events: list[tuple] = []  # (at, hazard index, seq, fields dict), sorted and numbered later
        self.deadline_spells: list[tuple] = []  # (hazard index, rectifier, deadline, from, to) for sweeps

    def period(self, category: Category, severity: str) -> int:
        """Return the default rectification period in days (server/hazards/deadlines.py's rule)."""
        days = category.period or self.default_days
        return 1 if severity == "critical" else max(1, math.ceil(days / 2)) if severity == "major" else days

    def supervisor(self, *, not_: int | None = None) -> int:
        """Return a random supervisor other than `not_`."""
        while True:
            uid = self.rng.choice(self.people.supervisors)
            if uid != not_:
                return uid

    def run(self, index: int, t0: int, visit_key: int) -> None:
        """Simulate hazard `index`, reported at t0, and keep its row and events."""
        st, rng = self.states, self.rng
        zone = rng.choice(self.zones)
        category = rng.choice(self.categories)
        severity = rng.choices(st.SEVERITIES, weights=[75, 20, 5])[0]
        reporter = rng.choice(self.people.patrols)
        on_spot = rng.random() < 0.08
        h = {"index": index, "zone_id": zone["id"], "category_id": category.id, "visit_key": visit_key,
             "description": rng.choice(DESCRIPTIONS), "severity": severity, "reporter_id": reporter,
             "rectifier_id": None, "deadline": None, "device_reported_at": t0 - rng.randint(5, 900),
             "received_at": t0, "updated_at": t0, "closed_at": None, "fixed": 0,
             "fixed_on_the_spot": int(on_spot),
             "deferral_reason": None, "deferral_deadline": None, "deferral_requested_at": None,
             "deferral_requested_by_id": None}
        state = st.report_state(severity, on_spot)
        report = {"action": st.REPORT, "from_state": None, "to_state": state, "actor_id": reporter,
                  "rectifier_id": None, "deadline": None, "note": "", "on_site": int(rng.random() < 0.7)}
        if on_spot:
            h["rectifier_id"] = report["rectifier_id"] = reporter
        if state == st.CLOSED:
            h["closed_at"], h["fixed"] = t0, 1
        elif state == st.REPORTED and rng.random() < 0.3:  # AUTO_ASSIGN_TO_RESPONSIBLE at some schools
            state = report["to_state"] = st.TABLE[(st.REPORTED, st.ASSIGN)].target
            h["rectifier_id"] = report["rectifier_id"] = zone["responsible_id"]
            deadline = self.cal.end_of_day_after(t0, self.period(category, severity))
            h["deadline"] = report["deadline"] = deadline
        events = [(t0, report)]
        t = t0
        deferrals = reopenings = 0
        spell_from = t0 if state == st.ASSIGNED else None
        while state not in (st.INVALID,) and rng.random() > 0.012:  # a few hazards stall: forgotten
            action, t, fields = self.next_action(h, state, t, zone, category, severity, deferrals, reopenings)
            if action is None or t >= self.until:
                break
            target = st.TABLE[(state, action)].target
            fields.update(action=action, from_state=state, to_state=target)
            fields.setdefault("note", "")
            events.append((t, fields))
            deferrals += action == st.REQUEST_DEFERRAL
            reopenings += action == st.REOPEN
            # A spell ends when the hazard leaves `assigned` or gets a new rectifier or deadline.
            if state == st.ASSIGNED and (target != st.ASSIGNED or action in (st.ASSIGN, st.APPROVE_DEFERRAL)):
                self.deadline_spells.append((index, h["rectifier_id"], h["deadline"], spell_from, t))
                spell_from = None
            self.apply(h, state, target, action, fields, t)
            state = target
            if state == st.ASSIGNED and spell_from is None:
                spell_from = t
        if state == st.ASSIGNED and spell_from is not None:
            self.deadline_spells.append((index, h["rectifier_id"], h["deadline"], spell_from, self.until))
        h["state"] = state
        h["updated_at"] = events[-1][0]
        self.hazards.append(h)
        for seq, (at, fields) in enumerate(events):
            self.events.append((at, index, seq, fields))

    def next_action(self, h, state, t, zone, category, severity, deferrals, reopenings):
        """Return the next action, its time and its event's fields, or (None, t, {}) when the story ends."""
        st, rng = self.states, self.rng
        if state == st.REPORTED:
            t += int(rng.expovariate(1 / (20 * HOUR))) + 60
            if rng.random() < 0.05:
                return st.INVALIDATE, t, {"actor_id": self.supervisor(), "note": "重复上报"}
            rectifier = zone["responsible_id"] if rng.random() < 0.7 else rng.choice(self.people.rectifiers)
            return st.ASSIGN, t, {"actor_id": self.supervisor(), "rectifier_id": rectifier,
                                  "deadline": self.cal.end_of_day_after(t, self.period(category, severity))}
        if state == st.ASSIGNED:
            if h["deferral_requested_at"] is not None:
                t += int(rng.expovariate(1 / (20 * HOUR))) + 60
                approve = rng.random() < 0.75
                fields = {"actor_id": self.supervisor(not_=h["rectifier_id"])}
                if approve:
                    fields["deadline"] = h["deferral_deadline"]
                return (st.APPROVE_DEFERRAL if approve else st.DECLINE_DEFERRAL), t, fields
            roll = rng.random()
            if roll < 0.5 and deferrals < 5:
                t += int(rng.expovariate(1 / (30 * HOUR))) + 60
                asked = max(h["deadline"], self.cal.end_of_day_after(t, 0)) + rng.randint(3, 14) * DAY
                return st.REQUEST_DEFERRAL, t, {"actor_id": h["rectifier_id"], "deadline": asked,
                                                "note": "材料未到，申请延期"}
            if roll < 0.58:
                t += int(rng.expovariate(1 / (24 * HOUR))) + 60
                return st.ASSIGN, t, {"actor_id": self.supervisor(), "rectifier_id": rng.choice(
                    self.people.rectifiers), "deadline": h["deadline"] + DAY}
            if roll < 0.595:
                t += int(rng.expovariate(1 / (24 * HOUR))) + 60
                return st.INVALIDATE, t, {"actor_id": self.supervisor(), "note": "不属于隐患"}
            if rng.random() < 0.8:  # on time: somewhere before the deadline
                t = t + 60 + int(rng.random() * max(0, h["deadline"] - t))
            else:
                t = max(t, h["deadline"]) + int(rng.expovariate(1 / (4 * DAY)))
            return st.SUBMIT, t, {"actor_id": h["rectifier_id"], "note": "已整改",
                                  "on_site": int(rng.random() < 0.6)}
        if state == st.AWAITING_RECHECK:
            t += int(rng.expovariate(1 / (40 * HOUR))) + 60
            actor = self.supervisor(not_=h["rectifier_id"])
            if rng.random() < 0.5:
                return st.FAIL, t, {"actor_id": actor, "note": "整改不到位",
                                    "rectifier_id": self.worker(h, zone),
                                    "deadline": h["deadline"] or self.cal.end_of_day_after(
                                        t, self.period(category, severity))}
            # The event names no rectifier (as in the app); the notice goes to the one of that moment.
            return st.PASS, t, {"actor_id": actor, "on_site": 1, "notify": h["rectifier_id"]}
        if state == st.CLOSED and reopenings == 0 and rng.random() < 0.04:
            t += rng.randint(2 * DAY, 60 * DAY)
            return st.REOPEN, t, {"actor_id": self.supervisor(), "note": "问题复发",
                                  "rectifier_id": self.worker(h, zone),
                                  "deadline": self.cal.end_of_day_after(t, self.period(category, severity))}
        return None, t, {}

    def worker(self, h: dict, zone: dict) -> int:
        """Return who works on it again: its last rectifier, or the zone's if a patrol fixed it there."""
        return h["rectifier_id"] if h["rectifier_id"] in self.people.rectifiers else zone["responsible_id"]

    def apply(self, h, state, target, action, fields, t) -> None:
        """Change the hazard's row as server/hazards/services.py does for the action."""
        st = self.states
        if action == st.REQUEST_DEFERRAL:
            h.update(deferral_reason=fields["note"], deferral_deadline=fields["deadline"],
                     deferral_requested_at=t, deferral_requested_by_id=fields["actor_id"])
            return
        if action in (st.APPROVE_DEFERRAL, st.DECLINE_DEFERRAL):
            if action == st.APPROVE_DEFERRAL:
                h["deadline"] = fields["deadline"]
            h.update(deferral_reason=None, deferral_deadline=None, deferral_requested_at=None,
                     deferral_requested_by_id=None)
            return
        if action in (st.ASSIGN, st.FAIL, st.REOPEN):
            h["rectifier_id"], h["deadline"] = fields["rectifier_id"], fields["deadline"]
            h.update(deferral_reason=None, deferral_deadline=None, deferral_requested_at=None,
                     deferral_requested_by_id=None, closed_at=None, fixed=0)
        if action == st.PASS:
            h["closed_at"], h["fixed"] = t, 1
        if action == st.INVALIDATE:
            h.update(closed_at=t, fixed=0, deferral_reason=None, deferral_deadline=None,
                     deferral_requested_at=None, deferral_requested_by_id=None)


# -- Notifications -----------------------------------------------------------------------------------------

def _rules():
    """Return the app's notice rules (subscribers.py): {(action, state or None): ((kind, recipients), ...)}
    and {action: kinds it settles}, with the recipients named by their function's name."""
    from server.notifications import subscribers

    rules = {}
    for key, rule in subscribers._NOTICES.items():
        pairs = (rule,) if isinstance(rule[0], str) else rule  # one notice per action before new_report
        rules[key] = tuple((kind, who.__name__) for kind, who in pairs)
    return rules, getattr(subscribers, "_SETTLES", {})


class Notices:
    """Notification rows made as the app's subscribers and its hourly deadline sweep would have made them."""

    def __init__(self, sim: Simulation, hazard_ids: list[int], rng: random.Random, cal: Calendar, until: int):
        self.sim, self.hazard_ids, self.rng, self.cal, self.until = sim, hazard_ids, rng, cal, until
        self.rules, self.settles = _rules()
        self.rows: list[list] = []  # [user, hazard id, kind, key, created, read]
        self.unread: dict[int, list[list]] = {}  # per hazard: its rows not yet read
        self.seen: set[tuple] = set()

    def user_read(self, created: int) -> int | None:
        """Return when the user opened the notice: most within hours, the last days' often not yet."""
        if created < self.until - 3 * DAY and self.rng.random() < 0.9:
            return min(self.until - 1, created + int(self.rng.expovariate(1 / (10 * HOUR))))
        return created + 600 if created < self.until - 600 and self.rng.random() < 0.3 else None

    def add(self, users, index: int, kind: str, key: str, at: int, actor: int | None = None) -> None:
        """Add a notice to each user once per (user, hazard, kind, key), never to the actor."""
        for uid in dict.fromkeys(users):
            if uid is None or uid == actor or (uid, index, kind, key) in self.seen:
                continue
            self.seen.add((uid, index, kind, key))
            row = [uid, self.hazard_ids[index], kind, key, at, self.user_read(at)]
            self.rows.append(row)
            self.unread.setdefault(index, []).append(row)

    def settle(self, index: int, kinds, at: int) -> None:
        """Mark read (at `at`) the hazard's notices of these kinds that nobody had read by then."""
        for row in self.unread.get(index, ()):
            if row[2] in kinds and (row[5] is None or row[5] > at):
                row[5] = at

    def recipients(self, name: str, fields: dict, index: int, requesters: dict) -> list:
        """Return the people a rule of subscribers.py names, at the event's moment."""
        if name == "_supervisors":
            return self.sim.people.supervisors
        if name == "_rectifier":
            return [fields.get("rectifier_id")]
        if name == "_rectifier_and_reporter":
            reporter = self.sim.hazards[index]["reporter_id"]
            return [fields.get("rectifier_id") or fields.get("notify"), reporter]
        if name == "_deferral_requester":
            return [requesters.get(index)]
        raise RuntimeError(f"bench/district.py does not know the recipients {name} of subscribers.py")

    def make(self, numbered: list[tuple]) -> list[tuple]:
        """Return the rows for the numbered events and the deadline sweeps, in time order, ready to insert."""
        sweeps = []
        for index, rectifier, deadline, start, end in self.sim.deadline_spells:
            # "Due tomorrow" at the first sweep of the day before the deadline's day, "overdue" after it.
            due = max(start, self.cal.day_start(deadline) - DAY) + 1800
            if due < min(end, self.until, self.cal.day_start(deadline)):
                sweeps.append((due, index, "due_tomorrow", iso(deadline), [rectifier]))
            if deadline + HOUR < min(end, self.until):
                sweeps.append((deadline + HOUR, index, "overdue", iso(deadline),
                               [rectifier, *self.sim.people.supervisors]))
        sweeps.sort(key=lambda s: s[0])
        requesters: dict[int, int] = {}
        next_sweep = 0
        for event_id, (at, index, _, fields) in numbered:
            while next_sweep < len(sweeps) and sweeps[next_sweep][0] < at:
                due, sweep_index, kind, key, users = sweeps[next_sweep]
                self.add(users, sweep_index, kind, key, due)
                next_sweep += 1
            action = fields["action"]
            self.settle(index, self.settles.get(action, ()), at)
            if action == "request_deferral":
                requesters[index] = fields["actor_id"]
            rules = self.rules.get((action, fields["to_state"])) or self.rules.get((action, None), ())
            for kind, who in rules:
                self.add(self.recipients(who, fields, index, requesters), index, kind, f"event:{event_id}",
                         at, fields["actor_id"])
        for due, index, kind, key, users in sweeps[next_sweep:]:
            self.add(users, index, kind, key, due)
        self.rows.sort(key=lambda r: r[4])
        return [(u, h, k, key, stamp(c), stamp(r)) for u, h, k, key, c, r in self.rows]


# -- Writing -----------------------------------------------------------------------------------------------

class Writer:
    """Bulk inserts into a table by sqlite3, completing the columns the generator does not set."""

    def __init__(self, conn: sqlite3.Connection, tables: dict):
        self.conn, self.tables = conn, tables

    def columns(self, table: str) -> list[str]:
        """Return the table's columns in the database (the migrations' truth, whatever the models say)."""
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")]

    def fill(self, table: str, given: list[str], rows, default_time: str) -> int:
        """Insert tuples of the `given` columns; other columns get the model's default; return the count."""
        extra, values = [], []
        model = self.tables.get(table)
        for name in self.columns(table):
            if name in given:
                continue
            column = model.columns.get(name) if model is not None else None
            if column is not None and column.server_default is not None:
                continue  # the database fills it
            extra.append(name)
            values.append(_default_of(column, default_time))
        names = [*given, *extra]
        # Names from the schema itself, never from input.
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608
        tail = tuple(values)
        count = 0
        batch = []
        for row in rows:
            batch.append(row + tail if tail else row)
            if len(batch) == 50_000:
                self.conn.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        self.conn.executemany(sql, batch)
        return count + len(batch)


def _default_of(column, default_time: str):
    # A later migration's column: its model's scalar default, the data's end for a time default, else NULL.
    if column is None or column.default is None:
        if column is not None and not column.nullable and not column.primary_key:
            raise RuntimeError(f"bench/district.py cannot fill {column.table.name}.{column.name}: say how")
        return None
    value = column.default.arg if column.default.is_scalar else column.default.arg(None)
    if isinstance(value, datetime):
        return default_time  # utcnow: the data's first day, as for the generated rows
    return int(value) if isinstance(value, bool) else json.dumps(value) if isinstance(value, dict | list) \
        else value


def schema_head() -> str:
    """Return the migrations' head revision(s), so a new migration makes a new cache file."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return "+".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def generator_hash() -> str:
    """Return a short hash of this file: a changed generator makes a new cache file."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]


def district_app(path: Path, **config):
    """Return a Flask app on the district database at `path` (no instance config; a fixed secret)."""
    from server import create_app

    return create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "MEDIA_ROOT": str(CACHE / "media"), "LABELS_DIR": str(CACHE / "labels"), **config})


def working_copy(path: Path) -> Path:
    """Return a copy of the district database in a temporary folder, for benchmarks that write."""
    folder = Path(tempfile.mkdtemp(prefix="xunjian-district-"))
    return Path(shutil.copy(path, folder / path.name))


def facts_of(path: Path) -> dict:
    """Return the facts kept beside a district database (sizes, counts, until, build seconds)."""
    return json.loads(path.with_suffix(".json").read_text())


def district_db(hazards: int = 100_000, *, until: date | None = None, rebuild: bool = False,
                quiet: bool = False, **sizes) -> tuple[Path, dict]:
    """Return the path of the district database of this size (built now unless cached) and its facts."""
    size = Sizes.for_hazards(hazards, **sizes)
    until = until or datetime.now(UTC).date()
    name = f"district-{size.slug()}-{schema_head()}-{generator_hash()}-{until.isoformat()}"
    path = CACHE / f"{name}.sqlite"
    if path.exists() and path.with_suffix(".json").exists() and not rebuild:
        return path, facts_of(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob(f"district-{size.slug()}-*"):  # other days, schemas or generators: stale
        if ".partial-" not in old.name:  # the file, its facts, its -wal and -shm; not a build in progress
            old.unlink(missing_ok=True)
    facts = build(path, size, until, quiet=quiet)
    return path, facts


def build(path: Path, size: Sizes, until_day: date, *, quiet: bool = False) -> dict:
    """Create the schema at `path` through the migrations and fill it; write and return its facts."""
    from flask_migrate import upgrade
    from sqlalchemy.pool import NullPool
    from werkzeug.security import generate_password_hash

    from server.extensions import db
    from server.hazards import categories as category_service
    from server.hazards.models import Category as CategoryModel

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    started, cpu_started = time.perf_counter(), time.process_time()
    partial = path.with_suffix(f".partial-{os.getpid()}")  # two builds of one size at once: two files
    app = district_app(partial, SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        category_service.ensure_defaults()
        db.session.commit()
        cats = [Category(c.id, c.default_period_days or 0)
                for c in db.session.scalars(db.select(CategoryModel))]
        tables = dict(db.metadata.tables)
        tz_name = app.config["BABEL_DEFAULT_TIMEZONE"]
        default_days = int(app.config["DEFAULT_RECTIFICATION_DAYS"])
        db.engine.dispose()
    schema_seconds = time.perf_counter() - started
    say(f"schema: {schema_seconds:.1f} s")

    until = int(datetime.combine(until_day, datetime.min.time(), UTC).timestamp())
    start = until - size.years * 365 * DAY
    cal = Calendar(tz_name, until)
    rng = random.Random(SEED)  # noqa: S311 (made-up data, the same every time)
    now_text = stamp(start)

    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")  # out of WAL, so the pragmas below apply to the file
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-400000", "temp_store=MEMORY",
                   "foreign_keys=OFF"):
        conn.execute(f"PRAGMA {pragma}")
    indexes = [row for row in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")]
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    writer = Writer(conn, tables)
    conn.execute("BEGIN")
    has_company = "company" in writer.columns("users")
    password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")  # fast to check, as the tests'
    people = make_people(rng, size, password_hash, now_text, has_company)
    user_cols = list(people.rows[0])
    writer.fill("users", user_cols, (tuple(r[c] for c in user_cols) for r in people.rows), now_text)
    writer.fill("user_roles", ["user_id", "role"], people.roles, now_text)
    zones = make_zones(rng, size, people, now_text)
    zone_cols = list(zones[0])
    writer.fill("zones", zone_cols, (tuple(z[c] for c in zone_cols) for z in zones), now_text)
    conn.execute("COMMIT")
    counts = {"users": len(people.rows), "zones": len(zones), "categories": len(cats)}

    # Hazards, reported on school days' hours, and their histories.
    t_sim = time.perf_counter()
    days = size.years * 365
    report_times = sorted(cal.school_hours(rng, cal.day_start(start) + rng.randrange(days) * DAY)
                          for _ in range(size.hazards))
    report_times = [t if t < until else t - DAY for t in report_times]
    sim = Simulation(rng, cal, until, people, zones, cats, default_days)
    for index, t0 in enumerate(report_times):
        sim.run(index, t0, index)
    say(f"simulated {len(sim.hazards)} hazards, {len(sim.events)} events: "
        f"{time.perf_counter() - t_sim:.1f} s")

    # Visits: one per hazard report (hazards_found), the rest "no hazard", weighted by each zone's frequency.
    visit_rows = [(h["device_reported_at"], h["zone_id"], h["reporter_id"], "hazards_found", h["index"])
                  for h in sim.hazards]
    weights = [1 / z["frequency_days"] for z in zones]
    cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
    for _ in range(max(0, size.visits - len(visit_rows))):
        zone = zones[min(len(zones) - 1, bisect_right(cumulative, rng.random() * cumulative[-1]))]
        at = cal.school_hours(rng, cal.day_start(start) + rng.randrange(days) * DAY)
        visit_rows.append((min(at, until - 60), zone["id"], rng.choice(people.patrols), "no_hazard", None))
    visit_rows.sort(key=lambda v: v[0])
    visit_of_hazard = {}
    conn.execute("BEGIN")

    def visits():
        for vid, (at, zone_id, patrol, result, hazard_index) in enumerate(visit_rows, 1):
            if hazard_index is not None:
                visit_of_hazard[hazard_index] = vid
            on_site = rng.random() < 0.8
            yield (vid, zone_id, patrol, stamp(at), stamp(at + rng.randint(1, 120)), result,
                   stamp(at - 30) if on_site else None, int(on_site), "{}", "", f"bench-v-{vid:09d}",
                   f"{vid:064x}")

    counts["patrol_visits"] = writer.fill("patrol_visits", [
        "id", "zone_id", "patrol_id", "device_at", "received_at", "result", "scanned_at", "on_site",
        "checklist", "note", "client_id", "content_hash"], visits(), now_text)
    hazard_ids = [i + 1 for i in range(len(sim.hazards))]

    def hazards():
        for h, hid in zip(sim.hazards, hazard_ids, strict=True):
            yield (hid, h["zone_id"], h["category_id"], visit_of_hazard[h["index"]], h["description"],
                   h["severity"], h["state"], h["reporter_id"], h["rectifier_id"], stamp(h["deadline"]),
                   stamp(h["device_reported_at"]), stamp(h["received_at"]), stamp(h["updated_at"]),
                   stamp(h["closed_at"]), h["fixed"], h["fixed_on_the_spot"], h["deferral_reason"],
                   stamp(h["deferral_deadline"]), stamp(h["deferral_requested_at"]),
                   h["deferral_requested_by_id"], f"bench-h-{hid:09d}", f"{hid:064x}")

    counts["hazards"] = writer.fill("hazards", [
        "id", "zone_id", "category_id", "visit_id", "description", "severity", "state", "reporter_id",
        "rectifier_id", "deadline", "device_reported_at", "received_at", "updated_at", "closed_at", "fixed",
        "fixed_on_the_spot", "deferral_reason", "deferral_deadline", "deferral_requested_at",
        "deferral_requested_by_id", "client_id", "content_hash"], hazards(), now_text)
    conn.execute("COMMIT")

    # Events in the order the server received them: ids ascend with time, as in a real installation.
    sim.events.sort(key=lambda e: (e[0], e[1], e[2]))
    numbered = list(enumerate(sim.events, 1))
    conn.execute("BEGIN")

    def events():
        for eid, (at, index, _, f) in numbered:
            on_site = f.get("on_site", 0)
            yield (eid, hazard_ids[index], f["action"], f["from_state"], f["to_state"], f["actor_id"],
                   stamp(at), stamp(at - rng.randint(0, 300)), f["note"], stamp(f.get("deadline")),
                   f.get("rectifier_id"), on_site, stamp(at - 60) if on_site else None,
                   f"bench-e-{eid:010d}", f"{eid:064x}")

    counts["hazard_events"] = writer.fill("hazard_events", [
        "id", "hazard_id", "action", "from_state", "to_state", "actor_id", "at", "device_at", "note",
        "deadline", "rectifier_id", "on_site", "scanned_at", "client_id", "content_hash"], events(), now_text)

    def photos():
        pid = 0
        for eid, (at, index, _, f) in numbered:
            kinds = (["before", "after"] if sim.hazards[index]["fixed_on_the_spot"] else ["before"]) \
                if f["action"] == "report" else ["after"] if f["action"] == "submit" else []
            for kind in kinds:
                pid += 1
                yield (pid, hazard_ids[index], eid, kind, f"bench-{pid:09d}.jpg",
                       f"bench-{pid:09d}.thumb.jpg", f"{pid:064x}", 1200, 1600, 240_000, f["actor_id"],
                       stamp(at))

    counts["photos"] = writer.fill("photos", [
        "id", "hazard_id", "event_id", "kind", "key", "thumb_key", "sha256", "width", "height", "bytes",
        "uploaded_by_id", "created_at"], photos(), now_text)
    conn.execute("COMMIT")

    conn.execute("BEGIN")
    notices = Notices(sim, hazard_ids, rng, cal, until).make(numbered)
    counts["notifications"] = writer.fill("notifications", [
        "user_id", "hazard_id", "kind", "key", "created_at", "read_at"], notices, now_text)
    conn.execute("COMMIT")
    fill_seconds = time.perf_counter() - started - schema_seconds
    say(f"filled: {fill_seconds:.1f} s")

    t_index = time.perf_counter()
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")  # as the app leaves it
    conn.close()
    index_seconds = time.perf_counter() - t_index
    say(f"indexes and ANALYZE: {index_seconds:.1f} s")

    states = {}
    for h in sim.hazards:
        states[h["state"]] = states.get(h["state"], 0) + 1
    overdue = sum(1 for h in sim.hazards if h["state"] == "assigned" and h["deadline"] < until)
    facts = {"sizes": asdict(size), "counts": counts, "states": states, "overdue": overdue,
             "until": datetime.fromtimestamp(until, UTC).isoformat(), "start": datetime.fromtimestamp(
                 start, UTC).isoformat(), "seed": SEED, "password": PASSWORD,
             "seconds": {"schema": round(schema_seconds, 1), "fill": round(fill_seconds, 1),
                         "indexes": round(index_seconds, 1), "total": round(time.perf_counter() - started, 1),
                         "cpu": round(time.process_time() - cpu_started, 1)},
             "bytes": os.path.getsize(partial)}
    partial.rename(path)
    path.with_suffix(".json").write_text(json.dumps(facts, ensure_ascii=False, indent=1))
    return facts


def main() -> None:
    """Build or reuse the district database of the asked size and print its facts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=1000)
    parser.add_argument("--zones", type=int)
    parser.add_argument("--users", type=int)
    parser.add_argument("--visits", type=int)
    parser.add_argument("--until", type=date.fromisoformat, help="the day the data ends (default: today)")
    parser.add_argument("--rebuild", action="store_true", help="build even when a cached file exists")
    args = parser.parse_args()
    started = time.perf_counter()
    path, facts = district_db(args.hazards, until=args.until, rebuild=args.rebuild, zones=args.zones,
                              users=args.users, visits=args.visits)
    took = time.perf_counter() - started
    print(f"district data set: {path.relative_to(ROOT)} ({facts['bytes'] / 1e6:.0f} MB)")
    print("  " + ", ".join(f"{k} {v:,}" for k, v in facts["counts"].items()))
    print("  states: " + ", ".join(f"{k} {v:,}" for k, v in sorted(facts["states"].items()))
          + f"; overdue {facts['overdue']:,}")
    print(f"  built in {facts['seconds']['total']} s (schema {facts['seconds']['schema']} s, fill "
          f"{facts['seconds']['fill']} s, indexes + ANALYZE {facts['seconds']['indexes']} s; CPU "
          f"{facts['seconds'].get('cpu')} s); this run {took:.1f} s")


if __name__ == "__main__":
    main()
