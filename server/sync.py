"""Records made on a device: idempotency by client id, and "done on site" (DESIGN.md, Offline sync protocol).

The field app gives every record (a hazard report, a visit, an action) a client id once, when it is made, and
may send it again and again until it sees the id echoed. The server answers:
- the first time: the record is made (201);
- the same id with the same content: the record already made, nothing new (200);
- the same id with other content: 409, nothing changed.
"Same content" is a hash of the canonical fields (the actor included, so one user's id never answers for
another's) and of the photos' SHA-256. The UNIQUE constraint on client_id is the backstop for two copies
arriving at once: the loser's commit fails and it answers as a repeat.
"""

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.database import reads_only, reads_only_from_here
from server.errors import Conflict, ValidationFailed
from server.extensions import db

CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{7,63}$")

T = TypeVar("T")
R = TypeVar("R")


def check_client_id(client_id) -> str:
    """Return the client id, or refuse one that is missing or malformed (8 to 64 letters, digits, -_.:/)."""
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise ValidationFailed(_l("Every record needs a client id (8 to 64 letters, digits or dashes)."),
                               details={"client_id": "invalid"})
    return client_id


def photo_digests(photos: Iterable[bytes]) -> list[str]:
    """Return the SHA-256 (hex) of each photo as uploaded."""
    return [photo_digest(data) for data in photos]


# Photos a request keeps the digest of: more than one record's photos (a campaign answer's failed items).
_DIGESTS_KEPT = 32


def photo_digest(data: bytes) -> str:
    """Return the SHA-256 (hex) of a photo as uploaded, computed once per request however often asked."""
    # The record's content hash, the photo's row and a campaign's hazards each need it: 4 ms a 3 MB photo.
    # Kept by identity with the bytes themselves, so an id cannot be reused by other bytes while it is kept.
    kept = g.setdefault("photo_digests", {}) if has_app_context() else {}
    found = kept.get(id(data))
    if found is None or found[0] is not data:
        found = kept[id(data)] = (data, hashlib.sha256(data).hexdigest())
        if len(kept) > _DIGESTS_KEPT:  # a long app context (the demo's seeding) holds no photo for ever
            del kept[next(iter(kept))]
    return found[1]


def photo_field():
    """Declare a dataclass field of a record that holds photos as uploaded (hashed by their SHA-256)."""
    return dataclasses.field(default_factory=list, metadata={"photos": True})


def record_digest(record, **context) -> str:
    """Return the content hash of a record as sent (a dataclass): every field but its client id, photo fields
    as their SHA-256, and the context (the actor, the hazard acted on)."""
    fields = dict(context)
    for item in dataclasses.fields(record):
        if item.name != "client_id":
            value = getattr(record, item.name)
            fields[item.name] = photo_digests(value) if item.metadata.get("photos") else value
    return content_hash(fields)


def _canonical(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def content_hash(fields: dict) -> str:
    """Return the hash that says whether two sends of one client id carry the same record."""
    text = json.dumps(_canonical(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def find_repeat(model: type[T], client_id: str, digest: str) -> T | None:
    """Return the record already made with this client id and content; refuse the id with other content."""
    row = db.session.scalar(select(model).where(model.client_id == client_id))
    if row is None:
        return None
    if row.content_hash != digest:
        raise Conflict(_l("This client id was already used for a different record. "
                          "The record was not saved again; check it and send it as a new one."),
                       details={"client_id": client_id, "reason": "client_id_reused"})
    return row


def write_once(model: type[T], client_id: str, digest: str, write: Callable[[], R],
               cleanup: Callable[[], None]) -> tuple[R | T, bool]:
    """Write a record made on a device and commit it, once per client id; return (result, created).

    Looks for a repeat first (a copy may have landed since the caller last looked), then runs `write`
    (which adds and flushes the rows) and commits. If the client id's UNIQUE constraint fires, at the flush
    or the commit, the copy that won is answered instead: (that record, False), or 409 for other content.
    `cleanup` runs whenever nothing was committed, to remove files written for the record (nothing half-way).
    """
    if reads_only():  # a write after one already committed in this request
        db.session.rollback()  # so that its transaction begins with the write lock
        reads_only_from_here(False)
    try:
        repeat = find_repeat(model, client_id, digest)
        if repeat is not None:
            cleanup()
            return repeat, False
        result = write()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        cleanup()
        reads_only_from_here()
        winner = find_repeat(model, client_id, digest)
        if winner is None:
            raise
        return winner, False
    except BaseException:
        db.session.rollback()
        cleanup()
        raise
    reads_only_from_here()  # the caller's answer reads what was written: without SQLite's write lock
    return result, True


def on_site(zone, zone_token, scanned_at: datetime | None, done_at: datetime | None) -> bool:
    """Say whether something was done right after scanning this zone's current QR label.

    The scan must be of this zone's label (a retired label does not count) and at most ON_SITE_WINDOW_MINUTES
    before the device time of the record (a minute after it is tolerated: clocks and taps).
    """
    if not zone_token or scanned_at is None or done_at is None:
        return False
    if str(zone_token).strip().lower() != zone.qr_token:
        return False
    window = timedelta(minutes=int(current_app.config["ON_SITE_WINDOW_MINUTES"]))
    return -timedelta(minutes=1) <= done_at - scanned_at <= window
