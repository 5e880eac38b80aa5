"""Shared by bench/load.py and bench/crash.py: an instance, its gunicorn server, the clients and the checks.

Not a benchmark itself (`make bench` runs it too: it only defines things and exits).
- Instance: a temporary folder with a SQLite database (or a throw-away PostgreSQL server on loopback, started
  by scripts/throwaway_postgres.py with production's durability settings: bench/crash.py kills it),
  migrated with `flask db upgrade`, then seeded: the default categories, zones, patrols, supervisors and
  rectifiers, all with one password.
- Server: the documented production configuration, `gunicorn -c deploy/gunicorn.conf.py` (gthread), bound to
  a free 127.0.0.1 port, its access log and error log in the folder. It can be killed with SIGKILL, master
  and workers together, and started again on the same folder.
- Client: one phone or desk browser over a kept-alive loopback connection, signed in through the real /login
  form (its CSRF token included) and, like pwa/js/api.js, asking /api/v1/session?fresh=1 for a CSRF token
  before each change. Every request's time is recorded under its kind. It reuses its connection as a browser
  does: not once the server has closed it, and a request the server closed it under before any answer (a
  worker recycled after gunicorn's max_requests closes its kept-alive connections) is sent again, once.
- Ledger: every record sent with its client id and body, and whether the server acknowledged it (the
  answer echoed its client id), so the records can be checked in the database and sent again.
"""

import datetime
import http.client
import io
import json
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.throwaway_postgres import children, dead, freeze  # noqa: E402
from tests.phone_photo import phone_photo_path  # noqa: E402

PASSWORD = "soak-password-1"  # noqa: S105 (throw-away accounts in a temporary folder)
BIN = Path(sys.executable).parent
ZONES = 10
RECTIFIERS = 3
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
# The kinds of request whose 409 is an answer, not a fault (see Stats.unexpected).
CONFLICT_EXPECTED = ("POST plan", "POST assign", "POST pass", "resend event")
# Connection failures a client may meet when the server is killed under it.
DOWN = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)


# -- Instance and server ------------------------------------------------------------------------------------

@dataclass
class Instance:
    """A prepared instance folder: its environment for the app, and the people and places made in it."""

    folder: Path
    db: str
    env: dict
    patrols: list[str] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)
    zone_ids: list[int] = field(default_factory=list)
    category_id: int = 0
    rectifier_ids: list[int] = field(default_factory=list)

    @property
    def error_log(self) -> Path:
        """Where gunicorn's and the app's errors go (stderr of every start, appended)."""
        return self.folder / "server.log"


def phone_photo() -> bytes:
    """Return the phone photo as the field app uploads it: upright, at most 1600 px, JPEG quality 0.8."""
    from PIL import Image, ImageOps

    with Image.open(phone_photo_path()) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def make_instance(folder: Path, db: str, patrols: int, supervisors: int) -> Instance:
    """Create the database (migrated; SQLite or a throw-away PostgreSQL), seed it; return the Instance."""
    folder.mkdir(parents=True, exist_ok=True)
    if db == "postgresql":
        folder.chmod(0o711)  # the server runs as the postgres user, who must reach its folder inside
        started = subprocess.run([sys.executable, str(ROOT / "scripts/throwaway_postgres.py"), "start",  # noqa: S603
                                  str(folder / "pg"), "--durable"], capture_output=True, text=True)
        if started.returncode:
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr.strip()}")
        url = started.stdout.strip().splitlines()[-1]
    else:
        url = f"sqlite:///{folder / 'xunjian.sqlite'}"
    env = {"XUNJIAN_INSTANCE_PATH": str(folder), "DATABASE_URL": url, "XUNJIAN_SECRET_KEY": "soak-secret"}
    subprocess.run([str(BIN / "flask"), "--app", "server", "db", "upgrade"], check=True, cwd=ROOT,  # noqa: S603
                   env={**os.environ, **env}, capture_output=True)
    instance = Instance(folder=folder, db=db, env=env)
    with app_context(instance):
        _seed(instance, patrols, supervisors)
    return instance


def freeze_database(instance: Instance) -> list[int]:
    """Stop the instance's PostgreSQL server from starting backends; return its pids to kill, the
    postmaster's last (none on SQLite, which lives in the app's own processes)."""
    return freeze(instance.folder / "pg") if instance.db == "postgresql" else []


def restart_database(instance: Instance) -> None:
    """Start the instance's PostgreSQL server again after a crash (it replays its WAL first)."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts/throwaway_postgres.py"), "restart",  # noqa: S603
                           str(instance.folder / "pg")], capture_output=True, text=True)
    if done.returncode:
        log = (instance.folder / "pg" / "server.log").read_text(errors="replace").splitlines()[-15:]
        raise RuntimeError("PostgreSQL did not start again: " + done.stderr.strip() + "\n" + "\n".join(log))


def drop_instance(instance: Instance) -> None:
    """Stop the instance's PostgreSQL server, if it has one (the caller removes the folder)."""
    if instance.db == "postgresql":
        subprocess.run([sys.executable, str(ROOT / "scripts/throwaway_postgres.py"), "stop",  # noqa: S603
                        str(instance.folder / "pg")], check=False, capture_output=True)


class app_context:  # noqa: N801 (used like a function: `with app_context(instance):`)
    """Enter the app's context on the instance's database, in this process; dispose of its pool on leaving."""

    def __init__(self, instance: Instance):
        self.instance = instance

    def __enter__(self):
        os.environ.update(self.instance.env)
        from server import create_app

        self.app = create_app()
        self.context = self.app.app_context()
        self.context.push()
        return self.app

    def __exit__(self, *exc):
        from server.extensions import db

        db.session.remove()
        db.engine.dispose()
        self.context.pop()


def _seed(instance: Instance, patrols: int, supervisors: int) -> None:
    from flask import current_app

    from server.auth import services as users
    from server.extensions import db
    from server.hazards import categories
    from server.zones import services as zones

    categories.ensure_defaults()
    # One real hash for everyone (60 scrypt hashes would outlast a short run): the others are made cheaply and
    # then given it, so each sign-in checks a real scrypt hash all the same.
    first = users.create_user("rectifier0", "整改员0", PASSWORD, ["rectifier"], department="后勤处")
    current_app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1"  # noqa: S105 (a method name)
    made = [first] + [users.create_user(f"rectifier{i}", f"整改员{i}", PASSWORD, ["rectifier"],
                                        department="后勤处") for i in range(1, RECTIFIERS)]
    instance.patrols = [f"patrol{i}" for i in range(patrols)]
    instance.supervisors = [f"supervisor{i}" for i in range(supervisors)]
    for names, role in ((instance.patrols, "patrol"), (instance.supervisors, "supervisor")):
        made += [users.create_user(name, name, PASSWORD, [role]) for name in names]
    for user in made:
        user.password_hash = first.password_hash
    instance.zone_ids = [zones.create_zone(f"SOAK-{n}", f"压测责任区{n}").id for n in range(ZONES)]
    instance.category_id = categories.list_categories()[0].id
    instance.rectifier_ids = [u.id for u in made[:RECTIFIERS]]
    db.session.commit()


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with deploy/gunicorn.conf.py on a loopback port, serving the instance."""

    def __init__(self, instance: Instance, port: int | None = None):
        self.instance = instance
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def start(self, wait: float = 60) -> None:
        """Start the server and return once it answers."""
        # The access log says how long each request spent in the app (%(D)s, microseconds), so the time
        # waiting for a thread can be told from the time spent being answered.
        env = {**os.environ, **self.instance.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}",
               "GUNICORN_ACCESSLOG": str(self.instance.folder / "access.log"),
               "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'"}
        with self.instance.error_log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, our own arguments)
                [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "server:create_app()"],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"gunicorn exited ({code}); see {self.instance.error_log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/session")
                if conn.getresponse().status == 200:
                    return
            except DOWN:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {wait:g} s")

    def processes(self) -> list[int]:
        """Return the master's pid and its workers'."""
        return [self.process.pid, *children(self.process.pid)]

    def kill_all(self, also: list[int] = ()) -> list[int]:
        """SIGKILL the master and every worker at once, as a power cut would, and the processes `also` names
        in the same instant (the database server's); return the pids killed, the master's first."""
        master, *workers = self.processes()
        # Children before their parents: a worker outliving its master by a moment notices, and exits on its
        # own terms, which a power cut would not allow (`also` comes in that order: see freeze_database).
        for pid in [*workers, *also, master]:
            os.kill(pid, signal.SIGKILL)
        self.process.wait()
        for pid in [*workers, *also]:  # re-parented as their parents die: wait until they are gone
            while not dead(pid):
                time.sleep(0.01)
        return [master, *workers, *also]

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM to the master) if it is running."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill_all()


def access_log_size(instance: Instance) -> int:
    """Return the access log's size in bytes now (where the lines of what follows will begin)."""
    log = instance.folder / "access.log"
    return log.stat().st_size if log.exists() else 0


def in_app_table(instance: Instance, since: int = 0) -> list[str]:
    """Return a line per route (ids and queries left out): count, p50 and p95 of the time spent in the app."""
    times: dict[str, list[float]] = defaultdict(list)
    log = instance.folder / "access.log"
    with log.open("rb") as f:
        f.seek(since)
        text = f.read().decode(errors="replace")
    for line in text.splitlines():
        method, path, _status, micros = line.split()
        times[f"{method} {re.sub(r'/[0-9]+', '/<id>', path)}"].append(int(micros) / 1e6)
    lines = [f"  {'in the app (access log)':<34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}"]
    for route, values in sorted(times.items()):
        values.sort()
        lines.append(f"  {route:<34} {len(values):>6} {1000 * percentile(values, 50):>8.0f} "
                     f"{1000 * percentile(values, 95):>8.0f}")
    return lines


def server_log_problems(instance: Instance) -> dict[str, int]:
    """Count the lines of the server's error log that say the database was locked, or show a traceback."""
    text = instance.error_log.read_text(errors="replace") if instance.error_log.exists() else ""
    return {"database is locked": text.count("database is locked"), "Traceback": text.count("Traceback")}


def first_traceback(instance: Instance, lines: int = 40) -> str:
    """Return the last lines of the first traceback in the server's log ("" when there is none)."""
    text = instance.error_log.read_text(errors="replace") if instance.error_log.exists() else ""
    start = text.find("Traceback")
    if start < 0:
        return ""
    block = text[start:].split("\n")
    end = next((i for i, line in enumerate(block[1:], 1) if line and not line.startswith((" ", "Traceback"))),
               len(block) - 1)
    return "\n".join(block[max(0, end + 1 - lines):end + 1])


# -- Clients ------------------------------------------------------------------------------------------------

@dataclass
class Lost:
    """A request that met a broken connection: who, what, the error, and how long the connection had idled."""

    client: str
    kind: str | None
    method: str
    path: str
    error: str
    idle: float  # seconds since the connection's previous answer
    reused: bool  # sent on a kept-alive connection (not one opened for it)
    resent: bool  # sent again on a new connection (see Client.request), not a failure
    after: float  # seconds from sending to the error
    at: float  # wall-clock time of the error


class Stats:
    """Latencies and statuses by kind of request, shared by every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.lost: list[Lost] = []

    def lose(self, lost: "Lost") -> None:
        """Record a request that met a broken connection."""
        with self.lock:
            self.lost.append(lost)

    def add(self, kind: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        with self.lock:
            self.seconds[kind].append(seconds)
            self.statuses[kind][status] += 1

    def server_errors(self) -> int:
        """Return the number of 5xx answers."""
        return sum(n for c in self.statuses.values() for status, n in c.items() if status >= 500)

    def unexpected(self) -> list[str]:
        """Return the kinds and counts of 4xx answers, but for a 409 to an action."""
        # Two supervisors may pick the same hazard: the second is told, rightly, that it has moved on; an
        # action sent again after a crash may find the same (bench/crash.py checks each one).
        with self.lock:
            return [f"{kind}: {n} x {status}" for kind, c in self.statuses.items() for status, n in c.items()
                    if 400 <= status < 500 and not (status == 409 and kind in CONFLICT_EXPECTED)]

    def table(self) -> list[str]:
        """Return one line per kind: count, p50, p95, max and the statuses seen."""
        lines = [f"  {'request':<34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses"]
        for kind in sorted(self.seconds):
            values = sorted(self.seconds[kind])
            statuses = " ".join(f"{s}×{n}" for s, n in sorted(self.statuses[kind].items()))
            lines.append(f"  {kind:<34} {len(values):>6} {1000 * percentile(values, 50):>8.0f} "
                         f"{1000 * percentile(values, 95):>8.0f} {1000 * values[-1]:>8.0f}  {statuses}")
        return lines


def lost_lines(lost: list[Lost]) -> list[str]:
    """Return a line on the requests sent again after the server closed their kept-alive connection, and a
    line per request that failed on a broken connection: who, what, the error, how long it had idled."""
    resent = [x for x in lost if x.resent]
    idle = f" (idle {min(x.idle for x in resent):.1f}–{max(x.idle for x in resent):.1f} s)" if resent else ""
    lines = [f"  sent again on a new connection, the kept-alive one closed by the server before any answer: "
             f"{len(resent)}{idle}"]
    return lines + [f"  connection lost: {x.client} {x.method} {x.path} ({x.kind}): {x.error} after "
                    f"{x.after:.3f} s on a "
                    + (f"kept-alive connection idle {x.idle:.1f} s" if x.reused else "new connection")
                    for x in lost if not x.resent]


def percentile(values: list[float], p: float) -> float:
    """Return the nearest-rank p-th percentile of sorted values (0 when there are none)."""
    if not values:
        return 0.0
    return values[max(0, -(-len(values) * p // 100) - 1)]


@dataclass
class Record:
    """A record a client sends with its client id: where, what, and what the server said of it."""

    kind: str  # "hazard", "visit" or "event"
    client_id: str
    path: str
    fields: dict
    photos: dict = field(default_factory=dict)  # form field name -> list of JPEG bytes
    status: int | None = None  # the server's answer; None: sent, never answered
    acknowledged: bool = False
    owner: str = ""  # the username of the client that sent it (and sends it again)

    @property
    def photo_count(self) -> int:
        """Return how many photos the record carries."""
        return sum(len(v) for v in self.photos.values())


class Ledger:
    """Every record sent by every client, in sending order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records: list[Record] = []

    def add(self, record: Record) -> Record:
        """Note a record as sent (before it leaves, so a crash cannot lose track of it)."""
        with self.lock:
            self.records.append(record)
        return record

    def of(self, kind: str) -> list[Record]:
        """Return the records of one kind."""
        return [r for r in self.records if r.kind == kind]


def connected_and_idle(sock: socket.socket) -> bool:
    """Return whether a kept-alive connection is still open with nothing to read, as a browser checks before
    reusing one (Chromium's IsConnectedAndIdle): readable means the server closed it, or sent what no request
    asked for."""
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


class Client:
    """One signed-in browser: a kept-alive loopback connection, its cookies, a fresh CSRF token per change."""

    def __init__(self, port: int, stats: Stats):
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.name = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.last_used = 0.0

    def request(self, kind: str, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        """Send one request and return (status, body), timing it under `kind` (None: not timed)."""
        headers = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        started = time.perf_counter()
        if self.conn.sock is not None and not connected_and_idle(self.conn.sock):
            self.conn.close()  # the server closed it meanwhile (keep-alive over, worker recycled)
        while True:
            reused, idle, answered = self.conn.sock is not None, time.monotonic() - self.last_used, False
            try:
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                answered = True
                data = response.read()
                break
            except DOWN as error:
                self.conn.close()  # a broken connection is not used again: the next request opens a new one
                # As Chromium does (ShouldResendRequest): a kept-alive connection the server closed before
                # any header of the answer is a race with its closing, not a failure; the request goes again,
                # once, on a new connection (any method: a record carries its client id, so never twice).
                resend = reused and not answered
                self.stats.lose(Lost(self.name, kind, method, path, repr(error), idle, reused, resend,
                                     time.perf_counter() - started, time.time()))
                if not resend:
                    raise
        elapsed = time.perf_counter() - started
        self.last_used = time.monotonic()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if kind:
            self.stats.add(kind, response.status, elapsed)
        return response.status, data

    def sign_in(self, username: str) -> None:
        """Sign in through the /login form, its CSRF token included, as a person does."""
        status, page = self.request(None, "GET", "/login?next=/app")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"no sign-in form ({status})")
        form = (f"csrf_token={token.group(1).decode()}&username={username}&password={PASSWORD}"
                f"&remember=y&next=/app").encode()
        status, _ = self.request("sign in", "POST", "/login", form,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status})")
        self.name = username

    def get_json(self, kind: str, path: str) -> tuple[int, dict]:
        """GET a JSON document."""
        status, data = self.request(kind, "GET", path, headers={"Accept": "application/json"})
        return status, json.loads(data) if status == 200 else {}

    def send(self, record: Record, kind: str | None) -> int:
        """Send a record as the field app does (a fresh CSRF token first); note if it was acknowledged."""
        record.owner = self.name  # before anything is sent: an unanswered record is sent again by its owner
        _, session = self.get_json(kind and "session (fresh CSRF token)", "/api/v1/session?fresh=1")
        headers = {"Accept": "application/json", "X-CSRFToken": session["csrf_token"]}
        if record.photos:
            boundary, body = multipart(record.fields, record.photos)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = json.dumps(record.fields).encode()
            headers["Content-Type"] = "application/json"
        status, data = self.request(kind, "POST", record.path, body, headers)
        record.status = status
        # The field app lets an item go only when its client id comes back: so do we.
        record.acknowledged = status in (200, 201) and json.loads(data).get("client_id") == record.client_id
        return status


def multipart(fields: dict, files: dict[str, list[bytes]]) -> tuple[str, bytes]:
    """Encode fields and JPEG files as multipart/form-data; return (boundary, body)."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    for name, photos in files.items():
        parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="p.jpg"\r\n'
                  f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n" for photo in photos]
    parts.append(f"--{boundary}--\r\n".encode())
    return boundary, b"".join(parts)


# -- The workload -------------------------------------------------------------------------------------------

@dataclass
class Load:
    """What the clients do and until when; `down` is set when the server is known to be gone."""

    instance: Instance
    port: int
    photo: bytes
    think: float
    stats: Stats = field(default_factory=Stats)
    ledger: Ledger = field(default_factory=Ledger)
    stop: threading.Event = field(default_factory=threading.Event)
    down: threading.Event = field(default_factory=threading.Event)
    clients: dict[str, Client] = field(default_factory=dict)
    lost: Counter = field(default_factory=Counter)  # requests that met a closed connection, by client role

    def pause(self, rng: random.Random) -> None:
        """Wait a patrol's or supervisor's thinking time (uniform around --think), or until stopped."""
        self.stop.wait(rng.uniform(0.5, 1.5) * self.think)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def new_id() -> str:
    """Return a client id as the field app makes them (a UUID)."""
    return str(uuid.uuid4())


def patrol(load: Load, client: Client, rng: random.Random) -> None:
    """Report hazards and record "no hazard" visits until stopped, as a patrol's phone."""
    # One record in four is a visit; of the reports, some are major hazards fixed on the spot (a before and
    # an after photo), which wait for a supervisor's recheck.
    inst = load.instance
    while not load.stop.is_set():
        zone_id, draw = rng.choice(inst.zone_ids), rng.random()
        if draw < 0.25:
            record = Record("visit", new_id(), "/api/v1/visits", {"zone_id": zone_id, "result": "no_hazard",
                                                                  "device_at": _now()})
            kind = "POST visit (JSON)"
        else:
            fixed = draw > 0.85  # a major hazard fixed on the spot waits for a supervisor's recheck
            record = Record("hazard", new_id(), "/api/v1/hazards",
                            {"zone_id": zone_id, "category_id": inst.category_id,
                             "severity": "major" if fixed else rng.choice(["general", "major"]),
                             "description": "消防通道堆放杂物", "device_at": _now(),
                             "visit_client_id": new_id(),
                             "fixed_on_the_spot": "true" if fixed else "false"},
                            {"photos[]": [load.photo], **({"after_photos[]": [load.photo]} if fixed else {})})
            kind = "POST report, 2 photos (fixed)" if fixed else "POST report, 1 photo"
        record.fields["client_id"] = record.client_id
        if not _send(load, client, load.ledger.add(record), kind, "patrol"):
            return
        load.pause(rng)


def supervisor(load: Load, client: Client, rng: random.Random) -> None:
    """Assign and recheck hazards found in the lists, and open the full lists, until stopped."""
    inst = load.instance
    steps = [("reported", "assign", "GET list ?state=reported"),
             ("awaiting_recheck", "pass", "GET list ?state=awaiting_recheck")]
    try:
        while not load.stop.is_set():
            for state, action, kind in steps:
                status, page = client.get_json(kind, f"/api/v1/hazards?state={state}&limit=20")
                if page.get("hazards") and not load.stop.is_set():
                    hazard = rng.choice(page["hazards"])
                    if action == "assign" and hazard.get("plan_missing"):
                        # A major hazard is assigned once its plan (五到位) is recorded, as a supervisor does.
                        plan = {"action": "plan", "seen_state": state, "client_id": new_id(),
                                "measures": "清理通道杂物并加装防护", "funding": "维修经费 2000 元",
                                "responsible": "王主任", "time_limit": _plan_limit(),
                                "emergency_measures": "设置警戒线，专人看守"}
                        if not _send(load, client, load.ledger.add(Record(
                                "event", plan["client_id"], f"/api/v1/hazards/{hazard['id']}/actions", plan)),
                                "POST plan", "supervisor"):
                            return
                    fields = {"action": action, "seen_state": state, "client_id": new_id()}
                    if action == "assign":
                        fields["rectifier_id"] = rng.choice(inst.rectifier_ids)
                    record = Record("event", fields["client_id"], f"/api/v1/hazards/{hazard['id']}/actions",
                                    fields)
                    if not _send(load, client, load.ledger.add(record), f"POST {action}", "supervisor"):
                        return
            client.get_json("GET list (all, 100)", "/api/v1/hazards")
            client.request("GET desk list page /hazards", "GET", "/hazards")
            load.pause(rng)
    except DOWN:
        load.lost["supervisor"] += 1


def _plan_limit() -> str:
    """A plan's time limit: a month from today (a school-local date is near enough for the load)."""
    return (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def _send(load: Load, client: Client, record: Record, kind: str, role: str) -> bool:
    # False when the server is gone: the record stays unacknowledged, as in a phone's outbox.
    try:
        client.send(record, kind)
        return True
    except DOWN:
        load.lost[role] += 1
        return False


def sign_in_everyone(load: Load) -> None:
    """Sign every patrol and supervisor in (in parallel, as a school's morning would)."""
    names = load.instance.patrols + load.instance.supervisors

    def one(name):
        client = Client(load.port, load.stats)
        client.sign_in(name)
        load.clients[name] = client

    run_threads([lambda n=n: one(n) for n in names])


def warm_up(load: Load) -> None:
    """Warm the server up: every patrol sends a report, every supervisor opens the lists (timed apart)."""
    # A worker's first photo loads Pillow's codecs and its first page compiles templates: a running server
    # has done both long ago.

    def one(name):
        record = Record("hazard", new_id(), "/api/v1/hazards", {}, {"photos[]": [load.photo]})
        record.fields = {"client_id": record.client_id, "zone_id": load.instance.zone_ids[0],
                         "category_id": load.instance.category_id, "severity": "general",
                         "visit_client_id": new_id()}
        load.clients[name].send(load.ledger.add(record), "warm-up: POST report")

    def desk(name):
        client = load.clients[name]
        client.request("warm-up: GET desk list page", "GET", "/hazards")
        client.request("warm-up: GET list (all, 100)", "GET", "/api/v1/hazards")

    run_threads([lambda n=n: one(n) for n in load.instance.patrols]
                + [lambda n=n: desk(n) for n in load.instance.supervisors])


def start_load(load: Load, seed: int = 1) -> list[threading.Thread]:
    """Start one thread per patrol and supervisor; return them (set load.stop, then join them)."""
    threads = []
    for n, name in enumerate(load.instance.patrols + load.instance.supervisors):
        work = patrol if name.startswith("patrol") else supervisor
        rng = random.Random(seed * 1000 + n)  # noqa: S311 (who does what, not a secret)
        threads.append(threading.Thread(target=work, args=(load, load.clients[name], rng), daemon=True))
    for t in threads:
        t.start()
    return threads


def run_threads(jobs: list) -> None:
    """Run the callables in parallel threads and wait for them; re-raise the first exception."""
    errors = []

    def wrap(job):
        try:
            job()
        except Exception as error:  # noqa: BLE001 (handed back to the caller below)
            errors.append(error)

    threads = [threading.Thread(target=wrap, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


# -- Checks -------------------------------------------------------------------------------------------------

def integrity_problems(instance: Instance) -> list[str]:
    """Return what the database's own check finds (SQLite's integrity_check, PostgreSQL's amcheck)."""
    # PostgreSQL has no whole-database check: amcheck verifies every B-tree index and every table of the app.
    from sqlalchemy import text

    from server.extensions import db

    with app_context(instance):
        if instance.db == "sqlite":
            rows = [r[0] for r in db.session.execute(text("PRAGMA integrity_check"))]
            return [] if rows == ["ok"] else [f"integrity_check: {row}" for row in rows]
        db.session.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        indexes = db.session.execute(text(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.amname = 'btree' AND n.nspname = 'public'")).scalars().all()
        problems = []
        for index in indexes:
            try:
                db.session.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
            except Exception as error:  # noqa: BLE001 (each broken index is a finding, not a crash)
                db.session.rollback()
                problems.append(f"amcheck {index}: {error}")
        # And every table's pages and tuples (verify_heapam: a row per corruption found, none when sound).
        tables = db.session.execute(text(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public'")).scalars().all()
        for table in tables:
            found = db.session.execute(text(
                "SELECT blkno, offnum, msg FROM verify_heapam(CAST(:t AS regclass))"), {"t": table}).all()
            problems += [f"amcheck {table}: block {b}, item {o}: {msg}" for b, o, msg in found]
        db.session.commit()
        return problems


def record_problems(instance: Instance, ledger: Ledger) -> tuple[list[str], dict]:
    """Compare the database with the ledger; return (problems, counts)."""
    # Every acknowledged hazard, visit and event is there exactly once, each hazard with the photos it was
    # sent with; no row carries a client id never sent; no photo row lacks its file or its thumbnail.
    from sqlalchemy import func, select

    from server.extensions import db
    from server.hazards.models import Hazard, HazardEvent, Photo
    from server.media.storage import get_storage
    from server.patrols.models import PatrolVisit

    problems: list[str] = []
    counts: dict[str, int] = {}
    with app_context(instance):
        for kind, model in {"hazard": Hazard, "visit": PatrolVisit, "event": HazardEvent}.items():
            found = dict(db.session.execute(select(model.client_id, func.count()).where(
                model.client_id.is_not(None)).group_by(model.client_id)).all())
            records = ledger.of(kind)
            acknowledged = {r.client_id for r in records if r.acknowledged}
            sent = {r.client_id for r in records}
            if kind == "visit":  # each report names the visit it was made in, made with it
                reports = ledger.of("hazard")
                acknowledged |= {r.fields["visit_client_id"] for r in reports if r.acknowledged}
                sent |= {r.fields["visit_client_id"] for r in reports}
            counts[f"{kind}s acknowledged"] = len(acknowledged)
            counts[f"{kind} rows with a client id"] = sum(found.values())
            missing = sorted(acknowledged - found.keys())
            problems += [f"{kind} {cid} acknowledged but missing" for cid in missing]
            problems += [f"{kind} {cid} {n} times" for cid, n in found.items() if n != 1]
            problems += [f"{kind} {cid} in the database, never sent" for cid in sorted(found.keys() - sent)]
        photo_counts = dict(db.session.execute(select(Hazard.client_id, func.count(Photo.id)).join(
            Photo, Photo.hazard_id == Hazard.id).group_by(Hazard.client_id)).all())
        problems += [f"hazard {r.client_id}: {photo_counts.get(r.client_id, 0)} photos, {r.photo_count} sent"
                     for r in ledger.of("hazard")
                     if r.acknowledged and photo_counts.get(r.client_id) != r.photo_count]
        storage = get_storage()
        photos = db.session.execute(select(Photo.id, Photo.key, Photo.thumb_key)).all()
        counts["photo rows"] = len(photos)
        problems += [f"photo {pid}: file {key} missing" for pid, *keys in photos for key in keys
                     if not storage.exists(key)]
    return problems, counts
