"""Reading the ledger: hazards with what their ledger row needs, read in batches; one hazard's whole file.

The ledger can hold a district's 100,000 hazards: hazards are read from one streamed query, a batch at a
time, and each batch fetches its events and photos with one query each (never one per hazard), so memory
holds one batch, not the ledger (bench/ledger_export.py measures it).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from server.auth.models import User
from server.extensions import db
from server.hazards import access, states
from server.hazards.filters import HazardFilter, deadline_then, rectified_at
from server.hazards.models import AFTER, BEFORE, Hazard, HazardEvent, Photo
from server.hazards.views import compare
from server.schooltime import local_date

BATCH = 500
# The events a ledger row reads: the rectification (submit) and the recheck (pass or fail).
_ROW_ACTIONS = (states.SUBMIT, states.PASS, states.FAIL)


@dataclass(frozen=True)
class LedgerEntry:
    """One hazard as the ledger reports it."""

    hazard: Hazard
    rectified_at: datetime | None  # when the accepted rectification was done (awaiting recheck or closed)
    deadline_then: datetime | None  # the deadline in force when it was rectified
    submit: HazardEvent | None  # the latest rectification submitted
    recheck: HazardEvent | None  # the latest recheck, passed or failed
    before: Photo | None  # the first photo of the report
    after: Photo | None  # the first photo of the latest rectification

    def days_overdue(self, now: datetime) -> int | None:
        """Return the days past the deadline: now for open work, at rectification for done work."""
        hazard = self.hazard
        if hazard.state == states.INVALID:
            return None
        if self.rectified_at is not None and self.deadline_then is not None:
            return max(0, (local_date(self.rectified_at) - local_date(self.deadline_then)).days)
        if hazard.is_overdue(now):
            return max(1, (local_date(now) - local_date(hazard.deadline)).days)
        return 0


def ledger_entries(user: User, hazard_filter: HazardFilter, now: datetime) -> Iterator[LedgerEntry]:
    """Yield the ledger entries of the hazards `user` may see that the filter names, oldest found first."""
    done = Hazard.state.in_((states.AWAITING_RECHECK, states.CLOSED))
    query = (hazard_filter.apply(access.visible_hazards(user), now)
             .add_columns(rectified_at().label("rectified_at"), deadline_then().label("deadline_then"), done)
             .order_by(Hazard.device_reported_at, Hazard.id)
             .execution_options(yield_per=BATCH))
    for batch in db.session.execute(query).partitions():
        ids = [row[0].id for row in batch]
        submits, rechecks = _latest_events(ids)
        photos = _first_photos(ids)
        for hazard, rectified, then, is_done in batch:
            before, after = photos.get(hazard.id, (None, None))
            # Only done work has a rectification date; an open hazard's earlier, failed one does not count.
            yield LedgerEntry(hazard, rectified if is_done else None, then if is_done else None,
                              submits.get(hazard.id), rechecks.get(hazard.id), before, after)


def _latest_events(hazard_ids) -> tuple[dict[int, HazardEvent], dict[int, HazardEvent]]:
    """Return the latest submit and the latest recheck (pass or fail) of each hazard, in one query."""
    submits: dict[int, HazardEvent] = {}
    rechecks: dict[int, HazardEvent] = {}
    query = (select(HazardEvent)
             .where(HazardEvent.hazard_id.in_(hazard_ids), HazardEvent.action.in_(_ROW_ACTIONS))
             .order_by(HazardEvent.at, HazardEvent.id))
    for event in db.session.scalars(query):
        (submits if event.action == states.SUBMIT else rechecks)[event.hazard_id] = event
    return submits, rechecks


def _first_photos(hazard_ids) -> dict[int, tuple[Photo | None, Photo | None]]:
    """Return the first before photo and the first photo of the latest rectification of each hazard."""
    found: dict[int, list[Photo]] = {}
    query = (select(Photo).where(Photo.hazard_id.in_(hazard_ids), Photo.kind.in_((BEFORE, AFTER)))
             .order_by(Photo.id))
    for photo in db.session.scalars(query):
        found.setdefault(photo.hazard_id, []).append(photo)
    firsts = {}
    for hazard_id, photos in found.items():
        before, after = compare(photos)
        firsts[hazard_id] = (before[0] if before else None, after[0] if after else None)
    return firsts


def assignment_notes(hazard_ids) -> dict[int, str]:
    """Return the note of each hazard's latest assignment, failed recheck or reopening that has one."""
    notes: dict[int, str] = {}
    query = (select(HazardEvent.hazard_id, HazardEvent.note)
             .where(HazardEvent.hazard_id.in_(list(hazard_ids)),
                    HazardEvent.action.in_((states.ASSIGN, states.FAIL, states.REOPEN)),
                    HazardEvent.note != "")
             .order_by(HazardEvent.at, HazardEvent.id))
    for hazard_id, note in db.session.execute(query):
        notes[hazard_id] = note
    return notes


def year_bounds(year: int) -> tuple[date, date]:
    """Return the first and last days of a calendar year."""
    return date(year, 1, 1), date(year, 12, 31)
