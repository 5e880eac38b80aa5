"""Sign-in limits kept in the database: a sliding window per account and per address."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.auth import services, sign_in_limits
from server.auth.models import FailedSignIn, User
from server.extensions import db
from tests.conftest import AuthActions

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TOO_MANY = "尝试次数过多"


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _attempts_allowed(username: str, address: str, at: datetime, tries: int) -> int:
    """Make `tries` failed attempts at one moment; return how many the limits let through."""
    allowed = 0
    for _ in range(tries):
        try:
            sign_in_limits.claim(username, address, now=at)
        except sign_in_limits.TooManyAttempts:
            db.session.rollback()
        else:
            db.session.commit()
            allowed += 1
    return allowed


@pytest.mark.parametrize(("earlier", "minute", "allowed"), [
    ([], 0, 10),
    ([0] * 9, 1, 1),
    ([0] * 10, 14.99, 0),  # the 11th within 15 minutes
    ([0] * 10, 15, 10),  # a quarter of an hour later, all ten have expired
    ([0] * 5 + [10] * 5, 15, 5),  # a sliding window: only the five oldest have expired
    ([0] * 5 + [10] * 5, 14, 0),
    ([0] + [14] * 9, 15, 1),  # no fresh ten at a window's edge: nine are still recent
], ids=["fresh", "tenth", "eleventh", "expired", "sliding", "not-yet", "no-edge-burst"])
def test_account_allows_ten_failures_in_any_quarter_hour(app, earlier, minute, allowed):
    with app.app_context():
        for offset in earlier:
            assert _attempts_allowed("wang", "10.0.0.1", _at(offset), 1) == 1
        assert _attempts_allowed("wang", "10.0.0.1", _at(minute), 12) == allowed


def test_released_attempts_give_their_places_back(app):
    with app.app_context():
        attempts = [sign_in_limits.claim("wang", "10.0.0.1", now=_at(0)) for _ in range(10)]
        for attempt in attempts[:4]:
            sign_in_limits.release(attempt)
        db.session.commit()
        assert _attempts_allowed("wang", "10.0.0.1", _at(1), 12) == 4


def test_rows_older_than_the_window_are_pruned(app):
    with app.app_context():
        _attempts_allowed("wang", "10.0.0.1", _at(0), 3)
        _attempts_allowed("li", "10.0.0.2", _at(5), 2)
        _attempts_allowed("zhou", "10.0.0.3", _at(16), 1)
        # wang's 3 and their address's 3 are gone; li's 2 + 2 and zhou's 1 + 1 remain.
        assert db.session.scalar(select(func.count()).select_from(FailedSignIn)) == 6


def test_a_refused_attempt_keeps_no_place(app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = 3
    with app.app_context():
        assert _attempts_allowed("wang", "10.0.0.1", _at(0), 3) == 3
        assert _attempts_allowed("li", "10.0.0.1", _at(1), 1) == 0  # the address is full
        held = select(func.count()).where(FailedSignIn.key == sign_in_limits.account_key("li"))
        assert db.session.scalar(held) == 0


def test_the_address_limit_refuses_every_account_there(app, make_user):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = 3
    users = [make_user() for _ in range(4)]
    school = AuthActions(app.test_client())
    for user in users[:3]:
        assert school.login(user.username, "nope-nope").status_code == 200
    refused = school.login(users[3].username)  # the right password, unchecked
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)
    elsewhere = AuthActions(app.test_client())
    elsewhere.client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert elsewhere.login(users[3].username).status_code == 302


def test_one_persons_success_leaves_anothers_count(app, client, auth, make_user):
    victim, colleague = make_user(), make_user()
    for _ in range(10):
        auth.login(victim.username, "nope-nope")
    assert AuthActions(app.test_client()).login(colleague.username).status_code == 302
    assert auth.login(victim.username).status_code == 429


def test_a_new_password_lets_the_locked_out_person_in(app, client, auth, make_user):
    user = make_user()
    for _ in range(10):
        auth.login(user.username, "nope-nope")
    assert auth.login(user.username).status_code == 429
    with app.app_context():
        services.set_password(db.session.get(User, user.id), "a-new-password-1")
        db.session.commit()
    assert auth.login(user.username, "a-new-password-1").status_code == 302


def test_a_username_typed_differently_is_the_same_account(client, auth, make_user):
    user = make_user()
    for _ in range(10):
        auth.login(f"  {user.username.upper()} ", "nope-nope")
    assert auth.login(user.username).status_code == 429
