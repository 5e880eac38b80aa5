"""Rectification notice numbers (整改通知书编号): given once per hazard, numbered per year (2026-0042)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.database import UTCDateTime, utcnow
from server.extensions import db
from server.hazards.models import Hazard


class Notice(db.Model):
    """The rectification notice issued for a hazard: its number in the year, who issued it and when.

    The number is kept, so a reprint carries the same one. Two workers numbering at once cannot share a
    number: (year, seq) is unique and the service retries with the next one (server/ledger/services.py).
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_notices_year_seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), unique=True)
    year: Mapped[int] = mapped_column()  # the school's calendar year when it was issued
    seq: Mapped[int] = mapped_column()
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    hazard: Mapped[Hazard] = relationship()
    issued_by: Mapped[User] = relationship(lazy="joined")

    @property
    def number(self) -> str:
        """Return the notice's number as printed: the year and the four-digit sequence (2026-0042)."""
        return f"{self.year}-{self.seq:04d}"

    def __repr__(self) -> str:
        return f"<Notice {self.number} hazard {self.hazard_id}>"
