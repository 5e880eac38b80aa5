"""Actions from the desk's forms: each goes through the services, answers refusals on the page with the
right status and a message, and a form sent twice changes nothing the second time."""

import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server import schooltime
from server.extensions import db
from server.hazards import queries, services
from server.hazards.models import Hazard, HazardEvent, Photo
from tests.conftest import photo_bytes
from tests.hazards.apihelp import school_today


def _row(app, hazard_id):
    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        db.session.expunge(hazard)
        return hazard


def _events(app, hazard_id) -> list[HazardEvent]:
    with app.app_context():
        events = queries.timeline(db.session.get(Hazard, hazard_id))
        for e in events:
            db.session.expunge(e)
        return events


def _post(client, hazard_id, action, seen_state, *, client_id=None, follow=False, **fields):
    data = {"action": action, "seen_state": seen_state, "client_id": client_id or uuid.uuid4().hex, **fields}
    return client.post(f"/hazards/{hazard_id}/act", data=data, follow_redirects=follow,
                       content_type="multipart/form-data")


def _flash(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('class="flash')
    return page[start:page.index("</p>", start)]


def test_assign_from_the_queue_returns_to_the_queue_with_a_message(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    supervisor = sign_in(hazard.people.supervisor)
    day = school_today() + timedelta(days=4)
    response = _post(supervisor, hazard.id, "assign", "reported", rectifier_id=hazard.people.rectifier.id,
                     deadline=day.isoformat(), next="/hazards/queue", follow=True)
    assert response.status_code == 200 and response.request.path == "/hazards/queue"
    assert "已完成：指派" in _flash(response) and f"#{hazard.id}" in _flash(response)
    row = _row(app, hazard.id)
    assert row.state == "assigned" and row.rectifier_id == hazard.people.rectifier.id
    with app.app_context():
        assert schooltime.local_date(row.deadline) == day


def test_a_form_sent_twice_acts_once(app, make_hazard, sign_in):
    hazard = make_hazard("awaiting_recheck")
    supervisor = sign_in(hazard.people.supervisor)
    fields = {"client_id": "page-0123456789-fail", "note": "仍有积水"}
    first = _post(supervisor, hazard.id, "fail", "awaiting_recheck", follow=True, **fields)
    assert "已完成：复查不通过" in _flash(first)
    events = _events(app, hazard.id)
    # The same form again (a double tap, or the back button and send): the state it shows is stale now,
    # but the client id is known, so it is answered as what it was, and nothing new is written.
    again = _post(supervisor, hazard.id, "fail", "awaiting_recheck", follow=True, **fields)
    assert again.status_code == 200 and "表单重复提交，未作任何改动" in _flash(again)
    assert [e.id for e in _events(app, hazard.id)] == [e.id for e in events]
    assert _row(app, hazard.id).state == "assigned"


def test_a_stale_page_gets_409_with_the_reason_and_nothing_changes(app, make_hazard, make_user, sign_in):
    hazard = make_hazard("awaiting_recheck")
    colleague = sign_in(make_user(roles=("supervisor",)))
    supervisor = sign_in(hazard.people.supervisor)
    detail = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert 'name="seen_state" value="awaiting_recheck"' in detail
    assert _post(colleague, hazard.id, "pass", "awaiting_recheck").status_code == 302  # meanwhile
    events = _events(app, hazard.id)
    response = _post(supervisor, hazard.id, "fail", "awaiting_recheck", note="还有问题")
    assert response.status_code == 409
    message = _flash(response)
    assert "flash-error" in message and "该隐患在您查看后已有变化" in message and "已销号" in message
    assert _row(app, hazard.id).state == "closed" and len(_events(app, hazard.id)) == len(events)
    # The page shown with it is the hazard as it is now: its only action is reopen.
    assert 'name="action" value="reopen"' in response.get_data(as_text=True)


def test_a_refusal_on_the_queue_is_shown_on_the_queue(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    supervisor = sign_in(hazard.people.supervisor)
    past = (school_today() - timedelta(days=1)).isoformat()
    response = _post(supervisor, hazard.id, "assign", "reported", deadline=past, next="/hazards/queue",
                     rectifier_id=hazard.people.rectifier.id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "整改期限不能早于今天" in _flash(response)
    assert "<h1>新上报</h1>" in page and 'aria-current="page">新上报' in page
    assert _row(app, hazard.id).state == "reported"


def test_a_missing_note_is_422_and_keeps_what_was_typed(app, make_hazard, sign_in):
    hazard = make_hazard("closed")
    supervisor = sign_in(hazard.people.supervisor)
    later = (school_today() + timedelta(days=3)).isoformat()
    response = _post(supervisor, hazard.id, "reopen", "closed", note="  ", deadline=later)
    assert response.status_code == 422 and "请说明重新打开的原因" in _flash(response)
    page = response.get_data(as_text=True)
    assert f'id="reopen-deadline" name="deadline" value="{later}"' in page
    assert '<details class="card action-form more action-reopen" open>' in page  # unfolded again
    assert _row(app, hazard.id).state == "closed"


def test_a_bad_date_is_422(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    response = _post(sign_in(hazard.people.supervisor), hazard.id, "assign", "reported", deadline="tomorrow")
    assert response.status_code == 422 and "整改期限须为日期" in _flash(response)


def test_invalidate_from_the_queue_with_a_kind_and_a_reason(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    supervisor = sign_in(hazard.people.supervisor)
    response = _post(supervisor, hazard.id, "invalidate", "reported", invalid_kind="duplicate",
                     note="与 #3 相同", next="/hazards/queue")
    assert response.status_code == 302 and response.headers["Location"] == "/hazards/queue"
    row = _row(app, hazard.id)
    assert row.state == "invalid" and not row.fixed
    assert _events(app, hazard.id)[-1].note == "重复上报：与 #3 相同"
    page = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "重复上报：与 #3 相同" in page and "作废于" in page and 'name="action"' not in page


def test_invalidate_with_only_a_kind(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    response = _post(sign_in(hazard.people.supervisor), hazard.id, "invalidate", "assigned",
                     invalid_kind="not_ours")
    assert response.status_code == 302
    assert _events(app, hazard.id)[-1].note == "不归本校管"


def test_reopen_a_closed_hazard(app, make_hazard, sign_in):
    hazard = make_hazard("closed")
    supervisor = sign_in(hazard.people.supervisor)
    page = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert 'name="action" value="reopen"' in page
    day = (school_today() + timedelta(days=2)).isoformat()
    response = _post(supervisor, hazard.id, "reopen", "closed", note="扶手又松了", deadline=day,
                     rectifier_id=hazard.people.rectifier.id, follow=True)
    assert response.status_code == 200 and "已完成：重新打开" in _flash(response)
    row = _row(app, hazard.id)
    assert row.state == "assigned" and not row.fixed and row.closed_at is None
    assert "扶手又松了" in response.get_data(as_text=True)


def test_fail_then_pass_with_a_new_deadline_and_recheck_photos(app, make_hazard, sign_in):
    hazard = make_hazard("awaiting_recheck")
    supervisor, rectifier = sign_in(hazard.people.supervisor), sign_in(hazard.people.rectifier)
    day = school_today() + timedelta(days=6)
    response = supervisor.post(f"/hazards/{hazard.id}/act", data={
        "action": "fail", "client_id": uuid.uuid4().hex, "seen_state": "awaiting_recheck",
        "note": "螺栓未紧固", "deadline": day.isoformat(),
        "photos": [(io.BytesIO(photo_bytes((90, 90, 200))), "recheck.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        assert schooltime.local_date(db.session.get(Hazard, hazard.id).deadline) == day
        kinds = [p.kind for p in db.session.scalars(select(Photo).where(Photo.hazard_id == hazard.id))]
    assert kinds == ["before", "after", "recheck"]
    # The rectifier submits again from the desk form, with an after photo.
    page = rectifier.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'href="/app/hazards/' in page
    response = rectifier.post(f"/hazards/{hazard.id}/act", data={
        "action": "submit", "client_id": uuid.uuid4().hex, "seen_state": "assigned", "note": "已更换螺栓",
        "photos": [(io.BytesIO(photo_bytes((20, 200, 20))), "after.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    detail = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    start = detail.index('class="card side-after"')
    after = detail[start:detail.index("</figure>", start)]
    assert after.count("<img") == 1  # the latest rectification's photos, not the failed one's
    assert _post(supervisor, hazard.id, "pass", "awaiting_recheck").status_code == 302
    assert _row(app, hazard.id).state == "closed"
    actions = [e.action for e in _events(app, hazard.id)]
    assert actions == ["report", "assign", "submit", "fail", "submit", "pass"]


def test_submit_without_photos_is_refused(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    response = _post(sign_in(hazard.people.rectifier), hazard.id, "submit", "assigned", note="好了")
    assert response.status_code == 422 and "至少" in _flash(response)
    assert _row(app, hazard.id).state == "assigned"


def test_reassign_changes_the_rectifier(app, make_hazard, make_user, sign_in):
    hazard = make_hazard("assigned")
    other = make_user(roles=("rectifier",), display_name="陈电工")
    supervisor = sign_in(hazard.people.supervisor)
    page = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "重新指派或调整整改期限" in page
    with app.app_context():
        current = schooltime.local_date(db.session.get(Hazard, hazard.id).deadline).isoformat()
    assert f'id="assign-deadline" name="deadline" value="{current}"' in page  # the deadline stands
    same = _post(supervisor, hazard.id, "assign", "assigned", rectifier_id=hazard.people.rectifier.id,
                 deadline=current)
    assert same.status_code == 422
    assert _post(supervisor, hazard.id, "assign", "assigned", rectifier_id=other.id,
                 deadline=current).status_code == 302
    assert _row(app, hazard.id).rectifier_id == other.id


@pytest.mark.parametrize("decision", ["approve_deferral", "decline_deferral"])
def test_deferral_decided_from_the_deferrals_page(app, make_hazard, sign_in, decision):
    hazard = make_hazard("assigned")
    rectifier, supervisor = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    before = _row(app, hazard.id).deadline
    proposed = school_today() + timedelta(days=30)
    assert _post(rectifier, hazard.id, "request_deferral", "assigned", note="等待配件到货",
                 deadline=proposed.isoformat()).status_code == 302
    chosen = school_today() + timedelta(days=25)
    fields = {"deadline": chosen.isoformat()} if decision == "approve_deferral" else {"note": "请先临时加固"}
    response = _post(supervisor, hazard.id, decision, "assigned", next="/hazards/deferrals", follow=True,
                     **fields)
    assert response.request.path == "/hazards/deferrals"
    assert "等待配件到货" not in response.get_data(as_text=True)
    row = _row(app, hazard.id)
    assert not row.deferral_pending
    with app.app_context():
        if decision == "approve_deferral":
            assert schooltime.local_date(row.deadline) == chosen  # the supervisor's date, not the proposed
        else:
            assert row.deadline == before
    page = rectifier.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert ("批准延期" if decision == "approve_deferral" else "请先临时加固") in page


def test_a_rectifier_cannot_decide_or_assign(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    rectifier = sign_in(hazard.people.rectifier)
    page = rectifier.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert 'value="submit"' in page and 'value="request_deferral"' in page
    assert 'value="assign"' not in page and 'value="invalidate"' not in page
    response = _post(rectifier, hazard.id, "assign", "assigned", rectifier_id=hazard.people.rectifier.id)
    assert response.status_code == 403 and "您的角色无权执行此操作：指派" in _flash(response)
    assert _row(app, hazard.id).state == "assigned"


def test_a_patrol_sees_their_report_read_only_and_cannot_assign(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    patrol = sign_in(hazard.people.reporter)
    page = patrol.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    # Read-only but for what keeps people safe meanwhile: the one form a patrol has is the interim control's.
    actions = set(re.findall(r'name="action" value="([a-z_]+)"', page))
    assert hazard.description in page and actions == {"interim_control"}
    assert patrol.get("/hazards/queue").status_code == 403
    response = _post(patrol, hazard.id, "assign", "reported", rectifier_id=hazard.people.rectifier.id)
    assert response.status_code == 403 and _row(app, hazard.id).state == "reported"


def test_someone_elses_hazard_is_404_for_pages_and_forms(app, make_hazard, login_as):
    hazard = make_hazard("assigned")
    stranger = login_as("rectifier")
    assert stranger.get(f"/hazards/{hazard.id}").status_code == 404
    response = _post(stranger, hazard.id, "submit", "assigned")
    assert response.status_code == 404 and hazard.description not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/hazards/{hazard}/act", "/notifications/read"])
def test_anonymous_posts_go_to_sign_in(app, make_hazard, client, path):
    hazard = make_hazard("reported")
    response = client.post(path.format(hazard=hazard.id), data={"action": "assign"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _row(app, hazard.id).state == "reported"


def test_the_timeline_says_who_when_what_and_on_site(app, make_hazard, sign_in):
    from server.auth.models import User

    hazard = make_hazard("assigned")
    with app.app_context():
        zone_token = db.session.get(Hazard, hazard.id).zone.qr_token
        now = services.utcnow()
        services.perform(db.session.get(User, hazard.people.rectifier.id), hazard.id, services.Command(
            action="submit", client_id=uuid.uuid4().hex, seen_state="assigned", note="现场已处理",
            photos=[photo_bytes((10, 120, 10))], zone_token=zone_token, scanned_at=now - timedelta(minutes=3),
            device_at=now))
        scan = schooltime.school_tz()
        scanned = (now - timedelta(minutes=3)).astimezone(scan).strftime("%H:%M")
    page = sign_in(hazard.people.supervisor).get(f"/hazards/{hazard.id}").get_data(as_text=True)
    timeline = page[page.index('class="timeline"'):]
    assert timeline.count("<li>") == 3
    last = timeline[timeline.rindex("<li>"):]
    assert "提交整改" in last and hazard.people.rectifier.display_name in last and "现场已处理" in last
    assert f"现场 · 扫码 {scanned}" in last and "/thumb" in last


def test_forms_carry_csrf_tokens_with_protection_on(app, make_hazard, sign_in):
    hazard = make_hazard("awaiting_recheck")
    supervisor = sign_in(hazard.people.supervisor)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
        forms = page.count('action="/hazards/')
        assert forms >= 2 and page.count('name="csrf_token" value="') >= forms
        response = supervisor.post(f"/hazards/{hazard.id}/act", data={
            "action": "pass", "client_id": uuid.uuid4().hex, "seen_state": "awaiting_recheck"})
        assert response.status_code == 400  # no token: refused, nothing done
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _row(app, hazard.id).state == "awaiting_recheck"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HazardEvent)
                                 .where(HazardEvent.action == "pass")) == 0
