"""Issuing rectification notices: the one place a notice number is given (once per hazard, per year)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.auth.models import User
from server.database import utcnow
from server.errors import Conflict, ValidationFailed
from server.extensions import db
from server.hazards import access, states
from server.ledger.models import Notice
from server.schooltime import local_date

# How many hazards one bulk print may number (the queue shows at most 200).
MOST_AT_ONCE = 200
# Another worker can take the number we chose between our read and our insert; the next try reads again.
ATTEMPTS = 5


class NumberTaken(RuntimeError):
    """Every attempt met a number another worker had just taken (the database is unusually busy)."""


def notices_of(hazard_ids) -> dict[int, Notice]:
    """Return the notices already issued for these hazards, by hazard id."""
    ids = list(hazard_ids)
    if not ids:
        return {}
    return {n.hazard_id: n for n in db.session.scalars(select(Notice).where(Notice.hazard_id.in_(ids)))}


def next_seq(year: int) -> int:
    """Return the next free sequence number of `year` (1 for the year's first notice)."""
    return (db.session.scalar(select(func.max(Notice.seq)).where(Notice.year == year)) or 0) + 1


def issue_notices(user: User, hazard_ids) -> list[Notice]:
    """Give each hazard its notice number unless it has one, in hazard order; commit; return the notices.

    Refuses (404) a hazard the user may not see, (409) an invalidated one: it is not to be rectified.
    """
    ids = sorted(dict.fromkeys(hazard_ids))
    if not ids:
        raise ValidationFailed(_l("Choose at least one hazard."), details={"hazard": "missing"})
    if len(ids) > MOST_AT_ONCE:
        raise ValidationFailed(_l("At most %(n)d notices at once.", n=MOST_AT_ONCE),
                               details={"hazard": "too_many"})
    hazards = [access.get_hazard_for(user, hazard_id) for hazard_id in ids]
    for hazard in hazards:
        if hazard.state == states.INVALID:
            raise Conflict(_l("Hazard #%(id)d was invalidated: it gets no rectification notice.",
                              id=hazard.id), details={"hazard": hazard.id, "state": hazard.state})
    issued = notices_of(ids)
    notices = [issued.get(hazard.id) or _number(user, hazard.id) for hazard in hazards]
    db.session.commit()
    return notices


def _number(user: User, hazard_id: int) -> Notice:
    """Insert the hazard's notice with the year's next number, retrying when another worker took it."""
    now = utcnow()
    year = local_date(now).year
    for _attempt in range(ATTEMPTS):
        notice = Notice(hazard_id=hazard_id, year=year, seq=next_seq(year), issued_at=now,
                        issued_by_id=user.id)
        try:
            # A savepoint: a collision undoes this insert only, not the numbers given before it.
            with db.session.begin_nested():
                db.session.add(notice)
        except IntegrityError:
            # The number was taken (try the next one), or this very hazard was numbered meanwhile (keep it).
            already = notices_of([hazard_id]).get(hazard_id)
            if already is not None:
                return already
            continue
        return notice
    raise NumberTaken(f"no free notice number for hazard {hazard_id} after {ATTEMPTS} attempts")
