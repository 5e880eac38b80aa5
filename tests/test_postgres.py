"""What differs between SQLite and PostgreSQL, held to the same answers on whichever the suite runs on.

`make test` runs the suite twice: on SQLite, then with XUNJIAN_TEST_POSTGRES_URL on a throw-away PostgreSQL
(scripts/throwaway_postgres.py). Races for one hazard and repeated client ids are in tests/hazards
(test_concurrency, test_idempotency), backup and restore in tests/test_cli.py: they run on both as they are.
"""

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server import create_app
from server.auth import services as user_services
from server.auth.models import User
from server.extensions import db
from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "throwaway_postgres.py"


def test_the_suite_runs_on_the_database_it_was_given(app):
    with app.app_context():
        assert db.engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")


@pytest.mark.parametrize(("database_url", "uri"), [
    ("postgres://u:pw@db.example/xunjian", "postgresql+psycopg://u:pw@db.example/xunjian"),
    ("postgresql://u@/xunjian", "postgresql+psycopg://u@/xunjian"),
    ("postgresql+psycopg://u@127.0.0.1:5433/x", "postgresql+psycopg://u@127.0.0.1:5433/x"),
    ("sqlite:////srv/xunjian.sqlite", "sqlite:////srv/xunjian.sqlite"),
])
def test_database_url_picks_the_pinned_driver(monkeypatch, tmp_path, database_url, uri):
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == uri


SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("stored", "utc"), [
    (datetime(2026, 3, 1, 8, 30, tzinfo=SHANGHAI), datetime(2026, 3, 1, 0, 30, tzinfo=UTC)),
    # The first hour of summer time in Berlin: 03:30 CEST is 01:30 UTC.
    (datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
     datetime(2027, 1, 1, 4, 59, 59, 999999, tzinfo=UTC)),
], ids=["shanghai", "berlin-dst", "microseconds-over-new-year"])
def test_times_are_kept_in_utc_and_read_back_aware(app, make_user, stored, utc):
    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).last_login_at = stored
        db.session.commit()
        # The server's own zone must not matter: the column holds UTC without a zone on both databases.
        if ON_POSTGRES:
            db.session.execute(db.text("SET TIME ZONE 'America/Los_Angeles'"))
        read = db.session.scalar(select(User.last_login_at).where(User.id == user.id))
    assert (read, read.tzinfo) == (utc, UTC)


@pytest.mark.parametrize(("text", "found"), [
    ("wang li", ["wangli"]),
    ("WANG LI", ["wangli"]),
    ("王丽", ["wangli"]),
    ("丽", ["wangli", "zhaoli"]),
    ("logistics", ["wangli"]),
    ("后勤", ["zhaoli"]),
    ("%", []),  # LIKE's wildcards are searched for as text
    ("_", ["under_score"]),
])
def test_search_is_case_insensitive_and_chinese_works(app, make_user, text, found):
    make_user("wangli", display_name="Wang Li 王丽", department="LOGISTICS Office")
    make_user("zhaoli", display_name="赵丽", department="后勤处")
    make_user("under_score", display_name="某人")
    with app.app_context():
        assert sorted(u.username for u in user_services.search_users(text)) == found


def _throwaway(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.skipif(_throwaway("bindir").returncode != 0, reason="PostgreSQL is not installed")
def test_throwaway_server_runs_a_command_against_itself_and_leaves_nothing(tmp_path):
    probe = ("import os, psycopg; from sqlalchemy.engine import make_url; "
             "url = make_url(os.environ['XUNJIAN_TEST_POSTGRES_URL']); "
             "c = psycopg.connect(url.set(drivername='postgresql').render_as_string(False)); "
             "print(c.execute('show server_encoding').fetchone()[0], "
             "c.execute('show data_directory').fetchone()[0]); sys.exit(3)")
    done = _throwaway("run", sys.executable, "-c", "import sys; " + probe)
    encoding, data = done.stdout.split()
    assert (done.returncode, encoding) == (3, "UTF8"), done.stderr
    assert not Path(data).exists()


@pytest.mark.skipif(_throwaway("bindir").returncode != 0, reason="PostgreSQL is not installed")
@pytest.mark.parametrize(("flags", "settings"), [
    ([], ["off", "off", "off"]),  # a scratch server for the suite: speed over durability
    (["--durable"], ["on", "on", "on"]),  # bench/crash.py kills the server: what it acknowledged must stay
], ids=["scratch", "durable"])
def test_throwaway_server_is_durable_only_when_asked(pg_folder, flags, settings):
    import psycopg

    started = _throwaway("start", str(pg_folder), *flags)
    try:
        assert started.returncode == 0, started.stderr
        with psycopg.connect(_conninfo(started.stdout)) as conn:
            shown = [conn.execute(f"SHOW {name}").fetchone()[0]
                     for name in ("fsync", "synchronous_commit", "full_page_writes")]
        assert shown == settings
    finally:
        _throwaway("stop", str(pg_folder))


@pytest.mark.skipif(_throwaway("bindir").returncode != 0, reason="PostgreSQL is not installed")
def test_a_durable_server_killed_with_every_backend_restarts_with_what_it_committed(pg_folder):
    import os
    import signal
    import time

    import psycopg

    sys.path.insert(0, str(ROOT))
    from scripts.throwaway_postgres import dead, freeze

    folder = pg_folder
    started = _throwaway("start", str(folder), "--durable")
    try:
        assert started.returncode == 0, started.stderr
        conninfo = _conninfo(started.stdout)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (1)")
        pending = psycopg.connect(conninfo)
        pending.execute("INSERT INTO kept VALUES (2)")  # in flight at the crash: never committed
        pids = freeze(folder)
        assert len(pids) >= 3  # the postmaster, its helpers and the open connection's backend
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        for pid in pids:
            while not dead(pid):
                time.sleep(0.01)
        restarted = _throwaway("restart", str(folder))
        assert restarted.returncode == 0, restarted.stderr
        with psycopg.connect(conninfo) as conn:
            assert conn.execute("SELECT n FROM kept").fetchall() == [(1,)]
        with pytest.raises(psycopg.OperationalError):
            pending.execute("SELECT 1")
        pending.close()
    finally:
        _throwaway("stop", str(folder))


@pytest.fixture
def pg_folder():
    """Return a folder for a throw-away server under the temporary directory (pytest's own folders are
    closed to the postgres user the server runs as)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="xunjian-pg-test-"))
    folder.chmod(0o711)  # the postgres user must reach the server's folder inside
    yield folder / "pg"
    shutil.rmtree(folder, ignore_errors=True)


def _conninfo(printed: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(printed.strip().splitlines()[-1])
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
