"""The demo's special inspections, made through the services as a school would: the default checklists, one
inspection under way today over the kitchen and the teaching building's ground floor, and one finished last
month over the dormitory with every zone answered and one failed item (its hazard opened)."""

import json
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from server import demo_photos, schooltime
from server.auth.services import find_by_username
from server.campaigns import services
from server.campaigns.models import Campaign, ChecklistTemplate
from server.extensions import db
from server.notifications.models import Notification
from server.zones.models import Zone

UNDER_WAY = "冬季消防安全专项检查"
FINISHED = "学生宿舍安全专项检查"


def _template(code: str) -> int:
    return db.session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == code))


def _zones(*prefixes: str) -> list[int]:
    return [z.id for z in db.session.scalars(select(Zone).order_by(Zone.code))
            if z.code.startswith(prefixes)]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=schooltime.school_tz()).astimezone(UTC)


def seed(now: datetime | None = None) -> None:
    """Add the checklists and the two demo inspections (once: nothing when they are there)."""
    services.ensure_default_templates()
    db.session.commit()
    if db.session.scalar(select(Campaign.id).where(Campaign.title.in_((UNDER_WAY, FINISHED)))):
        return
    now = now or datetime.now(UTC)
    today = schooltime.local_date(now)
    supervisor, patrol = find_by_username("wang"), find_by_username("li")
    services.create_campaign(supervisor, services.NewCampaign(
        title=UNDER_WAY, starts_on=today, ends_on=today + timedelta(days=6),
        zone_ids=_zones("ST-", "JX-1F"), template_id=_template("fire")), now=now)
    db.session.commit()
    _finished(supervisor, patrol, (today.replace(day=1) - timedelta(days=1)).replace(day=10))


def _finished(supervisor, patrol, first: date) -> None:
    """A week's inspection last month: each dormitory zone answered; in one, the bunk rails failed."""
    made_at = _at(first, 8)
    campaign = services.create_campaign(supervisor, services.NewCampaign(
        title=FINISHED, starts_on=first, ends_on=first + timedelta(days=6), zone_ids=_zones("SS-"),
        template_id=_template("dormitory")), now=made_at)
    db.session.commit()
    items = [(item.id, item.text) for item in campaign.items]
    for number, zone_id in enumerate(_zones("SS-")):
        failing = items[2][0] if number == 0 else None  # 床铺护栏、梯子牢固, in the first zone
        answers = [{"item_id": item_id, "result": "fail" if item_id == failing else "pass",
                    "note": "3 号床上铺护栏焊点开裂" if item_id == failing else ""}
                   for item_id, _text in items]
        photo = demo_photos.draw(f"campaign-{zone_id}", "宿舍楼", "dormitory", demo_photos.BEFORE)
        photos = {failing: [photo]} if failing else {}
        at = _at(first + timedelta(days=1 + number % 3), 15)
        outcome = services.answer(patrol, campaign.id, services.Answer(
            client_id=f"demo-campaign-{campaign.id}-{zone_id}", zone_id=zone_id, answers=json.dumps(answers),
            answered_at=at, on_site=True, photos=photos), now=at)
        # The notices of the hazard opened carry the wall clock (they are made live); in a replayed past they
        # carry the answer's time, read two hours later, as the demo's history does for its own.
        db.session.execute(update(Notification).where(Notification.hazard_id.in_(outcome.hazard_ids))
                           .values(created_at=at, read_at=at + timedelta(hours=2)))
        db.session.commit()
