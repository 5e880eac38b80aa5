"""A major hazard's rectification plan (五到位, issue 11): without it the hazard is not assigned,
on every path (the JSON action the field app's outbox sends, the desk's hazard page, the queue, the
server's own auto-assignment), with a 422 a person can act on; once recorded the assignment goes
through; each version of the plan is an event of the hazard's timeline."""

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from server.extensions import db
from server.hazards.models import Hazard, HazardEvent, HazardPlan
from tests.conftest import plan_fields
from tests.hazards.apihelp import act, category_id, count, report, school_today

PLAN_MESSAGE = ("A major hazard needs its rectification plan (measures, funding, responsible person, time "
                "limit, emergency measures) before it can be assigned.")
PLAN_MESSAGE_ZH = "重大隐患须先制定整改方案（措施、资金、责任人、时限、应急措施）后才能指派"


def english(client):
    """Make the signed-in client read English (the Chinese of new words is merged into the catalog later)."""
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def plan_json(**overrides) -> dict:
    """Return a complete plan as the JSON action sends it (the overrides replace its fields)."""
    fields = {**plan_fields(), **overrides}
    fields["time_limit"] = fields["time_limit"].isoformat() if fields["time_limit"] else ""
    return fields


def _desk_post(client, hazard_id, action, seen_state, **fields):
    data = {"action": action, "seen_state": seen_state, "client_id": uuid.uuid4().hex, **fields}
    return client.post(f"/hazards/{hazard_id}/act", data=data, content_type="multipart/form-data")


def _state_and_events(app, hazard_id):
    with app.app_context():
        state = db.session.get(Hazard, hazard_id).state
    return state, count(app, HazardEvent, HazardEvent.hazard_id == hazard_id)


def _assign_by(path, client, hazard):
    """Send "assign" the way each path does; return (status, the page or JSON text)."""
    if path == "json action":
        response = act(client, hazard.id, "assign", "reported", rectifier_id=hazard.people.rectifier.id)
        return response.status_code, response.get_json()["error"]["message"]
    fields = {"rectifier_id": str(hazard.people.rectifier.id),
              "deadline": (school_today() + timedelta(days=5)).isoformat()}
    if path == "queue form":
        fields["next"] = "/hazards/queue"
    response = _desk_post(client, hazard.id, "assign", "reported", **fields)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("severity", ["major", "critical"])
@pytest.mark.parametrize("path", ["json action", "hazard page form", "queue form"])
def test_assigning_without_the_plan_is_refused_with_422_and_nothing_written(app, make_hazard, sign_in, path,
                                                                           severity):
    hazard = make_hazard("reported", severity=severity)
    client = english(sign_in(hazard.people.supervisor))
    before = _state_and_events(app, hazard.id)
    status, said = _assign_by(path, client, hazard)
    assert (status, PLAN_MESSAGE in said, _state_and_events(app, hazard.id)) == (422, True, before)


def test_the_refusal_names_what_is_missing(make_hazard, sign_in):
    hazard = make_hazard("reported", severity="major")
    response = act(sign_in(hazard.people.supervisor), hazard.id, "assign", "reported")
    assert response.get_json()["error"]["details"] == {"reason": "plan_missing", "state": "reported"}


def test_the_chinese_of_the_refusal_is_the_issues_wording():
    fragment = Path(__file__).parents[2] / "server/translations/pending/plans.po"
    pairs = dict(re.findall(r'msgid "(.*)"\nmsgstr "(.*)"', fragment.read_text("utf-8")))
    assert pairs[PLAN_MESSAGE] == PLAN_MESSAGE_ZH


def test_a_general_hazard_needs_no_plan(make_hazard, sign_in):
    hazard = make_hazard("reported", severity="general")
    response = act(sign_in(hazard.people.supervisor), hazard.id, "assign", "reported")
    assert response.status_code == 201 and response.get_json()["hazard"]["plan_missing"] is False


def test_once_the_plan_is_recorded_the_hazard_is_assigned(app, make_hazard, sign_in):
    hazard = make_hazard("reported", severity="major")
    supervisor = sign_in(hazard.people.supervisor)
    assert act(supervisor, hazard.id, "assign", "reported").status_code == 422
    planned = act(supervisor, hazard.id, "plan", "reported", **plan_json())
    assert planned.status_code == 201
    body = planned.get_json()
    assert (body["event"]["action"], body["hazard"]["state"], body["hazard"]["plan_missing"]) == (
        "plan", "reported", False)
    assert body["hazard"]["plan"] | {"recorded_at": None, "recorded_by": None} == {
        "version": 1, "measures": "更换损坏部件并加固", "funding": "维修经费 2000 元",
        "responsible": "王主任", "time_limit": plan_fields()["time_limit"].isoformat(),
        "emergency_measures": "设置警戒线，专人看守",
        "recorded_at": None, "recorded_by": None}
    assigned = act(supervisor, hazard.id, "assign", "reported")
    assert assigned.status_code == 201 and assigned.get_json()["hazard"]["state"] == "assigned"


def test_each_version_of_the_plan_is_an_event_of_the_timeline(app, make_hazard, sign_in):
    hazard = make_hazard("reported", severity="critical")
    supervisor = sign_in(hazard.people.supervisor)
    assert act(supervisor, hazard.id, "plan", "reported", **plan_json()).status_code == 201
    # The second version from the desk's form on the hazard page, with a larger budget.
    response = _desk_post(supervisor, hazard.id, "plan", "reported", **plan_json(funding="专项经费 5 万元"))
    assert response.status_code == 302
    detail = supervisor.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]
    assert [e["action"] for e in detail["events"]] == ["report", "plan", "plan"]
    assert (detail["plan"]["version"], detail["plan"]["funding"]) == (2, "专项经费 5 万元")
    with app.app_context():
        versions = db.session.scalars(db.select(HazardPlan.version)
                                      .where(HazardPlan.hazard_id == hazard.id)
                                      .order_by(HazardPlan.version)).all()
    assert versions == [1, 2]
    page = english(supervisor).get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert ("Version 2, recorded by" in page, "专项经费 5 万元" in page, page.count("<summary>Version ")) == (
        True, True, 2)


@pytest.mark.parametrize(("fields", "details"), [
    ({"measures": ""}, {"measures": "required"}),
    ({"funding": "  "}, {"funding": "required"}),
    ({"responsible": ""}, {"responsible": "required"}),
    ({"time_limit": None}, {"time_limit": "required"}),
    ({"emergency_measures": ""}, {"emergency_measures": "required"}),
    ({"time_limit": school_today() - timedelta(days=1)}, {"time_limit": "past"}),
    ({"interim_kind": "cordoned"}, {"interim_kind": "not_allowed"}),
])
def test_a_plan_needs_all_five_in_place(app, make_hazard, sign_in, fields, details):
    hazard = make_hazard("reported", severity="major")
    response = act(sign_in(hazard.people.supervisor), hazard.id, "plan", "reported", **plan_json(**fields))
    assert (response.status_code, response.get_json()["error"]["details"]) == (422, details)
    assert count(app, HazardPlan) == 0


@pytest.mark.parametrize(("state", "severity", "status", "reason"), [
    ("reported", "general", 409, "plan_not_needed"),
    ("assigned", "major", 409, "plan_recorded"),  # recorded before the assignment: it stands
    ("awaiting_recheck", "major", 409, "state"),
    ("closed", "major", 409, "state"),
])
def test_a_plan_is_recorded_before_assignment_only(make_hazard, sign_in, state, severity, status, reason):
    hazard = make_hazard(state, severity=severity)
    response = act(sign_in(hazard.people.supervisor), hazard.id, "plan", state, **plan_json())
    assert (response.status_code, response.get_json()["error"]["details"]["reason"]) == (status, reason)


def test_a_patrol_or_rectifier_cannot_record_a_plan(make_hazard, sign_in):
    hazard = make_hazard("assigned", severity="major")
    statuses = [act(sign_in(person), hazard.id, "plan", "assigned", **plan_json()).status_code
                for person in (hazard.people.reporter, hazard.people.rectifier)]
    assert statuses == [403, 403]


def test_an_assigned_major_hazard_without_a_plan_asks_for_it_on_its_page(app, make_hazard, sign_in):
    # A hazard assigned as general whose severity was then raised (by a data correction: the app itself never
    # changes a severity) or assigned before plans existed: its page says the plan is missing and takes one.
    hazard = make_hazard("assigned", severity="general")
    with app.app_context():
        db.session.get(Hazard, hazard.id).severity = "major"
        db.session.commit()
    supervisor = english(sign_in(hazard.people.supervisor))
    page = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert (PLAN_MESSAGE in page, 'name="measures"' in page) == (True, True)
    json_body = supervisor.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]
    assert (json_body["plan_missing"], "assign" in json_body["allowed_actions"]) == (True, False)
    assert act(supervisor, hazard.id, "assign", "assigned",
               deadline=(school_today() + timedelta(days=9)).isoformat()).status_code == 422
    assert act(supervisor, hazard.id, "plan", "assigned", **plan_json()).status_code == 201
    again = act(supervisor, hazard.id, "plan", "assigned", **plan_json(funding="追加"))
    assert (again.status_code, again.get_json()["error"]["details"]["reason"]) == (409, "plan_recorded")


def test_the_queue_links_a_major_report_to_its_plan_instead_of_an_assign_button(make_hazard, make_user,
                                                                                sign_in):
    supervisor = make_user(roles=("supervisor",))
    major = make_hazard("reported", severity="major", supervisor=supervisor)
    general = make_hazard("reported", severity="general", supervisor=supervisor)
    page = english(sign_in(supervisor)).get("/hazards/queue").get_data(as_text=True)
    cards = {hazard_id: page[page.index(f'id="hz-{hazard_id}"'):] for hazard_id in (major.id, general.id)}
    cards = {hazard_id: card[:card.find("</article>")] for hazard_id, card in cards.items()}
    shown = [(f"/hazards/{h}#plan" in cards[h], 'value="assign"' in cards[h]) for h in (major.id, general.id)]
    assert shown == [(True, False), (False, True)]
    assert PLAN_MESSAGE in cards[major.id]


def test_auto_assignment_leaves_a_major_report_waiting_for_its_plan(app, make_user, make_zone, sign_in):
    app.config["AUTO_ASSIGN_TO_RESPONSIBLE"] = True
    zone = make_zone(responsible=make_user(roles=("rectifier",)))
    patrol = sign_in(make_user(roles=("patrol",)))
    states = [report(patrol, zone.id, category_id(app), severity=severity).get_json()["hazard"]["state"]
              for severity in ("general", "major", "critical")]
    assert states == ["assigned", "reported", "reported"]


def test_the_hazard_file_prints_the_plan(make_hazard, sign_in):
    hazard = make_hazard("assigned", severity="major")
    page = english(sign_in(hazard.people.supervisor)).get(f"/hazards/{hazard.id}/file").get_data(as_text=True)
    printed = ("Rectification plan", "设置警戒线，专人看守", "王主任")
    assert [text for text in printed if text not in page] == []
