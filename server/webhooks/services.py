"""The rules for webhooks: the admin's configuration, and the outbox rows written in an event's transaction.
"""

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server.database import utcnow
from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.webhooks.models import EVENTS, FORMATS, TEST, Webhook, WebhookDelivery

LOG_LENGTH = 100  # deliveries the admin's log shows


def _checked(name: str, webhook_format: str, url: str, events) -> dict:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationFailed(_l("Give the webhook a name of at most 64 characters."),
                               details={"name": "invalid"})
    if webhook_format not in FORMATS:
        raise ValidationFailed(_l("Choose the kind of webhook."), details={"format": "invalid"})
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationFailed(_l("Give the bot's address, starting with https://."),
                               details={"url": "invalid"})
    if not set(events or ()) <= set(EVENTS):
        raise ValidationFailed(_l("Choose events from the list."), details={"events": "invalid"})
    return {"name": name, "format": webhook_format, "url": url,
            "events": [e for e in EVENTS if e in set(events or ())]}


def add_webhook(name: str, webhook_format: str, url: str, events, *, secret: str = "",
                active: bool = True) -> Webhook:
    """Add a webhook after checking its name, kind, address and events."""
    webhook = Webhook(**_checked(name, webhook_format, url, events), secret=(secret or "").strip(),
                      active=active)
    db.session.add(webhook)
    db.session.flush()
    return webhook


def update_webhook(webhook: Webhook, name: str, webhook_format: str, url: str, events, *,
                   secret: str | None = None, active: bool = True) -> Webhook:
    """Change a webhook; a secret left empty (None) keeps the one stored."""
    for field, value in _checked(name, webhook_format, url, events).items():
        setattr(webhook, field, value)
    if secret:
        webhook.secret = secret.strip()
    webhook.active = active
    db.session.flush()
    return webhook


def get_webhook(webhook_id: int) -> Webhook:
    """Return the webhook or raise NotFound."""
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound()
    return webhook


def list_webhooks() -> list[Webhook]:
    """Return every webhook, by name."""
    return list(db.session.scalars(select(Webhook).order_by(Webhook.name, Webhook.id)))


def enqueue(event: str, key: str, title: str, lines: list[str], *, now: datetime | None = None) -> int:
    """Queue the message for every active webhook that takes the event, once per webhook, event and key."""
    now = now or utcnow()
    targets = [w.id for w in list_webhooks() if w.active and event in (w.events or ())]
    return sum(_queue(webhook_id, event, key, title, lines, now) for webhook_id in targets)


def queue_test(webhook: Webhook, title: str, lines: list[str], *, now: datetime | None = None) -> int:
    """Queue a test message for this webhook (the admin's test button); each press is its own message."""
    now = now or utcnow()
    return _queue(webhook.id, TEST, now.isoformat(), title, lines, now)


def _queue(webhook_id: int, event: str, key: str, title: str, lines: list[str], now: datetime) -> int:
    # Checked before adding: the daily pass runs alone and a hazard's report is made once, so no other writer
    # queues the same key meanwhile; the unique constraint stands behind it anyway.
    if db.session.scalar(select(WebhookDelivery.id).where(
            WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.event == event,
            WebhookDelivery.key == key)) is not None:
        return 0
    db.session.add(WebhookDelivery(webhook_id=webhook_id, event=event, key=key[:64], title=title[:200],
                                   lines=lines, created_at=now, next_attempt_at=now))
    db.session.flush()
    return 1


def log(webhook: Webhook | None = None, limit: int = LOG_LENGTH) -> list[WebhookDelivery]:
    """Return the latest deliveries (of one webhook, or all), newest first."""
    query = select(WebhookDelivery)
    if webhook is not None:
        query = query.where(WebhookDelivery.webhook_id == webhook.id)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))
