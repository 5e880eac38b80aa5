"""The outbox sent to a local bot: bodies, DingTalk's signature checked by the bot, retries with backoff, one
message per run and webhook, and a report of a major hazard that never waits on a webhook."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.database import utcnow
from server.extensions import db
from server.webhooks import delivery, services
from server.webhooks.models import WebhookDelivery
from tests.hazards.apihelp import category_id, report

MARKDOWN = "### 重大隐患 #7 锅炉房\n- 消防安全\n- 灭火器过期"


def _webhook(app, url, webhook_format="wecom", events=("major_hazard",), secret=""):
    with app.app_context():
        webhook = services.add_webhook("安全群", webhook_format, url, list(events), secret=secret)
        db.session.commit()
        return webhook.id


def _queue(app, now, key="hazard:7", title="重大隐患 #7 锅炉房", event="major_hazard"):
    with app.app_context():
        queued = services.enqueue(event, key, title, ["消防安全", "灭火器过期"], now=now)
        db.session.commit()
        return queued


def _deliver(app, now):
    with app.app_context():
        return delivery.deliver(now)


def _rows(app):
    with app.app_context():
        return [(r.status, r.attempts, r.next_attempt_at, r.last_status, r.last_error)
                for r in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]


def test_wecom_gets_its_markdown_message(app, bot):
    _webhook(app, bot.url)
    now = utcnow()
    assert _queue(app, now) == 1
    assert _deliver(app, now) == {"sent": 1, "pending": 0, "failed": 0}
    assert [(r["body"], r["content_type"]) for r in bot.received] == [
        ({"msgtype": "markdown", "markdown": {"content": MARKDOWN}}, "application/json; charset=utf-8")]
    assert [row[:2] for row in _rows(app)] == [("sent", 1)]


@pytest.mark.parametrize(("stored_secret", "expected_status", "expected_error"), [
    ("SECright", "sent", ""),
    ("SECwrong", "pending", "errcode 310000: sign not match"),  # the bot refused the signature: retried
])
def test_dingtalk_signature_checked_by_the_bot(app, bot, stored_secret, expected_status, expected_error):
    bot.secret = "SECright"
    _webhook(app, bot.url, "dingtalk", secret=stored_secret)
    now = utcnow()
    _queue(app, now)
    _deliver(app, now)
    [received] = bot.received
    assert received["body"] == {"msgtype": "markdown",
                                "markdown": {"title": "重大隐患 #7 锅炉房", "text": MARKDOWN}}
    assert received["query"]["access_token"] == ["abc"]
    assert [(row[0], row[4]) for row in _rows(app)] == [(expected_status, expected_error)]


def test_a_bot_answering_500_is_retried_with_backoff_then_succeeds(app, bot):
    bot.statuses = [500, 500]
    _webhook(app, bot.url)
    t0 = utcnow()
    _queue(app, t0)
    assert _deliver(app, t0) == {"sent": 0, "pending": 1, "failed": 0}
    assert _rows(app) == [
        ("pending", 1, t0 + timedelta(seconds=60), 500, 'HTTP 500: {"errcode": 0, "errmsg": "ok"}')]
    assert _deliver(app, t0 + timedelta(seconds=59)) == {"sent": 0, "pending": 0, "failed": 0}  # not yet
    assert _deliver(app, t0 + timedelta(seconds=60))["pending"] == 1  # second failure: waits twice as long
    assert _rows(app)[0][:3] == ("pending", 2, t0 + timedelta(seconds=60 + 120))
    assert _deliver(app, t0 + timedelta(seconds=179)) == {"sent": 0, "pending": 0, "failed": 0}
    assert _deliver(app, t0 + timedelta(seconds=180)) == {"sent": 1, "pending": 0, "failed": 0}
    assert len(bot.received) == 3
    assert _rows(app)[0][:2] == ("sent", 3)


def test_given_up_after_the_last_attempt(app, bot):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    bot.statuses = [503, 503]
    _webhook(app, bot.url)
    t0 = utcnow()
    _queue(app, t0)
    _deliver(app, t0)
    assert _deliver(app, t0 + timedelta(seconds=60)) == {"sent": 0, "pending": 0, "failed": 1}
    assert _rows(app)[0][:2] == ("failed", 2)
    assert _deliver(app, t0 + timedelta(days=1)) == {"sent": 0, "pending": 0, "failed": 0}


def test_unreachable_bot_is_retried(app):
    _webhook(app, "http://127.0.0.1:9/robot/send")  # the discard port: nothing listens
    now = utcnow()
    _queue(app, now)
    assert _deliver(app, now) == {"sent": 0, "pending": 1, "failed": 0}
    assert _rows(app)[0][3] is None


def test_what_waits_is_joined_into_one_message(app, bot):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # group chats speak the school's language (Chinese: pending)
    _webhook(app, bot.url, "json")
    now = utcnow()
    for number in (7, 8, 9):
        _queue(app, now, key=f"hazard:{number}", title=f"重大隐患 #{number}")
    assert _deliver(app, now) == {"sent": 1, "pending": 0, "failed": 0}
    [received] = bot.received
    assert received["body"] == {"event": "summary", "title": "3 alerts from 淄博市特殊教育中心", "lines": [
        "**重大隐患 #7**", "消防安全", "灭火器过期", "**重大隐患 #8**", "消防安全", "灭火器过期",
        "**重大隐患 #9**", "消防安全", "灭火器过期"]}
    assert [row[0] for row in _rows(app)] == ["sent", "sent", "sent"]


@pytest.mark.parametrize(("event", "expected"), [
    ("major_hazard", {"wecom": 1, "dingtalk": 0, "json": 1}),
    ("overdue_summary", {"wecom": 0, "dingtalk": 1, "json": 1}),
    ("supervised", {"wecom": 0, "dingtalk": 1, "json": 0}),
])
def test_events_go_where_the_admin_said(app, event, expected):
    ids = {"wecom": _webhook(app, "https://a.example/", "wecom", ["major_hazard"]),
           "dingtalk": _webhook(app, "https://b.example/", "dingtalk", ["overdue_summary", "supervised"]),
           "json": _webhook(app, "https://c.example/", "json", ["major_hazard", "overdue_summary"])}
    now = utcnow()
    _queue(app, now, event=event)
    assert _queue(app, now, event=event) == 0  # the same key again: queued once
    with app.app_context():
        got = {name: len(db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.webhook_id == webhook_id)).all()) for name, webhook_id in ids.items()}
    assert got == expected


def test_a_major_report_never_waits_on_the_webhook(app, bot, login_as, make_zone):
    bot.sleep = 5.0  # a bot this slow would hold the report if it were sent inside the request
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    _webhook(app, bot.url)
    patrol = login_as("patrol")
    zone = make_zone()
    started = time.monotonic()
    response = report(patrol, zone.id, category_id(app, "fire"), severity="major", description="灭火器过期")
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.get_json()
    assert elapsed < 2.0
    assert bot.received == []
    hazard_id = response.get_json()["hazard"]["id"]
    with app.app_context():
        [row] = db.session.scalars(select(WebhookDelivery)).all()
        assert (row.event, row.key, row.status) == ("major_hazard", f"hazard:{hazard_id}", "pending")
        assert row.title == f"Major hazard #{hazard_id} in {zone.name}"
    bot.sleep = 0
    assert _deliver(app, utcnow())["sent"] == 1
    content = bot.received[0]["body"]["markdown"]["content"]
    assert content.startswith(f"### Major hazard #{hazard_id} in {zone.name}\n- ")


@pytest.mark.parametrize(("severity", "expected"), [("general", 0), ("major", 1), ("critical", 1)])
def test_only_major_and_critical_reports_are_alerted(app, login_as, make_zone, severity, expected):
    _webhook(app, "https://a.example/")
    response = report(login_as("patrol"), make_zone().id, category_id(app), severity=severity)
    assert response.status_code == 201
    with app.app_context():
        assert len(db.session.scalars(select(WebhookDelivery)).all()) == expected


def test_the_timer_command_delivers(app, bot, runner):
    _webhook(app, bot.url)
    _queue(app, utcnow())
    result = runner.invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0, result.output
    assert "Webhook messages: 1 sent, 0 to be retried, 0 given up." in result.output
    assert len(bot.received) == 1
    again = runner.invoke(args=["deliver-webhooks"])
    assert "Webhook messages: 0 sent, 0 to be retried, 0 given up." in again.output
