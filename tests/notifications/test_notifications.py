"""In-app notifications: who hears of what, the unread count, marking read, and the deadline sweep."""

from datetime import timedelta

from server.database import utcnow
from server.notifications.models import Notification
from tests.conftest import photo_bytes
from tests.hazards.apihelp import act, count, school_today


def _inbox(client):
    body = client.get("/api/v1/notifications").get_json()
    return body["unread"], [(n["kind"], n["hazard_id"]) for n in body["notifications"]], body["notifications"]


def test_the_loop_notifies_the_right_people(make_hazard, make_user, sign_in):
    other_supervisor = make_user(roles=("supervisor",))
    hazard = make_hazard("reported")
    people = hazard.people
    supervisor, fixer = sign_in(people.supervisor), sign_in(people.rectifier)
    reporter = sign_in(people.reporter)
    watcher = sign_in(other_supervisor)

    act(supervisor, hazard.id, "assign", "reported", rectifier_id=people.rectifier.id)
    unread, kinds, items = _inbox(fixer)
    assert unread == 1 and kinds == [("assigned", hazard.id)]
    assert "已指派给您" in items[0]["message"] and items[0]["read_at"] is None

    act(fixer, hazard.id, "submit", "assigned", photos=[photo_bytes()])
    for client in (supervisor, watcher):  # every supervisor hears a rectification is in
        assert ("submitted", hazard.id) in _inbox(client)[1]
    assert ("submitted", hazard.id) not in _inbox(fixer)[1]  # not the one who did it

    act(supervisor, hazard.id, "fail", "awaiting_recheck", note="仍有松动")
    assert _inbox(fixer)[1][0] == ("recheck_failed", hazard.id)
    assert _inbox(reporter)[1][0] == ("recheck_failed", hazard.id)
    assert "复查未通过" in _inbox(reporter)[2][0]["message"]

    act(fixer, hazard.id, "submit", "assigned", photos=[photo_bytes()])
    act(watcher, hazard.id, "pass", "awaiting_recheck")
    assert _inbox(fixer)[1][0] == ("recheck_passed", hazard.id)
    assert _inbox(reporter)[1][0] == ("recheck_passed", hazard.id)
    assert ("recheck_passed", hazard.id) not in _inbox(watcher)[1]


def test_deferral_notices(make_hazard, sign_in):
    hazard = make_hazard("assigned")
    fixer, supervisor = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    day = (school_today() + timedelta(days=20)).isoformat()
    act(fixer, hazard.id, "request_deferral", "assigned", note="缺配件", deadline=day)
    assert _inbox(supervisor)[1][0] == ("deferral_requested", hazard.id)
    act(supervisor, hazard.id, "approve_deferral", "assigned")
    _unread, kinds, items = _inbox(fixer)
    assert kinds[0] == ("deferral_decided", hazard.id) and "已批准" in items[0]["message"]
    assert day in items[0]["message"]
    act(fixer, hazard.id, "request_deferral", "assigned", note="还缺",
        deadline=(school_today() + timedelta(days=40)).isoformat())
    act(supervisor, hazard.id, "decline_deferral", "assigned", note="可先临时处置，按原期限完成")
    assert "已驳回" in _inbox(fixer)[2][0]["message"]


def test_unread_count_and_marking_read(make_hazard, sign_in):
    first = make_hazard("assigned")
    fixer = sign_in(first.people.rectifier)
    second = make_hazard("assigned", rectifier=first.people.rectifier)
    unread, _kinds, items = _inbox(fixer)
    assert unread == 2
    response = fixer.post("/api/v1/notifications/read", json={"ids": [items[0]["id"]]})
    assert response.status_code == 200 and response.get_json() == {"marked": 1, "unread": 1}
    only_unread = fixer.get("/api/v1/notifications?unread=1").get_json()["notifications"]
    assert [n["id"] for n in only_unread] == [items[1]["id"]]
    # Someone else's notification cannot be marked from here.
    other = sign_in(second.people.supervisor)
    assert other.post("/api/v1/notifications/read", json={"ids": [items[1]["id"]]}).get_json()["marked"] == 0
    marked = fixer.post("/api/v1/notifications/read", json={"all": True}).get_json()
    assert marked == {"marked": 1, "unread": 0}
    bad = fixer.post("/api/v1/notifications/read", json={"ids": "all"})
    assert bad.status_code == 422
    assert fixer.post("/api/v1/notifications/read", json={}).status_code == 422
    assert fixer.get("/api/v1/notifications?limit=500").status_code == 422


def test_deadline_sweep_announces_once(app, make_hazard, make_user, runner):
    from server.extensions import db
    from server.notifications import services

    supervisor = make_user(roles=("supervisor",))
    late = make_hazard("assigned", supervisor=supervisor, now=utcnow() - timedelta(days=30))
    # Assigned 6 days ago with the building category's 7 days: due tomorrow.
    soon = make_hazard("assigned", supervisor=supervisor, now=utcnow() - timedelta(days=6))
    make_hazard("assigned", supervisor=supervisor)  # due in a week: nothing yet
    before = count(app, Notification)

    result = runner.invoke(args=["sweep-deadlines"])
    assert result.exit_code == 0, result.output
    assert "1 due tomorrow" in result.output
    with app.app_context():
        rows = db.session.scalars(db.select(Notification).where(Notification.kind.in_(
            ["due_tomorrow", "overdue"]))).all()
        got = sorted((n.kind, n.hazard_id, n.user_id) for n in rows)
    assert ("due_tomorrow", soon.id, soon.people.rectifier.id) in got
    assert ("overdue", late.id, late.people.rectifier.id) in got
    assert ("overdue", late.id, supervisor.id) in got
    assert {(k, h) for k, h, _u in got} == {("due_tomorrow", soon.id), ("overdue", late.id)}
    made = count(app, Notification)
    assert made > before
    with app.app_context():  # a second sweep announces nothing twice
        assert services.sweep_deadlines() == {"due_tomorrow": 0, "overdue": 0}
        db.session.commit()
    assert count(app, Notification) == made


def test_a_failed_recheck_handed_to_someone_else_tells_the_new_rectifier(make_hazard, make_user, sign_in):
    hazard = make_hazard("awaiting_recheck")
    successor = make_user(roles=("rectifier",))
    old = sign_in(hazard.people.rectifier)
    seen_before = _inbox(old)[1]
    response = act(sign_in(hazard.people.supervisor), hazard.id, "fail", "awaiting_recheck",
                   note="换人整改", rectifier_id=successor.id)
    assert response.get_json()["hazard"]["rectifier"]["id"] == successor.id
    assert _inbox(sign_in(successor))[1] == [("recheck_failed", hazard.id)]
    assert _inbox(old)[1] == seen_before
