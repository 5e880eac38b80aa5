"""Photo staging for hazard records: count them, clean and store them before the record's transaction, attach
them to its event inside it, and delete the files again when the record is not committed.

The slow part (decoding and re-encoding) runs with the database's write lock released; a file whose record
never commits is deleted at once, and the daily pass sweeps any left by a killed process.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from server.errors import ValidationFailed
from server.extensions import db
from server.hazards.models import Hazard, HazardEvent, Photo
from server.media import storage as media_storage
from server.media.images import process_photo


def most_per_record() -> int:
    """Return how many photos one record may carry."""
    return int(current_app.config["MAX_PHOTOS_PER_RECORD"])


def check_count(photos, *, required: int, field_name: str, allowed: bool = True) -> None:
    """Refuse too few or too many photos for one record, or any where the action takes none."""
    if not allowed and photos:
        raise ValidationFailed(_l("This action takes no photos."), details={field_name: "not_allowed"})
    if len(photos) < required:
        raise ValidationFailed(_l("Add at least one photo."), details={field_name: "required"})
    most = most_per_record()
    if len(photos) > most:
        raise ValidationFailed(_l("At most %(n)d photos per record.", n=most),
                               details={field_name: "too_many"})


@dataclass
class Stored:
    """A photo written to storage for a record not yet committed."""

    key: str
    thumb_key: str
    sha256: str
    width: int
    height: int
    bytes: int


def store(photos: list[bytes]) -> list[Stored]:
    """Clean every photo first (one refused refuses the lot, nothing written), then write them all."""
    processed = [process_photo(data) for data in photos]
    storage = media_storage.get_storage()
    stored: list[Stored] = []
    try:
        for item in processed:
            key = media_storage.new_key()
            stored.append(Stored(key, media_storage.thumb_key(key), item.sha256, item.width, item.height,
                                 len(item.jpeg)))
            storage.put(stored[-1].thumb_key, item.thumb)
            storage.put(key, item.jpeg)
    except BaseException:
        discard(stored)
        raise
    return stored


def discard(stored: list[Stored]) -> None:
    """Delete photo files whose records were not committed."""
    if not stored:
        return
    storage = media_storage.get_storage()
    for item in stored:
        for key in (item.key, item.thumb_key):
            try:
                storage.delete(key)
            except OSError:  # left behind: the daily pass sweeps it, but worth a line in the log
                current_app.logger.warning("could not delete photo file %s", key)


def attach(hazard: Hazard, event: HazardEvent, stored: list[Stored], kind: str, by_id: int,
           now: datetime) -> None:
    """Add the rows of stored photos to an event (inside its transaction)."""
    for item in stored:
        db.session.add(Photo(hazard_id=hazard.id, event_id=event.id, kind=kind, key=item.key,
                             thumb_key=item.thumb_key, sha256=item.sha256, width=item.width,
                             height=item.height, bytes=item.bytes, uploaded_by_id=by_id, created_at=now))
