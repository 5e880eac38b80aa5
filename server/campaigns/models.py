"""Checklist templates, campaigns (their zones and copied checklist), and the answers patrols send."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.database import UTCDateTime, utcnow
from server.extensions import db
from server.zones.models import Zone

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "na"
RESULTS = (PASS, FAIL, NOT_APPLICABLE)
# An item's texts, each in Chinese (NAME) and English (NAME_en): what a template holds and a campaign copies.
TEXTS = ("group", "text", "standard", "remedy")
TEXT_FIELDS = tuple(f"{name}{suffix}" for name in TEXTS for suffix in ("", "_en"))


class _ItemTexts:
    """The texts of a checklist item, in Chinese and (optionally) English."""

    group: Mapped[str] = mapped_column(String(64))
    group_en: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str] = mapped_column(String(500), default="")
    standard: Mapped[str] = mapped_column(Text, default="")  # 检查标准
    standard_en: Mapped[str] = mapped_column(Text, default="")
    remedy: Mapped[str] = mapped_column(Text, default="")  # 处置方法
    remedy_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    def texts(self, locale: str) -> dict:
        """Return group, text, standard and remedy in `locale` where there is an English text."""
        english = str(locale).startswith("en")
        return {name: (getattr(self, f"{name}_en") if english and getattr(self, f"{name}_en")
                       else getattr(self, name)) for name in TEXTS}


class ChecklistTemplate(db.Model):
    """An editable checklist (消防, 用电 …) that campaigns copy their items from."""

    __tablename__ = "checklist_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["TemplateItem"]] = relationship(
        back_populates="template", order_by="TemplateItem.position", cascade="all, delete-orphan")

    def display_name(self, locale: str) -> str:
        """Return the name in `locale` (Chinese when there is no English name)."""
        return self.name_en if str(locale).startswith("en") and self.name_en else self.name


class TemplateItem(_ItemTexts, db.Model):
    """One item of a checklist template."""

    __tablename__ = "checklist_template_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_templates.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")


class Campaign(db.Model):
    """A special inspection: a title, school-local dates (inclusive), zones and a copied checklist."""

    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    template_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_templates.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the start alert went out (once: the daily pass and the creation both look at it).
    start_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()
    template: Mapped[ChecklistTemplate | None] = relationship()
    items: Mapped[list["CampaignItem"]] = relationship(
        back_populates="campaign", order_by="CampaignItem.position", cascade="all, delete-orphan")
    zones: Mapped[list[Zone]] = relationship(secondary="campaign_zones", order_by=Zone.code)


class CampaignZone(db.Model):
    """A zone a campaign covers."""

    __tablename__ = "campaign_zones"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), primary_key=True, index=True)


class CampaignItem(_ItemTexts, db.Model):
    """An item of a campaign's checklist, copied from its template when the campaign was made."""

    __tablename__ = "campaign_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))

    campaign: Mapped[Campaign] = relationship(back_populates="items")


class CampaignAnswer(db.Model):
    """A zone's checklist answered in a campaign (one round; a later round is another answer)."""

    __tablename__ = "campaign_answers"
    __table_args__ = (Index("ix_campaign_answers_campaign_zone", "campaign_id", "zone_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the device's time
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    on_site: Mapped[bool] = mapped_column(default=False)  # opened from a QR scan, as the phone says
    visit_id: Mapped[int] = mapped_column(ForeignKey("patrol_visits.id"))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))

    answered_by: Mapped[User] = relationship(lazy="joined")
    results: Mapped[list["ItemResult"]] = relationship(back_populates="answer", order_by="ItemResult.id")


class ItemResult(db.Model):
    """One item's result in an answer; a failed one names the hazard it opened (the campaign's link)."""

    __tablename__ = "campaign_item_results"
    __table_args__ = (
        CheckConstraint("result IN ('pass', 'fail', 'na')", name="result_known"),
        CheckConstraint("(hazard_id IS NOT NULL) = (result = 'fail')", name="hazard_iff_failed"),
        UniqueConstraint("answer_id", "item_id", name="uq_campaign_item_results_answer_item"),
        # An item's counts over the latest answers read from the index alone (the progress page).
        Index("ix_campaign_item_results_item_answer", "item_id", "result", "answer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("campaign_answers.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("campaign_items.id"))
    result: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(500), default="")
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), unique=True)

    answer: Mapped[CampaignAnswer] = relationship(back_populates="results")
    item: Mapped[CampaignItem] = relationship(lazy="joined")
