"""The patrol payloads of /api/v1, declared once: a visit as the field app sends it, and today's round."""

import json
from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field

from server.api.schemas import Answer, ClientId, DeviceTime, Id, RequestBody, Text
from server.patrols.models import NO_HAZARD, RESULTS
from server.zones.schemas import ZoneRef

NOTE_MAX = 500
CHECKLIST_MAX_ITEMS = 100
Result = Literal[RESULTS]


def _json_text(value):
    # A multipart form cannot nest: the field app sends the answers there as JSON text ("null": none).
    return (json.loads(value) or {}) if isinstance(value, str) else value


Checklist = Annotated[dict[str, bool | str | None], BeforeValidator(_json_text)]


class VisitIn(RequestBody):
    """A patrol visit ("no hazard found" in one tap), as JSON or as a multipart form."""

    messages = {
        "client_id": _l("Every record needs a client id (8 to 64 letters, digits or dashes)."),
        "result": _l("The result must be \"no hazard\" or \"hazards found\"."),
        "note": {"too_long": _l("The note is too long (at most %(n)d characters).", n=NOTE_MAX)},
        "checklist": _l("The checklist answers are not valid."),
    }

    client_id: ClientId
    zone_id: Id
    result: Result = NO_HAZARD
    device_at: DeviceTime | None = None
    scanned_at: DeviceTime | None = None
    zone_token: Text | None = Field(None, max_length=64)
    checklist: Checklist | None = Field(
        None, max_length=CHECKLIST_MAX_ITEMS,
        description="Answers by question (a multipart form sends it as JSON text).",
        json_schema_extra={"x-json-text-in-forms": True})
    note: Text = Field("", max_length=NOTE_MAX)


class Patrol(Answer):
    id: int
    name: str


class Visit(Answer):
    id: int
    client_id: str
    zone: ZoneRef
    patrol: Patrol
    result: Result
    device_at: datetime
    received_at: datetime
    scanned_at: datetime | None
    on_site: bool
    checklist: dict
    note: str


class VisitWritten(Answer):
    client_id: str
    created: bool
    visit: Visit


ROUND_PAGE = 10  # what home shows at once: the most pressing zones, the rest a tap away ("show more")
ROUND_PAGE_MAX = 500


class RoundQuery(RequestBody):
    """Which page of today's zones due."""

    limit: int = Field(ROUND_PAGE, ge=1, le=ROUND_PAGE_MAX, description="Zones due per page.")
    offset: int = Field(0, ge=0, le=2**63 - 1, description="For paging: the number of zones due to skip.")


class RoundZone(Answer):
    """A zone as the round lists it: what its line shows and the label token it opens (the rest of the zone
    is in the directory the phone keeps)."""

    id: int
    code: str
    name: str
    key_area: bool
    token: str


class DueZone(Answer):
    zone: RoundZone
    last_visit_at: datetime | None


class TodaysRound(Answer):
    date: date
    due: list[DueZone] = Field(description="A page of the zones due: key areas, the longest unvisited first.")
    due_total: int = Field(description="How many zones are due in all (ask with a larger offset for more).")
    done: list[RoundZone] = Field(description="The zones I patrolled today.")
    limit: int
    offset: int
