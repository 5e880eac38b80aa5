"""What the daily pass's alerts say: the overdue summary names the hazards longest overdue, then counts the
rest; the 督办 alert names this run's flags."""

from datetime import timedelta

from sqlalchemy import select

from server.database import utcnow
from server.extensions import db
from server.notifications import services as notices
from server.webhooks import alerts, services
from server.webhooks.models import WebhookDelivery


def test_summary_and_flags_name_the_first_and_count_the_rest(app, make_hazard, make_user, make_zone,
                                                             monkeypatch):
    monkeypatch.setattr(alerts, "LISTED", 1)
    app.config.update(BABEL_DEFAULT_LOCALE="en", PUBLIC_BASE_URL="https://safety.example")
    fixer = make_user(roles=("rectifier",), display_name="张师傅")
    zone = make_zone(name="锅炉房", responsible=fixer)
    oldest = make_hazard("assigned", zone=zone, rectifier=fixer, now=utcnow() - timedelta(days=30))
    make_hazard("assigned", zone=zone, rectifier=fixer, now=utcnow() - timedelta(days=20))
    now = utcnow()
    with app.app_context():
        services.add_webhook("群", "json", "https://bot.example/", ["overdue_summary", "supervised"])
        assert notices.escalate(now) == 2
        assert alerts.queue_overdue_summary(now) == 1
        assert alerts.queue_supervised(now) == 1
        assert alerts.queue_overdue_summary(now) == 0  # the same school day: once
        db.session.commit()
        got = [(r.event, r.title, r.lines) for r in db.session.scalars(select(WebhookDelivery)
                                                                         .order_by(WebhookDelivery.id))]
    first = (f"[#{oldest.id}](https://safety.example/hazards/{oldest.id})"
             " · 锅炉房 · 校舍安全 · 23 days overdue · 张师傅")
    assert got == [("overdue_summary", "2 hazards overdue at 淄博市特殊教育中心", [first, "and 1 more"]),
                   ("supervised", "2 hazards now under supervision (督办)", [first, "and 1 more"])]
