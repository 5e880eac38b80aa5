"""The rules for special inspections: the only code that changes templates, campaigns and their answers.

A campaign copies its checklist from a template when it is made, so a template edited later leaves running
campaigns as they were. It is active on the school-local days of its range unless cancelled. An answer is one
zone's checklist in one transaction: the answer and its item results, a patrol visit for the zone (coverage
counts it), and one hazard per failed item through the hazard domain's report service (the state machine's
only path), linked to the item by its result row. Idempotent by client id like every record made on a device.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server import schooltime, sync
from server.auth.models import ADMIN, PATROL, SUPERVISOR, User
from server.campaigns import alerts
from server.campaigns.defaults import TEMPLATES
from server.campaigns.models import (
    FAIL,
    RESULTS,
    TEXT_FIELDS,
    Campaign,
    CampaignAnswer,
    CampaignItem,
    CampaignZone,
    ChecklistTemplate,
    ItemResult,
    TemplateItem,
)
from server.campaigns.schemas import NOTE_MAX, TITLE_MAX
from server.database import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.hazards import photos, reporting
from server.hazards.models import Category
from server.hazards.schemas import DESCRIPTION_MAX
from server.hazards.states import GENERAL
from server.patrols import services as visits
from server.patrols.models import HAZARDS_FOUND, NO_HAZARD
from server.zones.models import Zone

VIEW_ROLES = (PATROL, SUPERVISOR, ADMIN)  # who see today's campaigns (the field app asks)
ANSWER_ROLES = (PATROL, SUPERVISOR)  # those who record patrol visits and report hazards
MANAGE_ROLES = (SUPERVISOR, ADMIN)  # who make campaigns and edit templates
FALLBACK_CATEGORY = "other"  # an item with no category opens its hazard under "other", as a reporter would


# -- Campaigns ----------------------------------------------------------------------------------------------

def is_active(campaign: Campaign, day: date) -> bool:
    """Say whether the campaign is active on the school-local day `day`."""
    return campaign.cancelled_at is None and campaign.starts_on <= day <= campaign.ends_on


def not_active_reason(campaign: Campaign, day: date):
    """Return why the campaign is not active on `day` (a sentence), or None when it is."""
    if campaign.cancelled_at is not None:
        return _l("This special inspection was cancelled; answers are no longer taken.")
    if day < campaign.starts_on:
        return _l("This special inspection starts on %(day)s; answers are taken from then.",
                  day=campaign.starts_on.isoformat())
    if day > campaign.ends_on:
        return _l("This special inspection ended on %(day)s; answers are no longer taken.",
                  day=campaign.ends_on.isoformat())
    return None


@dataclass
class NewCampaign:
    """A campaign as a supervisor fills it in: title, dates, the zones and the template to copy."""

    title: str
    starts_on: date
    ends_on: date
    zone_ids: list[int]
    template_id: int


def create_campaign(actor: User, new: NewCampaign, *, now: datetime | None = None) -> Campaign:
    """Make a campaign with its template's items copied; alert the patrols if it is active today (flushes)."""
    now = now or utcnow()
    if not actor.has_role(*MANAGE_ROLES):
        raise Forbidden(_l("Only supervisors and admins make special inspections."),
                        details={"reason": "role"})
    title = (new.title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise ValidationFailed(_l("Give the inspection a title (at most %(n)d characters).", n=TITLE_MAX),
                               details={"title": "required" if not title else "too_long"})
    if new.ends_on < new.starts_on:
        raise ValidationFailed(_l("The last day must not be before the first."),
                               details={"ends_on": "before"})
    if new.ends_on < schooltime.local_date(now):
        raise ValidationFailed(_l("The last day has already passed."), details={"ends_on": "past"})
    wanted = set(new.zone_ids)
    zones = list(db.session.scalars(select(Zone).where(Zone.id.in_(wanted), Zone.active.is_(True))))
    if not zones or len(zones) != len(wanted):
        raise ValidationFailed(_l("Choose at least one zone in use."), details={"zone_ids": "required"})
    template = db.session.get(ChecklistTemplate, new.template_id) if isinstance(new.template_id, int) \
        else None
    if template is None or not template.items:
        raise ValidationFailed(_l("Choose a checklist with at least one item."),
                               details={"template_id": "required"})
    campaign = Campaign(title=title, starts_on=new.starts_on, ends_on=new.ends_on, template=template,
                        created_by=actor, created_at=now, zones=zones)
    campaign.items = [CampaignItem(**_copied(item)) for item in template.items]
    db.session.add(campaign)
    db.session.flush()
    announce_starts(now)  # created active today: the patrols hear of it now, not at tomorrow's pass
    return campaign


def _copied(item: TemplateItem) -> dict:
    return {name: getattr(item, name) for name in ("position", "category_id", *TEXT_FIELDS)}


def cancel_campaign(actor: User, campaign: Campaign, *, now: datetime | None = None) -> None:
    """Cancel a campaign (answers are then refused); its answers and hazards stay."""
    if not actor.has_role(*MANAGE_ROLES):
        raise Forbidden(_l("Only supervisors and admins make special inspections."),
                        details={"reason": "role"})
    if campaign.cancelled_at is not None:
        raise Conflict(_l("This special inspection is already cancelled."), details={"reason": "cancelled"})
    campaign.cancelled_at = now or utcnow()
    db.session.flush()


def announce_starts(now: datetime | None = None) -> int:
    """Alert the patrols of each campaign active today not yet announced (once each); count them."""
    now = now or utcnow()
    today = schooltime.local_date(now)
    due = list(db.session.scalars(select(Campaign).where(
        Campaign.start_alert_at.is_(None), Campaign.cancelled_at.is_(None), Campaign.starts_on <= today,
        Campaign.ends_on >= today).order_by(Campaign.id).with_for_update()))
    for campaign in due:
        campaign.start_alert_at = now
        alerts.announce_start(campaign, now)
    db.session.flush()
    return len(due)


# -- Answers ------------------------------------------------------------------------------------------------

@dataclass
class Answer:
    """A zone's checklist as the field app sends it; `photos` holds the files photo_<item_id>, by item id."""

    client_id: str
    zone_id: int | None
    answers: str
    answered_at: datetime | None = None
    on_site: bool = False
    photos: dict[int, list[bytes]] = field(default_factory=dict)


@dataclass
class AnswerOutcome:
    """The answer, the hazards it opened (checklist order), and whether it was made now."""

    answer: CampaignAnswer
    hazard_ids: list[int]
    created: bool


@dataclass
class _Line:
    item: CampaignItem
    result: str
    note: str


def _digest(new: Answer, actor_id: int, campaign_id: int) -> str:
    photos_sent = {str(k): sync.photo_digests(v) for k, v in sorted(new.photos.items())}
    return sync.content_hash({"actor": actor_id, "campaign": campaign_id, "zone_id": new.zone_id,
                              "answers": new.answers, "answered_at": new.answered_at, "on_site": new.on_site,
                              "photos": photos_sent})


def _refuse(message, code: str, field_name: str = "answers"):
    return ValidationFailed(message, details={field_name: code})


def _lines(campaign: Campaign, new: Answer) -> list[_Line]:
    """Check the answers against the checklist (every item once, known results, photos where failed)."""
    try:
        sent = json.loads(new.answers)
    except ValueError:
        sent = None
    if not isinstance(sent, list) or not all(isinstance(a, dict) for a in sent):
        raise _refuse(_l("Send the answers as a JSON list of {item_id, result, note}."), "invalid")
    items = {item.id: item for item in campaign.items}
    lines: dict[int, _Line] = {}
    for entry in sent:
        item_id = entry.get("item_id")
        if isinstance(item_id, bool) or not isinstance(item_id, int) or item_id not in items:
            raise _refuse(_l("Item %(item)s is not on this inspection's checklist.", item=item_id),
                          "unknown_item")
        if item_id in lines:
            raise _refuse(_l("Item %(item)s is answered twice.", item=item_id), "duplicate_item")
        result = entry.get("result")
        if result not in RESULTS:
            raise _refuse(_l("Item %(item)s: the result must be pass, fail or na.", item=item_id),
                          "bad_result")
        note = entry.get("note") or ""
        if not isinstance(note, str) or len(note.strip()) > NOTE_MAX:
            raise _refuse(_l("Item %(item)s: the note must be text of at most %(n)d characters.",
                             item=item_id, n=NOTE_MAX), "bad_note")
        lines[item_id] = _Line(items[item_id], result, note.strip())
    missing = [item for item_id, item in items.items() if item_id not in lines]
    if missing:
        raise _refuse(_l("%(n)d items are not answered, the first: %(text)s", n=len(missing),
                         text=missing[0].text), "missing_item")
    for item_id, sent_photos in new.photos.items():
        line = lines.get(item_id)
        if line is None or line.result != FAIL:
            raise _refuse(_l("Photos go with failed items only (item %(item)s).", item=item_id),
                          "not_allowed", f"photo_{item_id}")
        photos.check_count(sent_photos, required=1, field_name=f"photo_{item_id}")
    for line in lines.values():
        if line.result == FAIL and not new.photos.get(line.item.id):
            raise _refuse(_l("Add at least one photo of the failed item: %(text)s", text=line.item.text),
                          "required", f"photo_{line.item.id}")
    return [lines[item.id] for item in campaign.items]


def _campaign_for_answer(campaign_id, zone_id, now: datetime) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id) if isinstance(campaign_id, int) else None
    if campaign is None:
        raise NotFound(_l("No such special inspection."))
    reason = not_active_reason(campaign, schooltime.local_date(now))
    if reason is not None:
        raise Conflict(reason, details={"reason": "not_active"})
    # One key looked up, not the campaign's zones loaded (500 with their people in a district).
    if not isinstance(zone_id, int) or db.session.get(CampaignZone, (campaign.id, zone_id)) is None:
        raise _refuse(_l("This zone is not part of this special inspection."), "not_in_campaign", "zone_id")
    return campaign


def _category_id(item: CampaignItem) -> int | None:
    if item.category_id is not None:
        return item.category_id
    return db.session.scalar(select(Category.id).where(Category.code == FALLBACK_CATEGORY))


def _derived_id(client_id: str, kind: str) -> str:
    # The hazards and the visit of an answer get ids derived from the answer's: a resend finds the same ones.
    return f"{kind}-" + hashlib.sha256(f"{kind}:{client_id}".encode()).hexdigest()[:40]


def _report(line: _Line, zone_id: int, new: Answer) -> reporting.Report:
    description = line.item.text + (f"\n{line.note}" if line.note else "")
    return reporting.Report(client_id=_derived_id(f"{new.client_id}:{line.item.id}", "campaign-hazard"),
                          zone_id=zone_id, category_id=_category_id(line.item), severity=GENERAL,
                          description=description[:DESCRIPTION_MAX], photos=new.photos[line.item.id],
                          device_at=new.answered_at)


def answer(actor: User, campaign_id: int, new: Answer, *, now: datetime | None = None) -> AnswerOutcome:
    """Record a zone's checklist with a visit and one hazard per failed item; commits, once per client id."""
    now = now or utcnow()
    client_id = sync.check_client_id(new.client_id)
    actor_id = actor.id
    digest = _digest(new, actor_id, campaign_id)
    repeat = sync.find_repeat(CampaignAnswer, client_id, digest)
    if repeat is not None:
        return AnswerOutcome(repeat, _hazard_ids(repeat), created=False)
    if not actor.has_role(*ANSWER_ROLES):
        raise Forbidden(_l("Only patrol staff and supervisors answer special inspections."),
                        details={"reason": "role"})
    campaign = _campaign_for_answer(campaign_id, new.zone_id, now)
    lines = _lines(campaign, new)
    failed = [line for line in lines if line.result == FAIL]

    db.session.rollback()  # let other writers in while the photos are decoded and re-encoded
    stored = {line.item.id: photos.store(new.photos[line.item.id]) for line in failed}
    visit_id = _derived_id(client_id, "campaign-visit")

    def write() -> CampaignAnswer:
        campaign = _campaign_for_answer(campaign_id, new.zone_id, now)  # again: it may have been cancelled
        by_id = {item.id: item for item in campaign.items}
        device_at = new.answered_at or now
        opened = {}
        for line in failed:
            report = _report(line, new.zone_id, new)
            opened[line.item.id] = reporting.write_report(
                actor_id, report, stored[line.item.id], [], client_id=report.client_id,
                digest=sync.record_digest(report, actor=actor_id), visit_client_id=visit_id, now=now).hazard
        reporter = db.session.get(User, actor_id)
        visit = visits.visit_for_report(reporter, db.session.get(Zone, new.zone_id), visit_id,
                                        device_at=device_at, scanned_at=None, zone_token=None, now=now,
                                        result=HAZARDS_FOUND if failed else NO_HAZARD)
        db.session.flush()
        row = CampaignAnswer(campaign_id=campaign.id, zone_id=new.zone_id, answered_by_id=actor_id,
                             answered_at=device_at, received_at=now, on_site=bool(new.on_site),
                             visit_id=visit.id, client_id=client_id, content_hash=digest)
        row.results = [ItemResult(item=by_id[line.item.id], result=line.result, note=line.note,
                                  hazard_id=opened[line.item.id].id if line.item.id in opened else None)
                       for line in lines]
        db.session.add(row)
        db.session.flush()
        return row

    def discard() -> None:
        for files in stored.values():
            photos.discard(files)

    row, created = sync.write_once(CampaignAnswer, client_id, digest, write, discard)
    return AnswerOutcome(row, _hazard_ids(row), created=created)


def _hazard_ids(answer_row: CampaignAnswer) -> list[int]:
    by_position = sorted(answer_row.results, key=lambda r: (r.item.position, r.item.id))
    return [r.hazard_id for r in by_position if r.hazard_id is not None]


# -- Templates ----------------------------------------------------------------------------------------------

@dataclass
class TemplateLine:
    """One item of a template as the desk form sends it."""

    group: str
    text: str
    standard: str = ""
    remedy: str = ""
    category_id: int | None = None
    group_en: str = ""
    text_en: str = ""
    standard_en: str = ""
    remedy_en: str = ""

    def __post_init__(self):
        for name in TEXT_FIELDS:
            setattr(self, name, (getattr(self, name) or "").strip())  # a field not sent is empty


def save_template(actor: User, template: ChecklistTemplate | None, *, name: str, name_en: str,
                  lines: list[TemplateLine], now: datetime | None = None) -> ChecklistTemplate:
    """Make or replace a template's name and items (running campaigns keep their copies); flushes."""
    if not actor.has_role(*MANAGE_ROLES):
        raise Forbidden(_l("Only supervisors and admins edit checklists."), details={"reason": "role"})
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_l("Give the checklist a name (at most 100 characters)."),
                               details={"name": "required"})
    kept = [line for line in lines if line.text]
    if not kept:
        raise ValidationFailed(_l("A checklist needs at least one item to check."),
                               details={"items": "required"})
    for number, line in enumerate(kept, 1):
        if not line.group:
            raise ValidationFailed(_l("Item %(n)d: give its group (消防, 用电 …).", n=number),
                                   details={f"group_{number}": "required"})
        if len(line.text) > 500 or len(line.text_en) > 500 or len(line.group) > 64 or len(line.group_en) > 64:
            raise ValidationFailed(_l("Item %(n)d is too long.", n=number),
                                   details={f"text_{number}": "too_long"})
    if template is None:
        template = ChecklistTemplate(code=_free_code(), name=name)
        db.session.add(template)
    template.name, template.name_en = name, (name_en or "").strip()[:100]
    template.updated_at = now or utcnow()
    template.items = [TemplateItem(position=i, **vars(line)) for i, line in enumerate(kept)]
    db.session.flush()
    return template


def _free_code() -> str:
    taken = set(db.session.scalars(select(ChecklistTemplate.code)))
    return next(f"custom-{n}" for n in range(1, len(taken) + 2) if f"custom-{n}" not in taken)


def ensure_default_templates() -> int:
    """Add the default checklists (消防, 用电, 食堂 …) that are missing, by code; count those added."""
    have = set(db.session.scalars(select(ChecklistTemplate.code)))
    categories = dict(db.session.execute(select(Category.code, Category.id)).all())
    added = 0
    for code, (name, name_en, items) in TEMPLATES.items():
        if code in have:
            continue
        template = ChecklistTemplate(code=code, name=name, name_en=name_en)
        template.items = [TemplateItem(position=i, category_id=categories.get(item.category),
                                       **{k: v for k, v in item._asdict().items() if k != "category"})
                          for i, item in enumerate(items)]
        db.session.add(template)
        added += 1
    db.session.flush()
    return added
