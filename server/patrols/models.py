"""Patrol visits."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.database import UTCDateTime, utcnow
from server.extensions import db
from server.zones.models import Zone

NO_HAZARD = "no_hazard"
HAZARDS_FOUND = "hazards_found"
RESULTS = (NO_HAZARD, HAZARDS_FOUND)


class PatrolVisit(db.Model):
    """A patrol worker was at a zone at a time (from the QR scan): "no hazard", or hazards reported there."""

    __tablename__ = "patrol_visits"
    __table_args__ = (
        CheckConstraint("result IN ('no_hazard', 'hazards_found')", name="result_known"),
        Index("ix_patrol_visits_zone_device_at", "zone_id", "device_at"),
        # A patrol's visits of the day (today's round: the zones they patrolled), without reading their rows.
        Index("ix_patrol_visits_patrol_device_at", "patrol_id", "device_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    patrol_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    device_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when, by the device's clock
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result: Mapped[str] = mapped_column(String(16))
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_site: Mapped[bool] = mapped_column(default=False)
    # Answers to the category or campaign checklist: {"question": "yes" | "no" | text}.
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))

    zone: Mapped[Zone] = relationship(lazy="joined")
    patrol: Mapped[User] = relationship(lazy="joined")
    hazards: Mapped[list["Hazard"]] = relationship(back_populates="visit")  # noqa: F821

    def __repr__(self) -> str:
        return f"<PatrolVisit {self.zone_id} {self.result}>"
