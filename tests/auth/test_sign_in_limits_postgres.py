"""Racing sign-in attempts on PostgreSQL, where transactions run side by side (SQLite queues writers).

Runs when the suite runs on PostgreSQL (XUNJIAN_TEST_POSTGRES_URL: `make test-postgres`).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from server import create_app
from server.auth import sign_in_limits
from server.extensions import db
from tests.conftest import postgres_only

RACERS = 30

pytestmark = postgres_only


@pytest.fixture
def pg_app(app, tmp_path):
    """Return an app on the test's own PostgreSQL database with a connection for every racer."""
    racing = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": RACERS}})
    racing.instance_path = str(tmp_path)
    yield racing
    with racing.app_context():
        db.engine.dispose()


def _race(app, attempts: list[tuple[str, str]]) -> int:
    """Make every attempt at the same moment, each in its own transaction; return how many got a slot."""
    start = threading.Barrier(len(attempts))

    def attempt(username_address):
        with app.app_context():
            start.wait(timeout=30)
            try:
                sign_in_limits.claim(*username_address)
            except sign_in_limits.TooManyAttempts:
                db.session.rollback()
                return False
            db.session.commit()
            return True

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return sum(pool.map(attempt, attempts))


@pytest.mark.parametrize(("attempts", "address_limit", "allowed"), [
    ([("wang", "10.0.0.1")] * RACERS, 100, 10),  # one account: its limit
    ([(f"user{n}", "10.0.0.1") for n in range(RACERS)], 7, 7),  # one address: its limit
], ids=["account", "address"])
def test_racing_attempts_never_pass_the_limit(pg_app, attempts, address_limit, allowed):
    pg_app.config["LOGIN_LIMIT_PER_ADDRESS"] = address_limit
    assert _race(pg_app, attempts) == allowed


def test_a_released_attempt_leaves_no_row(pg_app):
    from sqlalchemy import func, select

    from server.auth.models import FailedSignIn

    with pg_app.app_context():
        sign_in_limits.claim("wang", "10.0.0.1")  # a wrong password: kept
        sign_in_limits.release(sign_in_limits.claim("wang", "10.0.0.1"))  # the right one: given back
        db.session.commit()
        rows = db.session.execute(select(FailedSignIn.slot, func.count()).group_by(FailedSignIn.slot)).all()
        assert rows == [(0, 2)]  # the kept attempt's account and address slots
