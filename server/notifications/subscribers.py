"""Who hears of what happens to a hazard: the notifications package listens to the hazard domain's signal.

The hazard services know nothing of notifications (STYLE.md, habit 12); they send `event_recorded` inside the
event's transaction, and the notices added here are committed with the event or not at all. The actor is
never told of their own action. A repeated (idempotent) request records no event, so it sends no signal and
adds no notice; the unique key per user, hazard, kind and event would refuse a second one anyway.

Each event also settles the notices whose work it did (`_SETTLES`): they are marked read at the event's time,
so the unread count holds only what still asks for someone's attention.
"""

from sqlalchemy import select

from server.auth.models import SUPERVISOR
from server.auth.services import users_with_role
from server.extensions import db
from server.hazards import states
from server.hazards.models import Hazard, HazardEvent
from server.hazards.signals import event_recorded
from server.notifications import models as kinds
from server.notifications.services import notify, settle


def _supervisors(hazard: Hazard, event: HazardEvent) -> list:
    return users_with_role(SUPERVISOR)


def _rectifier(hazard: Hazard, event: HazardEvent) -> list:
    return [event.rectifier_id]


def _rectifier_and_reporter(hazard: Hazard, event: HazardEvent) -> list:
    return [event.rectifier_id or hazard.rectifier_id, hazard.reporter_id]


def _deferral_requester(hazard: Hazard, event: HazardEvent) -> list:
    # The request is cleared from the hazard by the decision; its event says who asked.
    return [db.session.scalar(select(HazardEvent.actor_id).where(
        HazardEvent.hazard_id == hazard.id, HazardEvent.action == states.REQUEST_DEFERRAL,
        HazardEvent.id < event.id).order_by(HazardEvent.id.desc()).limit(1))]


# (action, the state it led to) -> the notices it calls for: (kind, who gets it), ...; None as the state:
# whatever it led to. Supervisors hear of every new report, however it was made (the message says when it was
# fixed on the spot, and a major or critical one is urgent: models.is_urgent).
_NEW_REPORT = (kinds.NEW_REPORT, _supervisors)
_NOTICES = {
    (states.REPORT, states.ASSIGNED): (_NEW_REPORT, (kinds.ASSIGNED, _rectifier)),  # at once to the 责任人
    (states.REPORT, None): (_NEW_REPORT,),
    (states.ASSIGN, None): ((kinds.ASSIGNED, _rectifier),),
    (states.REOPEN, None): ((kinds.ASSIGNED, _rectifier),),
    (states.SUBMIT, None): ((kinds.SUBMITTED, _supervisors),),
    (states.REQUEST_DEFERRAL, None): ((kinds.DEFERRAL_REQUESTED, _supervisors),),
    (states.APPROVE_DEFERRAL, None): ((kinds.DEFERRAL_DECIDED, _deferral_requester),),
    (states.DECLINE_DEFERRAL, None): ((kinds.DEFERRAL_DECIDED, _deferral_requester),),
    (states.PASS, None): ((kinds.RECHECK_PASSED, _rectifier_and_reporter),),
    (states.FAIL, None): ((kinds.RECHECK_FAILED, _rectifier_and_reporter),),
}

# The task notices of an assignment: who must do what by which deadline.
_TASK = (kinds.ASSIGNED, kinds.DUE_TOMORROW, kinds.OVERDUE, kinds.RECHECK_FAILED)
# action -> the kinds of notice about the hazard whose work it has done or made moot (settled for everyone).
_SETTLES = {
    # Triage is done; a reassignment supersedes the earlier task (the new one is announced afresh).
    states.ASSIGN: (kinds.NEW_REPORT, *_TASK, kinds.DEFERRAL_REQUESTED),
    states.INVALIDATE: (kinds.NEW_REPORT, *_TASK, kinds.DEFERRAL_REQUESTED, kinds.DEFERRAL_DECIDED),
    # The task is done; a pending deferral request is moot (the service clears it).
    states.SUBMIT: (*_TASK, kinds.DEFERRAL_REQUESTED, kinds.DEFERRAL_DECIDED),
    # The recheck is done (a major hazard fixed on the spot waited for it as a new report).
    states.PASS: (kinds.SUBMITTED, kinds.NEW_REPORT),
    states.FAIL: (kinds.SUBMITTED, kinds.NEW_REPORT),
    # The request is answered; an approved one replaces the deadline the deadline notices spoke of.
    states.APPROVE_DEFERRAL: (kinds.DEFERRAL_REQUESTED, kinds.DUE_TOMORROW, kinds.OVERDUE),
    states.DECLINE_DEFERRAL: (kinds.DEFERRAL_REQUESTED,),
}


@event_recorded.connect
def announce(hazard: Hazard, *, event: HazardEvent, **_) -> int:
    """Settle the notices the event made moot, then add those it calls for; return how many were added."""
    settle(hazard, _SETTLES.get(event.action, ()), now=event.at)
    rules = _NOTICES.get((event.action, event.to_state)) or _NOTICES.get((event.action, None), ())
    return sum(notify(recipients(hazard, event), hazard, kind, f"event:{event.id}", exclude=event.actor_id)
               for kind, recipients in rules)
