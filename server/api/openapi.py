"""The OpenAPI 3.1 document of /api/v1, served at GET /api/v1/openapi.json.

Hand-written, as Python dicts: the schemas say exactly what the handlers answer (tests/api validate every
JSON answer the test suite receives against them, and check that every /api/v1 route of the app is here).
A route added without its entry here fails those tests: add the path below, with its schemas.

Conventions every operation shares: JSON error bodies {"error": {"code", "message"}} with 401 (not signed
in), 403 (role), 404 (not there, or not visible to this user), 409 (state, or a client id reused with other
content), 422 (a field missing or invalid); state-changing requests carry the CSRF token in X-CSRFToken
(from GET /session); times are ISO 8601 in UTC.
"""

from copy import deepcopy

from flask import jsonify

from server.api import bp
from server.hazards import states
from server.notifications.models import KINDS
from server.patrols.models import RESULTS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict, *, optional=(), strict=True) -> dict:
    schema = {"type": "object", "properties": properties,
              "required": [k for k in properties if k not in optional]}
    if strict:
        schema["additionalProperties"] = False
    return schema


STRING = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
N_TIME = _nullable(TIME)
N_DATE = _nullable(DATE)
N_STRING = _nullable(STRING)
STATE = {"type": "string", "enum": list(states.STATES)}
ACTION = {"type": "string", "enum": list(states.ACTIONS)}
CLIENT_ID = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{7,63}$",
             "description": "Made once on the device when the record is made (crypto.randomUUID())."}

SCHEMAS = {
    "I18n": _obj({"locale": {"type": "string", "enum": ["zh_CN", "en"]},
                  "languages": {"type": "object", "additionalProperties": STRING},
                  "messages": {"type": "object", "additionalProperties": STRING}}),
    "Locale": _obj({"locale": {"type": "string", "enum": ["zh_CN", "en"]}}),
    "Error": _obj({"error": _obj({"code": STRING, "message": STRING, "details": {"type": "object"}},
                                 optional=("details",))}),
    "Person": _obj({"id": INT, "name": STRING, "department": STRING}),
    "ZoneRef": _obj({"id": INT, "code": STRING, "name": STRING}),
    "CategoryRef": _obj({"id": INT, "code": STRING, "name": STRING}),
    "Photo": _obj({
        "id": INT, "kind": {"type": "string", "enum": ["before", "after", "recheck"]},
        "kind_label": STRING, "event_id": INT, "url": STRING, "thumb_url": STRING, "width": INT,
        "height": INT, "created_at": TIME}),
    "Event": _obj({
        "id": INT, "action": {"type": "string", "enum": list(states.EVENT_ACTIONS)}, "action_label": STRING,
        "from_state": _nullable(STATE), "to_state": STATE, "actor": _ref("Person"), "at": TIME,
        "device_at": N_TIME, "note": STRING, "deadline": N_TIME, "deadline_date": N_DATE,
        "rectifier": _nullable(_ref("Person")), "on_site": BOOL, "scanned_at": N_TIME,
        "client_id": N_STRING, "photos": {"type": "array", "items": _ref("Photo")}}),
    "Deferral": _obj({"reason": STRING, "proposed_deadline": TIME, "proposed_date": DATE,
                      "requested_at": TIME, "requested_by": _nullable(_ref("Person"))}),
}
_HAZARD_FIELDS = {
    "id": INT, "client_id": STRING, "zone": _ref("ZoneRef"), "category": _ref("CategoryRef"),
    "description": STRING, "severity": {"type": "string", "enum": list(states.SEVERITIES)},
    "severity_label": STRING, "state": STATE, "state_label": STRING,
    "overdue": {"type": "boolean", "description": "Derived: assigned and past the deadline."},
    "fixed": {"type": "boolean", "description": "Closed by a passed recheck or fixed on the spot."},
    "fixed_on_the_spot": BOOL, "reporter": _ref("Person"), "rectifier": _nullable(_ref("Person")),
    "deadline": {**N_TIME, "description": "The end of the deadline day in the school's time zone."},
    "deadline_date": {**N_DATE, "description": "The deadline day in the school's time zone."},
    "device_reported_at": TIME, "received_at": TIME, "updated_at": TIME, "closed_at": N_TIME,
    "deferral": _nullable(_ref("Deferral")), "visit_id": _nullable(INT), "thumb_url": N_STRING,
    "allowed_actions": {"type": "array", "items": ACTION,
                        "description": "What the signed-in user may do now: the buttons to show."},
}
SCHEMAS |= {
    "HazardSummary": _obj(_HAZARD_FIELDS),
    "Hazard": _obj(_HAZARD_FIELDS | {"photos": {"type": "array", "items": _ref("Photo")},
                                     "events": {"type": "array", "items": _ref("Event"),
                                                "description": "The timeline, oldest first."}}),
    "HazardList": _obj({"hazards": {"type": "array", "items": _ref("HazardSummary")}, "total": INT,
                        "limit": INT, "offset": INT}),
    "HazardWritten": _obj({
        "client_id": {**STRING, "description": "Echoed: the outbox drops an item only when it sees its id."},
        "created": {"type": "boolean", "description": "false: a repeat of this client id (answered 200)."},
        "hazard": _ref("Hazard"), "event": _ref("Event")}),
    "Transition": _obj({"from": STATE, "action": ACTION, "to": STATE,
                        "roles": {"type": "array", "items": STRING},
                        "conditions": {"type": "array", "items": STRING},
                        "required": {"type": "array", "items": STRING}}),
    "Transitions": _obj({
        "states": {"type": "array", "items": STATE}, "open_states": {"type": "array", "items": STATE},
        "severities": {"type": "array", "items": STRING}, "actions": {"type": "array", "items": ACTION},
        "transitions": {"type": "array", "items": _ref("Transition")},
        "report": _obj({"roles": {"type": "array", "items": STRING},
                        "required": {"type": "array", "items": STRING},
                        "to": {"type": "object", "additionalProperties": _obj({
                            "fixed_on_the_spot": STATE, "otherwise": STATE})}}),
        "labels": _obj({k: {"type": "object", "additionalProperties": STRING}
                        for k in ("states", "actions", "severities")}),
        "limits": _obj({"description_max": INT, "note_max": INT, "photos_max": INT})}),
    "Tasks": _obj({"tasks": {"type": "array", "items": _ref("HazardSummary")}, "overdue": INT,
                   "rechecks": {"type": "array", "items": _ref("HazardSummary")}}),
    "ZoneHazards": _obj({"zone_id": INT, "hazards": {"type": "array", "items": _ref("HazardSummary")}}),
    "Category": _obj({"id": INT, "code": STRING, "name": STRING, "name_zh": STRING, "name_en": STRING,
                      "default_period_days": _nullable(INT),
                      "checklist": {"type": "array", "items": STRING}}),
    "Categories": _obj({"categories": {"type": "array", "items": _ref("Category")}}),
    "Visit": _obj({"id": INT, "client_id": STRING, "zone": _ref("ZoneRef"),
                   "patrol": _obj({"id": INT, "name": STRING}),
                   "result": {"type": "string", "enum": list(RESULTS)}, "device_at": TIME,
                   "received_at": TIME, "scanned_at": N_TIME, "on_site": BOOL,
                   "checklist": {"type": "object"}, "note": STRING}),
    "VisitWritten": _obj({"client_id": STRING, "created": BOOL, "visit": _ref("Visit")}),
    "Notification": _obj({"id": INT, "kind": {"type": "string", "enum": list(KINDS)}, "hazard_id": INT,
                          "message": STRING, "created_at": TIME, "read_at": N_TIME}),
    "Notifications": _obj({"notifications": {"type": "array", "items": _ref("Notification")},
                           "unread": INT}),
    "Marked": _obj({"marked": INT, "unread": INT}),
    # Routes of other domains (session, zones): required fields checked, additions tolerated.
    "User": _obj({"id": INT, "username": STRING, "display_name": STRING, "department": STRING,
                  "roles": {"type": "array", "items": STRING}}, strict=False),
    "Session": _obj({"user": _nullable(_ref("User")), "csrf_token": STRING, "locale": STRING}, strict=False),
    "Zone": _obj({"id": INT, "code": STRING, "name": STRING, "building": STRING, "floor": STRING,
                  "department": STRING, "key_area": BOOL, "frequency": STRING, "frequency_days": INT,
                  "token": STRING,
                  "responsible": _nullable(_obj({"id": INT, "name": STRING, "phone": STRING}, strict=False))},
                 strict=False),
    "ZoneOne": _obj({"zone": _ref("Zone")}, strict=False),
    "Zones": _obj({"zones": {"type": "array", "items": _ref("Zone")}}, strict=False),
    "TodaysRound": _obj({"date": DATE,
                         "due": {"type": "array",
                                 "items": _obj({"zone": _ref("Zone"), "last_visit_at": N_TIME})},
                         "done": {"type": "array", "items": _ref("Zone")}}),
}

_ERRORS = {
    400: "The request or an uploaded photo was not usable (bad_upload), or the CSRF token was missing.",
    401: "Not signed in.",
    403: "The role (or who the user is for this hazard) does not allow it.",
    404: "Not there, or not visible to this user.",
    409: "The hazard's state (or the zone's) does not allow it, it changed since the user saw it, or the "
         "client id was used before for other content.",
    413: "An uploaded photo, or the whole request, is too large.",
    422: "A field is missing or invalid; details names it.",
}


def _json(schema_name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _op(summary: str, ok: dict, errors=(401,), *, parameters=None, body=None, description=None) -> dict:
    responses = {str(code): resp for code, resp in ok.items()}
    for code in errors:
        responses[str(code)] = _json("Error", _ERRORS[code])
    operation = {"summary": summary, "responses": responses}
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = body
    return operation


def _param(name: str, where: str, schema: dict, description: str, required=None) -> dict:
    return {"name": name, "in": where, "required": where == "path" if required is None else required,
            "schema": schema, "description": description}


def _files(description: str) -> dict:
    return {"type": "array", "items": {"type": "string", "contentEncoding": "binary"},
            "description": description}


_REPORT_FIELDS = {
    "client_id": CLIENT_ID, "zone_id": INT, "category_id": INT,
    "severity": {"type": "string", "enum": list(states.SEVERITIES)}, "description": STRING,
    "fixed_on_the_spot": {"type": "boolean", "description": "立行立改; then after_photos[] are required."},
    "device_at": {**TIME, "description": "When it was reported, by the device's clock (with offset)."},
    "scanned_at": {**TIME, "description": "When the zone's QR label was scanned."},
    "zone_token": {**STRING, "description": "The token of the label scanned (for 'done on site')."},
    "visit_client_id": {**CLIENT_ID, "description": "The visit this report belongs to (made if new)."},
}
_ACTION_FIELDS = {
    "action": ACTION, "client_id": CLIENT_ID,
    "seen_state": {**STATE, "description": "The state the user saw; if the hazard has moved on: 409."},
    "note": {**STRING,
             "description": "Required for request_deferral (the reason), fail, invalidate, reopen."},
    "deadline": {**DATE,
                 "description": "A day in the school's time zone: assign, approve_deferral (overrides the "
                                "proposed date), request_deferral (proposed), fail, reopen."},
    "rectifier_id": {**INT, "description": "assign, fail, reopen: defaults to the current/last rectifier or "
                                           "the zone's responsible person."},
    "device_at": TIME, "scanned_at": TIME, "zone_token": STRING,
}

_ACTION_REQUIRED = ["action", "client_id", "seen_state"]
HAZARD_ID = _param("hazard_id", "path", INT, "The hazard's id.")
PHOTO_ID = _param("photo_id", "path", INT, "The photo's id.")
_IMAGE = {"description": "The JPEG (metadata stripped), cacheable for a year.",
          "content": {"image/jpeg": {"schema": {"type": "string", "contentEncoding": "binary"}}}}
_NOT_MODIFIED = {"description": "Not modified (If-None-Match matched the ETag)."}

PATHS = {
    "/session": {"get": _op("Who is signed in, a fresh CSRF token, the language",
                            {200: _json("Session", "The session (user is null when not signed in).")}, ())},
    "/i18n": {"get": _op("The field app's words in the user's language",
                         {200: _json("I18n", "Messages by key (placeholders %(name)s).")}, ())},
    "/session/locale": {"post": _op(
        "Switch the user's language (remembered on the account)", {200: _json("Locale", "The language now.")},
        (400, 401, 422),
        body={"required": True, "content": {"application/json": {"schema": _ref("Locale")}}})},
    "/zones/by-code/{code}": {"get": _op(
        "The active zone with a code (typed when a label cannot be scanned)",
        {200: _json("ZoneOne", "The zone.")}, (401, 404),
        parameters=[_param("code", "path", STRING, "The zone code printed on the label.")])},
    "/zones": {"get": _op("The directory of active zones (cached by the field app)",
                          {200: _json("Zones", "Every active zone.")})},
    "/zones/by-token/{token}": {"get": _op(
        "The active zone a QR token opens", {200: _json("ZoneOne", "The zone.")}, (401, 404),
        parameters=[_param("token", "path", STRING, "The token on the zone's label.")],
        description="404 says why in details.reason: unknown, retired (label replaced) or inactive.")},
    "/zones/{zone_id}/hazards": {"get": _op(
        "A zone's hazards the user may see (the zone page: open ones, so as not to report a duplicate)",
        {200: _json("ZoneHazards", "Most urgent first.")}, (401, 404, 422),
        parameters=[_param("zone_id", "path", INT, "The zone's id."),
                    _param("open", "query", {"type": "string", "enum": ["1", "0", "true", "false"]},
                           "1 (default): open hazards only; 0: all the user may see.")])},
    "/hazards": {
        "get": _op("List the hazards the user may see", {200: _json("HazardList", "Overdue first, then by "
                                                                     "deadline, then newest.")}, (401, 422),
                   parameters=[
                       _param("state", "query", STRING, "One state, or several (repeat or comma-separate)."),
                       _param("zone", "query", INT, "A zone id (patrols then also see its open hazards)."),
                       _param("mine", "query", STRING, "1: reported by me or assigned to me."),
                       _param("overdue", "query", STRING, "1: only overdue; 0: only not overdue."),
                       _param("deferral", "query", STRING, "1: only those with a deferral request waiting; "
                                                           "0: only those without."),
                       _param("limit", "query", INT, "1 to 500 (default 100)."),
                       _param("offset", "query", INT, "For paging.")]),
        "post": _op(
            "Report a hazard",
            {201: _json("HazardWritten", "Reported."),
             200: _json("HazardWritten", "A repeat of this client id: the hazard made then.")},
            (400, 401, 403, 409, 413, 422),
            description="Multipart: the fields and photos[] (1 to 6 before photos); when fixed_on_the_spot, "
                        "after_photos[] too. A general hazard fixed on the spot closes at once; a major or "
                        "critical one awaits a recheck. A deactivated zone answers 409.",
            body={"required": True, "content": {
                "multipart/form-data": {"schema": {
                    "type": "object", "required": ["client_id", "zone_id", "category_id", "severity",
                                                   "description", "photos[]"],
                    "properties": _REPORT_FIELDS | {
                        "photos[]": _files("Before photos, 1 to 6."),
                        "after_photos[]": _files("After photos (fixed on the spot).")}}},
                "application/json": {"schema": {"type": "object", "properties": _REPORT_FIELDS}}}}),
    },
    "/hazards/{hazard_id}": {"get": _op("A hazard with its timeline and photos",
                                        {200: {"description": "The hazard.", "content": {"application/json": {
                                            "schema": _obj({"hazard": _ref("Hazard")})}}}},
                                        (401, 404), parameters=[HAZARD_ID])},
    "/hazards/{hazard_id}/actions": {"post": _op(
        "Take an action on a hazard (a command: the action and the state the user saw)",
        {201: _json("HazardWritten", "Done."),
         200: _json("HazardWritten", "A repeat of this client id: the event made then.")},
        (400, 401, 403, 404, 409, 413, 422), parameters=[HAZARD_ID],
        description="Photos: submit takes 1 to 6 after photos (required); pass and fail take up to 6 recheck "
                    "photos; other actions take none. See GET /hazards/transitions for who may do what.",
        body={"required": True, "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": _ACTION_REQUIRED,
                "properties": _ACTION_FIELDS | {"photos[]": _files("Photos.")}}},
            "application/json": {"schema": {"type": "object", "required": _ACTION_REQUIRED,
                                            "properties": _ACTION_FIELDS}}}})},
    "/hazards/transitions": {"get": _op("The state machine as data, with its words in the user's language",
                                        {200: _json("Transitions", "The table.")})},
    "/me/tasks": {"get": _op("My hazards to rectify (overdue first, then by deadline) and rechecks to make",
                             {200: _json("Tasks", "Tasks.")})},
    "/me/today": {"get": _op("Today's patrol round: zones due for a patrol (key areas and the longest "
                             "unvisited first) and the zones I patrolled today",
                             {200: _json("TodaysRound", "Today's round.")})},
    "/categories": {"get": _op("The active hazard categories",
                               {200: _json("Categories", "In display order.")})},
    "/photos/{photo_id}": {"get": _op("A photo (only if the user may see its hazard)",
                                      {200: _IMAGE, 304: _NOT_MODIFIED}, (401, 404),
                                      parameters=[PHOTO_ID])},
    "/photos/{photo_id}/thumb": {"get": _op("A photo's thumbnail (only if the user may see its hazard)",
                                            {200: _IMAGE, 304: _NOT_MODIFIED}, (401, 404),
                                            parameters=[PHOTO_ID])},
    "/visits": {"post": _op(
        "Record a patrol visit (\"no hazard found\" in one tap)",
        {201: _json("VisitWritten", "Recorded."),
         200: _json("VisitWritten", "A repeat of this client id: the visit made then.")},
        (401, 403, 409, 422),
        body={"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["client_id", "zone_id"],
            "properties": {"client_id": CLIENT_ID, "zone_id": INT,
                           "result": {"type": "string", "enum": list(RESULTS), "default": "no_hazard"},
                           "device_at": TIME, "scanned_at": TIME, "zone_token": STRING,
                           "checklist": {"type": "object"}, "note": STRING}}}}})},
    "/notifications": {"get": _op(
        "My notifications, newest first, and the unread count",
        {200: _json("Notifications", "Notifications.")},
        (401, 422), parameters=[_param("unread", "query", STRING, "1: only unread ones."),
                                _param("limit", "query", INT, "1 to 200 (default 50).")])},
    "/notifications/read": {"post": _op(
        "Mark notifications read", {200: _json("Marked", "How many changed, and the unread count now.")},
        (400, 401, 422),
        body={"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"ids": {"type": "array", "items": INT},
                                             "all": {"type": "boolean"}}}}}})},
    "/openapi.json": {"get": _op("This document", {200: {"description": "The OpenAPI document.",
                                                         "content": {"application/json": {"schema": {
                                                             "type": "object"}}}}}, ())},
}


def document() -> dict:
    """Return the OpenAPI document (a fresh copy: callers may change it)."""
    return deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "巡检 / School safety inspection API", "version": "1",
                 "description": __doc__},
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
        "security": [{"session": []}],
    })


@bp.get("/openapi.json")
def openapi_json():
    """Serve the OpenAPI document (public: it holds no data, only the shape of the API)."""
    return jsonify(document())
