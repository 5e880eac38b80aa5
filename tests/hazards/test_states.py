"""The pure state machine: every (state, action, role) combination, with and without the person conditions.

No app here: server/hazards/states.py needs neither Flask nor the database.
"""

import ast
import itertools
import json
from pathlib import Path

import pytest

from server.hazards import states as sm

# The rules as DESIGN.md and the issues state them, written out independently of the module's table:
# (state, action) -> (next state, the roles allowed, extra rule)
SUP = ("supervisor",)
WORKING = ("patrol", "rectifier", "supervisor")  # anyone working a hazard records an interim control
EXPECTED = {
    ("reported", "assign"): ("assigned", SUP, "plan_in_place"),
    ("assigned", "assign"): ("assigned", SUP, "plan_in_place"),
    ("assigned", "submit"): ("awaiting_recheck", ("rectifier",), "self"),
    ("assigned", "request_deferral"): ("assigned", ("rectifier",), "self+no_pending"),
    ("assigned", "approve_deferral"): ("assigned", SUP, "other+pending"),
    ("assigned", "decline_deferral"): ("assigned", SUP, "other+pending"),
    ("awaiting_recheck", "pass"): ("closed", SUP, "other"),
    ("awaiting_recheck", "fail"): ("assigned", SUP, "other"),
    ("reported", "invalidate"): ("invalid", SUP, None),
    ("assigned", "invalidate"): ("invalid", SUP, None),
    ("closed", "reopen"): ("assigned", SUP, None),
    ("reported", "plan"): ("reported", SUP, "plan_severity"),
    ("assigned", "plan"): ("assigned", SUP, "plan_severity+no_plan_yet"),
    ("reported", "interim_control"): ("reported", WORKING, None),
    ("assigned", "interim_control"): ("assigned", WORKING, None),
    ("awaiting_recheck", "interim_control"): ("awaiting_recheck", WORKING, None),
}
ACTION_ROLES = {action: roles for (_s, action), (_t, roles, _r) in EXPECTED.items()}


def expected_outcome(state, action, role, is_rectifier, pending, severity, has_plan):
    """Return the next state, or 403 / 409 / 422, as the rules say."""
    if role not in ACTION_ROLES[action]:
        return 403
    if (state, action) not in EXPECTED:
        return 409
    target, _roles, rule = EXPECTED[(state, action)]
    rule = rule or ""
    if "self" in rule and not is_rectifier:
        return 403
    if "other" in rule and is_rectifier:
        return 403
    if "no_pending" in rule and pending:
        return 409
    if "+pending" in rule and not pending:
        return 409
    if "plan_severity" in rule and severity == "general":
        return 409
    if "no_plan_yet" in rule and has_plan:
        return 409
    if "plan_in_place" in rule and severity != "general" and not has_plan:
        return 422
    return target


CASES = list(itertools.product(sm.STATES, sm.ACTIONS, sm.ROLES, (False, True), (False, True),
                               ("general", "major"), (False, True)))
REFUSALS = {403: sm.RoleRefused, 409: sm.StateRefused, 422: sm.PrerequisiteRefused}


@pytest.mark.parametrize(("state", "action", "role", "is_rectifier", "pending", "severity", "has_plan"),
                         CASES)
def test_every_combination(state, action, role, is_rectifier, pending, severity, has_plan):
    facts = sm.Facts(roles=frozenset({role}), actor_is_rectifier=is_rectifier, deferral_pending=pending,
                     severity=severity, has_plan=has_plan)
    want = expected_outcome(state, action, role, is_rectifier, pending, severity, has_plan)
    if want in REFUSALS:
        with pytest.raises(REFUSALS[want]):
            sm.decide(state, action, facts)
    else:
        assert sm.decide(state, action, facts) == want
        assert action in sm.allowed_actions(state, facts)


# The server itself (auto-assignment to the zone's responsible person) takes one row of the table.
SYSTEM_ROWS = {("reported", "assign")}


def test_the_table_is_exactly_the_expected_rules():
    assert {k: (t.target, sorted(t.roles)) for k, t in sm.TABLE.items()} == {
        k: (target, sorted([*roles, "system"] if k in SYSTEM_ROWS else roles))
        for k, (target, roles, _rule) in EXPECTED.items()}
    assert len(CASES) == 5 * 11 * 4 * 4 * 2 * 2


@pytest.mark.parametrize(("severity", "assigned"), [("general", True), ("major", False), ("critical", False)])
def test_the_system_assigns_a_new_report_only_when_no_plan_is_needed(severity, assigned):
    facts = sm.Facts(roles=frozenset({sm.SYSTEM}), severity=severity)
    assert ("assign" in sm.allowed_actions("reported", facts)) is assigned


@pytest.mark.parametrize(("state", "action"), list(itertools.product(sm.STATES, sm.ACTIONS)))
def test_the_system_only_assigns_a_new_report(state, action):
    if (state, action) in SYSTEM_ROWS:
        assert sm.decide(state, action, sm.SYSTEM_FACTS) == "assigned"
    else:
        with pytest.raises(sm.TransitionRefused):
            sm.decide(state, action, sm.SYSTEM_FACTS)
    assert sm.SYSTEM not in sm.ROLES  # never a role a user can hold


def test_several_roles_count_together():
    both = sm.Facts(roles=frozenset({"supervisor", "rectifier"}), actor_is_rectifier=True)
    assert sm.decide("assigned", "submit", both) == "awaiting_recheck"
    with pytest.raises(sm.RoleRefused) as refused:  # one's own work is never rechecked by oneself
        sm.decide("awaiting_recheck", "pass", both)
    assert refused.value.reason == "own_work"


def test_finished_states_allow_nothing_but_reopen_of_closed():
    supervisor = sm.Facts(roles=frozenset({"supervisor"}))
    assert sm.allowed_actions("closed", supervisor) == ["reopen"]
    assert sm.allowed_actions("invalid", supervisor) == []


def test_unknown_action_is_refused_as_input():
    with pytest.raises(sm.UnknownAction):
        sm.decide("reported", "close", sm.Facts(roles=frozenset({"supervisor"})))


@pytest.mark.parametrize(("severity", "fixed", "state"), [
    ("general", False, "reported"), ("major", False, "reported"), ("critical", False, "reported"),
    ("general", True, "closed"), ("major", True, "awaiting_recheck"), ("critical", True, "awaiting_recheck"),
])
def test_report_starts_in(severity, fixed, state):
    assert sm.report_state(severity, fixed) == state


@pytest.mark.parametrize("role", sm.ROLES)
def test_who_may_report(role):
    if role in ("patrol", "supervisor"):
        sm.check_report({role})
    else:
        with pytest.raises(sm.RoleRefused):
            sm.check_report({role})


def test_table_as_data_is_json_and_complete():
    data = json.loads(json.dumps(sm.as_data()))
    assert data["states"] == list(sm.STATES)
    rows = {(t["from"], t["action"]): t for t in data["transitions"]}
    assert set(rows) == set(EXPECTED)
    assert rows[("awaiting_recheck", "pass")]["conditions"] == ["actor_is_not_rectifier"]
    assert rows[("awaiting_recheck", "fail")]["required"] == ["note"]
    assert rows[("reported", "assign")]["conditions"] == ["plan_in_place"]
    assert rows[("reported", "plan")]["required"] == ["measures", "funding", "responsible", "time_limit",
                                                      "emergency_measures"]
    assert (data["plan_severities"], data["interim_kinds"]) == (
        ["critical", "major"], ["cordoned", "sign_posted", "closed_off", "guarded", "other"])
    assert data["report"]["to"]["general"] == {"fixed_on_the_spot": "closed", "otherwise": "reported"}


def test_the_module_is_pure():
    tree = ast.parse(Path(sm.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"dataclasses"}, imported


def test_role_names_agree_with_accounts():
    from server.auth import models

    assert sm.ROLES == models.ROLES
