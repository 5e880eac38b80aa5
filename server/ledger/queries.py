"""Reading the ledger: hazards with what their ledger row needs, read in batches; one hazard's whole file.

The ledger can hold a district's 100,000 hazards, and a person who asks for it must see the download start
at once with memory flat: the hazards come from one streamed query of plain columns in the ledger's order
(oldest found first: the index on the report time gives that order, nothing is sorted or computed over all
hazards first), a batch at a time; each batch then reads, with one query each and never one per hazard, when
its done work was rectified and the deadline in force then (filters.py's rule, asked of the batch's hazards
only), its rectifications and rechecks, and its photos. Memory holds one batch, not the ledger
(bench/ledger_export.py measures it).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from server.auth.models import User
from server.extensions import db
from server.hazards import access, states
from server.hazards.filters import HazardFilter, deadline_then, rectified_at
from server.hazards.models import AFTER, BEFORE, Hazard, HazardEvent, Photo
from server.hazards.views import compare
from server.schooltime import local_date
from server.zones.models import Zone

BATCH = 500
# The events a ledger row reads: the rectification (submit) and the recheck (pass or fail).
_ROW_ACTIONS = (states.SUBMIT, states.PASS, states.FAIL)
_DONE = (states.AWAITING_RECHECK, states.CLOSED)

Reporter = aliased(User, name="reporter")
Rectifier = aliased(User, name="rectifier")
Actor = aliased(User, name="actor")


@dataclass(frozen=True)
class Recheck:
    """A hazard's latest recheck: passed or failed, when, by whom."""

    action: str
    at: datetime
    actor: str


@dataclass(frozen=True)
class LedgerEntry:
    """One hazard as the ledger reports it."""

    hazard: Row  # the hazard's columns and its zone's and people's (_hazard_columns)
    rectified_at: datetime | None  # when the accepted rectification was done (awaiting recheck or closed)
    deadline_then: datetime | None  # the deadline in force when it was rectified
    measures: str | None  # the note of the latest rectification submitted (None: none submitted)
    recheck: Recheck | None  # the latest recheck, passed or failed
    before: int | None  # the id of the first photo of the report
    after: int | None  # the id of the first photo of the latest rectification

    def days_overdue(self, now: datetime) -> int | None:
        """Return the days past the deadline: now for open work, at rectification for done work."""
        hazard = self.hazard
        if hazard.state == states.INVALID:
            return None
        if self.rectified_at is not None and self.deadline_then is not None:
            return max(0, (local_date(self.rectified_at) - local_date(self.deadline_then)).days)
        if hazard.overdue:
            return max(1, (local_date(now) - local_date(hazard.deadline)).days)
        return 0


def _hazard_columns(now: datetime) -> tuple:
    """Return the columns a ledger row reads of a hazard, its zone and its people."""
    return (Hazard.id, Hazard.device_reported_at, Hazard.description, Hazard.severity, Hazard.state,
            Hazard.deadline, Hazard.fixed_on_the_spot, Hazard.overdue_at(now).label("overdue"),
            Reporter.display_name.label("reporter"), Zone.name.label("zone_name"), Zone.building, Zone.floor,
            Zone.department.label("zone_department"), Hazard.category_id,
            Rectifier.display_name.label("rectifier"), Rectifier.department.label("rectifier_department"))


def ledger_entries(user: User, hazard_filter: HazardFilter, now: datetime) -> Iterator[LedgerEntry]:
    """Yield the ledger entries of the hazards `user` may see that the filter names, oldest found first."""
    # Outer joins, though every hazard has its zone and reporter: they keep the hazards the outer
    # loop, read in the report time's index order, where inner joins let SQLite start from the zones and sort.
    query = (select(*_hazard_columns(now)).select_from(Hazard)
             .outerjoin(Zone, Zone.id == Hazard.zone_id)
             .outerjoin(Reporter, Reporter.id == Hazard.reporter_id)
             .outerjoin(Rectifier, Rectifier.id == Hazard.rectifier_id)
             .where(access.visibility(user), *hazard_filter.conditions(now))
             .order_by(Hazard.device_reported_at, Hazard.id)
             .execution_options(yield_per=BATCH))
    for batch in db.session.execute(query).partitions():
        ids = [row.id for row in batch]
        times = _rectification_times([row.id for row in batch if row.state in _DONE])
        measures, rechecks = _latest_events(ids)
        photos = _first_photos(ids)
        for row in batch:
            # Only done work has a rectification date; an open hazard's earlier, failed one does not count.
            rectified, then = times.get(row.id, (None, None))
            before, after = photos.get(row.id, (None, None))
            yield LedgerEntry(row, rectified, then, measures.get(row.id), rechecks.get(row.id), before, after)


def _rectification_times(hazard_ids) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Return when each hazard's accepted rectification was done and the deadline in force then."""
    if not hazard_ids:
        return {}
    query = select(Hazard.id, rectified_at(), deadline_then()).where(Hazard.id.in_(hazard_ids))
    return {hazard_id: (done, then) for hazard_id, done, then in db.session.execute(query)}


def _latest_events(hazard_ids) -> tuple[dict[int, str], dict[int, Recheck]]:
    """Return the note of each hazard's latest submit and its latest recheck (pass or fail), in one query."""
    measures: dict[int, str] = {}
    rechecks: dict[int, Recheck] = {}
    query = (select(HazardEvent.hazard_id, HazardEvent.action, HazardEvent.note, HazardEvent.at,
                    Actor.display_name)
             .join(Actor, Actor.id == HazardEvent.actor_id)
             .where(HazardEvent.hazard_id.in_(hazard_ids), HazardEvent.action.in_(_ROW_ACTIONS))
             .order_by(HazardEvent.at, HazardEvent.id))
    for hazard_id, action, note, at, actor in db.session.execute(query):
        if action == states.SUBMIT:
            measures[hazard_id] = note
        else:
            rechecks[hazard_id] = Recheck(action, at, actor)
    return measures, rechecks


def _first_photos(hazard_ids) -> dict[int, tuple[int | None, int | None]]:
    """Return the ids of the first before photo and the first photo of the latest rectification of each."""
    found: dict[int, list[Row]] = {}
    query = (select(Photo.id, Photo.hazard_id, Photo.kind, Photo.event_id)
             .where(Photo.hazard_id.in_(hazard_ids), Photo.kind.in_((BEFORE, AFTER))).order_by(Photo.id))
    for photo in db.session.execute(query):
        found.setdefault(photo.hazard_id, []).append(photo)
    firsts = {}
    for hazard_id, photos in found.items():
        before, after = compare(photos)
        firsts[hazard_id] = (before[0].id if before else None, after[0].id if after else None)
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
