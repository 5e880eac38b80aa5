"""The orphan sweep: delete photo files that no record names, once they are old enough to be sure.

Photos are written before the row that names them is committed (server/hazards stores them first, then
commits). A request killed in between (a worker restarted, the machine off) leaves files no row points at;
they are never shown and only fill the disk. The daily pass finds and deletes them.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from server.media.storage import Storage, StoredFile

# A file younger than this may belong to a request storing it right now, whose row is not committed yet: it
# is never deleted. No request lasts a day.
MIN_AGE = timedelta(days=1)
# Keys checked against the database per query: a district's millions of files are never all in memory, and
# the IN (...) list stays well under every database's parameter limit.
BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    """What a sweep saw and did."""

    scanned: int  # files listed
    deleted: int  # orphans deleted
    freed_bytes: int  # their size
    young: int  # files too young to judge, left alone whether named or not


def sweep_orphans(storage: Storage, referenced: Callable[[list[str]], Iterable[str]], *,
                  now: datetime | None = None, batch: int = BATCH) -> SweepResult:
    """Delete the stored files older than MIN_AGE whose keys `referenced` does not return; count them.

    `referenced(keys)` answers which of these keys a record names (the caller knows the records: media sits
    below the domains that use it). It is asked about at most `batch` keys at a time.
    """
    cutoff = (now or datetime.now(UTC)) - MIN_AGE
    counts = {"scanned": 0, "young": 0, "deleted": 0, "freed_bytes": 0}

    def old_enough() -> Iterator[StoredFile]:
        for stored in storage.files():
            counts["scanned"] += 1
            if stored.modified < cutoff:
                yield stored
            else:
                counts["young"] += 1

    candidates = old_enough()
    while chunk := list(islice(candidates, batch)):
        named = set(referenced([f.key for f in chunk]))
        for stored in chunk:
            if stored.key not in named:
                storage.delete(stored.key)
                counts["deleted"] += 1
                counts["freed_bytes"] += stored.size
    return SweepResult(**counts)
