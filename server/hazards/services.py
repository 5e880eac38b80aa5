"""The hazard action engine: with reporting.py (which makes a hazard), the only code that assigns Hazard.state
and writes its events.

Each transition is one function taking the actor, the hazard (or its id) and a Command, as the desk forms,
the JSON API and the field app's outbox all send it. Each one:
1. answers a repeat of a client id already used (same content: the record made before; other content: 409);
2. checks that the actor may see the hazard (404), that the state, the role and the person allow the action
   (states.decide: 409 / 403), that the state is still the one the actor saw (409), and the fields (422);
3. decodes, cleans and stores the photos (hazards/photos.py) with the database's write lock released, since
   that is the slow part;
4. locks the hazard row, checks again (someone may have acted meanwhile: the loser of two rechecks gets 409),
   changes the hazard, appends the event and its photos, sends `signals.event_recorded` (notifications
   subscribe to it), and commits: all or nothing. Photo files written for a transaction that does not commit
   are deleted.

Transactions (the rule for every domain, README "Code layout"): a service that writes records made on a
device commits (it must, to answer a client id that won a race as a repeat); callers don't, and call it with
nothing pending in the session. Reads are in queries.py, deadlines in deadlines.py, words in wording.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from server import schooltime, sync
from server.auth.models import User
from server.database import utcnow
from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.hazards import access, photos, states, wording
from server.hazards.deadlines import deadline_from, default_deadline
from server.hazards.models import AFTER, RECHECK, Hazard, HazardEvent, HazardPlan
from server.hazards.queries import can_rectify, default_rectifier
from server.hazards.schemas import FUNDING_MAX, NOTE_MAX, RESPONSIBLE_MAX
from server.hazards.signals import event_recorded

# -- What the callers send ----------------------------------------------------------------------------------

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
    photos: list[bytes] = sync.photo_field()
    interim_kind: str | None = None  # interim_control: what was put in place (states.INTERIM_KINDS)
    # plan: the five in place (措施、资金、责任人、时限、应急措施)
    measures: str = ""
    funding: str = ""
    responsible: str = ""
    time_limit: date | None = None
    emergency_measures: str = ""

    def __post_init__(self):
        self.note = (self.note or "").strip()
        for name in ("measures", "funding", "responsible", "emergency_measures"):
            setattr(self, name, (getattr(self, name) or "").strip())


@dataclass
class Outcome:
    """The hazard after a report or an action, the event made, and whether it was made now."""

    hazard: Hazard
    event: HazardEvent
    created: bool  # False: a repeat of a client id already used, answered with the record made then


# -- Checks ---------------------------------------------------------------------------------------------

def facts(actor: User, hazard: Hazard) -> states.Facts:
    """Return what the state machine needs to know about this actor and hazard."""
    return states.Facts(roles=frozenset(actor.roles), actor_is_rectifier=hazard.rectifier_id == actor.id,
                        deferral_pending=hazard.deferral_pending, severity=hazard.severity,
                        has_plan=hazard.planned_at is not None)


def allowed_actions(actor: User, hazard: Hazard, memo: dict | None = None) -> list[str]:
    """Return the actions `actor` may take on `hazard` now (the buttons to show).

    `memo`: a dict kept for a whole list, so that hazards alike (same state and facts) are decided once.
    """
    key = (hazard.state, facts(actor, hazard))
    if memo is None:
        return states.allowed_actions(*key)
    if key not in memo:
        memo[key] = states.allowed_actions(*key)
    return memo[key]


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
            raise wording.changed(hazard.state) from None
        raise wording.refusal(exc, hazard.state) from None
    except (states.RoleRefused, states.PrerequisiteRefused) as exc:
        raise wording.refusal(exc, hazard.state) from None
    # The actor decided on what they saw: if the hazard moved on since, they must look again. An interim
    # control does not depend on the state (only on the hazard being open): a cordon put up while the phone
    # was offline stands whether or not the hazard was assigned meanwhile.
    if seen_state is not None and seen_state != hazard.state and action != states.INTERIM_CONTROL:
        raise wording.changed(hazard.state)
    return target


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


# What to say when a required note is missing (which actions require one: states.REQUIRED_FIELDS).
_NOTE_PROMPTS = {
    states.REQUEST_DEFERRAL: _l("Say why the deadline cannot be met."),
    states.FAIL: _l("Say what is still wrong."),
    states.DECLINE_DEFERRAL: _l("Say why the deadline stands: the rectifier is told."),
    states.INVALIDATE: _l("Give the reason (a duplicate, not a hazard, not ours …)."),
    states.REOPEN: _l("Say why the hazard is reopened."),
}


def _note(command: Command) -> str:
    note = command.note
    if not note and "note" in states.REQUIRED_FIELDS[command.action]:
        raise ValidationFailed(_NOTE_PROMPTS.get(command.action, _l("A note is required for this action.")),
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


def _check_assign(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command)
    current = hazard.rectifier if hazard.state == states.ASSIGNED else None
    step.rectifier = _choose_rectifier(command.rectifier_id,
                                       current if can_rectify(current) else default_rectifier(hazard))
    if command.deadline is not None:
        step.deadline = deadline_from(command.deadline, step.now)
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


_PLAN_PROMPTS = {
    "measures": _l("Write the rectification measures."),
    "funding": _l("Write the funding (an amount, or where it comes from)."),
    "responsible": _l("Name the person responsible for the rectification."),
    "time_limit": _l("Choose the time limit of the rectification."),
    "emergency_measures": _l("Write the emergency measures taken until it is rectified."),
}
_PLAN_LIMITS = {"measures": NOTE_MAX, "funding": FUNDING_MAX, "responsible": RESPONSIBLE_MAX,
                "emergency_measures": NOTE_MAX}


def _check_plan(step: _Step) -> None:
    command = step.command
    step.note = _note(command)
    for name, prompt in _PLAN_PROMPTS.items():  # each of the five, in the plan's order (五到位)
        if not getattr(command, name):
            raise ValidationFailed(prompt, details={name: "required"})
        if name in _PLAN_LIMITS and len(getattr(command, name)) > _PLAN_LIMITS[name]:
            raise ValidationFailed(_l("Too long (at most %(n)d characters).", n=_PLAN_LIMITS[name]),
                                   details={name: "too_long"})
    if command.time_limit < schooltime.local_date(step.now):
        raise ValidationFailed(_l("The time limit cannot be in the past."), details={"time_limit": "past"})
    _only_own_fields(command, tuple(_PLAN_PROMPTS))


def _apply_plan(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    last = db.session.scalar(select(func.max(HazardPlan.version)).where(HazardPlan.hazard_id == hazard.id))
    db.session.add(HazardPlan(
        hazard_id=hazard.id, event=step.event, version=(last or 0) + 1, measures=command.measures,
        funding=command.funding, responsible=command.responsible, time_limit=command.time_limit,
        emergency_measures=command.emergency_measures, recorded_by_id=step.actor.id, recorded_at=step.now))
    hazard.planned_at = step.now


def _check_interim_control(step: _Step) -> None:
    command = step.command
    step.note = _note(command)
    if command.interim_kind not in states.INTERIM_KINDS:
        raise ValidationFailed(_l("Choose what was done to keep people safe (cordoned off, a warning "
                                  "sign …)."), details={"interim_kind": "required"})
    if command.interim_kind == states.OTHER and not step.note:
        raise ValidationFailed(_l("Say what was done."), details={"note": "required"})
    _only_own_fields(command, ("interim_kind",))


def _apply_interim_control(step: _Step) -> None:
    step.event.interim_kind = step.command.interim_kind


# The fields only a plan or an interim control takes: sent with the other, they would be lost, so refused.
_OWN_FIELDS = ("interim_kind", *_PLAN_PROMPTS)


def _only_own_fields(command: Command, own: tuple[str, ...]) -> None:
    if command.deadline is not None or command.rectifier_id is not None:
        raise ValidationFailed(_l("This action takes no deadline and no rectifier."),
                               details={"deadline": "not_allowed"})
    extra = [name for name in _OWN_FIELDS if name not in own and getattr(command, name)]
    if extra:
        raise ValidationFailed(_l("This action does not take: %(fields)s.", fields=", ".join(extra)),
                               details={extra[0]: "not_allowed"})


def _check_submit(step: _Step) -> None:
    step.note = _note(step.command)


def _apply_submit(step: _Step) -> None:
    _clear_deferral(step.hazard)  # the work is done: a pending request is moot


def _check_request_deferral(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command)
    if command.deadline is None:  # required (states.REQUIRED_FIELDS): the request is for a new date
        raise ValidationFailed(_l("Propose a new deadline."), details={"deadline": "required"})
    step.deadline = deadline_from(command.deadline, step.now)
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


def _check_decide_deferral(step: _Step) -> None:
    step.note = _note(step.command)
    if step.command.action == states.APPROVE_DEFERRAL:
        step.deadline = (deadline_from(step.command.deadline, step.now) if step.command.deadline is not None
                         else step.hazard.deferral_deadline)
    elif step.command.deadline is not None:
        raise ValidationFailed(_l("Declining keeps the current deadline; leave the date empty."),
                               details={"deadline": "not_allowed"})


def _apply_decide_deferral(step: _Step) -> None:
    hazard = step.hazard
    if step.command.action == states.APPROVE_DEFERRAL:
        hazard.deadline = step.deadline
        step.event.deadline = step.deadline
    _clear_deferral(hazard)


def _check_pass(step: _Step) -> None:
    step.note = _note(step.command)


def _apply_pass(step: _Step) -> None:
    hazard = step.hazard
    hazard.closed_at = step.now
    hazard.fixed = True  # closed by a passed recheck: it counts as fixed


def _check_fail(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command)
    step.rectifier = _choose_rectifier(command.rectifier_id, default_rectifier(hazard))
    if command.deadline is not None:
        step.deadline = deadline_from(command.deadline, step.now)
    else:  # the rectification was due then and is still not done: the deadline stands unless one is given
        step.deadline = hazard.deadline or default_deadline(hazard.category, hazard.severity, step.now)


def _apply_fail(step: _Step) -> None:
    _set_assignee(step)


def _check_invalidate(step: _Step) -> None:
    step.note = _note(step.command)
    if step.command.deadline is not None or step.command.rectifier_id is not None:
        raise ValidationFailed(_l("Invalidating takes only a reason."), details={"deadline": "not_allowed"})


def _apply_invalidate(step: _Step) -> None:
    hazard = step.hazard
    hazard.closed_at = step.now
    hazard.fixed = False  # closed without a fix: never counts as fixed
    _clear_deferral(hazard)


def _check_reopen(step: _Step) -> None:
    hazard, command = step.hazard, step.command
    step.note = _note(command)
    step.rectifier = _choose_rectifier(command.rectifier_id, default_rectifier(hazard))
    step.deadline = (deadline_from(command.deadline, step.now) if command.deadline is not None
                     else default_deadline(hazard.category, hazard.severity, step.now))


def _apply_reopen(step: _Step) -> None:
    hazard = step.hazard
    hazard.closed_at = None
    hazard.fixed = False
    _set_assignee(step)


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


@dataclass(frozen=True)
class _Rule:
    check: Callable[[_Step], None]
    apply: Callable[[_Step], None]
    photo_kind: str | None = None  # the kind of photos the action takes, if any


_RULES = {
    states.ASSIGN: _Rule(_check_assign, _apply_assign),
    states.SUBMIT: _Rule(_check_submit, _apply_submit, AFTER),
    states.REQUEST_DEFERRAL: _Rule(_check_request_deferral, _apply_request_deferral),
    states.APPROVE_DEFERRAL: _Rule(_check_decide_deferral, _apply_decide_deferral),
    states.DECLINE_DEFERRAL: _Rule(_check_decide_deferral, _apply_decide_deferral),
    states.PASS: _Rule(_check_pass, _apply_pass, RECHECK),
    states.FAIL: _Rule(_check_fail, _apply_fail, RECHECK),
    states.INVALIDATE: _Rule(_check_invalidate, _apply_invalidate),
    states.REOPEN: _Rule(_check_reopen, _apply_reopen),
    states.PLAN: _Rule(_check_plan, _apply_plan),
    states.INTERIM_CONTROL: _Rule(_check_interim_control, _apply_interim_control),
}


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
    digest = sync.record_digest(command, actor=actor_id, hazard=hazard_id)
    repeat = sync.find_repeat(HazardEvent, client_id, digest)
    if repeat is not None:
        # A repeat passes the same access check as a first send: whoever may no longer see the hazard (a
        # rectifier reassigned away) is told 404, not shown the hazard as it is now.
        try:
            access.get_hazard_for(actor, repeat.hazard_id)
        except NotFound:
            raise NotFound(_l("This record reached the server earlier, but the hazard is no longer yours to "
                              "see (it was given to someone else). Nothing is lost: you can discard it."),
                           details={"reason": "received_not_visible"}) from None
        return Outcome(repeat.hazard, repeat, created=False)
    rule = _RULES[action]
    _prepare(actor, hazard_id, command, now, lock=False)  # refuse early (404, 403, 409, 422), before photos
    photos.check_count(command.photos, required=int("photos" in states.REQUIRED_FIELDS[action]),
                       field_name="photos", allowed=rule.photo_kind is not None)

    stored: list[photos.Stored] = []
    if command.photos:
        db.session.rollback()  # let other writers in while the photos are decoded and re-encoded
        stored = photos.store(command.photos)

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
        db.session.add(step.event)
        with db.session.no_autoflush:  # the CHECK constraints hold once the whole change is made
            hazard.state = step.target  # the one place a hazard's state changes (with report())
            hazard.updated_at = now
            rule.apply(step)
        db.session.flush()  # written once, never changed: its id names its photos and notices
        photos.attach(hazard, step.event, stored, rule.photo_kind or AFTER, actor_id, now)
        event_recorded.send(hazard, event=step.event)
        db.session.flush()
        return Outcome(hazard, step.event, created=True)

    result, created = sync.write_once(HazardEvent, client_id, digest, write, lambda: photos.discard(stored))
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


def record_plan(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Record (a new version of) a major or critical hazard's rectification plan, the five in place."""
    return _act(actor, hazard, command, states.PLAN, now)


def record_interim_control(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Record what keeps people safe while an open hazard waits (临时措施); the state stays as it is."""
    return _act(actor, hazard, command, states.INTERIM_CONTROL, now)


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
    states.PLAN: record_plan,
    states.INTERIM_CONTROL: record_interim_control,
}


def perform(actor: User, hazard, command: Command, *, now=None) -> Outcome:
    """Run the transition function named by command.action (what the API and the outbox send)."""
    function = TRANSITIONS.get(command.action)
    if function is None:
        raise ValidationFailed(_l("Unknown action: %(action)s", action=command.action),
                               details={"action": "unknown"})
    return function(actor, hazard, command, now=now)
