"""Load: patrols and supervisors at once against the production configuration; nothing lost, nothing twice.

Run: .venv/bin/python bench/load.py [--db sqlite|postgresql] [--seconds 60] [--patrols 50] [--supervisors 5]
     [--think 2]                                            (also part of `make bench`, with the defaults)

A throw-away instance (bench/_soak.py) served by `gunicorn -c deploy/gunicorn.conf.py` on 127.0.0.1. Every
patrol signs in through /login and then, until --seconds have passed, reports hazards with one phone-sized
photo (1200x1600, as the field app downsizes it; one in five is a major hazard fixed on the spot, with an
after photo too, so it awaits a recheck) or records a "no hazard" visit, each with its own client id and a
fresh CSRF token asked just before, pausing --think seconds on average between records (0: every phone's
outbox flushing at once). Every supervisor lists reported hazards and assigns one, lists those awaiting a
recheck and passes one, opens the full list and the desk's list page, pausing likewise.
Checked afterwards: no 5xx, no "database is locked" nor traceback in the server's log, every acknowledged
record in the database exactly once (hazards with their photos, visits, actions), no row with a client id
never sent, no photo row without its files, the database's own integrity check. Exit status 1 if not.
Printed: p50 and p95 per kind of request as the clients saw them, against the aims (lists p95 <= 0.5 s, photo
reports <= 1.5 s), and per route the time spent inside the app (gunicorn's access log, %(D)s): the difference
is time spent waiting for a free thread. Also the load average, since other work on the machine counts.
"""

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _soak  # noqa: E402

# The aims for the 95th percentile, by kind of request (a prefix of the kinds _soak records).
AIMS = {"GET list": 0.5, "GET desk list page": 0.5, "POST report": 1.5}


def arguments(description: str, seconds: float = 60) -> argparse.ArgumentParser:
    """Return the parser of the options load.py and crash.py share."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=seconds, help="how long the load runs")
    parser.add_argument("--patrols", type=int, default=50)
    parser.add_argument("--supervisors", type=int, default=5)
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean pause in seconds between one person's records (0: none)")
    return parser


def setting(args) -> str:
    """Return one line saying what runs: machine, server, database and load."""
    workers = multiprocessing.cpu_count() + 1  # deploy/gunicorn.conf.py's default
    return (f"{multiprocessing.cpu_count()} CPUs; gunicorn -c deploy/gunicorn.conf.py (gthread, {workers} "
            f"workers x 4 threads); {args.db}; {args.patrols} patrols + {args.supervisors} supervisors, "
            f"mean pause {args.think:g} s, {args.seconds:g} s")


def aim_lines(stats: _soak.Stats) -> list[str]:
    """Return a line per kind with an aim: its p95, the aim, and by how much it is missed."""
    lines = []
    for kind in sorted(stats.seconds):
        aim = next((a for prefix, a in AIMS.items() if kind.startswith(prefix)), None)
        if aim is not None:
            p95 = _soak.percentile(sorted(stats.seconds[kind]), 95)
            verdict = "met" if p95 <= aim else f"MISSED by {p95 - aim:.2f} s"
            lines.append(f"  {kind:<34} p95 {p95:.2f} s, aim {aim:g} s: {verdict}")
    return lines


def health(instance: _soak.Instance, load: _soak.Load) -> tuple[list[str], dict]:
    """Return (problems, counts) after a run: 5xx answers, the server log, the records, integrity."""
    problems, counts = _soak.record_problems(instance, load.ledger)
    problems += _soak.integrity_problems(instance)
    problems += [f"unexpected answers: {line}" for line in load.stats.unexpected()]
    if load.stats.server_errors():
        problems.append(f"{load.stats.server_errors()} answers with a 5xx status")
    logged = _soak.server_log_problems(instance)
    problems += [f'server log: {n} x "{what}"' for what, n in logged.items() if n]
    return problems, counts


def main() -> int:
    """Run the load, check the database, print the figures; return 1 on any failure."""
    args = arguments(__doc__.splitlines()[0]).parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xunjian-load-"))
    instance = None
    try:
        instance = _soak.make_instance(folder, args.db, args.patrols, args.supervisors)
        server = _soak.Server(instance)
        server.start()
        try:
            load = _soak.Load(instance, server.port, _soak.phone_photo(), args.think)
            _soak.sign_in_everyone(load)
            _soak.warm_up(load)
            since = _soak.access_log_size(instance)  # the timed run's lines only
            started, cpu, before = time.perf_counter(), time.process_time(), os.getloadavg()[0]
            threads = _soak.start_load(load)
            time.sleep(args.seconds)
            load.stop.set()
            for t in threads:
                t.join()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            server.stop()
        problems, counts = health(instance, load)
        if sum(load.lost.values()):
            problems.append(f"connections lost: {dict(load.lost)}")
        answered = sum(len(v) for v in load.stats.seconds.values())
        print(setting(args))
        print(f"{answered} requests answered in {wall:.1f} s ({answered / wall:.1f}/s); the clients used "
              f"{cpu:.1f} s of CPU; load average {before:.1f} before, {os.getloadavg()[0]:.1f} after")
        print("\n".join(load.stats.table()))
        print("\n".join(_soak.in_app_table(instance, since)))
        print("\n".join(aim_lines(load.stats)))
        print("\n".join(_soak.lost_lines(load.stats.lost)))
        print("  " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
        for problem in problems[:50]:
            print("FAIL", problem)
        if problems and _soak.first_traceback(instance):
            print("first traceback in the server's log:\n" + _soak.first_traceback(instance))
        print("load: " + ("ok" if not problems else f"{len(problems)} problems"))
        return 1 if problems else 0
    finally:
        if instance:
            _soak.drop_instance(instance)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
