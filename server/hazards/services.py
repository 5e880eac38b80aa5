"""The rules for hazards: the only code that assigns Hazard.state, writes events and stores their photos.

Each transition is one function taking the actor, the hazard (or its id) and a Command, as the desk forms,
the JSON API and the field app's outbox all send it. Each one:
1. answers a repeat of a client id already used (same content: the record made before; other content: 409);
2. checks that the actor may see the hazard (404), that the state, the role and the person allow the action
   (states.decide: 409 / 403), that the state is still the one the actor saw (409), and the fields (422);
3. decodes, cleans and stores the photos (server/media) with the database's write lock released, since that
   is the slow part;
4. locks the hazard row, checks again (someone may have acted meanwhile: the loser of two rechecks gets 409),
   changes the hazard, appends the event and its photos, adds the notifications, and commits: all or nothing.
   Photo files written for a transaction that does not commit are deleted.
So these functions COMMIT (they must, to answer a client id that won a race as a repeat); callers don't, and
call them with nothing pending in the session (it is rolled back while the photos are processed).

Deadlines are days: the end of the chosen day in the school's time zone, stored in UTC.
"""

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from server.auth import services as users
from server.auth.models import RECTIFIER, SUPERVISOR, User
from server.database import utcnow
from server.errors import Conflict, Forbidden, InvalidTransition, ServiceError, ValidationFailed
from server.extensions import db
from server.hazards import access, states, sync
from server.hazards.models import AFTER, BEFORE, RECHECK, Category, Hazard, HazardEvent, Photo
from server.media import storage as media_storage
from server.media.images import process_photo
from server.notifications import models as kinds
from server.notifications import services as notices
from server.zones.models import Zone

# -- Words shown to people (Chinese in the catalog) ---------------------------------------------------------

STATE_LABELS = {
    states.REPORTED: _l("Reported"),
    states.ASSIGNED: _l("Being rectified"),
    states.AWAITING_RECHECK: _l("Awaiting recheck"),
    states.CLOSED: _l("Closed"),
    states.INVALID: _l("Invalid"),
}
SEVERITY_LABELS = {
    states.GENERAL: _l("General"),
    states.MAJOR: _l("Major"),
    states.CRITICAL: _l("Critical"),
}
ACTION_LABELS = {
    states.REPORT: _l("Report"),
    states.ASSIGN: _l("Assign"),
    states.SUBMIT: _l("Submit rectification"),
    states.REQUEST_DEFERRAL: _l("Request deferral"),
    states.APPROVE_DEFERRAL: _l("Approve deferral"),
    states.DECLINE_DEFERRAL: _l("Decline deferral"),
    states.PASS: _l("Pass recheck"),
    states.FAIL: _l("Fail recheck"),
    states.INVALIDATE: _l("Invalidate"),
    states.REOPEN: _l("Reopen"),
}
PHOTO_KIND_LABELS = {BEFORE: _l("Before"), AFTER: _l("After"), RECHECK: _l("Recheck")}

DESCRIPTION_MAX = 2000
NOTE_MAX = 2000


# -- What the callers send ----------------------------------------------------------------------------------

@dataclass
class Report:
    """A new hazard as its reporter sends it."""

    client_id: str
    zone_id: int | None
    category_id: int | None
    severity: str
    description: str
    photos: list[bytes] = field(default_factory=list)  # before photos, 1 to MAX_PHOTOS_PER_RECORD
    fixed_on_the_spot: bool = False  # 立行立改: then after_photos are required
    after_photos: list[bytes] = field(default_factory=list)
    device_at: datetime | None = None
    scanned_at: datetime | None = None  # when the zone's QR label was scanned, and which token it held
    zone_token: str | None = None
    visit_client_id: str | None = None  # the patrol visit this report belongs to (made if new)


@dataclass
class Command:
    """An action on an existing hazard: the action and the state the actor saw, never a new state."""

    action: str
    client_id: str
    seen_state: str | None = None  # None skips the check (server-side callers); the API requires it
    note: str = ""
    deadline: date | None = None  # a day in the school's time zone
    rectifier_id: int | None = None
    device_at: datetime | None = None
    scanned_at: datetime | None = None
    zone_token: str | None = None
    photos: list[bytes] = field(default_factory=list)


@dataclass
class Outcome:
    """The hazard after a report or an action, the event made, and whether it was made now."""

    hazard: Hazard
    event: HazardEvent
    created: bool  # False: a repeat of a client id already used, answered with the record made then


# -- Deadlines ----------------------------------------------------------------------------------------------

def school_tz() -> ZoneInfo:
    """Return the school's time zone."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_date(moment: datetime) -> date:
    """Return the calendar day of an aware time in the school's time zone."""
    return moment.astimezone(school_tz()).date()


def start_of_day(day: date) -> datetime:
    """Return the first moment of `day` in the school's time zone, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=school_tz()).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """Return the last second of `day` in the school's time zone, in UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=school_tz()).astimezone(UTC)


def period_days(category: Category, severity: str) -> int:
    """Return the default rectification period: the category's, half for major, one day for critical."""
    days = category.default_period_days or int(current_app.config["DEFAULT_RECTIFICATION_DAYS"])
    if severity == states.CRITICAL:
        return 1
    if severity == states.MAJOR:
        return max(1, math.ceil(days / 2))
    return days


def default_deadline(category: Category, severity: str, now: datetime | None = None) -> datetime:
    """Return the default deadline for a hazard assigned at `now`."""
    now = now or utcnow()
    return end_of_day(local_date(now) + timedelta(days=period_days(category, severity)))


def _deadline_from(day: date, now: datetime) -> datetime:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationFailed(_l("The deadline must be a date (YYYY-MM-DD)."),
                               details={"deadline": "invalid"})
    today = local_date(now)
    if day < today:
        raise ValidationFailed(_l("The deadline cannot be in the past."), details={"deadline": "past"})
    if day > today + timedelta(days=730):
        raise ValidationFailed(_l("The deadline is too far away (at most two years)."),
                               details={"deadline": "too_far"})
    return end_of_day(day)


# -- Refusals -----------------------------------------------------------------------------------------------

def _refusal(exc: states.TransitionRefused, hazard: Hazard | None) -> ServiceError:
    action = ACTION_LABELS.get(exc.action, exc.action)
    state = STATE_LABELS.get(exc.state, exc.state) if exc.state else ""
    details = {"reason": exc.reason, "state": hazard.state if hazard else None}
    if exc.reason == "not_rectifier":
        return Forbidden(_l("Only the rectifier this hazard is assigned to can do this."), details=details)
    if exc.reason == "own_work":
        return Forbidden(_l("You are this hazard's rectifier: someone else must recheck it or decide on "
                            "its deferral."), details=details)
    if exc.reason == "no_deferral":
        return InvalidTransition(_l("There is no deferral request waiting for a decision."), details=details)
    if exc.reason == "deferral_pending":
        return InvalidTransition(_l("A deferral request is already waiting for a decision."), details=details)
    if isinstance(exc, states.RoleRefused):
        return Forbidden(_l("Your role does not allow this action: %(action)s.", action=action),
                         details=details)
    return InvalidTransition(_l("This hazard is %(state)s; it cannot take this action now: %(action)s.",
                                state=state, action=action), details=details)


def _changed(hazard: Hazard) -> InvalidTransition:
    return InvalidTransition(
        _l("This hazard has changed since you saw it (it is now: %(state)s). Reload it and try again.",
           state=STATE_LABELS[hazard.state]),
        details={"reason": "changed", "state": hazard.state})


def facts(actor: User, hazard: Hazard) -> states.Facts:
    """Return what the state machine needs to know about this actor and hazard."""
    return states.Facts(roles=frozenset(actor.roles), actor_is_rectifier=hazard.rectifier_id == actor.id,
                        deferral_pending=hazard.deferral_pending)


def allowed_actions(actor: User, hazard: Hazard) -> list[str]:
    """Return the actions `actor` may take on `hazard` now (the buttons to show)."""
    return states.allowed_actions(hazard.state, facts(actor, hazard))


def _decide(actor: User, hazard: Hazard, action: str, seen_state: str | None) -> str:
    if seen_state is not None and seen_state not in states.STATES:
        raise ValidationFailed(_l("Unknown state: %(state)s", state=seen_state),
                               details={"seen_state": "unknown"})
    try:
        target = states.decide(hazard.state, action, facts(actor, hazard))
    except states.UnknownAction:
        raise ValidationFailed(_l("Unknown action: %(action)s", action=action),
                               details={"action": "unknown"}) from None
    except states.StateRefused as exc:
        if seen_state is not None and seen_state != hazard.state:
            raise _changed(hazard) from None
        raise _refusal(exc, hazard) from None
    except states.RoleRefused as exc:
        raise _refusal(exc, hazard) from None
    # The actor decided on what they saw: if the hazard moved on since, they must look again.
    if seen_state is not None and seen_state != hazard.state:
        raise _changed(hazard)
    return target


# -- Photos -------------------------------------------------------------------------------------------------

def _check_photo_count(photos, *, required: int, field_name: str, allowed: bool = True) -> None:
    most = int(current_app.config["MAX_PHOTOS_PER_RECORD"])
    if not allowed and photos:
        raise ValidationFailed(_l("This action takes no photos."), details={field_name: "not_allowed"})
    if len(photos) < required:
        raise ValidationFailed(_l("Add at least one photo."), details={field_name: "required"})
    if len(photos) > most:
        raise ValidationFailed(_l("At most %(n)d photos per record.", n=most),
                               details={field_name: "too_many"})


@dataclass
class _Stored:
    """A photo written to storage for a record not yet committed."""

    key: str
    thumb_key: str
    sha256: str
    width: int
    height: int
    bytes: int


def _store_photos(photos: list[bytes]) -> list[_Stored]:
    """Clean every photo first (one refused refuses the lot, nothing written), then write them all."""
    processed = [process_photo(data) for data in photos]
    storage = media_storage.get_storage()
    stored: list[_Stored] = []
    try:
        for item in processed:
            key = media_storage.new_key()
            stored.append(_Stored(key, media_storage.thumb_key(key), item.sha256, item.width, item.height,
                                  len(item.jpeg)))
            storage.put(stored[-1].thumb_key, item.thumb)
            storage.put(key, item.jpeg)
    except BaseException:
        _discard(stored)
        raise
    return stored


def _discard(stored: list[_Stored]) -> None:
    """Delete photo files whose records were not committed."""
    if not stored:
        return
    storage = media_storage.get_storage()
    for item in stored:
        for key in (item.key, item.thumb_key):
            try:
                storage.delete(key)
            except OSError:  # left behind: harmless (no row names it), but worth a line in the log
                current_app.logger.warning("could not delete photo file %s", key)


def _add_photos(hazard: Hazard, event: HazardEvent, stored: list[_Stored], kind: str, by: User,
                now: datetime) -> None:
    for item in stored:
        db.session.add(Photo(hazard_id=hazard.id, event_id=event.id, kind=kind, key=item.key,
                             thumb_key=item.thumb_key, sha256=item.sha256, width=item.width,
                             height=item.height, bytes=item.bytes, uploaded_by_id=by.id, created_at=now))


# -- People -------------------------------------------------------------------------------------------------

def can_rectify(user: User | None) -> bool:
    """Say whether a user can be given a hazard to rectify: active and holding the rectifier role."""
    return user is not None and user.active and RECTIFIER in user.roles


def default_rectifier(hazard: Hazard) -> User | None:
    """Return who a hazard goes to by default: its last rectifier if still able, else the zone's 责任人."""
    for person in (hazard.rectifier, hazard.zone.responsible):
        if can_rectify(person):
            return person
    return None


def _choose_rectifier(rectifier_id, fallback: User | None) -> User:
    if rectifier_id is not None:
        person = db.session.get(User, rectifier_id) if isinstance(rectifier_id, int) else None
        if not can_rectify(person):
            raise ValidationFailed(_l("The chosen person is not an active rectifier."),
                                   details={"rectifier_id": "not_rectifier"})
        return person
    if fallback is None:
        raise ValidationFailed(_l("Choose a rectifier: the zone has no responsible person who can rectify."),
                               details={"rectifier_id": "required"})
    return fallback


def _supervisors() -> list[User]:
    return users.users_with_role(SUPERVISOR)


def _note(command: Command, *, required: bool, message=None) -> str:
    note = (command.note or "").strip()
    if required and not note:
        raise ValidationFailed(message or _l("A note is required for this action."),
                               details={"note": "required"})
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_l("The note is too long (at most %(n)d characters).", n=NOTE_MAX),
                               details={"note": "too_long"})
    return note


# -- The actions --------------------------------------------------------------------------------------------

@dataclass
class _Step:
    """One action under way: who, on what, the command, and what the checks worked out."""

    actor: User
    hazard: Hazard
    command: Command
    now: datetime
    target: str
    note: str = ""
    deadline: datetime | None = None
    rectifier: User | None = None
    event: HazardEvent | None = None
    notices: list = field(default_factory=list)  # (recipients, kind), sent once the event has its id

    def notify(self, recipients, kind: str) -> None:
        """Announce this action to the recipients (the actor excluded), once the event is written."""
        self.notices.append((recipients, kind))


def _check_assign(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command, required=False)
    current = hazard.rectifier if hazard.state == states.ASSIGNED else None
    step.rectifier = _choose_rectifier(command.rectifier_id,
                                       current if can_rectify(current) else default_rectifier(hazard))
    if command.deadline is not None:
        step.deadline = _deadline_from(command.deadline, step.now)
    elif hazard.state == states.ASSIGNED:
        step.deadline = hazard.deadline
    else:
        step.deadline = default_deadline(hazard.category, hazard.severity, step.now)
    if hazard.state == states.ASSIGNED and step.rectifier.id == hazard.rectifier_id \
            and step.deadline == hazard.deadline:
        raise ValidationFailed(_l("Choose a different rectifier or deadline."),
                               details={"rectifier_id": "same"})


def _apply_assign(step: _Step) -> None:
    _set_assignee(step)
    # A pending deferral request is answered by the new assignment (its request stays in the history).
    _clear_deferral(step.hazard)
    step.notify([step.rectifier], kinds.ASSIGNED)


def _check_submit(step: _Step) -> None:
    step.note = _note(step.command, required=False)


def _apply_submit(step: _Step) -> None:
    _clear_deferral(step.hazard)  # the work is done: a pending request is moot
    step.notify(_supervisors(), kinds.SUBMITTED)


def _check_request_deferral(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command, required=True, message=_l("Say why the deadline cannot be met."))
    if command.deadline is None:
        raise ValidationFailed(_l("Propose a new deadline."), details={"deadline": "required"})
    step.deadline = _deadline_from(command.deadline, step.now)
    if hazard.deadline is not None and step.deadline <= hazard.deadline:
        raise ValidationFailed(_l("The proposed deadline must be later than the current one."),
                               details={"deadline": "not_later"})


def _apply_request_deferral(step: _Step) -> None:
    hazard = step.hazard
    hazard.deferral_reason = step.note
    hazard.deferral_deadline = step.deadline
    hazard.deferral_requested_at = step.now
    hazard.deferral_requested_by_id = step.actor.id
    step.event.deadline = step.deadline
    step.notify(_supervisors(), kinds.DEFERRAL_REQUESTED)


def _check_decide_deferral(step: _Step) -> None:
    step.note = _note(step.command, required=False)
    if step.command.action == states.APPROVE_DEFERRAL:
        step.deadline = (_deadline_from(step.command.deadline, step.now) if step.command.deadline is not None
                         else step.hazard.deferral_deadline)
    elif step.command.deadline is not None:
        raise ValidationFailed(_l("Declining keeps the current deadline; leave the date empty."),
                               details={"deadline": "not_allowed"})


def _apply_decide_deferral(step: _Step) -> None:
    hazard = step.hazard
    requester = hazard.deferral_requested_by_id
    if step.command.action == states.APPROVE_DEFERRAL:
        hazard.deadline = step.deadline
        step.event.deadline = step.deadline
    _clear_deferral(hazard)
    step.notify([requester], kinds.DEFERRAL_DECIDED)


def _check_pass(step: _Step) -> None:
    step.note = _note(step.command, required=False)


def _apply_pass(step: _Step) -> None:
    hazard = step.hazard
    hazard.closed_at = step.now
    hazard.fixed = True  # closed by a passed recheck: it counts as fixed
    step.notify([hazard.rectifier_id, hazard.reporter_id], kinds.RECHECK_PASSED)


def _check_fail(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command, required=True, message=_l("Say what is still wrong."))
    step.rectifier = _choose_rectifier(command.rectifier_id, default_rectifier(hazard))
    if command.deadline is not None:
        step.deadline = _deadline_from(command.deadline, step.now)
    else:  # the rectification was due then and is still not done: the deadline stands unless one is given
        step.deadline = hazard.deadline or default_deadline(hazard.category, hazard.severity, step.now)


def _apply_fail(step: _Step) -> None:
    _set_assignee(step)
    step.notify([step.rectifier, step.hazard.reporter_id], kinds.RECHECK_FAILED)


def _check_invalidate(step: _Step) -> None:
    step.note = _note(step.command, required=True,
                      message=_l("Give the reason (a duplicate, not a hazard, not ours …)."))
    if step.command.deadline is not None or step.command.rectifier_id is not None:
        raise ValidationFailed(_l("Invalidating takes only a reason."), details={"deadline": "not_allowed"})


def _apply_invalidate(step: _Step) -> None:
    hazard = step.hazard
    hazard.closed_at = step.now
    hazard.fixed = False  # closed without a fix: never counts as fixed
    _clear_deferral(hazard)


def _check_reopen(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command, required=True, message=_l("Say why the hazard is reopened."))
    step.rectifier = _choose_rectifier(command.rectifier_id, default_rectifier(hazard))
    step.deadline = (_deadline_from(command.deadline, step.now) if command.deadline is not None
                     else default_deadline(hazard.category, hazard.severity, step.now))


def _apply_reopen(step: _Step) -> None:
    hazard = step.hazard
    hazard.closed_at = None
    hazard.fixed = False
    _set_assignee(step)
    step.notify([step.rectifier], kinds.ASSIGNED)


def _set_assignee(step: _Step) -> None:
    step.hazard.rectifier = step.rectifier
    step.hazard.deadline = step.deadline
    step.event.rectifier_id = step.rectifier.id
    step.event.deadline = step.deadline


def _clear_deferral(hazard: Hazard) -> None:
    hazard.deferral_reason = None
    hazard.deferral_deadline = None
    hazard.deferral_requested_at = None
    hazard.deferral_requested_by_id = None


def _event_key(event: HazardEvent) -> str:
    return f"event:{event.id}"


@dataclass(frozen=True)
class _Rule:
    check: Callable[[_Step], None]
    apply: Callable[[_Step], None]
    photo_kind: str | None = None  # the kind of photos the action takes, if any
    photos_required: int = 0


_RULES = {
    states.ASSIGN: _Rule(_check_assign, _apply_assign),
    states.SUBMIT: _Rule(_check_submit, _apply_submit, AFTER, 1),
    states.REQUEST_DEFERRAL: _Rule(_check_request_deferral, _apply_request_deferral),
    states.APPROVE_DEFERRAL: _Rule(_check_decide_deferral, _apply_decide_deferral),
    states.DECLINE_DEFERRAL: _Rule(_check_decide_deferral, _apply_decide_deferral),
    states.PASS: _Rule(_check_pass, _apply_pass, RECHECK, 0),
    states.FAIL: _Rule(_check_fail, _apply_fail, RECHECK, 0),
    states.INVALIDATE: _Rule(_check_invalidate, _apply_invalidate),
    states.REOPEN: _Rule(_check_reopen, _apply_reopen),
}


def _command_digest(actor_id: int, hazard_id: int, command: Command) -> str:
    return sync.content_hash({
        "actor": actor_id, "hazard": hazard_id, "action": command.action, "seen_state": command.seen_state,
        "note": (command.note or "").strip(), "deadline": command.deadline,
        "rectifier_id": command.rectifier_id,
        "device_at": command.device_at, "scanned_at": command.scanned_at, "zone_token": command.zone_token,
        "photos": sync.photo_digests(command.photos),
    })


def _hazard_id(hazard) -> int:
    return hazard.id if isinstance(hazard, Hazard) else hazard


def _prepare(actor: User, hazard_id, command: Command, now: datetime, *, lock: bool) -> _Step:
    hazard = access.get_hazard_for(actor, hazard_id, lock=lock)
    target = _decide(actor, hazard, command.action, command.seen_state)
    step = _Step(actor=actor, hazard=hazard, command=command, now=now, target=target)
    _RULES[command.action].check(step)
    return step


def _act(actor: User, hazard, command: Command, action: str, now: datetime | None) -> Outcome:
    """Run one action through the steps described at the top of this module."""
    if command.action != action:
        raise ValidationFailed(_l("Unknown action: %(action)s", action=command.action),
                               details={"action": "unknown"})
    now = now or utcnow()
    client_id = sync.check_client_id(command.client_id)
    hazard_id, actor_id = _hazard_id(hazard), actor.id
    digest = _command_digest(actor_id, hazard_id, command)
    repeat = sync.find_repeat(HazardEvent, client_id, digest)
    if repeat is not None:
        return Outcome(repeat.hazard, repeat, created=False)
    rule = _RULES[action]
    _prepare(actor, hazard_id, command, now, lock=False)  # refuse early (404, 403, 409, 422), before photos
    _check_photo_count(command.photos, required=rule.photos_required, field_name="photos",
                       allowed=rule.photo_kind is not None)

    stored: list[_Stored] = []
    if command.photos:
        db.session.rollback()  # let other writers in while the photos are decoded and re-encoded
        stored = _store_photos(command.photos)

    def write() -> Outcome:
        actor_now = db.session.get(User, actor_id)
        step = _prepare(actor_now, hazard_id, command, now, lock=True)  # again: someone may have acted
        hazard = step.hazard
        step.event = HazardEvent(
            hazard_id=hazard.id, action=action, from_state=hazard.state, to_state=step.target,
            actor_id=actor_now.id, at=now, device_at=command.device_at, note=step.note,
            on_site=sync.on_site(hazard.zone, command.zone_token, command.scanned_at,
                                 command.device_at or now),
            scanned_at=command.scanned_at, client_id=client_id, content_hash=digest)
        with db.session.no_autoflush:  # the CHECK constraints hold once the whole change is made
            hazard.state = step.target  # the one place a hazard's state changes (with report())
            hazard.updated_at = now
            rule.apply(step)
        db.session.add(step.event)
        db.session.flush()  # written once, never changed: its id names its photos and notices
        _add_photos(hazard, step.event, stored, rule.photo_kind or AFTER, actor_now, now)
        for recipients, kind in step.notices:
            notices.notify(recipients, hazard, kind, _event_key(step.event), exclude=actor_now)
        db.session.flush()
        return Outcome(hazard, step.event, created=True)

    result, created = sync.write_once(HazardEvent, client_id, digest, write, lambda: _discard(stored))
    return result if created else Outcome(result.hazard, result, created=False)


def assign(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Assign a rectifier and a deadline, or reassign: reported|assigned → assigned (supervisor).

    Defaults: the zone's responsible person (or, on reassignment, the current rectifier) and the category's
    period, shorter for higher severity. A pending deferral request is answered by the new assignment.
    """
    return _act(actor, hazard, command, states.ASSIGN, now)


def submit_rectification(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Submit the rectification with 1–6 after photos: assigned → awaiting_recheck (the assignee only)."""
    return _act(actor, hazard, command, states.SUBMIT, now)


def request_deferral(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Ask for a later deadline with a reason (延期说明): the assignee, while no request is pending."""
    return _act(actor, hazard, command, states.REQUEST_DEFERRAL, now)


def decide_deferral(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Approve (the proposed or a given date becomes the deadline) or decline a pending deferral request."""
    if command.action not in (states.APPROVE_DEFERRAL, states.DECLINE_DEFERRAL):
        raise ValidationFailed(_l("Unknown action: %(action)s", action=command.action),
                               details={"action": "unknown"})
    return _act(actor, hazard, command, command.action, now)


def recheck_pass(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Pass the recheck: awaiting_recheck → closed, fixed (a supervisor who is not the rectifier)."""
    return _act(actor, hazard, command, states.PASS, now)


def recheck_fail(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Fail the recheck with a note: awaiting_recheck → assigned; the deadline stands unless one is given."""
    return _act(actor, hazard, command, states.FAIL, now)


def invalidate(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Close a hazard without a fix, with a reason: reported|assigned → invalid (never counts as fixed)."""
    return _act(actor, hazard, command, states.INVALIDATE, now)


def reopen(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Bring a closed hazard back with a reason: closed → assigned, to the last rectifier by default."""
    return _act(actor, hazard, command, states.REOPEN, now)


TRANSITIONS: dict[str, Callable[..., Outcome]] = {
    states.ASSIGN: assign,
    states.SUBMIT: submit_rectification,
    states.REQUEST_DEFERRAL: request_deferral,
    states.APPROVE_DEFERRAL: decide_deferral,
    states.DECLINE_DEFERRAL: decide_deferral,
    states.PASS: recheck_pass,
    states.FAIL: recheck_fail,
    states.INVALIDATE: invalidate,
    states.REOPEN: reopen,
}


def perform(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Run the transition function named by command.action (what the API and the outbox send)."""
    function = TRANSITIONS.get(command.action)
    if function is None:
        raise ValidationFailed(_l("Unknown action: %(action)s", action=command.action),
                               details={"action": "unknown"})
    return function(actor, hazard, command, now=now)


# -- Reporting ----------------------------------------------------------------------------------------------

def _report_digest(actor_id: int, new: Report) -> str:
    return sync.content_hash({
        "actor": actor_id, "zone_id": new.zone_id, "category_id": new.category_id, "severity": new.severity,
        "description": (new.description or "").strip(), "fixed_on_the_spot": bool(new.fixed_on_the_spot),
        "device_at": new.device_at, "scanned_at": new.scanned_at, "zone_token": new.zone_token,
        "visit_client_id": new.visit_client_id, "photos": sync.photo_digests(new.photos),
        "after_photos": sync.photo_digests(new.after_photos),
    })


def _check_reporter(actor: User) -> None:
    try:
        states.check_report(actor.roles)
    except states.RoleRefused:
        raise Forbidden(_l("Your role does not allow this action: %(action)s.",
                           action=ACTION_LABELS[states.REPORT]), details={"reason": "role"}) from None


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
    description = (new.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(_l("The description is too long (at most %(n)d characters).",
                                  n=DESCRIPTION_MAX), details={"description": "too_long"})
    _check_photo_count(new.photos, required=1, field_name="photos")
    if new.fixed_on_the_spot:
        _check_photo_count(new.after_photos, required=1, field_name="after_photos")
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
    from server.patrols import services as visits

    now = now or utcnow()
    client_id = sync.check_client_id(new.client_id)
    visit_client_id = sync.check_client_id(new.visit_client_id) if new.visit_client_id else None
    actor_id = actor.id
    digest = _report_digest(actor_id, new)
    repeat = sync.find_repeat(Hazard, client_id, digest)
    if repeat is not None:
        return Outcome(repeat, report_event(repeat), created=False)
    _check_reporter(actor)
    _check_report(new)

    db.session.rollback()  # let other writers in while the photos are decoded and re-encoded
    stored = _store_photos([*new.photos, *new.after_photos])
    before, after = stored[:len(new.photos)], stored[len(new.photos):]

    def write() -> Outcome:
        reporter = db.session.get(User, actor_id)
        _check_reporter(reporter)
        zone, category, description = _check_report(new)  # again: the zone may have been deactivated
        device_at = new.device_at or now
        target = states.report_state(new.severity, bool(new.fixed_on_the_spot))
        hazard = Hazard(zone=zone, category=category, description=description, severity=new.severity,
                        state=target, reporter=reporter, device_reported_at=device_at, received_at=now,
                        updated_at=now, fixed_on_the_spot=bool(new.fixed_on_the_spot), client_id=client_id,
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
                and can_rectify(zone.responsible):
            target = hazard.state = event.to_state = states.ASSIGNED
            hazard.rectifier = zone.responsible
            hazard.deadline = event.deadline = default_deadline(category, new.severity, now)
            event.rectifier_id = zone.responsible.id
        hazard.visit = visits.visit_for_report(
            reporter, zone, visit_client_id or _visit_id_for(client_id), device_at=device_at,
            scanned_at=new.scanned_at, zone_token=new.zone_token, now=now)
        db.session.add(hazard)
        db.session.flush()
        event.hazard_id = hazard.id
        db.session.add(event)
        db.session.flush()
        _add_photos(hazard, event, before, BEFORE, reporter, now)
        _add_photos(hazard, event, after, AFTER, reporter, now)
        if target == states.AWAITING_RECHECK:
            notices.notify(_supervisors(), hazard, kinds.SUBMITTED, _event_key(event), exclude=reporter)
        elif target == states.ASSIGNED:
            notices.notify([hazard.rectifier], hazard, kinds.ASSIGNED, _event_key(event), exclude=reporter)
        db.session.flush()
        return Outcome(hazard, event, created=True)

    result, created = sync.write_once(Hazard, client_id, digest, write, lambda: _discard(stored))
    return result if created else Outcome(result, report_event(result), created=False)


def _visit_id_for(client_id: str) -> str:
    # A report sent without its visit's id still makes a visit (coverage counts it), with an id derived from
    # the report's, so a repeat of the report finds the same visit.
    return "report-" + hashlib.sha256(client_id.encode()).hexdigest()[:40]


# -- Reading ------------------------------------------------------------------------------------------------

def report_event(hazard: Hazard) -> HazardEvent:
    """Return the event that made the hazard."""
    return db.session.scalar(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id,
                                                       HazardEvent.action == states.REPORT))


def timeline(hazard: Hazard) -> list[HazardEvent]:
    """Return the hazard's events, oldest first."""
    return list(db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                                   .order_by(HazardEvent.at, HazardEvent.id)))


def photos_of(hazard: Hazard) -> list[Photo]:
    """Return the hazard's photos in the order they were taken."""
    return list(db.session.scalars(select(Photo).where(Photo.hazard_id == hazard.id).order_by(Photo.id)))


def list_hazards(user: User, *, state=None, zone_id: int | None = None, mine: bool = False,
                 overdue: bool | None = None, deferral_pending: bool | None = None, limit: int = 100,
                 offset: int = 0, now: datetime | None = None, building: str | None = None,
                 category_id: int | None = None, severity: str | None = None, rectifier_id: int | None = None,
                 text: str | None = None, closed_since: datetime | None = None) -> tuple[list[Hazard], int]:
    """Return the hazards `user` may see, filtered, overdue first then by deadline; and how many match.

    `state`: one state or several; `mine`: reported by or assigned to the user; `overdue` and
    `deferral_pending`: True for only those, False for only the others, None for both; `text`: words in the
    description or the zone's name or code; `closed_since`: closed (or invalidated) at or after that time.
    """
    now = now or utcnow()
    query = access.visible_hazards(user, zone_id=zone_id)
    if state:
        wanted = [state] if isinstance(state, str) else list(state)
        unknown = set(wanted) - set(states.STATES)
        if unknown:
            raise ValidationFailed(_l("Unknown state: %(state)s", state=", ".join(sorted(unknown))),
                                   details={"state": "unknown"})
        query = query.where(Hazard.state.in_(wanted))
    if zone_id is not None:
        query = query.where(Hazard.zone_id == zone_id)
    if mine:
        query = query.where(or_(Hazard.reporter_id == user.id, Hazard.rectifier_id == user.id))
    if overdue is True:
        query = query.where(Hazard.overdue_at(now))
    elif overdue is False:
        query = query.where(~Hazard.overdue_at(now))
    if deferral_pending is not None:
        pending = Hazard.deferral_requested_at.is_not(None)
        query = query.where(pending if deferral_pending else ~pending)
    if severity:
        if severity not in states.SEVERITIES:
            raise ValidationFailed(_l("Choose the severity: general, major or critical."),
                                   details={"severity": "unknown"})
        query = query.where(Hazard.severity == severity)
    if category_id is not None:
        query = query.where(Hazard.category_id == category_id)
    if rectifier_id is not None:
        query = query.where(Hazard.rectifier_id == rectifier_id)
    if building:
        query = query.where(Hazard.zone_id.in_(select(Zone.id).where(Zone.building == building)))
    if text and text.strip():
        words = text.strip()
        in_zone = select(Zone.id).where(or_(Zone.name.icontains(words, autoescape=True),
                                            Zone.code.icontains(words, autoescape=True)))
        query = query.where(or_(Hazard.description.icontains(words, autoescape=True),
                                Hazard.zone_id.in_(in_zone)))
    if closed_since is not None:
        query = query.where(Hazard.closed_at >= closed_since)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(*Hazard.urgency_order(now)).limit(limit).offset(offset))
    return list(rows.unique()), total


def my_tasks(user: User, *, now: datetime | None = None) -> list[Hazard]:
    """Return the hazards assigned to `user` to rectify, overdue first, then by deadline."""
    query = (access.visible_hazards(user)
             .where(Hazard.state == states.ASSIGNED, Hazard.rectifier_id == user.id)
             .order_by(*Hazard.urgency_order(now)))
    return list(db.session.scalars(query).unique())


def rechecks_for(user: User, *, now: datetime | None = None) -> list[Hazard]:
    """Return the hazards awaiting a recheck that `user` may make (not their own work), oldest first."""
    if SUPERVISOR not in user.roles:
        return []
    query = (access.visible_hazards(user)
             .where(Hazard.state == states.AWAITING_RECHECK,
                    or_(Hazard.rectifier_id.is_(None), Hazard.rectifier_id != user.id))
             .order_by(Hazard.updated_at, Hazard.id))
    return list(db.session.scalars(query).unique())


def zone_hazards(user: User, zone_id: int, *, open_only: bool = True,
                 now: datetime | None = None) -> list[Hazard]:
    """Return the hazards of a zone `user` may see (the open ones by default), most urgent first."""
    query = access.visible_hazards(user, zone_id=zone_id).where(Hazard.zone_id == zone_id)
    if open_only:
        query = query.where(Hazard.state.in_(states.OPEN_STATES))
    return list(db.session.scalars(query.order_by(*Hazard.urgency_order(now))).unique())


def month_start(now: datetime | None = None) -> datetime:
    """Return the first moment of the current month in the school's time zone, in UTC."""
    return start_of_day(local_date(now or utcnow()).replace(day=1))


def overdue_days(hazard: Hazard, now: datetime | None = None) -> int:
    """Return for how many days (school calendar days) the hazard is overdue; 0 when it is not."""
    now = now or utcnow()
    if not hazard.is_overdue(now):
        return 0
    return max(1, (local_date(now) - local_date(hazard.deadline)).days)


def hazard_counts(user: User, *, now: datetime | None = None) -> dict[str, int]:
    """Return the figures at the top of the hazard list, over the hazards `user` may see."""
    now = now or utcnow()

    def count(**filters) -> int:
        return list_hazards(user, limit=1, now=now, **filters)[1]

    return {
        states.REPORTED: count(state=states.REPORTED),
        states.ASSIGNED: count(state=states.ASSIGNED),
        "overdue": count(overdue=True),
        states.AWAITING_RECHECK: count(state=states.AWAITING_RECHECK),
        "closed_this_month": count(state=states.CLOSED, closed_since=month_start(now)),
        "deferrals": count(state=states.ASSIGNED, deferral_pending=True),
    }


def form_defaults(hazard: Hazard, action: str, *,
                  now: datetime | None = None) -> tuple[User | None, date | None]:
    """Return the rectifier and deadline day a form for `action` starts with: what the action does unasked.

    Assigning a new report or reopening: the default rectifier and the category's period. Reassigning: the
    current rectifier and deadline. Failing a recheck: the current rectifier, and no date (the deadline
    stands). Approving a deferral: the proposed date.
    """
    if action == states.ASSIGN and hazard.state == states.ASSIGNED:
        current = hazard.rectifier if can_rectify(hazard.rectifier) else default_rectifier(hazard)
        return current, local_date(hazard.deadline) if hazard.deadline else None
    if action in (states.ASSIGN, states.REOPEN):
        return default_rectifier(hazard), local_date(default_deadline(hazard.category, hazard.severity, now))
    if action == states.FAIL:
        return default_rectifier(hazard), None
    if action == states.APPROVE_DEFERRAL and hazard.deferral_deadline is not None:
        return None, local_date(hazard.deferral_deadline)
    return None, None


def photos_by_hazard(hazard_ids) -> dict[int, list[Photo]]:
    """Return the photos of several hazards (one query), per hazard id, in the order they were taken."""
    found: dict[int, list[Photo]] = {hazard_id: [] for hazard_id in hazard_ids}
    if found:
        for photo in db.session.scalars(select(Photo).where(Photo.hazard_id.in_(list(found)))
                                        .order_by(Photo.id)):
            found[photo.hazard_id].append(photo)
    return found


def count_overdue(*, rectifier_id: int | None = None, now: datetime | None = None) -> int:
    """Return how many hazards are overdue now (for one rectifier, or in all)."""
    query = select(func.count(Hazard.id)).where(Hazard.overdue_at(now or utcnow()))
    if rectifier_id is not None:
        query = query.where(Hazard.rectifier_id == rectifier_id)
    return db.session.scalar(query)
