"""Start and stop a throw-away PostgreSQL server on loopback, for the test suite and the soak scripts.

    python scripts/throwaway_postgres.py start DIR [--durable]
                                                     # initdb into DIR, start on a free 127.0.0.1 port,
                                                     # print the SQLAlchemy URL of its `postgres` database
    python scripts/throwaway_postgres.py restart DIR # start it again (after a crash: it recovers first)
    python scripts/throwaway_postgres.py stop DIR    # stop it and delete DIR
    python scripts/throwaway_postgres.py bindir      # print the folder of initdb/pg_ctl, or exit 1
    python scripts/throwaway_postgres.py run CMD...  # start one in a temporary folder, run CMD with
                                                     # XUNJIAN_TEST_POSTGRES_URL set to it, stop it; exit
                                                     # with CMD's status

The server trusts every local connection (it listens on 127.0.0.1 and a socket inside DIR only) and runs
without fsync: it holds nothing worth keeping. `--durable` keeps PostgreSQL's own durability settings
(fsync, synchronous commit, full page writes), as a production server has them: bench/crash.py kills the
server itself and counts on every acknowledged commit surviving. As root, initdb and the server run as the
`postgres` user (PostgreSQL refuses to run as root), created by Debian's package.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

# Connections: two xdist workers, each test's pool, and the 30 racing sign-ins of tests/auth.
SETTINGS = {"max_connections": "200", "listen_addresses": "'127.0.0.1'", "timezone": "'UTC'"}
# Speed over durability: a crash loses a scratch server, nothing else. Not with --durable: without
# synchronous commit a commit is answered before its WAL leaves the server's memory, so kill -9 loses it.
SCRATCH = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
SUPERUSER = "postgres"


def bindir() -> Path | None:
    """Return the folder holding initdb and pg_ctl (PG_BIN, Debian's newest, or PATH), or None."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name),
                         reverse=True)
    found = shutil.which("initdb")
    candidates.append(str(Path(found).resolve().parent) if found else "")
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as_server_user(args: list[str], check: bool = True) -> None:
    # PostgreSQL will not run as root: hand the command to the postgres user when we are root.
    if os.geteuid() == 0:
        args = ["runuser", "-u", SUPERUSER, "--", *args]
    # The programs are PostgreSQL's own, found by bindir(); the arguments are ours.
    subprocess.run(args, check=check, stdout=subprocess.DEVNULL)  # noqa: S603


def start(folder: Path, durable: bool = False) -> str:
    """Initialise a cluster in `folder`, start it on a free loopback port; return its SQLAlchemy URL."""
    pg = bindir()
    if pg is None:
        raise SystemExit("PostgreSQL's server programs are missing: apt-get install -y postgresql")
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SUPERUSER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data = folder / "data"
    _run_as_server_user([str(pg / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                         "--locale=C.UTF-8"])
    port = _free_port()
    settings = {**SETTINGS, **({} if durable else SCRATCH), "port": port,
                "unix_socket_directories": f"'{folder}'"}
    # In the cluster's own configuration (later lines win), so that `restart` starts it exactly as it was.
    with (data / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{k} = {v}\n" for k, v in settings.items())
    restart(folder)
    return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"


def restart(folder: Path) -> None:
    """Start the server of `folder` again and return once it accepts connections (after recovery, if it
    crashed)."""
    pg = bindir()
    # After kill -9 the lock files (the data folder's, the socket's) name the dead postmaster. Where nothing
    # reaps orphans (a container whose first process is no init) it stays a zombie, which PostgreSQL takes for
    # a server still running.
    for lock in [folder / "data" / "postmaster.pid", *folder.glob(".s.PGSQL.*.lock")]:
        pid = _lock_pid(lock)
        if pid is not None and dead(pid):
            lock.unlink()
    _run_as_server_user([str(pg / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log"),
                         "-w", "-t", "300", "start"])


def dead(pid: int) -> bool:
    """Return whether process `pid` is gone or a zombie (Linux's /proc says)."""
    try:
        return _stat(Path(f"/proc/{pid}/stat"))[0] == "Z"
    except (OSError, IndexError):
        return True


def freeze(folder: Path) -> list[int]:
    """Stop the postmaster of `folder` (SIGSTOP: it starts no new backend from now on) and return every
    backend's pid, then its own: what to SIGKILL to crash it as a power cut would ([] if none runs)."""
    # Each backend is a session of its own (no process group to kill), and one forked while the children were
    # listed would outlive the kill, holding the shared memory the restarted server needs. Children come
    # first: a backend outliving the postmaster by a moment notices, and exits on its own terms.
    master = postmaster(folder)
    if master is None or dead(master):
        return []
    os.kill(master, signal.SIGSTOP)
    return [*children(master), master]


def children(pid: int) -> list[int]:
    """Return the pids of the processes whose parent is `pid` (found in /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(_stat(stat)[1])
        except (OSError, IndexError, ValueError):
            continue  # a process that ended while we looked
        if parent == pid:
            found.append(int(stat.parent.name))
    return found


def _stat(path: Path) -> list[str]:
    # A process's state, parent, ...: the fields after its command name, which is in parentheses and may
    # hold spaces or parentheses itself (proc(5)).
    return path.read_text().rsplit(")", 1)[1].split()


def postmaster(folder: Path) -> int | None:
    """Return the pid of the server running in `folder` (the first line of postmaster.pid), or None."""
    return _lock_pid(folder / "data" / "postmaster.pid")


def _lock_pid(lock: Path) -> int | None:
    try:
        return int(lock.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


def stop(folder: Path) -> None:
    """Stop the server started in `folder` (fast: disconnect everyone), then delete the folder."""
    pg = bindir()
    data = folder / "data"
    if pg is not None and (data / "postmaster.pid").exists():
        _run_as_server_user([str(pg / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], check=False)
    shutil.rmtree(folder, ignore_errors=True)


def run(command: list[str]) -> int:
    """Run `command` with XUNJIAN_TEST_POSTGRES_URL naming a throw-away server; stop it after, whatever
    happens; return the command's exit status."""
    # Its own folder right under the temporary directory: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="xunjian-pg-"))
    try:
        env = {**os.environ, "XUNJIAN_TEST_POSTGRES_URL": start(folder)}
        # The command is the caller's own (make test's pytest line), run as given.
        return subprocess.run(command, env=env, check=False).returncode  # noqa: S603
    finally:
        stop(folder)


def main(argv: list[str]) -> int:
    """Run the command named in argv; return the exit status."""
    if argv[:1] == ["run"] and len(argv) > 1:
        return run(argv[1:])
    if argv[:1] == ["bindir"]:
        found = bindir()
        if found:
            print(found)
        return 0 if found else 1
    durable = argv[2:] == ["--durable"] and argv[0] == "start"
    if len(argv) - durable != 2 or argv[0] not in ("start", "restart", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[1]).resolve()
    if argv[0] == "start":
        print(start(folder, durable))
    elif argv[0] == "restart":
        restart(folder)
    else:
        stop(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
