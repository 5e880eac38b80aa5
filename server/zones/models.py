"""Zones and the QR tokens they have retired."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.database import UTCDateTime, utcnow
from server.extensions import db

DAILY = "daily"
WEEKLY = "weekly"
CUSTOM = "custom"
FREQUENCIES = (DAILY, WEEKLY, CUSTOM)

# Risk levels of the national "double prevention" rules for schools (风险分级管控): 重大, 较大, 一般, 低.
MAJOR = "major"
SIGNIFICANT = "significant"
GENERAL = "general"
LOW = "low"
RISK_LEVELS = (MAJOR, SIGNIFICANT, GENERAL, LOW)  # highest first: lists of zones sort by this order
# The patrol frequency each risk level proposes (frequency, every how many days); the admin may set another.
# Major risks are looked at every school day, significant ones every other day, general ones once a week (the
# default frequency before risk levels), low ones every two weeks.
RISK_FREQUENCY = {MAJOR: (DAILY, 1), SIGNIFICANT: (CUSTOM, 2), GENERAL: (WEEKLY, 7), LOW: (CUSTOM, 14)}


class Zone(db.Model):
    """A safety-responsibility area with a named responsible person and a posted QR label."""

    __tablename__ = "zones"
    __table_args__ = (
        CheckConstraint(f"frequency IN {FREQUENCIES!r}", name="frequency_known"),
        # A custom frequency says every how many days; daily and weekly imply 1 and 7.
        CheckConstraint("frequency_days >= 1 AND frequency_days <= 365", name="frequency_days_range"),
        CheckConstraint(f"risk_level IN {RISK_LEVELS!r}", name="risk_level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    building: Mapped[str] = mapped_column(String(64), default="")
    floor: Mapped[str] = mapped_column(String(32), default="")
    department: Mapped[str] = mapped_column(String(64), default="")
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_area: Mapped[bool] = mapped_column(default=False)
    frequency: Mapped[str] = mapped_column(String(16), default=WEEKLY)
    frequency_days: Mapped[int] = mapped_column(default=7)
    risk_level: Mapped[str] = mapped_column(String(16), default=GENERAL, server_default=GENERAL)
    active: Mapped[bool] = mapped_column(default=True)
    # What the posted label encodes: short, random, not the id. Re-issued when a label is damaged or misused.
    qr_token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    responsible: Mapped[User | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Zone {self.code}>"


class RetiredToken(db.Model):
    """A QR token a zone used to have: its label no longer works, and the app says so plainly."""

    __tablename__ = "retired_tokens"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
