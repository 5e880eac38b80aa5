"""Every action the state, the role or the person does not allow, sent through the API: the right status,
a message, and nothing changed (state, events, photos, notifications)."""

from datetime import timedelta

import pytest

from server.hazards import states
from server.hazards.models import Hazard, HazardEvent, Photo
from server.notifications.models import Notification
from tests.conftest import photo_bytes
from tests.hazards.apihelp import act, count, school_today


def _fields():
    """Return what each action would need if it were allowed: a refusal is about the state or role only."""
    return {
        "assign": {}, "submit": {"note": "已整改"},
        "request_deferral": {"note": "缺配件", "deadline": _later(60)},
        "approve_deferral": {}, "decline_deferral": {"note": "请按期完成"}, "pass": {},
        "fail": {"note": "未整改到位"},
        "invalidate": {"note": "重复"}, "reopen": {"note": "复发"},
        "plan": {"measures": "更换", "funding": "2000 元", "responsible": "王主任", "time_limit": _later(30),
                 "emergency_measures": "设警戒线"},
        "interim_control": {"interim_kind": "cordoned"},
    }


def _snapshot(app, hazard_id):
    from server.extensions import db

    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        row = (hazard.state, hazard.rectifier_id, hazard.deadline, hazard.deferral_requested_at)
    return (*row, count(app, HazardEvent), count(app, Photo), count(app, Notification))


def _later(days=30) -> str:
    return (school_today() + timedelta(days=days)).isoformat()


# Every action each person may not take, per hazard state; "+deferral": a deferral request is pending.
# The people: the reporter (a patrol), the hazard's rectifier (assigned from `assigned` on; in `reported` and
# `invalid` it is only the zone's responsible person), another rectifier, the supervisor, an admin alone.
# 403: the role or the person may not; 409: not in this state (a plan: not for a general hazard as these);
# 404: the person may not see the hazard.
# OK: allowed, not sent here (the loop tests walk those).
OK = "ok"
ACTIONS = ("assign", "submit", "request_deferral", "approve_deferral", "decline_deferral", "pass", "fail",
           "invalidate", "reopen", "plan", "interim_control")
EXPECTED = {
    #                                          asgn sub  dfr  apr  dcl  pass fail inv  reop plan intr
    ("reported", "reporter"):                 (403, 403, 403, 403, 403, 403, 403, 403, 403, 403,  OK),
    ("reported", "rectifier"):                (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("reported", "other_rectifier"):          (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("reported", "supervisor"):               ( OK, 403, 403, 409, 409, 409, 409,  OK, 409, 409,  OK),
    ("reported", "admin"):                    (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("assigned", "reporter"):                 (403, 403, 403, 403, 403, 403, 403, 403, 403, 403,  OK),
    ("assigned", "rectifier"):                (403,  OK,  OK, 403, 403, 403, 403, 403, 403, 403,  OK),
    ("assigned", "other_rectifier"):          (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("assigned", "supervisor"):               ( OK, 403, 403, 409, 409, 409, 409,  OK, 409, 409,  OK),
    ("assigned", "admin"):                    (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("assigned+deferral", "reporter"):        (403, 403, 403, 403, 403, 403, 403, 403, 403, 403,  OK),
    ("assigned+deferral", "rectifier"):       (403,  OK, 409, 403, 403, 403, 403, 403, 403, 403,  OK),
    ("assigned+deferral", "other_rectifier"): (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("assigned+deferral", "supervisor"):      ( OK, 403, 403,  OK,  OK, 409, 409,  OK, 409, 409,  OK),
    ("assigned+deferral", "admin"):           (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("awaiting_recheck", "reporter"):         (403, 403, 403, 403, 403, 403, 403, 403, 403, 403,  OK),
    ("awaiting_recheck", "rectifier"):        (403, 409, 409, 403, 403, 403, 403, 403, 403, 403,  OK),
    ("awaiting_recheck", "other_rectifier"):  (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("awaiting_recheck", "supervisor"):       (409, 403, 403, 409, 409,  OK,  OK, 409, 409, 409,  OK),
    ("awaiting_recheck", "admin"):            (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("closed", "reporter"):                   (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 409),
    ("closed", "rectifier"):                  (403, 409, 409, 403, 403, 403, 403, 403, 403, 403, 409),
    ("closed", "other_rectifier"):            (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("closed", "supervisor"):                 (409, 403, 403, 409, 409, 409, 409, 409,  OK, 409, 409),
    ("closed", "admin"):                      (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    ("invalid", "reporter"):                  (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 409),
    ("invalid", "rectifier"):                 (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("invalid", "other_rectifier"):           (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("invalid", "supervisor"):                (409, 403, 403, 409, 409, 409, 409, 409, 409, 409, 409),
    ("invalid", "admin"):                     (403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
}


def test_the_table_has_every_action_and_305_refusals():
    assert ACTIONS == states.ACTIONS
    assert sum(status != OK for row in EXPECTED.values() for status in row) == 305


# One case per (scenario, person), each sending the person's refused actions to one hazard and comparing the
# whole row at once, so every wrong cell shows. (One case per cell measured 192 s for this file against 12 s
# before: each case pays for a fresh app and hazard; the row shares them.)
@pytest.mark.parametrize(("scenario", "person"), list(EXPECTED),
                         ids=[f"{scenario}-{person}" for scenario, person in EXPECTED])
def test_refused_actions_change_nothing(app, make_hazard, make_user, sign_in, scenario, person):
    state, _, pending = scenario.partition("+")
    hazard = make_hazard(state)
    people = hazard.people
    if pending:
        response = act(sign_in(people.rectifier), hazard.id, "request_deferral", "assigned",
                       note="缺配件", deadline=_later(30))
        assert response.status_code == 201
    user = {"reporter": lambda: people.reporter, "rectifier": lambda: people.rectifier,
            "other_rectifier": lambda: make_user(roles=("rectifier",)),
            "supervisor": lambda: people.supervisor, "admin": lambda: make_user(roles=("admin",))}[person]()
    client = sign_in(user)
    before = _snapshot(app, hazard.id)
    expected = dict(zip(ACTIONS, EXPECTED[scenario, person], strict=True))
    refused = [action for action, status in expected.items() if status != OK]

    def outcome(action):
        photos = [photo_bytes()] if action in ("submit", "pass", "fail") else None
        response = act(client, hazard.id, action, state, photos=photos, **_fields()[action])
        said = bool(response.get_json()["error"]["message"])
        return response.status_code, said, _snapshot(app, hazard.id) == before

    # (status, a message said why, nothing changed) for each refused action.
    assert {action: outcome(action) for action in refused} == {
        action: (expected[action], True, True) for action in refused}


def test_seen_state_out_of_date_is_refused(make_hazard, sign_in):
    hazard = make_hazard("assigned")
    supervisor = sign_in(hazard.people.supervisor)
    # The supervisor saw it "reported" and meant to assign it; someone already did: 409, says what it is now.
    response = act(supervisor, hazard.id, "assign", "reported")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["details"] == {"reason": "changed", "state": "assigned"} and "整改中" in error["message"]
    missing = act(supervisor, hazard.id, "assign", "")
    assert missing.status_code == 422 and missing.get_json()["error"]["details"] == {"seen_state": "required"}
    unknown = act(supervisor, hazard.id, "close", "assigned")
    assert unknown.status_code == 422 and unknown.get_json()["error"]["details"] == {"action": "unknown"}


def test_a_rectifier_cannot_recheck_their_own_work(make_hazard, make_user, sign_in):
    both = make_user(roles=("supervisor", "rectifier"))
    hazard = make_hazard("awaiting_recheck", rectifier=both)
    response = act(sign_in(both), hazard.id, "pass", "awaiting_recheck")
    assert response.status_code == 403
    assert "其他人员" in response.get_json()["error"]["message"]
    assert act(sign_in(both), hazard.id, "fail", "awaiting_recheck", note="x").status_code == 403
    assert act(sign_in(hazard.people.supervisor), hazard.id, "pass", "awaiting_recheck").status_code == 201


def test_a_patrol_cannot_assign(make_hazard, sign_in):
    hazard = make_hazard("reported")
    response = act(sign_in(hazard.people.reporter), hazard.id, "assign", "reported")
    assert response.status_code == 403 and "指派" in response.get_json()["error"]["message"]


def test_only_the_assignee_submits(make_hazard, make_user, sign_in):
    hazard = make_hazard("assigned")
    both = make_user(roles=("supervisor", "rectifier"))  # sees every hazard, but it is not theirs
    response = act(sign_in(both), hazard.id, "submit", "assigned", photos=[photo_bytes()])
    assert response.status_code == 403 and "被指派的整改人" in response.get_json()["error"]["message"]


def test_submit_needs_after_photos_and_other_actions_take_none(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    fixer = sign_in(hazard.people.rectifier)
    response = act(fixer, hazard.id, "submit", "assigned", note="好了")
    assert response.status_code == 422 and response.get_json()["error"]["details"] == {"photos": "required"}
    response = act(fixer, hazard.id, "request_deferral", "assigned", note="x", deadline=_later(),
                   photos=[photo_bytes()])
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"photos": "not_allowed"}
    assert count(app, Photo) == 1  # the report's before photo only
