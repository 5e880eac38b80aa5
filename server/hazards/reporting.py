"""Reporting a hazard: the one way a hazard is made (desk form, JSON API, the field app's outbox, a campaign's
failed item).

Like the actions in services.py: a repeat of a client id answers the record made before; the reporter's role
and the fields are checked (403 / 422, an inactive zone 409); the photos are stored with the database's write
lock released; then one transaction checks again, writes the hazard, its report event, its photos and its
patrol visit, and commits. The state a report starts in is the state machine's (states.report_state), an
auto-assignment goes through states.decide like any other.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from server import sync
from server.auth.models import User
from server.database import utcnow
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.hazards import photos, states, wording
from server.hazards.deadlines import default_deadline
from server.hazards.models import AFTER, BEFORE, Category, Hazard, HazardEvent
from server.hazards.queries import can_rectify, report_event
from server.hazards.schemas import DESCRIPTION_MAX
from server.hazards.services import Outcome
from server.hazards.signals import event_recorded
from server.patrols import services as visits
from server.zones.models import Zone


@dataclass
class Report:
    """A new hazard as its reporter sends it."""

    client_id: str
    zone_id: int | None
    category_id: int | None
    severity: str
    description: str
    photos: list[bytes] = sync.photo_field()  # before photos, 1 to MAX_PHOTOS_PER_RECORD
    fixed_on_the_spot: bool = False  # 立行立改: then after_photos are required
    after_photos: list[bytes] = sync.photo_field()
    device_at: datetime | None = None
    scanned_at: datetime | None = None  # when the zone's QR label was scanned, and which token it held
    zone_token: str | None = None
    visit_client_id: str | None = None  # the patrol visit this report belongs to (made if new)

    def __post_init__(self):
        self.description = (self.description or "").strip()
        self.fixed_on_the_spot = bool(self.fixed_on_the_spot)


def _check_reporter(actor: User) -> None:
    try:
        states.check_report(actor.roles)
    except states.RoleRefused:
        raise Forbidden(_l("Your role does not allow this action: %(action)s.",
                           action=wording.ACTION_LABELS[states.REPORT]), details={"reason": "role"}) from None


def _check_report(new: Report) -> tuple[Zone, Category, str]:
    """Check a report's fields; return its zone, category and cleaned description."""
    zone = db.session.get(Zone, new.zone_id) if isinstance(new.zone_id, int) else None
    if zone is None:
        raise ValidationFailed(_l("Choose the zone."), details={"zone_id": "required"})
    category = db.session.get(Category, new.category_id) if isinstance(new.category_id, int) else None
    if category is None or not category.active:
        raise ValidationFailed(_l("Choose a category."), details={"category_id": "required"})
    if new.severity not in states.SEVERITIES:
        raise ValidationFailed(_l("Choose the severity: general, major or critical."),
                               details={"severity": "required"})
    # Optional: the photo and the category say what it is; a report in a stairwell takes taps, not typing.
    description = new.description
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(_l("The description is too long (at most %(n)d characters).",
                                  n=DESCRIPTION_MAX), details={"description": "too_long"})
    photos.check_count(new.photos, required=1, field_name="photos")
    if new.fixed_on_the_spot:
        photos.check_count(new.after_photos, required=1, field_name="after_photos")
    elif new.after_photos:
        raise ValidationFailed(_l("After photos go with \"fixed on the spot\" only."),
                               details={"after_photos": "not_allowed"})
    if not zone.active:
        raise Conflict(_l("This zone (%(name)s) is no longer in use, so hazards cannot be reported there. "
                          "Please tell the logistics office.", name=zone.name),
                       details={"reason": "zone_inactive"})
    return zone, category, description


def report(actor: User, new: Report, *, now: datetime | None = None) -> Outcome:
    """Report a hazard with 1–6 before photos (patrol or supervisor, in an active zone).

    Fixed on the spot (立行立改, with after photos): a general hazard closes at once and counts as fixed, the
    reporter recorded as who fixed it; a major or critical one goes to awaiting_recheck. Otherwise it waits
    in `reported`, or, with AUTO_ASSIGN_TO_RESPONSIBLE, goes straight to the zone's responsible person (the
    report event itself then names the rectifier and the deadline).
    """
    now = now or utcnow()
    client_id = sync.check_client_id(new.client_id)
    visit_client_id = sync.check_client_id(new.visit_client_id) if new.visit_client_id else None
    actor_id = actor.id
    digest = sync.record_digest(new, actor=actor_id)
    repeat = sync.find_repeat(Hazard, client_id, digest)
    if repeat is not None:
        return Outcome(repeat, report_event(repeat), created=False)
    _check_reporter(actor)
    _check_report(new)

    db.session.rollback()  # let other writers in while the photos are decoded and re-encoded
    stored = photos.store([*new.photos, *new.after_photos])
    before, after = stored[:len(new.photos)], stored[len(new.photos):]

    def write() -> Outcome:
        return write_report(actor_id, new, before, after, client_id=client_id, digest=digest,
                            visit_client_id=visit_client_id or _visit_id_for(client_id), now=now)

    result, created = sync.write_once(Hazard, client_id, digest, write, lambda: photos.discard(stored))
    return result if created else Outcome(result, report_event(result), created=False)


def write_report(actor_id: int, new: Report, before: list[photos.Stored], after: list[photos.Stored], *,
                 client_id: str, digest: str, visit_client_id: str, now: datetime) -> Outcome:
    """Write a report (its photos stored) in the open transaction, checked again; the caller commits."""
    reporter = db.session.get(User, actor_id)
    _check_reporter(reporter)
    zone, category, description = _check_report(new)  # again: the zone may have been deactivated
    device_at = new.device_at or now
    target = states.report_state(new.severity, new.fixed_on_the_spot)
    system_facts = replace(states.SYSTEM_FACTS, severity=new.severity)
    hazard = Hazard(zone=zone, category=category, description=description, severity=new.severity,
                    state=target, reporter=reporter, device_reported_at=device_at, received_at=now,
                    updated_at=now, fixed_on_the_spot=new.fixed_on_the_spot, client_id=client_id,
                    content_hash=digest)
    event = HazardEvent(action=states.REPORT, from_state=None, to_state=target, actor_id=reporter.id,
                        at=now, device_at=new.device_at, note="", scanned_at=new.scanned_at,
                        on_site=sync.on_site(zone, new.zone_token, new.scanned_at, device_at))
    if new.fixed_on_the_spot:
        hazard.rectifier = reporter  # who fixed it
        event.rectifier_id = reporter.id
    if target == states.CLOSED:
        hazard.closed_at = now
        hazard.fixed = True
    elif target == states.REPORTED and current_app.config["AUTO_ASSIGN_TO_RESPONSIBLE"] \
            and can_rectify(zone.responsible) \
            and states.ASSIGN in states.allowed_actions(target, system_facts):
        # The server assigns on the school's rule, through the state machine like any other assignment (a
        # major hazard waits in `reported` for its plan: the machine does not let it be assigned without).
        target = hazard.state = event.to_state = states.decide(target, states.ASSIGN, system_facts)
        hazard.rectifier = zone.responsible
        hazard.deadline = event.deadline = default_deadline(category, new.severity, now)
        event.rectifier_id = zone.responsible.id
    hazard.visit = visits.visit_for_report(reporter, zone, visit_client_id, device_at=device_at,
                                           scanned_at=new.scanned_at, zone_token=new.zone_token, now=now)
    db.session.add(hazard)
    db.session.flush()
    event.hazard_id = hazard.id
    db.session.add(event)
    db.session.flush()
    photos.attach(hazard, event, before, BEFORE, actor_id, now)
    photos.attach(hazard, event, after, AFTER, actor_id, now)
    event_recorded.send(hazard, event=event)
    db.session.flush()
    return Outcome(hazard, event, created=True)


def _visit_id_for(client_id: str) -> str:
    # A report sent without its visit's id still makes a visit (coverage counts it), with an id derived from
    # the report's, so a repeat of the report finds the same visit.
    return "report-" + hashlib.sha256(client_id.encode()).hexdigest()[:40]


