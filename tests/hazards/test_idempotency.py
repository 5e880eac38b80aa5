"""Idempotency by client id (DESIGN.md, Offline sync protocol): one record per id; other content is 409."""

from datetime import timedelta

import pytest

from server.hazards.models import Hazard, HazardEvent, Photo
from server.patrols.models import PatrolVisit
from tests.conftest import new_client_id, photo_bytes
from tests.hazards.apihelp import act, category_id, count, report, school_today, stored_files


def _without_created(body):
    return {k: v for k, v in body.items() if k != "created"}


def test_a_report_sent_twice_is_one_hazard(app, make_zone, login_as):
    patrol = login_as("patrol")
    zone = make_zone()
    cid, photo = new_client_id(), photo_bytes((10, 20, 30))
    first = report(patrol, zone.id, category_id(app), client_id=cid, photos=[photo])
    again = report(patrol, zone.id, category_id(app), client_id=cid, photos=[photo])
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["client_id"] == again.get_json()["client_id"] == cid
    assert first.get_json()["created"] is True and again.get_json()["created"] is False
    assert _without_created(first.get_json()) == _without_created(again.get_json())
    assert count(app, Hazard) == 1 and count(app, HazardEvent) == 1 and count(app, Photo) == 1
    assert count(app, PatrolVisit) == 1
    assert len(stored_files(app)) == 2  # the photo and its thumbnail, once


@pytest.mark.parametrize(("same_patrol", "changes"), [
    (True, {"description": "另一处隐患"}),
    (True, {"photos": [photo_bytes((1, 2, 3))]}),
    (False, {}),
], ids=["other-text", "other-photo", "another-user"])
def test_the_same_client_id_with_other_content_is_refused(app, make_zone, login_as, same_patrol, changes):
    patrol = login_as("patrol")
    zone = make_zone()
    cid = new_client_id()
    assert report(patrol, zone.id, category_id(app), client_id=cid).status_code == 201
    sender = patrol if same_patrol else login_as("patrol")
    response = report(sender, zone.id, category_id(app), client_id=cid, **changes)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["details"]["reason"] == "client_id_reused" and "客户端编号" in error["message"]
    assert count(app, Hazard) == 1 and count(app, Photo) == 1 and len(stored_files(app)) == 2


def test_an_action_sent_twice_is_one_event(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    fixer = sign_in(hazard.people.rectifier)
    cid, photo = new_client_id(), photo_bytes((0, 99, 0))
    first = act(fixer, hazard.id, "submit", "assigned", client_id=cid, note="好了", photos=[photo])
    # The repeat carries the state the user saw then: it is answered, not re-judged against the new state.
    again = act(fixer, hazard.id, "submit", "assigned", client_id=cid, note="好了", photos=[photo])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["client_id"] == cid
    assert _without_created(first.get_json()) == _without_created(again.get_json())
    events = count(app, HazardEvent)
    other = act(fixer, hazard.id, "submit", "assigned", client_id=cid, note="改了说明", photos=[photo])
    assert other.status_code == 409
    assert count(app, HazardEvent) == events == 3  # report, assign, submit
    assert count(app, Photo) == 2


def test_a_client_id_is_not_shared_between_hazards(make_hazard, sign_in):
    one, two = make_hazard("reported"), make_hazard("reported")
    supervisor = sign_in(one.people.supervisor)
    cid = new_client_id()
    assert act(supervisor, one.id, "invalidate", "reported", client_id=cid, note="重复").status_code == 201
    assert act(supervisor, two.id, "invalidate", "reported", client_id=cid, note="重复").status_code == 409


def test_the_unique_constraint_is_the_backstop(app, make_zone, make_user, monkeypatch):
    """Two copies that both pass the look-up (PostgreSQL, no write lock): the loser answers as a repeat."""
    from server import sync
    from server.auth.models import User
    from server.extensions import db
    from server.hazards import reporting

    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    new = reporting.Report(client_id=new_client_id(), zone_id=zone.id, category_id=category_id(app),
                          severity="general", description="地面湿滑", photos=[photo_bytes()])
    with app.app_context():
        first = reporting.report(db.session.get(User, patrol.id), new)
        first_id = first.hazard.id
    real = sync.find_repeat
    monkeypatch.setattr(sync, "find_repeat", lambda *args: None)  # both copies miss each other
    with app.app_context():
        monkeypatch.setattr(sync, "find_repeat", _after_first_call(real))
        second = reporting.report(db.session.get(User, patrol.id), new)
        assert second.created is False and second.hazard.id == first_id
    assert count(app, Hazard) == 1 and count(app, Photo) == 1
    assert len(stored_files(app)) == 2  # the loser's files were removed


def _after_first_call(real):
    calls = []

    def find(*args):
        calls.append(args)
        return None if len(calls) <= 2 else real(*args)  # blind before writing, sighted after the clash

    return find


def test_a_repeated_client_id_passes_the_same_access_check_as_a_new_one(app, make_hazard, make_user, sign_in):
    """A rectifier reassigned away who resends an old deferral request is told 404, not shown the hazard."""
    hazard = make_hazard("assigned")
    rectifier = sign_in(hazard.people.rectifier)
    cid = new_client_id()
    fields = {"note": "材料未到", "deadline": (school_today() + timedelta(days=30)).isoformat()}
    first = act(rectifier, hazard.id, "request_deferral", "assigned", client_id=cid, **fields)
    assert first.status_code == 201
    other = make_user(roles=("rectifier",))
    moved = act(sign_in(hazard.people.supervisor), hazard.id, "assign", "assigned", rectifier_id=other.id)
    assert moved.status_code == 201
    again = act(rectifier, hazard.id, "request_deferral", "assigned", client_id=cid, **fields)
    assert again.status_code == 404
    assert "hazard" not in again.get_json() and again.get_json()["error"]["code"] == "not_found"
    assert again.get_json()["error"]["details"] == {"reason": "received_not_visible"}  # says it arrived
    assert count(app, HazardEvent, HazardEvent.action == "request_deferral") == 1
