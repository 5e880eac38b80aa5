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
        "approve_deferral": {}, "decline_deferral": {}, "pass": {}, "fail": {"note": "未整改到位"},
        "invalidate": {"note": "重复"}, "reopen": {"note": "复发"},
    }


def _snapshot(app, hazard_id):
    from server.extensions import db

    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        row = (hazard.state, hazard.rectifier_id, hazard.deadline, hazard.deferral_requested_at)
    return (*row, count(app, HazardEvent), count(app, Photo), count(app, Notification))


def _later(days=30) -> str:
    return (school_today() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize("scenario", ["reported", "assigned", "assigned+deferral", "awaiting_recheck",
                                      "closed", "invalid"])
def test_refused_actions_change_nothing(app, make_hazard, make_user, sign_in, scenario):
    state = scenario.split("+")[0]
    hazard = make_hazard(state)
    people = hazard.people
    if scenario.endswith("+deferral"):
        response = act(sign_in(people.rectifier), hazard.id, "request_deferral", "assigned",
                       note="缺配件", deadline=_later(30))
        assert response.status_code == 201
    admin = make_user(roles=("admin",))
    stranger = make_user(roles=("rectifier",))
    actors = {"reporter (patrol)": (people.reporter, {"patrol"}),
              "rectifier": (people.rectifier, {"rectifier"}),
              "other rectifier": (stranger, {"rectifier"}),
              "supervisor": (people.supervisor, {"supervisor"}),
              "admin only": (admin, {"admin"})}
    before = _snapshot(app, hazard.id)
    is_rectifier = state not in ("reported", "invalid")  # the factory's rectifier holds it from assign on
    tried = 0
    for name, (user, roles) in actors.items():
        client = sign_in(user)
        facts = states.Facts(roles=frozenset(roles),
                             actor_is_rectifier=(user is people.rectifier and is_rectifier),
                             deferral_pending=scenario.endswith("+deferral"))
        visible = roles & {"supervisor", "admin"} or user is people.reporter or (
            user is people.rectifier and is_rectifier)
        for action in states.ACTIONS:
            if not visible:
                want = 404
            else:
                try:
                    states.decide(state, action, facts)
                    continue  # allowed: the loop tests walk those
                except states.RoleRefused:
                    want = 403
                except states.StateRefused:
                    want = 409
            photos = [photo_bytes()] if action in ("submit", "pass", "fail") else None
            response = act(client, hazard.id, action, state, photos=photos, **_fields()[action])
            assert response.status_code == want, (name, action, response.get_json())
            assert response.get_json()["error"]["message"], (name, action)
            assert _snapshot(app, hazard.id) == before, (name, action)
            tried += 1
    assert tried >= 20


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
