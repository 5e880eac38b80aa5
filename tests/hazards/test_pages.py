"""The desk pages of the hazard loop: queue, assignment, the hazard page, rechecks, deferrals, refusals."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.hazards.models import Hazard, HazardEvent
from tests.conftest import photo_bytes


def _state(app, hazard_id):
    with app.app_context():
        return db.session.get(Hazard, hazard_id).state


def _events(app, hazard_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HazardEvent)
                                 .where(HazardEvent.hazard_id == hazard_id))


def _act(client, hazard_id, action, seen_state, client_id="form-1234567890", **fields):
    data = {"action": action, "client_id": f"{client_id}-{action}", "seen_state": seen_state, **fields}
    return client.post(f"/hazards/{hazard_id}/act", data=data)


def test_whole_loop_through_the_pages(app, make_hazard, sign_in):
    hazard = make_hazard("reported", description="消防通道堆放杂物")
    supervisor, rectifier = sign_in(hazard.people.supervisor), sign_in(hazard.people.rectifier)

    queue = supervisor.get("/hazards/queue").get_data(as_text=True)
    assert "消防通道堆放杂物" in queue and 'name="rectifier_id"' in queue and 'name="deadline"' in queue
    # The zone's responsible person is chosen by default.
    assert f'<option value="{hazard.people.rectifier.id}" selected>' in queue

    deadline = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    response = _act(supervisor, hazard.id, "assign", "reported", rectifier_id=hazard.people.rectifier.id,
                    deadline=deadline, next="/hazards/queue")
    assert response.status_code == 302 and response.headers["Location"] == "/hazards/queue"
    assert _state(app, hazard.id) == "assigned"

    page = rectifier.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "提交整改" in page
    response = rectifier.post(f"/hazards/{hazard.id}/act", data={
        "action": "submit", "client_id": "sub-1234567890", "seen_state": "assigned", "note": "已清理",
        "photos": [(io.BytesIO(photo_bytes((30, 160, 30))), "after.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert _state(app, hazard.id) == "awaiting_recheck"

    rechecks = supervisor.get("/hazards/rechecks").get_data(as_text=True)
    assert "消防通道堆放杂物" in rechecks
    detail = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert 'class="compare"' in detail and detail.count("/thumb") >= 2  # before and after side by side
    assert _act(supervisor, hazard.id, "fail", "awaiting_recheck", note="还有杂物").status_code == 302
    assert _state(app, hazard.id) == "assigned"
    rectifier.post(f"/hazards/{hazard.id}/act", data={
        "action": "submit", "client_id": "sub-2234567890", "seen_state": "assigned",
        "photos": [(io.BytesIO(photo_bytes((30, 170, 30))), "after.jpg")]},
        content_type="multipart/form-data")
    assert _act(supervisor, hazard.id, "pass", "awaiting_recheck").status_code == 302
    assert _state(app, hazard.id) == "closed"
    timeline = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    steps = ("上报", "指派", "提交整改", "复查不通过", "复查通过")
    missing = [word for word in steps if word not in timeline]
    assert missing == []


def test_a_repeated_form_changes_nothing(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    supervisor = sign_in(hazard.people.supervisor)
    first = _act(supervisor, hazard.id, "assign", "reported", rectifier_id=hazard.people.rectifier.id)
    events = _events(app, hazard.id)
    again = _act(supervisor, hazard.id, "assign", "reported", rectifier_id=hazard.people.rectifier.id)
    assert first.status_code == again.status_code == 302
    assert _events(app, hazard.id) == events


def test_a_stale_page_gets_409_and_changes_nothing(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    supervisor = sign_in(hazard.people.supervisor)
    events = _events(app, hazard.id)
    response = _act(supervisor, hazard.id, "invalidate", "reported", note="重复")
    assert response.status_code == 409
    assert "flash-error" in response.get_data(as_text=True)
    assert _state(app, hazard.id) == "assigned" and _events(app, hazard.id) == events


def test_missing_note_is_422_on_the_page(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    response = _act(sign_in(hazard.people.supervisor), hazard.id, "invalidate", "reported", note="")
    assert response.status_code == 422 and _state(app, hazard.id) == "reported"


@pytest.mark.parametrize("note", ["", "   "])
def test_a_deferral_declined_without_a_reason_is_refused_and_still_waits(app, make_hazard, sign_in, note):
    """The rectifier is told why the deadline stands (the decline's note shows on the hazard's page)."""
    hazard = make_hazard("assigned")
    rectifier, supervisor = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    later = (datetime.now(UTC) + timedelta(days=20)).date()
    assert _act(rectifier, hazard.id, "request_deferral", "assigned", note="需采购配件",
                deadline=later.isoformat()).status_code == 302
    with app.app_context():
        events = db.session.scalar(db.select(db.func.count()).select_from(HazardEvent))
    refused = _act(supervisor, hazard.id, "decline_deferral", "assigned", note=note)
    assert refused.status_code == 422
    assert "请说明不同意延期的理由（会告知整改人）。" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Hazard, hazard.id).deferral_pending  # nothing written: it still waits
        assert db.session.scalar(db.select(db.func.count()).select_from(HazardEvent)) == events
    page = supervisor.get("/hazards/deferrals").get_data(as_text=True)
    assert '<label for="decline-' in page and "不同意延期的理由</label>" in page
    assert re.search(r'id="decline-\d+" name="note" maxlength="2000" required', page)


@pytest.mark.parametrize("decision", ["approve_deferral", "decline_deferral"])
def test_deferral_approved_or_declined(app, make_hazard, sign_in, decision):
    hazard = make_hazard("assigned")
    rectifier, supervisor = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    with app.app_context():
        before = db.session.get(Hazard, hazard.id).deadline
    later = (datetime.now(UTC) + timedelta(days=20)).date()
    assert _act(rectifier, hazard.id, "request_deferral", "assigned", note="需采购配件",
                deadline=later.isoformat()).status_code == 302
    assert "需采购配件" in supervisor.get("/hazards/deferrals").get_data(as_text=True)
    note = "" if decision == "approve_deferral" else "可先临时加固，按原期限完成"  # a decline says why
    assert _act(supervisor, hazard.id, decision, "assigned", note=note).status_code == 302
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        assert not row.deferral_pending and row.state == "assigned"
        from server.schooltime import local_date

        if decision == "approve_deferral":
            assert local_date(row.deadline) == later
        else:
            assert row.deadline == before
    assert "需采购配件" not in supervisor.get("/hazards/deferrals").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/hazards/queue", "/hazards/rechecks", "/hazards/deferrals"])
@pytest.mark.parametrize("roles", [("patrol",), ("rectifier",)])
def test_queue_pages_are_for_supervisors(app, login_as, roles, path):
    assert login_as(*roles).get(path).status_code == 403


def test_patrol_cannot_assign(app, make_hazard, login_as):
    hazard = make_hazard("reported")
    patrol = login_as("patrol")
    response = _act(patrol, hazard.id, "assign", "reported")
    assert response.status_code in (403, 404) and _state(app, hazard.id) == "reported"


def test_rectifier_cannot_open_someone_elses_hazard(app, make_hazard, login_as):
    hazard = make_hazard("assigned")
    stranger = login_as("rectifier")
    assert stranger.get(f"/hazards/{hazard.id}").status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/hazards/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_overdue_first_and_marked_in_school_time(app, make_hazard, sign_in):
    past = datetime.now(UTC) - timedelta(days=30)
    late = make_hazard("assigned", now=past, description="逾期的隐患")
    make_hazard("assigned", description="新的隐患", supervisor=late.people.supervisor)
    page = sign_in(late.people.supervisor).get("/hazards").get_data(as_text=True)
    assert page.index("逾期的隐患") < page.index("新的隐患")
    assert "逾期" in page and "badge-overdue" in page


def test_notifications_page_and_count(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    rectifier = sign_in(hazard.people.rectifier)
    page = rectifier.get("/notifications").get_data(as_text=True)
    assert f"#{hazard.id}" in page and 'class="unread"' in page
    rectifier.post("/notifications/read")
    assert 'class="unread"' not in rectifier.get("/notifications").get_data(as_text=True)
