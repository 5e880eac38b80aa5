"""Webhooks the admin configures, and their outbox, which is also the delivery log."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.database import UTCDateTime, utcnow
from server.extensions import db

# Message formats: a generic JSON POST, a WeCom group bot, a DingTalk group bot (signed).
JSON_POST = "json"
WECOM = "wecom"
DINGTALK = "dingtalk"
FORMATS = (JSON_POST, WECOM, DINGTALK)

# Events a webhook may take.
MAJOR_HAZARD = "major_hazard"  # a new major or critical hazard
OVERDUE_SUMMARY = "overdue_summary"  # the daily pass's summary of overdue hazards
SUPERVISED = "supervised"  # hazards flagged 督办 by the daily pass
CAMPAIGN_START = "campaign_start"  # a special inspection (专项检查) becomes active
TEST = "test"  # the admin's test button
EVENTS = (MAJOR_HAZARD, OVERDUE_SUMMARY, SUPERVISED, CAMPAIGN_START)

PENDING = "pending"
SENT = "sent"
FAILED = "failed"  # given up after WEBHOOK_MAX_ATTEMPTS
STATUSES = (PENDING, SENT, FAILED)


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Webhook(db.Model):
    """Where group-chat alerts go: a bot's URL, its format, its secret (DingTalk's signing), its events."""

    __tablename__ = "webhooks"
    __table_args__ = (CheckConstraint(f"format IN {_in(FORMATS)}", name="format_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Webhook {self.id} {self.format}>"


class WebhookDelivery(db.Model):
    """One message for one webhook: written in the event's transaction (the outbox), then sent and logged.

    `key` makes a message unique per webhook and event (the hazard for a new major hazard, the school day
    for the overdue summary), so a daily pass run twice queues nothing twice.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(STATUSES)}", name="status_known"),
        UniqueConstraint("webhook_id", "event", "key", name="uq_webhook_deliveries_once"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last answer: HTTP status (None when no answer came) and what went wrong, for the admin's log.
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(Text, default="")

    webhook: Mapped[Webhook] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event} {self.status}>"
