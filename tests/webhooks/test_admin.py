"""The admin's webhook pages: add, edit (the secret kept when left empty), refusals beside their fields, the
test button that queues (never sends) a message, the delivery log, and admins only."""

import pytest
from sqlalchemy import select

from server.extensions import db
from server.webhooks.models import Webhook, WebhookDelivery

FORM = {"name": "安全群", "format": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=x",
        "secret": "SECabc", "events": ["major_hazard", "supervised"], "active": "y"}


def _stored(app):
    with app.app_context():
        return [(w.name, w.format, w.url, w.secret, w.events, w.active)
                for w in db.session.scalars(select(Webhook).order_by(Webhook.id))]


def test_admin_adds_edits_and_tests_a_webhook(app, login_as):
    admin = login_as("admin")
    assert admin.get("/admin/webhooks/").status_code == 200
    assert admin.get("/admin/webhooks/new").status_code == 200
    response = admin.post("/admin/webhooks/new", data=FORM)
    assert response.status_code == 302
    [stored] = _stored(app)
    assert stored == ("安全群", "dingtalk", FORM["url"], "SECabc", ["major_hazard", "supervised"], True)
    with app.app_context():
        webhook_id = db.session.scalar(select(Webhook.id))

    unticked = {k: v for k, v in FORM.items() if k != "active"}  # a checkbox left empty is not sent
    edited = admin.post(f"/admin/webhooks/{webhook_id}", data={**unticked, "secret": "", "name": "校级群",
                                                                "events": ["overdue_summary"]})
    assert edited.status_code == 302
    assert _stored(app) == [("校级群", "dingtalk", FORM["url"], "SECabc", ["overdue_summary"], False)]

    tested = admin.post(f"/admin/webhooks/{webhook_id}/test")
    assert tested.status_code == 302
    with app.app_context():
        [row] = db.session.scalars(select(WebhookDelivery)).all()
        assert (row.event, row.status, row.attempts) == ("test", "pending", 0)
    page = admin.get(f"/admin/webhooks/{webhook_id}").get_data(as_text=True)
    assert row.title in page
    assert row.title in admin.get("/admin/webhooks/").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value"), [
    ("name", ""),
    ("url", "ftp://bot.example/"),
    ("url", "not an address"),
    ("format", "telegram"),
    ("events", "everything"),
])
def test_bad_fields_are_refused(app, login_as, field, value):
    response = login_as("admin").post("/admin/webhooks/new", data={**FORM, field: value})
    assert response.status_code == 422
    assert _stored(app) == []


@pytest.mark.parametrize("roles", [("supervisor",), ("patrol",), ("rectifier",)])
def test_only_admins(login_as, roles):
    client = login_as(*roles)
    assert client.get("/admin/webhooks/").status_code == 403
    assert client.post("/admin/webhooks/new", data=FORM).status_code == 403


def test_unknown_webhook_is_404(login_as):
    admin = login_as("admin")
    assert admin.get("/admin/webhooks/999").status_code == 404
    assert admin.post("/admin/webhooks/999/test").status_code == 404
