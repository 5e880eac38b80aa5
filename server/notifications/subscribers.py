"""Who hears of what happens to a hazard: the notifications package listens to the hazard domain's signal.

The hazard services know nothing of notifications (STYLE.md, habit 12); they send `event_recorded` inside the
event's transaction, and the notices added here are committed with the event or not at all. The actor is
never told of their own action.
"""

from sqlalchemy import select

from server.auth.models import SUPERVISOR
from server.auth.services import users_with_role
from server.extensions import db
from server.hazards import states
from server.hazards.models import Hazard, HazardEvent
from server.hazards.signals import event_recorded
from server.notifications import models as kinds
from server.notifications.services import notify


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


# (action, the state it led to) -> (kind of notice, who gets it); None as the state: whatever it led to.
_NOTICES = {
    (states.REPORT, states.AWAITING_RECHECK): (kinds.SUBMITTED, _supervisors),  # fixed on the spot, major
    (states.REPORT, states.ASSIGNED): (kinds.ASSIGNED, _rectifier),  # assigned at once to the 责任人
    (states.ASSIGN, None): (kinds.ASSIGNED, _rectifier),
    (states.REOPEN, None): (kinds.ASSIGNED, _rectifier),
    (states.SUBMIT, None): (kinds.SUBMITTED, _supervisors),
    (states.REQUEST_DEFERRAL, None): (kinds.DEFERRAL_REQUESTED, _supervisors),
    (states.APPROVE_DEFERRAL, None): (kinds.DEFERRAL_DECIDED, _deferral_requester),
    (states.DECLINE_DEFERRAL, None): (kinds.DEFERRAL_DECIDED, _deferral_requester),
    (states.PASS, None): (kinds.RECHECK_PASSED, _rectifier_and_reporter),
    (states.FAIL, None): (kinds.RECHECK_FAILED, _rectifier_and_reporter),
}


@event_recorded.connect
def announce(hazard: Hazard, *, event: HazardEvent, **_) -> int:
    """Add the notices an event calls for (once per person, hazard, kind and event); return how many."""
    rule = _NOTICES.get((event.action, event.to_state)) or _NOTICES.get((event.action, None))
    if rule is None:
        return 0
    kind, recipients = rule
    return notify(recipients(hazard, event), hazard, kind, f"event:{event.id}", exclude=event.actor_id)
