"""The hazard state machine, pure: states, the transition table and the one function that decides.

No Flask and no database here (STYLE.md, habit 2), so the rules can be read, tested and sent to the field
app as data. server/hazards/services.py (and reporting.py, which makes one) is the only caller that changes a
hazard; it turns the refusals raised here into the app's typed errors (409 for the state, 403 for the role or
person).

    reported ──assign──▶ assigned ──submit──▶ awaiting_recheck ──pass──▶ closed ──reopen──▶ assigned
       │                  ▲  │ ▲                    │
       │ invalidate       │  │ └──fail──────────────┘
       ▼                  │  └─ request_deferral / approve_deferral / decline_deferral / assign (reassign)
    invalid ◀─invalidate──┘

Decisions beyond DESIGN.md's diagram, and why:
- `invalidate` is allowed from `reported` and from `assigned`: with auto-assignment a duplicate never sits in
  `reported`, and a duplicate found after assignment must not be worked. Not from `awaiting_recheck` (the work
  is done: recheck it) nor from `closed`. `invalid` is final: a wrongly invalidated hazard is reported again.
- `reopen` takes `closed` back to `assigned` (to the previous rectifier, or the one chosen, with a new
  deadline), because a reopened hazard needs someone to act, not a second trip through the queue.
- Hazard actions need the supervisor role; admin alone (users, zones, settings) does not act on hazards.
- Deferral decisions and rechecks are made by someone other than the hazard's rectifier (DIGEST: "recheck is a
  separate step by someone other than the rectifier").
- A major or critical hazard is assigned only with its rectification plan (五到位: measures, funding,
  responsible person, time limit, emergency measures; issue 11): `plan` records a version of it while the
  hazard waits in `reported` (each version a new event), and in `assigned` only when none was recorded (a
  hazard assigned before plans existed, or back from a failed recheck or a reopening without one): the page
  then asks for it.
  Failing a recheck and reopening do not ask for it: a supervisor on site must be able to send the work back.
- `interim_control` (临时措施: cordoned off, a sign posted …) is recorded by anyone working an open hazard and
  leaves the state as it is: the row's target is its source.
"""

from dataclasses import dataclass, field

# States
REPORTED = "reported"
ASSIGNED = "assigned"
AWAITING_RECHECK = "awaiting_recheck"
CLOSED = "closed"
INVALID = "invalid"
STATES = (REPORTED, ASSIGNED, AWAITING_RECHECK, CLOSED, INVALID)
OPEN_STATES = (REPORTED, ASSIGNED, AWAITING_RECHECK)
FINISHED_STATES = (CLOSED, INVALID)

# Severities (一般 / 较大 / 重大)
GENERAL = "general"
MAJOR = "major"
CRITICAL = "critical"
SEVERITIES = (GENERAL, MAJOR, CRITICAL)

# Roles, spelled as in server/auth/models.py (a test checks they agree; this module may not import it).
PATROL = "patrol"
RECTIFIER = "rectifier"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (PATROL, RECTIFIER, SUPERVISOR, ADMIN)

# Actions on an existing hazard; `report` creates one.
REPORT = "report"
ASSIGN = "assign"
SUBMIT = "submit"
REQUEST_DEFERRAL = "request_deferral"
APPROVE_DEFERRAL = "approve_deferral"
DECLINE_DEFERRAL = "decline_deferral"
PASS = "pass"  # noqa: S105 (an action, not a password)
FAIL = "fail"
INVALIDATE = "invalidate"
REOPEN = "reopen"
PLAN = "plan"  # record (a new version of) a major hazard's rectification plan
INTERIM_CONTROL = "interim_control"  # record what keeps people safe meanwhile (临时措施)
ACTIONS = (ASSIGN, SUBMIT, REQUEST_DEFERRAL, APPROVE_DEFERRAL, DECLINE_DEFERRAL, PASS, FAIL, INVALIDATE,
           REOPEN, PLAN, INTERIM_CONTROL)
EVENT_ACTIONS = (REPORT, *ACTIONS)

# Conditions on the actor and the hazard, beyond the state and the role.
SELF_RECTIFIER = "actor_is_rectifier"  # only the hazard's current rectifier (the assignee)
NOT_RECTIFIER = "actor_is_not_rectifier"  # anyone but the hazard's rectifier
DEFERRAL_PENDING = "deferral_pending"
NO_DEFERRAL_PENDING = "no_deferral_pending"
PLAN_SEVERITY = "plan_severity"  # only a hazard whose severity needs a plan has one
NO_PLAN_YET = "no_plan_yet"  # no plan recorded so far
PLAN_IN_PLACE = "plan_in_place"  # the plan is recorded, or the severity does not need one
PERSON_CONDITIONS = (SELF_RECTIFIER, NOT_RECTIFIER)  # refused with 403
STATE_CONDITIONS = (DEFERRAL_PENDING, NO_DEFERRAL_PENDING, PLAN_SEVERITY, NO_PLAN_YET)  # refused with 409
PREREQUISITES = (PLAN_IN_PLACE,)  # refused with 422: the actor can supply what is missing

# The severities whose hazards need the "five in place" plan before they are assigned (重大隐患).
PLAN_SEVERITIES = frozenset({MAJOR, CRITICAL})

# What was done to keep people safe while a hazard waits (临时措施), in the order the forms offer them.
CORDONED = "cordoned"
SIGN_POSTED = "sign_posted"
CLOSED_OFF = "closed_off"
GUARDED = "guarded"
OTHER = "other"
INTERIM_KINDS = (CORDONED, SIGN_POSTED, CLOSED_OFF, GUARDED, OTHER)

REPORT_ROLES = frozenset({PATROL, SUPERVISOR})

# The server itself, acting on a school rule (a report assigned at once to the zone's responsible person):
# never a user's role, but a row of the table like any actor, so every transition goes through decide().
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    """One row of the table: from a state, an action leads to a state, for some roles, on conditions."""

    source: str
    action: str
    target: str
    roles: frozenset[str]
    conditions: frozenset[str] = field(default_factory=frozenset)


def _row(source, action, target, roles, *conditions) -> Transition:
    return Transition(source, action, target, frozenset(roles), frozenset(conditions))


_SUP = (SUPERVISOR,)
# Anyone working a hazard: the reporter (a patrol or supervisor), patrols in its zone, supervisors, its
# rectifier; which hazards each may see is access.py's answer.
_WORKING = (PATROL, RECTIFIER, SUPERVISOR)
TABLE: dict[tuple[str, str], Transition] = {
    (t.source, t.action): t
    for t in (
        _row(REPORTED, ASSIGN, ASSIGNED, (SUPERVISOR, SYSTEM), PLAN_IN_PLACE),
        _row(ASSIGNED, ASSIGN, ASSIGNED, _SUP, PLAN_IN_PLACE),  # reassign, or change the deadline
        _row(ASSIGNED, SUBMIT, AWAITING_RECHECK, (RECTIFIER,), SELF_RECTIFIER),
        _row(ASSIGNED, REQUEST_DEFERRAL, ASSIGNED, (RECTIFIER,), SELF_RECTIFIER, NO_DEFERRAL_PENDING),
        _row(ASSIGNED, APPROVE_DEFERRAL, ASSIGNED, _SUP, NOT_RECTIFIER, DEFERRAL_PENDING),
        _row(ASSIGNED, DECLINE_DEFERRAL, ASSIGNED, _SUP, NOT_RECTIFIER, DEFERRAL_PENDING),
        _row(AWAITING_RECHECK, PASS, CLOSED, _SUP, NOT_RECTIFIER),
        _row(AWAITING_RECHECK, FAIL, ASSIGNED, _SUP, NOT_RECTIFIER),
        _row(REPORTED, INVALIDATE, INVALID, _SUP),
        _row(ASSIGNED, INVALIDATE, INVALID, _SUP),
        _row(CLOSED, REOPEN, ASSIGNED, _SUP),
        _row(REPORTED, PLAN, REPORTED, _SUP, PLAN_SEVERITY),
        _row(ASSIGNED, PLAN, ASSIGNED, _SUP, PLAN_SEVERITY, NO_PLAN_YET),
        *(_row(state, INTERIM_CONTROL, state, _WORKING) for state in OPEN_STATES),
    )
}

# What each action needs from the person sending it (the services check them; the field app shows them).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    REPORT: ("zone_id", "category_id", "severity", "photos"),  # a description is optional: photos say it
    ASSIGN: (),  # rectifier and deadline default to the zone's responsible person and the category period
    SUBMIT: ("photos",),
    REQUEST_DEFERRAL: ("note", "deadline"),
    APPROVE_DEFERRAL: (),
    DECLINE_DEFERRAL: ("note",),  # the rectifier is told why the deadline stands
    PASS: (),
    FAIL: ("note",),
    INVALIDATE: ("note",),
    REOPEN: ("note",),
    PLAN: ("measures", "funding", "responsible", "time_limit", "emergency_measures"),
    INTERIM_CONTROL: ("interim_kind",),  # and a note when the kind is "other" (it says what was done)
}


class TransitionRefused(Exception):
    """The machine refuses an action; `reason` says why in a stable word the services translate."""

    def __init__(self, reason: str, state: str | None, action: str):
        super().__init__(f"{action} refused in state {state}: {reason}")
        self.reason = reason
        self.state = state
        self.action = action


class StateRefused(TransitionRefused):
    """The hazard's state (or a pending request) does not allow the action: answered with 409."""


class RoleRefused(TransitionRefused):
    """The actor's role, or who they are for this hazard, does not allow the action: answered with 403."""


class PrerequisiteRefused(TransitionRefused):
    """Something the actor can supply is missing (a major hazard's plan): answered with 422."""


class UnknownAction(ValueError):
    """The action is not one of ACTIONS: answered with 422."""


@dataclass(frozen=True)
class Facts:
    """What the machine needs to know about the hazard and the actor, beyond the state."""

    roles: frozenset[str]
    actor_is_rectifier: bool = False
    deferral_pending: bool = False
    severity: str = GENERAL
    has_plan: bool = False


def needs_plan(severity: str) -> bool:
    """Say whether a hazard of this severity needs its rectification plan before it is assigned."""
    return severity in PLAN_SEVERITIES


def plan_missing(severity: str, has_plan: bool) -> bool:
    """Say whether a hazard of this severity, with or without a plan, still lacks the plan it needs."""
    return needs_plan(severity) and not has_plan


SYSTEM_FACTS = Facts(roles=frozenset({SYSTEM}))


def _roles_for_action(action: str) -> frozenset[str]:
    return frozenset().union(*(t.roles for t in TABLE.values() if t.action == action))


def decide(state: str, action: str, facts: Facts) -> str:
    """Return the state `action` leads to from `state`, or raise StateRefused / RoleRefused /
    PrerequisiteRefused / UnknownAction.

    Order of the checks: a role that may never take the action is refused first (403: pressing a button one
    may never press says so, whatever the state); then the state (409); then the role for this state; then
    who the actor is for this hazard (403); then a pending or missing deferral request, a plan that is not
    needed or already recorded (409); last a missing plan (422: record it, then assign).
    """
    if action not in ACTIONS:
        raise UnknownAction(action)
    roles = frozenset(facts.roles)
    if not roles & _roles_for_action(action):
        raise RoleRefused("role", state, action)
    transition = TABLE.get((state, action))
    if transition is None:
        raise StateRefused("state", state, action)
    if not roles & transition.roles:
        raise RoleRefused("role", state, action)
    if SELF_RECTIFIER in transition.conditions and not facts.actor_is_rectifier:
        raise RoleRefused("not_rectifier", state, action)
    if NOT_RECTIFIER in transition.conditions and facts.actor_is_rectifier:
        raise RoleRefused("own_work", state, action)
    if DEFERRAL_PENDING in transition.conditions and not facts.deferral_pending:
        raise StateRefused("no_deferral", state, action)
    if NO_DEFERRAL_PENDING in transition.conditions and facts.deferral_pending:
        raise StateRefused("deferral_pending", state, action)
    if PLAN_SEVERITY in transition.conditions and not needs_plan(facts.severity):
        raise StateRefused("plan_not_needed", state, action)
    if NO_PLAN_YET in transition.conditions and facts.has_plan:
        raise StateRefused("plan_recorded", state, action)
    if PLAN_IN_PLACE in transition.conditions and plan_missing(facts.severity, facts.has_plan):
        raise PrerequisiteRefused("plan_missing", state, action)
    return transition.target


def allowed_actions(state: str, facts: Facts) -> list[str]:
    """Return the actions `decide` would accept now, in the table's order (the buttons to show)."""
    allowed = []
    for action in ACTIONS:
        try:
            decide(state, action, facts)
        except TransitionRefused:
            continue
        allowed.append(action)
    return allowed


def report_state(severity: str, fixed_on_the_spot: bool) -> str:
    """Return the state a new report starts in: fixed on the spot closes a general one at once (立行立改)."""
    if severity not in SEVERITIES:
        raise ValueError(severity)
    if not fixed_on_the_spot:
        return REPORTED
    return CLOSED if severity == GENERAL else AWAITING_RECHECK


def check_report(roles) -> None:
    """Raise RoleRefused unless one of the roles may report a hazard."""
    if not frozenset(roles) & REPORT_ROLES:
        raise RoleRefused("role", None, REPORT)


def as_data() -> dict:
    """Return the machine as JSON-ready data, for GET /api/v1/hazards/transitions."""
    return {
        "states": list(STATES),
        "open_states": list(OPEN_STATES),
        "severities": list(SEVERITIES),
        "actions": list(ACTIONS),
        "plan_severities": sorted(PLAN_SEVERITIES),
        "interim_kinds": list(INTERIM_KINDS),
        "transitions": [
            {"from": t.source, "action": t.action, "to": t.target, "roles": sorted(t.roles),
             "conditions": sorted(t.conditions), "required": list(REQUIRED_FIELDS[t.action])}
            for t in TABLE.values()
        ],
        "report": {
            "roles": sorted(REPORT_ROLES),
            "required": list(REQUIRED_FIELDS[REPORT]),
            "to": {sev: {"fixed_on_the_spot": report_state(sev, True), "otherwise": report_state(sev, False)}
                   for sev in SEVERITIES},
        },
    }
