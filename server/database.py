"""Database helpers shared by every domain: UTC times, SQLite pragmas, immediate write transactions."""

from datetime import UTC, datetime

from flask import g, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps no zone, so naive values come back; we store UTC and re-attach it on the way out.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use server.database.utcnow() or an aware time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _wants_write_lock() -> bool:
    # A state-changing request (or a CLI command) takes SQLite's write lock when its transaction begins,
    # so two writers queue on the busy timeout instead of failing half-way with "database is locked".
    # Once its write has committed (reads_only_from_here), the answer is read without the lock.
    if has_request_context():
        return request.method not in ("GET", "HEAD", "OPTIONS") and not reads_only()
    return True


def reads_only() -> bool:
    """Say whether this request's transactions now only read (see reads_only_from_here)."""
    return has_request_context() and g.get("_db_reads_only", False)


def reads_only_from_here(reads_only: bool = True) -> None:
    """Say that this request's transactions from now on only read (False: that the next one writes)."""
    # The answer to a record made on a phone is built after its commit: each of 50 phones sending at once
    # held SQLite's write lock for that too (a third of its time in the lock) and the last waited past the
    # busy timeout. A transaction begun already keeps the kind it began as.
    if has_request_context():
        g._db_reads_only = reads_only


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling defers it):
    # https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    """Begin SQLite transactions ourselves: IMMEDIATE for writers, DEFERRED for readers."""
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


def analyze(connection) -> bool:
    """Refresh SQLite's planner statistics (ANALYZE) on a connection; say whether it ran (SQLite only)."""
    # Without statistics SQLite guesses each index's selectivity and can scan hazards by the wrong index
    # (state instead of device_reported_at); the migrations and the daily pass keep sqlite_stat1 current.
    if connection.dialect.name != "sqlite":
        return False  # PostgreSQL's autovacuum analyzes by itself
    connection.exec_driver_sql("ANALYZE")
    return True
