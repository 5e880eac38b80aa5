"""Reads of special inspections: today's campaigns, a campaign's progress per zone and per item, the lists."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

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


def zone_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Return, per campaign, how many zones it covers (counted, not loaded: a district's are 500 each)."""
    return dict(db.session.execute(
        select(CampaignZone.campaign_id, func.count()).where(CampaignZone.campaign_id.in_(campaign_ids))
        .group_by(CampaignZone.campaign_id)).all())


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
    key_area: bool = False


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
    """A campaign's progress: the headline figures and items of the whole campaign, and zones (a page of them
    on the desk, every one in a document)."""

    campaign: Campaign
    zones: Iterable[ZoneProgress]
    items: list[ItemProgress]
    zones_total: int  # every zone of the campaign, shown or not
    answered: int  # zones with at least one answer
    hazards_opened: int  # hazards every answer of the campaign opened


# The progress statements are built once, with their parameters bound at each call: building them per call
# (aliases, joins, column coercion) was more of progress()'s time than SQLite's (bench/campaign_progress.py).
_CAMPAIGN = bindparam("campaign_id")
_ZONES = bindparam("zone_ids", expanding=True)
_OF_CAMPAIGN = CampaignAnswer.campaign_id == _CAMPAIGN


def _latest_ids():
    """Return a subquery of the id of each zone's latest answer (last received; the later id on a tie)."""
    answer, later = aliased(CampaignAnswer), aliased(CampaignAnswer)
    # One probe of the (campaign, zone, received) index per answer rather than a window sorting them all.
    newest = (select(later.id).where(later.campaign_id == _CAMPAIGN, later.zone_id == answer.zone_id)
              .order_by(later.received_at.desc(), later.id.desc()).limit(1).scalar_subquery())
    return select(answer.id).where(answer.campaign_id == _CAMPAIGN, answer.id == newest)


# The campaign's items first, so that SQLite reads their results in (item, result, answer) index order.
_ITEMS = select(CampaignItem.id).where(CampaignItem.campaign_id == _CAMPAIGN)
_ITEM_COUNTS = (select(ItemResult.item_id, ItemResult.result, func.count())
                .where(ItemResult.item_id.in_(_ITEMS), ItemResult.answer_id.in_(_latest_ids()))
                .group_by(ItemResult.item_id, ItemResult.result))
_HEADLINE = select(
    select(func.count()).where(CampaignZone.campaign_id == _CAMPAIGN).scalar_subquery(),
    select(func.count(CampaignAnswer.zone_id.distinct())).where(_OF_CAMPAIGN).scalar_subquery(),
    # Every failed result opened a hazard and only those did (the CHECK hazard_iff_failed): counted in the
    # (item, result, answer) index, 20 µs, where joining the answers and reading each result was 0.4 ms.
    select(func.count()).where(ItemResult.item_id.in_(_ITEMS), ItemResult.result == FAIL).scalar_subquery())
_IN_CAMPAIGN = (select(Zone.id, Zone.code, Zone.name, Zone.key_area)
                .join(CampaignZone, CampaignZone.zone_id == Zone.id)
                .where(CampaignZone.campaign_id == _CAMPAIGN))
_ANSWERED = select(CampaignAnswer.id).where(_OF_CAMPAIGN, CampaignAnswer.zone_id == Zone.id).exists()
# The desk's page: zones not yet answered first, key areas first among each, then by code (unique: stable).
_ZONE_PAGE = (_IN_CAMPAIGN.order_by(_ANSWERED, Zone.key_area.desc(), Zone.code)
              .limit(bindparam("limit")).offset(bindparam("offset")))
_EVERY_ZONE = _IN_CAMPAIGN.order_by(Zone.code)
# Each zone's answers, its latest first (a zone's first row is its latest answer), each with its failed items
# and the hazards they opened (a failed item opens one in every round): one statement for the zones shown.
_ANSWERS = (select(CampaignAnswer.id, CampaignAnswer.zone_id, CampaignAnswer.answered_at, User.display_name,
                   CampaignItem.text, Hazard.id, Hazard.state)
            .join(User, User.id == CampaignAnswer.answered_by_id)
            .outerjoin(ItemResult, (ItemResult.answer_id == CampaignAnswer.id) & (ItemResult.result == FAIL))
            .outerjoin(CampaignItem, CampaignItem.id == ItemResult.item_id)
            .outerjoin(Hazard, Hazard.id == ItemResult.hazard_id)
            .where(_OF_CAMPAIGN, CampaignAnswer.zone_id.in_(_ZONES))
            .order_by(CampaignAnswer.zone_id, CampaignAnswer.received_at.desc(), CampaignAnswer.id.desc(),
                      ItemResult.id))
_SLOTS = {PASS: "passed", FAIL: "failed", NOT_APPLICABLE: "not_applicable"}


def progress(campaign: Campaign, *, limit: int | None = None, offset: int = 0) -> Progress:
    """Return the campaign's headline figures and items, and a page of its zones: zones not yet answered
    first, key areas first among each, then by code. Without `limit`, every zone in code order, read a batch
    at a time as they are written out (the printed report, the .xlsx)."""
    of_campaign = {"campaign_id": campaign.id}
    items = {i.id: ItemProgress(i) for i in campaign.items}
    for item_id, result, n in db.session.execute(_ITEM_COUNTS, of_campaign):
        setattr(items[item_id], _SLOTS[result], n)
    zones_total, answered, opened = db.session.execute(_HEADLINE, of_campaign).one()
    if limit is None:
        zones = _every_zone(campaign.id)
    else:
        zones = _filled(campaign.id, db.session.execute(_ZONE_PAGE, {**of_campaign, "limit": limit,
                                                                     "offset": offset}))
    return Progress(campaign, zones, list(items.values()), zones_total, answered, opened)


# How many zones a document reads at a time: its memory stays flat however many zones the campaign has.
ZONE_BATCH = 200


def _every_zone(campaign_id: int) -> Iterator[ZoneProgress]:
    """Yield every zone of the campaign by code with its progress, a batch at a time."""
    rows = db.session.execute(_EVERY_ZONE, {"campaign_id": campaign_id},
                              execution_options={"yield_per": ZONE_BATCH})
    for batch in rows.partitions():
        yield from _filled(campaign_id, batch)


def _filled(campaign_id: int, rows) -> list[ZoneProgress]:
    """Return the zones of `rows` (id, code, name, key area) in their order, with their latest answers,
    rounds, failed items and hazards: one statement however many zones."""
    zones = {row[0]: ZoneProgress(ZoneRef(*row)) for row in rows}
    if not zones:
        return []
    latest: dict[int, int] = {}  # zone id: its latest answer's id
    counted: set[int] = set()
    for answer_id, zone_id, at, name, text, hazard_id, state in db.session.execute(
            _ANSWERS, {"campaign_id": campaign_id, "zone_ids": list(zones)}):
        zone = zones[zone_id]
        if zone_id not in latest:
            latest[zone_id], zone.answered_at, zone.answered_by = answer_id, at, name
        if answer_id not in counted:
            counted.add(answer_id)
            zone.rounds += 1
        if hazard_id is not None:  # a failed item: its hazard counts in every round, its text in the latest
            zone.hazards.append((hazard_id, state))
            if latest[zone_id] == answer_id:
                zone.failed.append(text)
    for zone in zones.values():
        zone.hazards.sort()
    return list(zones.values())


def link_of(hazard_id: int) -> tuple[Campaign, CampaignItem] | None:
    """Return the campaign and item that opened the hazard, or None (the hazard page's line)."""
    row = db.session.execute(
        select(Campaign, CampaignItem).join(CampaignItem, CampaignItem.campaign_id == Campaign.id)
        .join(ItemResult, ItemResult.item_id == CampaignItem.id)
        .where(ItemResult.hazard_id == hazard_id)).first()
    return (row[0], row[1]) if row else None
