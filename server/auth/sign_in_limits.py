"""Failed sign-in limits, kept in the database so that every worker process counts the same attempts.

Each account and each address has as many numbered slots as its limit allows failures within the window. An
attempt takes a free slot of both before its password is checked (and the view commits that at once), keeps
them if the password is wrong, and gives them back if it is right. A slot is taken by inserting its row, so
when two workers race for the last one the primary key lets only one of them in, on SQLite and PostgreSQL
alike; a count followed by an insert would let both through on PostgreSQL, where neither sees the other's
uncommitted row. Rows older than the window are pruned as attempts come. The limit is a sliding window:
never more than N failures in any window-long stretch of time.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from server.auth.models import FailedSignIn
from server.database import utcnow
from server.errors import ServiceError
from server.extensions import db


class TooManyAttempts(ServiceError):
    """Too many failed sign-ins for the account or the address; the password is not even checked."""

    status = 429
    code = "too_many_attempts"

    def default_message(self):
        """Return the message used when none was given."""
        return _l("Too many failed attempts. Wait a quarter of an hour and try again, "
                  "or ask an administrator to reset your password.")


@dataclass(frozen=True)
class Claim:
    """The slots one sign-in attempt holds while its password is checked."""

    slots: tuple[tuple[str, int], ...]
    at: datetime


def _key(scope: str, value: str) -> str:
    # Keyed with the app's secret, so a stored key cannot be reversed by hashing guessed usernames.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()


def account_key(username: str) -> str:
    """Return the stored key of an account's limit (username normalized by services.normalize_username)."""
    return _key("account", username)


def address_key(address: str | None) -> str:
    """Return the stored key of a network address's limit."""
    return _key("address", address or "")


def claim(username: str, address: str | None, now: datetime | None = None) -> Claim:
    """Take a slot of the account's and of the address's limit for one attempt; refuse when either is full.

    The caller commits at once, so workers checking passwords at the same moment count each other; on
    TooManyAttempts it rolls back, so a refused attempt uses up nothing.
    """
    config = current_app.config
    now = now or utcnow()
    db.session.execute(delete(FailedSignIn).where(
        FailedSignIn.at <= now - timedelta(minutes=config["LOGIN_LIMIT_MINUTES"])))
    slots = []
    for key, limit in ((account_key(username), config["LOGIN_LIMIT_PER_ACCOUNT"]),
                       (address_key(address), config["LOGIN_LIMIT_PER_ADDRESS"])):
        slots.append((key, _take_slot(key, limit, now)))
    return Claim(slots=tuple(slots), at=now)


def _take_slot(key: str, limit: int, now: datetime) -> int:
    # Each lost race means another attempt took a slot meanwhile, so a few tries settle it.
    for _ in range(limit + 1):
        held = set(db.session.scalars(select(FailedSignIn.slot).where(FailedSignIn.key == key)))
        free = next((slot for slot in range(limit) if slot not in held), None)
        if free is None:
            break
        try:
            with db.session.begin_nested():
                db.session.execute(insert(FailedSignIn).values(key=key, slot=free, at=now))
        except IntegrityError:
            continue
        return free
    raise TooManyAttempts()


def release(attempt: Claim) -> None:
    """Give back the slots of an attempt whose password was right: a success uses up no limit."""
    for key, slot in attempt.slots:
        db.session.execute(delete(FailedSignIn).where(
            FailedSignIn.key == key, FailedSignIn.slot == slot, FailedSignIn.at == attempt.at))


def clear_account(username: str) -> None:
    """Forget an account's failed sign-ins (its password was just set: the old guesses no longer matter)."""
    db.session.execute(delete(FailedSignIn).where(FailedSignIn.key == account_key(username)))
