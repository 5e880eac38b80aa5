"""Crash: kill -9 every server process (the database's too) mid-load, restart; nothing lost, nothing twice.

Run: .venv/bin/python bench/crash.py [--db sqlite|postgresql] [--seconds 20] [--kill-at 10] [--patrols 50]
     [--supervisors 5] [--think 2]                          (also part of `make bench`, with the defaults)

The load of bench/load.py, against the same production configuration (gunicorn -c deploy/gunicorn.conf.py).
At --kill-at seconds, SIGKILL goes to the gunicorn master and every worker at once, with requests in flight,
and on PostgreSQL to the database server in the same instant, its postmaster and every backend (started with
production's durability settings: fsync, synchronous commit); each client keeps what it sent and had no answer
for, as the field app's outbox does. PostgreSQL is started again (it replays its WAL), then, app server down:
the database's integrity check (SQLite's PRAGMA integrity_check, PostgreSQL's amcheck of every index and
table), every acknowledged record present once with its photos, no photo row without its files. Then the
app server starts again on the same folder and every client sends again everything it ever sent,
acknowledged or not, with the same client ids: an acknowledged record must be answered 200 (a repeat), an
unacknowledged one 200 or 201 (an action may also be told 409, its hazard having moved on). Checked last:
every record now in the database exactly once, no row with a client id never sent, every photo file there,
no 5xx, no "database is locked".
Exit status 1 on any failure.
"""

import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _soak  # noqa: E402
import load as load_script  # noqa: E402

# What a record sent again may be answered, by (kind, acknowledged before the crash).
RESEND_ANSWERS = {("hazard", True): {200}, ("visit", True): {200}, ("event", True): {200},
                  ("hazard", False): {200, 201}, ("visit", False): {200, 201},
                  ("event", False): {200, 201, 409}}


def resend_all(load: _soak.Load) -> tuple[list[str], Counter]:
    """Have every client send again each record it sent; return (problems, answers by kind and status)."""
    # Not the actions refused with 409 before the crash: the field app drops those, they were answered.
    problems: list[str] = []
    answers: Counter = Counter()
    lock = threading.Lock()
    records = [r for r in load.ledger.records if not (r.kind == "event" and r.status == 409)]

    def one_client(name):
        for record in (r for r in records if r.owner == name):
            before = record.acknowledged
            status = load.clients[name].send(record, f"resend {record.kind}")
            with lock:
                answers[(record.kind, before, status)] += 1
                if status not in RESEND_ANSWERS[(record.kind, before)]:
                    problems.append(f"{record.kind} {record.client_id} (acknowledged before: {before}) sent "
                                    f"again: {status}")

    _soak.run_threads([lambda n=n: one_client(n) for n in load.clients])
    return problems, answers


def main() -> int:
    """Load, kill, check, restart, resend, check; print the findings; return 1 on any failure."""
    parser = load_script.arguments(__doc__.splitlines()[0], seconds=20)
    parser.add_argument("--kill-at", type=float, default=None, help="seconds into the load (default: half)")
    args = parser.parse_args()
    kill_at = args.seconds / 2 if args.kill_at is None else args.kill_at
    folder = Path(tempfile.mkdtemp(prefix="xunjian-crash-"))
    instance = server = None
    problems: list[str] = []
    try:
        instance = _soak.make_instance(folder, args.db, args.patrols, args.supervisors)
        server = _soak.Server(instance)
        server.start()
        load = _soak.Load(instance, server.port, _soak.phone_photo(), args.think)
        _soak.sign_in_everyone(load)
        _soak.warm_up(load)
        threads = _soak.start_load(load)
        time.sleep(kill_at)
        killed_at = time.perf_counter()
        database = _soak.freeze_database(instance)
        killed = server.kill_all(also=database)
        load.stop.set()
        for t in threads:
            t.join()
        unanswered = Counter(r.kind for r in load.ledger.records if r.status is None)
        print(load_script.setting(args) + f"; kill -9 at {kill_at:g} s")
        workers = killed[1:len(killed) - len(database)]
        print(f"killed {len(killed)} processes (gunicorn master {killed[0]}, workers {workers}"
              + (f"; PostgreSQL postmaster {database[-1]} and {len(database) - 1} other processes" if database
                 else "") + f"); records sent and never answered: {dict(unanswered)}; "
              f"requests cut: {dict(load.lost)}")
        if database:
            started = time.perf_counter()
            _soak.restart_database(instance)
            print(f"PostgreSQL recovered and accepting connections in {time.perf_counter() - started:.1f} s")

        # Server down: what the database holds now is what a restart finds.
        started = time.perf_counter()
        found, counts = _soak.record_problems(instance, load.ledger)
        found += _soak.integrity_problems(instance)
        print(f"after the kill: integrity check and records {'ok' if not found else 'FAILED'} "
              f"({time.perf_counter() - started:.1f} s); "
              + ", ".join(f"{k}: {v}" for k, v in counts.items()))
        problems += [f"after the kill: {p}" for p in found]

        started = time.perf_counter()
        server.start()
        now = time.perf_counter()
        print(f"restarted in {now - started:.1f} s ({now - killed_at:.1f} s after the kill)")
        found, answers = resend_all(load)
        problems += found
        print("sent again: " + ", ".join(f"{kind} ({'acknowledged' if ack else 'unanswered'}) → {status}: {n}"
                                          for (kind, ack, status), n in sorted(answers.items())))
        server.stop()
        found, counts = load_script.health(instance, load)
        problems += [f"at the end: {p}" for p in found]
        print("at the end: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
        print("\n".join(load.stats.table()))
        if problems and _soak.first_traceback(instance):
            print("first traceback in the server's log:\n" + _soak.first_traceback(instance))
    finally:
        if server:
            server.stop()
        if instance:
            _soak.drop_instance(instance)
        shutil.rmtree(folder, ignore_errors=True)
    for problem in problems[:50]:
        print("FAIL", problem)
    print("crash: " + ("ok" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
