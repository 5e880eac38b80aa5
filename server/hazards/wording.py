"""The words people see for hazards: states, severities, actions, photo kinds, and why an action is refused.

English here, Chinese in the catalog. The state machine (states.py) speaks in stable codes; this module turns
them into sentences, and its refusals into the app's typed errors (409 for the state, 403 for the person).
"""

from flask_babel import lazy_gettext as _l

from server.errors import Forbidden, InvalidTransition, ServiceError, ValidationFailed
from server.hazards import states
from server.hazards.models import AFTER, BEFORE, RECHECK

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
    states.PLAN: _l("Record the rectification plan"),
    states.INTERIM_CONTROL: _l("Record an interim control"),
}
INTERIM_KIND_LABELS = {
    states.CORDONED: _l("Cordoned off / fenced"),
    states.SIGN_POSTED: _l("Warning sign posted"),
    states.CLOSED_OFF: _l("Taken out of use / closed off"),
    states.GUARDED: _l("Someone on guard"),
    states.OTHER: _l("Other"),
}
PHOTO_KIND_LABELS = {BEFORE: _l("Before"), AFTER: _l("After"), RECHECK: _l("Recheck")}
# The sentences of a desk card that take a value, by name: translated once per page (views._render_cards)
# and filled in per card with `%`, which escapes the values as a template's _() does.
CARD_PHRASES = {
    "photo_of": _l("Photo of hazard %(id)d"),
    "overdue": _l("Overdue %(days)d days"),
    "reported_by": _l("Reported by %(name)s at %(time)s"),
    "submitted": _l("Submitted %(time)s"),
    "photos": _l("(%(n)d photos)"),
    "recheck": _l("Recheck #%(id)d"),
    "deferral_asked": _l("Deferral asked by %(name)s to %(date)s: %(reason)s"),
    "asked_at": _l("asked at %(time)s"),
}

# Why the machine refused, by its stable reason (the role and state refusals are worded below).
_REASONS = {
    "not_rectifier": (Forbidden, _l("Only the rectifier this hazard is assigned to can do this.")),
    "own_work": (Forbidden, _l("You are this hazard's rectifier: someone else must recheck it or decide on "
                               "its deferral.")),
    "no_deferral": (InvalidTransition, _l("There is no deferral request waiting for a decision.")),
    "deferral_pending": (InvalidTransition, _l("A deferral request is already waiting for a decision.")),
    "plan_missing": (ValidationFailed, _l("A major hazard needs its rectification plan (measures, funding, "
                                          "responsible person, time limit, emergency measures) before it can "
                                          "be assigned.")),
    "plan_not_needed": (InvalidTransition, _l("Only a major or critical hazard has a rectification plan.")),
    "plan_recorded": (InvalidTransition, _l("The rectification plan was recorded before the hazard was "
                                            "assigned; it cannot change now.")),
}


def refusal(exc: states.TransitionRefused, state: str | None) -> ServiceError:
    """Return the typed error that tells a person why the machine refused, for a hazard now in `state`."""
    details = {"reason": exc.reason, "state": state}
    if exc.reason in _REASONS:
        error, message = _REASONS[exc.reason]
        return error(message, details=details)
    action = ACTION_LABELS.get(exc.action, exc.action)
    if isinstance(exc, states.RoleRefused):
        return Forbidden(_l("Your role does not allow this action: %(action)s.", action=action),
                         details=details)
    label = STATE_LABELS.get(exc.state, exc.state) if exc.state else ""
    return InvalidTransition(_l("This hazard is %(state)s; it cannot take this action now: %(action)s.",
                                state=label, action=action), details=details)


def changed(state: str) -> InvalidTransition:
    """Return the refusal for an actor who decided on a state the hazard has since left."""
    return InvalidTransition(
        _l("This hazard has changed since you saw it (it is now: %(state)s). Reload it and try again.",
           state=STATE_LABELS[state]),
        details={"reason": "changed", "state": state})
