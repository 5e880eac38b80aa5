"""Per-record authorisation: who sees which hazard and photo (404, never 403, for what one may not see)."""

import pytest

from tests.conftest import photo_bytes
from tests.hazards.apihelp import act, category_id, report


def _photo_urls(client, hazard_id):
    detail = client.get(f"/api/v1/hazards/{hazard_id}").get_json()["hazard"]
    return [p["url"] for p in detail["photos"]] + [p["thumb_url"] for p in detail["photos"]]


def test_a_rectifier_sees_only_their_hazards_and_photos(make_hazard, make_user, sign_in):
    mine = make_hazard("assigned")
    other = make_hazard("assigned")
    fixer = sign_in(mine.people.rectifier)  # a contractor: the rectifier role only
    supervisor = sign_in(other.people.supervisor)
    assert fixer.get(f"/api/v1/hazards/{mine.id}").status_code == 200
    response = fixer.get(f"/api/v1/hazards/{other.id}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    # Each hazard here has one photo: its picture and its thumbnail.
    assert [fixer.get(url).status_code for url in _photo_urls(supervisor, other.id)] == [404, 404]
    images = [fixer.get(url) for url in _photo_urls(fixer, mine.id)]
    assert [(i.status_code, i.headers["Content-Type"]) for i in images] == [(200, "image/jpeg")] * 2
    # Acting on a hazard one may not see is 404 too.
    assert act(fixer, other.id, "submit", "assigned", photos=[photo_bytes()]).status_code == 404
    listed = fixer.get("/api/v1/hazards").get_json()
    assert [h["id"] for h in listed["hazards"]] == [mine.id] and listed["total"] == 1
    assert fixer.get(f"/api/v1/zones/{other.zone_id}/hazards").get_json()["hazards"] == []
    assert fixer.get("/api/v1/photos/99999").status_code == 404


def test_a_patrol_sees_own_reports_and_a_zones_open_hazards(app, make_hazard, make_user, sign_in):
    open_one = make_hazard("assigned")
    zone = open_one.zone_obj
    closed_one = make_hazard("closed", zone=zone)
    patrol = make_user(roles=("patrol",))
    client = sign_in(patrol)
    own = report(client, zone.id, category_id(app)).get_json()["hazard"]

    # The zone page: the zone's open hazards (to avoid a duplicate), not its closed ones.
    on_zone = client.get(f"/api/v1/zones/{zone.id}/hazards").get_json()["hazards"]
    assert sorted(h["id"] for h in on_zone) == sorted([open_one.id, own["id"]])
    assert all(h["thumb_url"] for h in on_zone)
    assert client.get(f"/api/v1/zones/{zone.id}/hazards?open=0").get_json()["hazards"] != []
    assert client.get(f"/api/v1/hazards/{open_one.id}").status_code == 200
    assert [client.get(url).status_code for url in _photo_urls(client, open_one.id)] == [200, 200]
    assert client.get(f"/api/v1/hazards/{closed_one.id}").status_code == 404

    # Without a zone, the list is the patrol's own reports; with one, its open hazards too.
    assert [h["id"] for h in client.get("/api/v1/hazards").get_json()["hazards"]] == [own["id"]]
    with_zone = client.get(f"/api/v1/hazards?zone={zone.id}").get_json()["hazards"]
    assert sorted(h["id"] for h in with_zone) == sorted([open_one.id, own["id"]])
    # What a patrol sees of another's hazard offers one button: recording what keeps people safe meanwhile.
    assert client.get(f"/api/v1/hazards/{open_one.id}").get_json()["hazard"]["allowed_actions"] == [
        "interim_control"]


def test_supervisors_and_admins_see_everything_admins_act_on_nothing(make_hazard, make_user, sign_in):
    hazard = make_hazard("reported")
    admin = sign_in(make_user(roles=("admin",)))
    body = admin.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]
    assert body["allowed_actions"] == []
    assert act(admin, hazard.id, "assign", "reported").status_code == 403
    supervisor = sign_in(hazard.people.supervisor)
    assert supervisor.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]["allowed_actions"] == [
        "assign", "invalidate", "interim_control"]


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/v1/hazards", None),
    ("GET", "/api/v1/hazards/{hazard}", None),
    ("GET", "/api/v1/me/tasks", None),
    ("GET", "/api/v1/categories", None),
    ("GET", "/api/v1/hazards/transitions", None),
    ("GET", "/api/v1/notifications", None),
    ("GET", "/api/v1/photos/1", None),
    ("POST", "/api/v1/hazards", {"data": {}}),
    ("POST", "/api/v1/visits", {"json": {}}),
])
def test_anonymous_callers_get_401_json(client, make_hazard, method, url, body):
    if "{hazard}" in url:  # a hazard that exists: its existence is not told either
        url = url.format(hazard=make_hazard("reported").id)
    response = client.open(url, method=method, **(body or {}))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_disabled_users_old_session_sees_nothing(app, make_hazard, sign_in):
    from server.auth import services as accounts
    from server.auth.models import User
    from server.extensions import db

    hazard = make_hazard("assigned")
    fixer = sign_in(hazard.people.rectifier)
    with app.app_context():
        accounts.set_active(db.session.get(User, hazard.people.rectifier.id), False)
        db.session.commit()
    assert fixer.get(f"/api/v1/hazards/{hazard.id}").status_code == 401


# Who sees each of three hazards (reported, assigned, closed; each in its own zone, with its own people),
# in a list (no zone asked about) and one by one (asking about the hazard's own zone).
# Reporters are patrols: one by one they also see any zone's OPEN hazards, never a closed one of another's.
SEEN = {
    #                       listed: reported assigned closed    one by one: reported assigned closed
    "reporter of reported": ((True, False, False),               (True, True, False)),
    "reporter of assigned": ((False, True, False),               (True, True, False)),
    "reporter of closed":   ((False, False, True),               (True, True, True)),
    "rectifier of reported": ((False, False, False),             (False, False, False)),  # never assigned
    "rectifier of assigned": ((False, True, False),              (False, True, False)),
    "rectifier of closed":  ((False, False, True),               (False, False, True)),  # their finished work
    "another patrol":       ((False, False, False),              (True, True, False)),
    "a supervisor":         ((True, True, True),                 (True, True, True)),
}


def test_visibility_is_one_query_for_lists_and_records(app, make_hazard, make_user):
    """The list and the single-record check, for every user and hazard (one mechanism, two uses)."""
    from sqlalchemy import select

    from server.auth.models import User
    from server.errors import NotFound
    from server.extensions import db
    from server.hazards import access
    from server.hazards.models import Hazard

    hazards = {state: make_hazard(state) for state in ("reported", "assigned", "closed")}
    users = {f"{kind} of {state}": getattr(hazard.people, kind)
             for kind in ("reporter", "rectifier") for state, hazard in hazards.items()}
    users["another patrol"] = make_user(roles=("patrol",))
    users["a supervisor"] = make_user(roles=("supervisor",))

    def seen_one(user, hazard_id):
        try:
            access.get_hazard_for(user, hazard_id)
        except NotFound:
            return False
        return True

    with app.app_context():
        seen = {}
        for name, detached in users.items():
            user = db.session.get(User, detached.id)
            listed = set(db.session.scalars(select(Hazard.id).where(access.visibility(user))))
            seen[name] = (tuple(h.id in listed for h in hazards.values()),
                          tuple(seen_one(user, h.id) for h in hazards.values()))
    assert seen == SEEN
