"""Reads of special inspections: today's campaigns, a campaign's progress per zone and per item, the lists."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select

from server.auth.models import User
from server.campaigns.models import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    Campaign,
    CampaignAnswer,
    CampaignItem,
    CampaignZone,
    ChecklistTemplate,
    ItemResult,
)
from server.extensions import db
from server.hazards.models import Hazard
from server.zones.models import Zone


def active_on(day: date) -> list[Campaign]:
    """Return the campaigns active on the school-local day `day`, oldest first."""
    return list(db.session.scalars(select(Campaign).where(
        Campaign.cancelled_at.is_(None), Campaign.starts_on <= day, Campaign.ends_on >= day)
        .order_by(Campaign.starts_on, Campaign.id)))


def zone_ids(campaign_ids: list[int]) -> dict[int, list[int]]:
    """Return each campaign's zone ids (one query for all)."""
    found: dict[int, list[int]] = {cid: [] for cid in campaign_ids}
    for campaign_id, zone_id in db.session.execute(
            select(CampaignZone.campaign_id, CampaignZone.zone_id)
            .where(CampaignZone.campaign_id.in_(campaign_ids)).order_by(CampaignZone.zone_id)):
        found[campaign_id].append(zone_id)
    return found


def answered_zone_ids(campaign_ids: list[int]) -> dict[int, list[int]]:
    """Return, per campaign, the zones answered at least once (by anyone)."""
    found: dict[int, list[int]] = {cid: [] for cid in campaign_ids}
    for campaign_id, zone_id in db.session.execute(
            select(CampaignAnswer.campaign_id, CampaignAnswer.zone_id).distinct()
            .where(CampaignAnswer.campaign_id.in_(campaign_ids)).order_by(CampaignAnswer.zone_id)):
        found[campaign_id].append(zone_id)
    return found


def answered_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Return, per campaign, how many of its zones have answered."""
    return dict(db.session.execute(
        select(CampaignAnswer.campaign_id, func.count(CampaignAnswer.zone_id.distinct()))
        .where(CampaignAnswer.campaign_id.in_(campaign_ids)).group_by(CampaignAnswer.campaign_id)).all())


def all_campaigns() -> list[Campaign]:
    """Return every campaign, the latest first."""
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def templates() -> list[ChecklistTemplate]:
    """Return every checklist template, by name."""
    return list(db.session.scalars(select(ChecklistTemplate).order_by(ChecklistTemplate.name,
                                                                       ChecklistTemplate.id)))


# -- Progress -----------------------------------------------------------------------------------------------

class ZoneRef(NamedTuple):
    """A zone as the progress shows it."""

    id: int
    code: str
    name: str


@dataclass
class ZoneProgress:
    """A zone of a campaign: its latest answer (who, when, failed items) and the hazards opened there."""

    zone: ZoneRef
    answered_at: datetime | None = None
    answered_by: str = ""
    rounds: int = 0
    failed: list[str] = field(default_factory=list)  # the failed items' texts of the latest answer
    hazards: list[tuple[int, str]] = field(default_factory=list)  # (id, state) of every answer's hazards


@dataclass
class ItemProgress:
    """An item of a campaign: pass / fail / n.a. counts over the zones' latest answers."""

    item: CampaignItem
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0


@dataclass
class Progress:
    """A campaign's progress: per zone, per item, and the totals."""

    campaign: Campaign
    zones: list[ZoneProgress]
    items: list[ItemProgress]

    @property
    def answered(self) -> int:
        """Return how many zones have an answer."""
        return sum(1 for z in self.zones if z.answered_at is not None)

    @property
    def hazards_opened(self) -> int:
        """Return how many hazards the campaign's answers opened."""
        return sum(len(z.hazards) for z in self.zones)


def _latest(campaign_id: int) -> list[tuple]:
    """Return (answer id, zone id, answered at, by whom, rounds) of each zone's latest answer (one query)."""
    by_zone = {"partition_by": CampaignAnswer.zone_id}
    ranked = select(
        CampaignAnswer.id, CampaignAnswer.zone_id, CampaignAnswer.answered_at, User.display_name,
        func.row_number().over(**by_zone, order_by=(CampaignAnswer.received_at.desc(),
                                                    CampaignAnswer.id.desc())).label("n"),
        func.count().over(**by_zone).label("rounds"),
    ).join(User, User.id == CampaignAnswer.answered_by_id).where(CampaignAnswer.campaign_id == campaign_id)
    return [row[:4] + row[5:] for row in db.session.execute(ranked) if row.n == 1]


def progress(campaign: Campaign) -> Progress:
    """Return the campaign's progress: each zone's latest answer and hazards, each item's counts.

    Columns, not records, in five statements (the district's 500 zones: bench/campaign_progress.py); a zone
    counts once, with its latest answer; the hazards are those of every round.
    """
    zones = {row.id: ZoneProgress(ZoneRef(*row)) for row in db.session.execute(
        select(Zone.id, Zone.code, Zone.name).join(CampaignZone, CampaignZone.zone_id == Zone.id)
        .where(CampaignZone.campaign_id == campaign.id).order_by(Zone.code))}
    latest = _latest(campaign.id)
    zone_of = {}
    for answer_id, zone_id, at, name, rounds in latest:
        zones[zone_id].answered_at, zones[zone_id].answered_by, zones[zone_id].rounds = at, name, rounds
        zone_of[answer_id] = zone_id
    items = {i.id: ItemProgress(i) for i in campaign.items}
    slots = {PASS: "passed", FAIL: "failed", NOT_APPLICABLE: "not_applicable"}
    for item_id, result, n in db.session.execute(
            select(ItemResult.item_id, ItemResult.result, func.count())
            .where(ItemResult.answer_id.in_(zone_of)).group_by(ItemResult.item_id, ItemResult.result)):
        setattr(items[item_id], slots[result], n)
    for answer_id, item_id in db.session.execute(
            select(ItemResult.answer_id, ItemResult.item_id)
            .where(ItemResult.answer_id.in_(zone_of), ItemResult.result == FAIL).order_by(ItemResult.id)):
        zones[zone_of[answer_id]].failed.append(items[item_id].item.text)
    for zone_id, hazard_id, state in db.session.execute(
            select(CampaignAnswer.zone_id, Hazard.id, Hazard.state)
            .join(ItemResult, ItemResult.answer_id == CampaignAnswer.id)
            .join(Hazard, Hazard.id == ItemResult.hazard_id)
            .where(CampaignAnswer.campaign_id == campaign.id).order_by(Hazard.id)):
        zones[zone_id].hazards.append((hazard_id, state))
    return Progress(campaign, list(zones.values()), list(items.values()))


def link_of(hazard_id: int) -> tuple[Campaign, CampaignItem] | None:
    """Return the campaign and item that opened the hazard, or None (the hazard page's line)."""
    row = db.session.execute(
        select(Campaign, CampaignItem).join(CampaignItem, CampaignItem.campaign_id == Campaign.id)
        .join(ItemResult, ItemResult.item_id == CampaignItem.id)
        .where(ItemResult.hazard_id == hazard_id)).first()
    return (row[0], row[1]) if row else None
