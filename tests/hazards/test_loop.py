"""The whole hazard loop through the JSON API, as the field app and the desk drive it."""

from datetime import date, timedelta

import pytest

from server.hazards.models import Hazard, HazardEvent, Photo
from tests.conftest import photo_bytes
from tests.hazards.apihelp import act, category_id, count, report, school_today, stored_files
from tests.hazards.test_major_plan import plan_json


def _people(make_user, login_as, sign_in):
    rectifier = make_user(roles=("rectifier",), display_name="张师傅")
    return rectifier, login_as("patrol"), login_as("supervisor"), sign_in(rectifier)


def test_report_assign_submit_fail_then_pass(app, make_user, make_zone, login_as, sign_in):
    rectifier, patrol, supervisor, fixer = _people(make_user, login_as, sign_in)
    zone = make_zone(responsible=rectifier)
    response = report(patrol, zone.id, category_id(app, "fire"), severity="major", description="灭火器过期")
    assert response.status_code == 201
    hazard = response.get_json()["hazard"]
    assert hazard["state"] == "reported" and hazard["state_label"] == "已上报"
    assert hazard["reporter"]["id"] == patrol.user.id and len(hazard["photos"]) == 1
    assert hazard["photos"][0]["kind"] == "before" and hazard["thumb_url"]
    hid = hazard["id"]

    # A major hazard is assigned with its plan (五到位); then the supervisor assigns with the defaults: the
    # zone's 责任人, and the fire category's 3 days halved.
    assert act(supervisor, hid, "plan", "reported", **plan_json()).status_code == 201
    response = act(supervisor, hid, "assign", "reported")
    assert response.status_code == 201, response.get_json()
    hazard = response.get_json()["hazard"]
    assert hazard["state"] == "assigned" and hazard["rectifier"]["name"] == "张师傅"
    assert date.fromisoformat(hazard["deadline_date"]) > school_today()
    assert hazard["deadline"].endswith("T15:59:59Z")  # the end of the day in Asia/Shanghai
    assert response.get_json()["event"]["rectifier"]["id"] == rectifier.id

    # The rectifier sees it in their tasks and submits with an after photo, on site after scanning.
    tasks = fixer.get("/api/v1/me/tasks").get_json()
    assert [t["id"] for t in tasks["tasks"]] == [hid] and tasks["tasks"][0]["allowed_actions"] == [
        "submit", "request_deferral", "interim_control"]
    response = act(fixer, hid, "submit", "assigned", note="已更换灭火器", photos=[photo_bytes((0, 200, 0))],
                   zone_token=zone.qr_token, scanned_at="2030-01-01T08:00:00Z",
                   device_at="2030-01-01T08:05:00Z")
    assert response.status_code == 201
    assert response.get_json()["event"]["on_site"] is True
    assert response.get_json()["hazard"]["state"] == "awaiting_recheck"

    # The recheck fails with a note and a new deadline: back to the same rectifier.
    new_day = (school_today() + timedelta(days=5)).isoformat()
    response = act(supervisor, hid, "fail", "awaiting_recheck", note="压力表仍不正常", deadline=new_day)
    assert response.status_code == 201
    hazard = response.get_json()["hazard"]
    assert hazard["state"] == "assigned" and hazard["deadline_date"] == new_day
    assert hazard["rectifier"]["id"] == rectifier.id and hazard["fixed"] is False

    assert act(fixer, hid, "submit", "assigned", photos=[photo_bytes((0, 0, 200))]).status_code == 201
    response = act(supervisor, hid, "pass", "awaiting_recheck", note="复查合格",
                   photos=[photo_bytes((9, 9, 9))])
    assert response.status_code == 201
    hazard = response.get_json()["hazard"]
    assert hazard["state"] == "closed" and hazard["fixed"] is True and hazard["closed_at"]
    assert hazard["allowed_actions"] == ["reopen"]

    detail = supervisor.get(f"/api/v1/hazards/{hid}").get_json()["hazard"]
    assert [e["action"] for e in detail["events"]] == ["report", "plan", "assign", "submit", "fail", "submit",
                                                      "pass"]
    assert [e["to_state"] for e in detail["events"]] == [
        "reported", "reported", "assigned", "awaiting_recheck", "assigned", "awaiting_recheck", "closed"]
    assert [p["kind"] for p in detail["photos"]] == ["before", "after", "after", "recheck"]
    assert detail["events"][4]["note"] == "压力表仍不正常"
    assert [len(e["photos"]) for e in detail["events"]] == [1, 0, 0, 1, 0, 1, 1]
    # Every photo is served to those who may see the hazard.
    images = [fixer.get(photo["url"]) for photo in detail["photos"]]
    served = [(i.status_code, i.mimetype, "max-age=31536000" in i.headers["Cache-Control"]) for i in images]
    assert served == [(200, "image/jpeg", True)] * 4
    assert [fixer.get(photo["thumb_url"]).status_code for photo in detail["photos"]] == [200] * 4


def test_deferral_request_approve_then_decline(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    fixer, supervisor = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    first_deadline = fixer.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]["deadline_date"]
    later = (date.fromisoformat(first_deadline) + timedelta(days=10)).isoformat()

    response = act(fixer, hazard.id, "request_deferral", "assigned", note="需要厂家配件", deadline=later)
    assert response.status_code == 201
    body = response.get_json()["hazard"]
    assert body["deferral"]["reason"] == "需要厂家配件" and body["deferral"]["proposed_date"] == later
    assert body["deadline_date"] == first_deadline  # nothing changes until a supervisor decides
    assert "approve_deferral" in supervisor.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"][
        "allowed_actions"]
    # A second request while one waits: 409.
    again = act(fixer, hazard.id, "request_deferral", "assigned", note="再延", deadline=later)
    assert again.status_code == 409 and "已有延期申请" in again.get_json()["error"]["message"]

    waiting = supervisor.get("/api/v1/hazards?deferral=1").get_json()
    assert [h["id"] for h in waiting["hazards"]] == [hazard.id]
    response = act(supervisor, hazard.id, "approve_deferral", "assigned", note="同意")
    assert response.status_code == 201
    body = response.get_json()["hazard"]
    assert body["deadline_date"] == later and body["deferral"] is None and body["state"] == "assigned"
    assert supervisor.get("/api/v1/hazards?deferral=1").get_json()["total"] == 0

    even_later = (date.fromisoformat(later) + timedelta(days=10)).isoformat()
    assert act(fixer, hazard.id, "request_deferral", "assigned", note="还是缺配件",
               deadline=even_later).status_code == 201
    response = act(supervisor, hazard.id, "decline_deferral", "assigned", note="请按期完成")
    assert response.status_code == 201
    body = response.get_json()["hazard"]
    assert body["deadline_date"] == later and body["deferral"] is None
    # Deciding again with nothing pending: 409.
    assert act(supervisor, hazard.id, "decline_deferral", "assigned").status_code == 409
    events = [e["action"] for e in body["events"]]
    assert events[-4:] == ["request_deferral", "approve_deferral", "request_deferral", "decline_deferral"]


def test_deferral_needs_a_reason_and_a_later_date(make_hazard, sign_in):
    hazard = make_hazard("assigned")
    fixer = sign_in(hazard.people.rectifier)
    no_reason = act(fixer, hazard.id, "request_deferral", "assigned", deadline="2099-01-01")
    assert no_reason.status_code == 422 and no_reason.get_json()["error"]["details"] == {"note": "required"}
    earlier = act(fixer, hazard.id, "request_deferral", "assigned", note="原因",
                  deadline=school_today().isoformat())
    assert earlier.status_code == 422 and earlier.get_json()["error"]["details"] == {"deadline": "not_later"}
    past = act(fixer, hazard.id, "request_deferral", "assigned", note="原因", deadline="2001-01-01")
    assert past.status_code == 422 and "不能早于今天" in past.get_json()["error"]["message"]


def test_invalidate_with_a_reason_never_counts_as_fixed(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    supervisor = sign_in(hazard.people.supervisor)
    assert act(supervisor, hazard.id, "invalidate", "reported").status_code == 422  # the reason is required
    response = act(supervisor, hazard.id, "invalidate", "reported", note="重复上报")
    assert response.status_code == 201
    body = response.get_json()["hazard"]
    assert body["state"] == "invalid" and body["fixed"] is False and body["closed_at"]
    assert body["allowed_actions"] == []
    assert act(supervisor, hazard.id, "reopen", "invalid", note="误判").status_code == 409
    assigned = make_hazard("assigned")
    response = act(sign_in(assigned.people.supervisor), assigned.id, "invalidate", "assigned",
                   note="不属于我校")
    assert response.status_code == 201 and response.get_json()["hazard"]["fixed"] is False
    assert count(app, Hazard, Hazard.fixed.is_(True)) == 0


def test_reopen_goes_back_to_the_last_rectifier_with_a_new_deadline(make_hazard, sign_in):
    hazard = make_hazard("closed")
    supervisor = sign_in(hazard.people.supervisor)
    assert act(supervisor, hazard.id, "reopen", "closed").status_code == 422
    response = act(supervisor, hazard.id, "reopen", "closed", note="扶手又松动了")
    assert response.status_code == 201
    body = response.get_json()["hazard"]
    assert body["state"] == "assigned" and body["rectifier"]["id"] == hazard.people.rectifier.id
    assert body["fixed"] is False and body["closed_at"] is None
    assert date.fromisoformat(body["deadline_date"]) >= school_today() + timedelta(days=7)
    fixer = sign_in(hazard.people.rectifier)
    assert fixer.get("/api/v1/me/tasks").get_json()["tasks"][0]["id"] == hazard.id


def test_fixed_on_the_spot_general_closes_at_once(app, make_zone, login_as):
    patrol = login_as("patrol")
    zone = make_zone()
    missing_after = report(patrol, zone.id, category_id(app), fixed_on_the_spot=True)
    assert missing_after.status_code == 422
    assert missing_after.get_json()["error"]["details"] == {"after_photos": "required"}
    response = report(patrol, zone.id, category_id(app), fixed_on_the_spot=True,
                      after_photos=[photo_bytes((0, 255, 0))])
    assert response.status_code == 201
    body = response.get_json()["hazard"]
    assert body["state"] == "closed" and body["fixed"] is True and body["fixed_on_the_spot"] is True
    assert body["rectifier"]["id"] == patrol.user.id  # the record says who fixed it
    assert [p["kind"] for p in body["photos"]] == ["before", "after"]
    assert body["events"][0]["rectifier"]["id"] == patrol.user.id


def test_fixed_on_the_spot_major_awaits_a_recheck_by_someone_else(app, make_zone, login_as):
    reporter = login_as("patrol", "supervisor")
    zone = make_zone()
    response = report(reporter, zone.id, category_id(app), severity="major", fixed_on_the_spot=True,
                      after_photos=[photo_bytes((0, 255, 0))])
    assert response.status_code == 201
    body = response.get_json()["hazard"]
    assert body["state"] == "awaiting_recheck" and body["fixed"] is False
    own = act(reporter, body["id"], "pass", "awaiting_recheck")
    assert own.status_code == 403
    other = login_as("supervisor")
    assert act(other, body["id"], "pass", "awaiting_recheck").get_json()["hazard"]["fixed"] is True


def test_fail_of_a_fixed_on_the_spot_goes_to_the_zone_responsible(app, make_user, make_zone, login_as):
    responsible = make_user(roles=("rectifier",))
    patrol = login_as("patrol")
    zone = make_zone(responsible=responsible)
    hid = report(patrol, zone.id, category_id(app), severity="critical", fixed_on_the_spot=True,
                 after_photos=[photo_bytes()]).get_json()["hazard"]["id"]
    response = act(login_as("supervisor"), hid, "fail", "awaiting_recheck", note="没修好")
    body = response.get_json()["hazard"]
    assert response.status_code == 201 and body["rectifier"]["id"] == responsible.id
    assert body["deadline_date"] == (school_today() + timedelta(days=1)).isoformat()  # critical: one day


@pytest.mark.parametrize(("role", "changes", "status", "details"), [
    ("patrol", {"photos": []}, 422, {"photos": "required"}),
    ("patrol", {"photos": [photo_bytes()] * 7}, 422, {"photos": "too_many"}),
    ("patrol", {"category": 9999}, 422, {"category_id": "required"}),
    ("patrol", {"zone_id": 9999}, 422, {"zone_id": "required"}),
    ("patrol", {"severity": "huge"}, 422, {"severity": "unknown"}),
    ("patrol", {"description": "长" * 2001}, 422, {"description": "too_long"}),
    ("patrol", {"client_id": "x"}, 422, {"client_id": "invalid"}),
    ("patrol", {"device_at": "yesterday"}, 422, {"device_at": "invalid"}),
    ("patrol", {"after_photos": [photo_bytes()]}, 422, {"after_photos": "not_allowed"}),
    ("rectifier", {}, 403, {"reason": "role"}),
], ids=["no-photo", "seven-photos", "no-such-category", "no-such-zone", "bad-severity", "long-description",
        "bad-client-id", "bad-device-time", "after-photos-unfixed", "rectifier-reports"])
def test_report_refusals(app, make_zone, login_as, role, changes, status, details):
    fields = {"zone_id": make_zone().id, "category": category_id(app), **changes}
    response = report(login_as(role), fields.pop("zone_id"), fields.pop("category"), **fields)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["details"] == details
    assert response.get_json()["error"]["message"]
    assert count(app, Hazard) == 0 and stored_files(app) == []


def test_a_report_needs_no_description_photo_and_category_say_it(app, make_zone, login_as):
    patrol = login_as("patrol")
    response = report(patrol, make_zone().id, category_id(app), description="   ")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["hazard"]["description"] == ""
    assert count(app, Hazard) == 1


def test_a_deactivated_zone_refuses_a_report(app, make_zone, login_as):
    from server.extensions import db
    from server.zones import services as zones
    from server.zones.models import Zone

    zone = make_zone(name="旧锅炉房")
    with app.app_context():
        zones.set_active(db.session.get(Zone, zone.id), False)
        db.session.commit()
    response = report(login_as("patrol"), zone.id, category_id(app))
    assert response.status_code == 409
    assert "旧锅炉房" in response.get_json()["error"]["message"]
    assert "不再使用" in response.get_json()["error"]["message"]
    assert count(app, Hazard) == 0 and stored_files(app) == []


def test_bad_photos_are_refused_with_nothing_stored(app, make_zone, login_as):
    patrol = login_as("patrol")
    zone = make_zone()
    text = report(patrol, zone.id, category_id(app), photos=[b"this is not a photo at all"])
    assert text.status_code == 400 and text.get_json()["error"]["code"] == "bad_upload"
    # A good photo next to a bad one: the whole report is refused, the good one is not kept either.
    mixed = report(patrol, zone.id, category_id(app), photos=[photo_bytes(), b"<svg xmlns='x'></svg>"])
    assert mixed.status_code == 400
    app.config["PHOTO_MAX_BYTES"] = 1000
    big = report(patrol, zone.id, category_id(app), photos=[photo_bytes(size=(400, 400)) + b"\0" * 2000])
    assert big.status_code == 413
    assert count(app, Hazard) == 0 and count(app, Photo) == 0 and count(app, HazardEvent) == 0
    assert stored_files(app) == []


def test_auto_assignment_to_the_zone_responsible(app, make_user, make_zone, login_as, sign_in):
    app.config["AUTO_ASSIGN_TO_RESPONSIBLE"] = True
    responsible = make_user(roles=("rectifier",))
    zone = make_zone(responsible=responsible)
    body = report(login_as("patrol"), zone.id, category_id(app, "food")).get_json()["hazard"]
    assert body["state"] == "assigned" and body["rectifier"]["id"] == responsible.id
    assert body["deadline_date"] == (school_today() + timedelta(days=3)).isoformat()  # food: 3 days
    assert [e["action"] for e in body["events"]] == ["report"] and body["events"][0]["to_state"] == "assigned"
    notes = sign_in(responsible).get("/api/v1/notifications").get_json()
    assert notes["unread"] == 1 and notes["notifications"][0]["kind"] == "assigned"
    # Without a responsible rectifier the report waits in the queue.
    body = report(login_as("patrol"), make_zone().id, category_id(app)).get_json()["hazard"]
    assert body["state"] == "reported"


def test_assign_choices_and_refusals(app, make_hazard, make_user, sign_in):
    hazard = make_hazard("reported")
    supervisor = sign_in(hazard.people.supervisor)
    patrol_only = make_user(roles=("patrol",))
    response = act(supervisor, hazard.id, "assign", "reported", rectifier_id=patrol_only.id)
    assert response.status_code == 422 and response.get_json()["error"]["details"] == {
        "rectifier_id": "not_rectifier"}
    contractor = make_user(roles=("rectifier",), department="物业公司")
    day = (school_today() + timedelta(days=2)).isoformat()
    response = act(supervisor, hazard.id, "assign", "reported", rectifier_id=contractor.id, deadline=day)
    assert response.status_code == 201
    assert response.get_json()["hazard"]["deadline_date"] == day
    # Reassigning to the same person with the same deadline changes nothing: refused.
    same = act(supervisor, hazard.id, "assign", "assigned", rectifier_id=contractor.id)
    assert same.status_code == 422
    response = act(supervisor, hazard.id, "assign", "assigned", rectifier_id=hazard.people.rectifier.id)
    assert response.status_code == 201 and response.get_json()["hazard"]["deadline_date"] == day
    # The contractor no longer sees it.
    assert sign_in(contractor).get(f"/api/v1/hazards/{hazard.id}").status_code == 404


def test_default_deadlines_follow_category_and_severity(app, make_hazard):
    from datetime import UTC, datetime

    from server.extensions import db
    from server.hazards.deadlines import default_deadline
    from server.hazards.models import Category
    from server.schooltime import end_of_day, local_date

    now = datetime(2030, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in the school
    with app.app_context():
        building = db.session.scalar(db.select(Category).where(Category.code == "building"))  # 7 days
        assert local_date(default_deadline(building, "general", now)) == date(2030, 3, 8)
        assert local_date(default_deadline(building, "major", now)) == date(2030, 3, 5)
        assert local_date(default_deadline(building, "critical", now)) == date(2030, 3, 2)
        assert end_of_day(date(2030, 3, 2)).isoformat() == "2030-03-02T15:59:59+00:00"
