"""The campaign payloads of /api/v1, declared once: today's campaigns with their checklists, and an answer.

An answer comes as multipart/form-data like a hazard report: the fields below, and the photos of each failed
item in file parts named photo_<item_id> (declared as a pattern, since their names depend on the checklist).
"""

import json
from datetime import date
from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, ConfigDict, Field

from server.api.schemas import Answer, ClientId, DeviceTime, Id, RequestBody

PHOTO_FIELD = "photo_"  # + the item's id: that item's photos
ANSWERS_MAX = 200_000  # characters of the answers' JSON text: hundreds of items with long notes
NOTE_MAX = 500
TITLE_MAX = 100
_CLIENT_ID_MESSAGE = _l("Every record needs a client id (8 to 64 letters, digits or dashes).")


def _json_text(value):
    # A JSON body may carry the answers as a list; a form carries them as JSON text. Both read as text here.
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


class AnswerIn(RequestBody):
    """A zone's checklist answered in a campaign (multipart: the fields and photo_<item_id> files)."""

    model_config = ConfigDict(json_schema_extra={"patternProperties": {
        r"^photo_[0-9]+$": {"type": "array", "items": {"type": "string", "contentEncoding": "binary"},
                            "description": "The photos of the failed item <item_id> (at least one each)."}}})
    messages = {
        "client_id": _CLIENT_ID_MESSAGE,
        "zone_id": _l("Choose the zone."),
        "answers": _l("Send the answers as a JSON list of {item_id, result, note}."),
    }

    client_id: ClientId
    zone_id: Id
    answered_at: DeviceTime | None = Field(None, description="When it was answered, by the device's clock.")
    on_site: bool = Field(False, description="Opened from a scan of the zone's QR label.")
    answers: Annotated[str, BeforeValidator(_json_text)] = Field(
        max_length=ANSWERS_MAX, description='JSON text: [{"item_id": 31, "result": "pass"|"fail"|"na", '
                                            '"note": "optional"}], every item of the checklist once.')


class CampaignItemOut(Answer):
    id: int
    group: str
    category_id: int | None
    text: str
    standard: str
    remedy: str


class ActiveCampaign(Answer):
    id: int
    title: str
    starts_on: date
    ends_on: date
    zone_ids: list[int]
    answered_zone_ids: list[int] = Field(description="Zones already answered in this campaign (by anyone).")
    items: list[CampaignItemOut]


class ActiveCampaigns(Answer):
    campaigns: list[ActiveCampaign] = Field(description="The campaigns active today (school-local); [] when "
                                                        "none is.")


class AnswerRef(Answer):
    id: int
    campaign_id: int
    zone_id: int
    hazard_ids: list[int] = Field(description="The hazard opened for each failed item, in checklist order.")


class AnswerWritten(Answer):
    client_id: str
    created: bool
    answer: AnswerRef


