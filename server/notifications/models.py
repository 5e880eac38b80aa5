"""In-app notifications."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.database import UTCDateTime, utcnow
from server.extensions import db
from server.hazards import states
from server.hazards.models import Hazard

NEW_REPORT = "new_report"
ASSIGNED = "assigned"
DUE_TOMORROW = "due_tomorrow"
OVERDUE = "overdue"
SUBMITTED = "submitted"
RECHECK_FAILED = "recheck_failed"
RECHECK_PASSED = "recheck_passed"
DEFERRAL_REQUESTED = "deferral_requested"
DEFERRAL_DECIDED = "deferral_decided"
KINDS = (NEW_REPORT, ASSIGNED, DUE_TOMORROW, OVERDUE, SUBMITTED, RECHECK_FAILED, RECHECK_PASSED,
         DEFERRAL_REQUESTED, DEFERRAL_DECIDED)
# A new report of these severities is urgent (较大 / 重大): the desk and the field app mark it so.
URGENT_SEVERITIES = (states.MAJOR, states.CRITICAL)


def is_urgent(kind: str, severity: str) -> bool:
    """Say whether a notice is urgent: a new report of a major or critical hazard (severity never changes)."""
    return kind == NEW_REPORT and severity in URGENT_SEVERITIES


class Notification(db.Model):
    """Something a user should know about a hazard; unread until they open it.

    `key` makes a notice unique per user, hazard and kind: the event id for notices about an event, the
    deadline for the deadline sweeps, so running a sweep twice announces nothing twice, while a new deadline
    (after a deferral, say) is announced again.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")", name="kind_known"),
        UniqueConstraint("user_id", "hazard_id", "kind", "key", name="uq_notifications_once"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
        # A user's notifications, newest first, a page at a time.
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hazard: Mapped[Hazard] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Notification {self.user_id} {self.kind}>"
