"""Hazard categories (and, with the hazard loop, hazards and their events)."""

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db


class Category(db.Model):
    """A kind of hazard (校舍安全, 消防安全 …), with an optional default rectification period."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))  # Chinese, as the directive names it
    name_en: Mapped[str] = mapped_column(String(64), default="")
    default_period_days: Mapped[int | None] = mapped_column()
    checklist: Mapped[list] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def display_name(self, locale: str) -> str:
        """Return the name in the given language (Chinese when no English name is set)."""
        if str(locale).startswith("en") and self.name_en:
            return self.name_en
        return self.name
