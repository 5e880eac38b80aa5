"""Interim controls (临时措施, issue 11): anyone working an open hazard records what keeps people
safe meanwhile (cordoned off, a warning sign …), an event that leaves the state alone; it stands beside
the hazard on its desk page, the desk's zone page, the field app's zone list (JSON) and in the hazard's
printed file."""

import uuid

import pytest

from server.extensions import db
from server.hazards.models import Hazard, HazardEvent
from tests.hazards.apihelp import act, count
from tests.hazards.test_major_plan import english

INTERIM = HazardEvent.action == "interim_control"


def _interim(client, hazard, *, seen_state=None, client_id=None, **fields):
    fields = {"interim_kind": "cordoned", "note": "拉警戒线", **fields}
    return act(client, hazard.id, "interim_control", seen_state or hazard.state, client_id=client_id,
               **fields)


@pytest.mark.parametrize(("state", "person"), [
    ("reported", "reporter"),
    ("reported", "supervisor"),
    ("reported", "another patrol"),
    ("assigned", "rectifier"),
    ("assigned", "reporter"),
    ("awaiting_recheck", "supervisor"),
])
def test_anyone_working_an_open_hazard_records_an_interim_control(app, make_hazard, make_user, sign_in, state,
                                                                  person):
    hazard = make_hazard(state)
    people = hazard.people
    who = {"reporter": people.reporter, "supervisor": people.supervisor, "rectifier": people.rectifier,
           "another patrol": make_user(roles=("patrol",))}[person]
    response = _interim(sign_in(who), hazard)
    body = response.get_json()
    assert (response.status_code, body["hazard"]["state"], body["event"]["action"],
            body["event"]["interim_kind"]) == (201, state, "interim_control", "cordoned")
    assert [(c["kind"], c["note"], c["by"]["id"]) for c in body["hazard"]["interim_controls"]] == [
        ("cordoned", "拉警戒线", who.id)]


@pytest.mark.parametrize(("state", "fields", "status", "details"), [
    ("closed", {}, 409, {"reason": "state", "state": "closed"}),
    ("invalid", {}, 409, {"reason": "state", "state": "invalid"}),
    ("reported", {"interim_kind": None}, 422, {"interim_kind": "required"}),
    ("reported", {"interim_kind": "other", "note": ""}, 422, {"note": "required"}),
    ("reported", {"deadline": "2099-01-01"}, 422, {"deadline": "not_allowed"}),
    ("reported", {"measures": "更换"}, 422, {"measures": "not_allowed"}),
])
def test_an_interim_control_is_refused_with_what_to_change(app, make_hazard, sign_in, state, fields, status,
                                                           details):
    hazard = make_hazard(state)
    response = _interim(sign_in(hazard.people.supervisor), hazard, **fields)
    assert (response.status_code, response.get_json()["error"]["details"]) == (status, details)
    assert bool(response.get_json()["error"]["message"]) and count(app, HazardEvent, INTERIM) == 0


def test_an_admin_alone_or_a_rectifier_not_on_it_cannot(make_hazard, make_user, sign_in):
    hazard = make_hazard("assigned")
    statuses = [_interim(sign_in(make_user(roles=roles)), hazard).status_code
                for roles in (("admin",), ("rectifier",))]
    assert statuses == [403, 404]


def test_sent_again_it_is_recorded_once(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    client = sign_in(hazard.people.reporter)
    client_id = uuid.uuid4().hex
    statuses = [_interim(client, hazard, client_id=client_id).status_code for _ in range(2)]
    assert (statuses, count(app, HazardEvent, INTERIM)) == ([201, 200], 1)


def test_recorded_offline_it_stands_though_the_hazard_was_assigned_meanwhile(make_hazard, sign_in):
    # The phone saw it "reported"; a supervisor assigned it before the phone had a signal again.
    hazard = make_hazard("assigned")
    response = _interim(sign_in(hazard.people.reporter), hazard, seen_state="reported")
    assert (response.status_code, response.get_json()["hazard"]["state"]) == (201, "assigned")


def test_the_zone_json_shows_it_beside_the_open_hazard_newest_first(app, make_hazard, make_user, sign_in):
    hazard = make_hazard("reported")
    patrol = english(sign_in(hazard.people.reporter))
    _interim(patrol, hazard, interim_kind="sign_posted", note="")
    _interim(sign_in(hazard.people.supervisor), hazard, interim_kind="guarded", note="保安值守")
    other = make_hazard("reported", zone=hazard.zone_obj, reporter=hazard.people.reporter)
    listed = patrol.get(f"/api/v1/zones/{hazard.zone_obj.id}/hazards").get_json()["hazards"]
    shown = {h["id"]: [(c["kind"], c["kind_label"], c["note"]) for c in h["interim_controls"]]
             for h in listed}
    assert shown == {hazard.id: [("guarded", "Someone on guard", "保安值守"),
                                 ("sign_posted", "Warning sign posted", "")],
                     other.id: []}


def test_the_desk_records_it_and_shows_it_on_the_hazard_and_zone_pages(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    supervisor = english(sign_in(hazard.people.supervisor))
    response = supervisor.post(f"/hazards/{hazard.id}/act", content_type="multipart/form-data", data={
        "action": "interim_control", "seen_state": "assigned", "client_id": uuid.uuid4().hex,
        "interim_kind": "closed_off", "note": "配电房上锁"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Hazard, hazard.id).state == "assigned"
    pages = [supervisor.get(url).get_data(as_text=True)
             for url in (f"/hazards/{hazard.id}", f"/patrols/zones/{hazard.zone_obj.id}")]
    said = ("⚠", "Taken out of use / closed off", "配电房上锁")
    assert [[text for text in said if text not in page] for page in pages] == [[], []]


def test_a_refused_desk_form_says_why_on_the_page(make_hazard, sign_in):
    hazard = make_hazard("reported")
    response = english(sign_in(hazard.people.supervisor)).post(
        f"/hazards/{hazard.id}/act", content_type="multipart/form-data",
        data={"action": "interim_control", "seen_state": "reported", "client_id": uuid.uuid4().hex})
    assert response.status_code == 422
    assert "Choose what was done to keep people safe" in response.get_data(as_text=True)


def test_the_zone_page_lists_only_open_hazards(make_hazard, sign_in):
    hazard = make_hazard("reported")
    closed = make_hazard("closed", zone=hazard.zone_obj)
    supervisor = sign_in(hazard.people.supervisor)
    page = supervisor.get(f"/patrols/zones/{hazard.zone_obj.id}").get_data(as_text=True)
    section = page[page.index('id="open-heading"'):page.index("</section>", page.index('id="open-heading"'))]
    assert (f"/hazards/{hazard.id}\"" in section, f"/hazards/{closed.id}\"" in section) == (True, False)


def test_the_hazard_file_lists_it_in_the_history(make_hazard, sign_in):
    hazard = make_hazard("reported")
    supervisor = english(sign_in(hazard.people.supervisor))
    _interim(supervisor, hazard, interim_kind="cordoned", note="拉警戒线")
    page = supervisor.get(f"/hazards/{hazard.id}/file").get_data(as_text=True)
    assert "⚠ Cordoned off / fenced: 拉警戒线" in page
