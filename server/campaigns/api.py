"""Campaign routes of the JSON API: today's special inspections with their checklists, and a zone's answer.

Thin handlers: parse the request, call server/campaigns/services.py, answer JSON. An answer comes as
multipart/form-data like a hazard report, the photos of each failed item in parts named photo_<item_id>.
"""

import re

from flask import request
from flask_login import current_user

from server import schooltime
from server.api import bp
from server.api.conditional import NOT_MODIFIED, revalidated
from server.api.schemas import answer, operation, read_body
from server.auth.permissions import role_required
from server.campaigns import queries, schemas, services
from server.web import current_language

_PHOTO_PART = re.compile(r"^photo_([0-9]{1,18})(?:\[\])?$")


def _item_photos() -> dict[int, list[bytes]]:
    """Return the uploaded photo_<item_id> parts, by item id (empty parts left out)."""
    found: dict[int, list[bytes]] = {}
    for name in request.files:
        match = _PHOTO_PART.match(name or "")
        if match is None:
            continue
        parts = [p for p in (_whole(f) for f in request.files.getlist(name)) if p]
        if parts:
            found.setdefault(int(match.group(1)), []).extend(parts)
    return found


def _whole(upload) -> bytes:
    upload.stream.seek(0)  # read_body has read every part once already (it reads the declared ones)
    return upload.read()


@bp.get("/campaigns/active")
@operation({200: schemas.ActiveCampaigns, 304: NOT_MODIFIED}, errors=(401, 403))
@role_required(*services.VIEW_ROLES)
@revalidated
def active_campaigns():
    """The special inspections active today, with their zones, the zones answered, and their checklists."""
    campaigns = queries.active_on(schooltime.today())
    ids = [c.id for c in campaigns]
    zones, answered = queries.zone_ids(ids), queries.answered_zone_ids(ids)
    locale = current_language()
    return answer(schemas.ActiveCampaigns, {"campaigns": [
        {"id": c.id, "title": c.title, "starts_on": c.starts_on, "ends_on": c.ends_on,
         "zone_ids": zones[c.id], "answered_zone_ids": answered[c.id],
         "items": [{"id": i.id, "category_id": i.category_id, **i.texts(locale)} for i in c.items]}
        for c in campaigns]})


@bp.post("/campaigns/<int:campaign_id>/answers")
@operation({201: (schemas.AnswerWritten, "Recorded: the answer, its visit and a hazard per failed item."),
            200: (schemas.AnswerWritten, "A repeat of this client id: the answer made then, nothing new.")},
           body=schemas.AnswerIn, forms=True, errors=(400, 401, 403, 404, 409, 413, 422),
           description="Every item of the checklist exactly once; each failed item needs at least one photo "
                       "in photo_<item_id>. 409 when the campaign is not active today.")
@role_required(*services.VIEW_ROLES)
def answer_campaign(campaign_id):
    """Answer a zone's checklist in a special inspection (multipart, like a hazard report)."""
    body = read_body(schemas.AnswerIn)
    new = services.Answer(**body.model_dump(), photos=_item_photos())
    outcome = services.answer(current_user._get_current_object(), campaign_id, new)
    row = outcome.answer
    return answer(schemas.AnswerWritten, {
        "client_id": new.client_id, "created": outcome.created,
        "answer": {"id": row.id, "campaign_id": row.campaign_id, "zone_id": row.zone_id,
                   "hazard_ids": outcome.hazard_ids}}, 201 if outcome.created else 200)
