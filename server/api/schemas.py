"""What every JSON payload shares: the pydantic base classes, field types with their limits, reading a
request through a declaration, answering through one, and the route metadata the OpenAPI document is built
from.

Each domain declares its payloads once, in its own schemas.py, with these parts (STYLE.md, habit 11): the
handler parses the request through the declaration into the service's dataclass, answers through the
declaration, and server/api/openapi.py generates the document from the same declarations. pydantic v2 was
chosen over marshmallow + apispec: one library gives parsing, serialising and JSON Schema 2020-12 (what
OpenAPI 3.1 speaks), with typed models that read like the dataclasses they feed.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from server.converters import DB_INT_MAX
from server.errors import ValidationFailed
from server.sync import CLIENT_ID_RE

ID_MAX = DB_INT_MAX  # the largest row id SQLite and PostgreSQL (bigint) hold
# A device time outside these years is no clock at all. 1970 stays in: a phone whose clock was reset to the
# epoch still gets its records in (the server keeps its own time of receipt beside the device's).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _real_clock(value: datetime) -> datetime:
    # Kept with the offset it was sent with (a resent record must hash as it did), but it must be a real time.
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:  # year 1 at +14:00, year 9999 at -14:00: not a time in UTC at all
        raise ValueError("out of range") from None
    if not EARLIEST <= in_utc < LATEST:
        raise ValueError("out of range")
    return value


def _iso_text(value):
    # A time is sent as ISO 8601 text with its offset, not as a number (a phone's clock, not an epoch guess),
    # and never without one: a time with no offset would be read in whatever zone the server runs in.
    if not isinstance(value, datetime):
        if not isinstance(value, str):
            raise ValueError("not ISO 8601 text")
        value = datetime.fromisoformat(value.strip().replace("z", "Z"))  # ValueError: not ISO 8601
    if value.tzinfo is None:
        raise ValueError("no offset")
    return value


def _as_text(value):
    # Free text as the old parser took it: a JSON number is its digits (a note "12345"), never a list.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _no_bool(value):
    if isinstance(value, bool):  # JSON true is not the number 1
        raise ValueError("not a number")
    return value


Id = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(_no_bool)]
ClientId = Annotated[str, Field(pattern=CLIENT_ID_RE.pattern,
                                description="Made once on the device when the record is made "
                                            "(crypto.randomUUID()).")]
Text = Annotated[str, BeforeValidator(_as_text), Field(json_schema_extra={"type": ["string", "number"]})]
DeviceTime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_real_clock),
                       Field(json_schema_extra={"format": "date-time"})]


def _date_text(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("not YYYY-MM-DD text")


Day = Annotated[date, BeforeValidator(_date_text)]


def Files(description: str):  # noqa: N802 (a type-like declaration)
    """Declare a list of uploaded files (multipart parts named NAME[])."""
    binary = {"type": "string", "contentEncoding": "binary"}
    return Field(default_factory=list, description=description,
                 json_schema_extra={"x-files": True, "items": binary})


class RequestBody(BaseModel):
    """A request payload: fields the declaration does not name are ignored (older or newer app versions)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    # What to tell a person when a field is wrong: a sentence for any mistake in it, or one per kind of
    # mistake ({"too_long": …}); else a sentence per kind of mistake.
    messages: ClassVar[dict[str, Any]] = {}


class Answer(BaseModel):
    """A response payload: exactly the fields declared (the document says additionalProperties: false)."""

    model_config = ConfigDict(extra="forbid")


# -- Reading a request --------------------------------------------------------------------------------------

# pydantic's error types, by the stable word the API answers with in error.details, and what to say.
_REQUIRED = ("missing",)
_UNKNOWN = ("literal_error", "enum")
_TOO_LONG = ("string_too_long",)
_TOO_MANY = ("too_long",)
_GENERIC = {
    "int": _l("%(field)s must be a number."),
    "bool": _l("%(field)s must be true or false."),
    "date": _l("%(field)s must be a date (YYYY-MM-DD)."),
    "datetime": _l("%(field)s must be a time in ISO 8601 with its offset, e.g. 2024-05-01T08:30:00Z."),
    "string": _l("%(field)s must be text."),
}


def _problem(model: type[RequestBody], error: dict) -> ValidationFailed:
    name = str(error["loc"][0]) if error["loc"] else "body"
    kind = error["type"]
    code = ("required" if kind in _REQUIRED else "unknown" if kind in _UNKNOWN
            else "too_long" if kind in _TOO_LONG else "too_many" if kind in _TOO_MANY else "invalid")
    message = model.messages.get(name)
    if isinstance(message, dict):
        message = message.get(code)
    if message is None:
        context = error.get("ctx") or {}
        if code == "required":
            message = _l("%(field)s is required.", field=name)
        elif code == "unknown":
            message = _l("%(field)s must be one of: %(choices)s.", field=name,
                         choices=str(context.get("expected", "")).replace("'", ""))
        elif code in ("too_long", "too_many"):
            message = _l("%(field)s is too long (at most %(n)s).", field=name,
                         n=context.get("max_length", ""))
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            message = _l("%(field)s is out of range.", field=name)
        elif _declared(model, name, datetime):  # a time our validators refused (no offset, no real clock)
            message = _GENERIC["datetime"] % {"field": name}
        else:
            family = next((f for f in ("datetime", "date", "int", "bool", "string") if kind.startswith(f)),
                          "string" if kind.startswith("str") else None)
            template = _GENERIC.get(family) or _l("%(field)s is not valid.")
            message = template % {"field": name}
    return ValidationFailed(message, details={name: code})


def _declared(model: type[RequestBody], name: str, kind: type) -> bool:
    """Say whether the field `name` of `model` is declared of type `kind` (inside Optional, Annotated …)."""
    def holds(annotation) -> bool:
        return annotation is kind or any(holds(arg) for arg in get_args(annotation))

    info = model.model_fields.get(name)
    return info is not None and holds(info.annotation)


def validate(model: type[RequestBody], data: dict):
    """Return the declaration filled from `data`, or refuse the first wrong field (422, named in details)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _problem(model, exc.errors(include_url=False)[0]) from None


def _present(fields: dict) -> dict:
    # An empty form field, "" or null in JSON, is a field not given (as the field app and the desk send them).
    return {k: v for k, v in fields.items() if v != "" and v is not None}


def read_body(model: type[RequestBody]):
    """Parse the request's body (a multipart or plain form with files, or a JSON object) through `model`."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data: dict[str, Any] = {}
        for name in request.form:
            if not name:  # a part whose Content-Disposition name werkzeug could not read names no field
                continue
            values = request.form.getlist(name)
            data[name.removesuffix("[]")] = values if name.endswith("[]") else values[-1]
        for name in request.files:
            if not name:
                continue
            parts = [item.read() for item in request.files.getlist(name)
                     if item.filename or item.content_length]
            parts = [p for p in parts if p]  # an empty file input sends a nameless empty part
            if parts:
                data[name.removesuffix("[]")] = parts
        return validate(model, _present(data))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_l("Send the fields as a JSON object or as a multipart form."),
                               details={"body": "invalid"})
    return validate(model, _present(data))


def read_query(model: type[RequestBody]):
    """Parse the query string through `model` (a list field takes repeated or comma-separated values)."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        values = request.args.getlist(key)
        if "list[" in str(info.annotation):
            data[key] = [v for value in values for v in value.split(",") if v]
        elif values[-1] == "" and _declared(model, name, bool):
            data[key] = False  # ?overdue= says no, as it always did
        else:
            data[key] = values[-1]
    return validate(model, _present(data))


def answer(model: type[Answer], body, status: int = 200):
    """Answer JSON through the declaration: validated and serialised by it (times as UTC "…Z")."""
    return jsonify(model.model_validate(body).model_dump(mode="json", by_alias=True)), status


def utf8_answer(model: type[Answer], body) -> Response:
    """Answer JSON through the declaration, its Chinese as UTF-8 characters rather than \\u escapes."""
    # For the answers packed once at brotli's best (the words, the zone directory: compression.packed), which
    # it packs better as the characters themselves (the words 3.3 -> 2.8 kB, the directory 11.9 -> 11.4 kB).
    data = model.model_validate(body).model_dump(mode="json", by_alias=True)
    return Response(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                    mimetype="application/json")


def plain_answer(body: dict, status: int = 200):
    """Answer a body built in its declared JSON form already (plain values, times from json_time)."""
    # For the long lists (issue 12): pydantic validating and serialising each of 100 hazards was a third of
    # /me/tasks. The lists built this way are checked against their declaration by tests/api/test_plain.py:
    # what `answer` would send for the same body, byte for byte.
    return jsonify(body), status


def json_time(moment: datetime | None) -> str | None:
    """Return an aware UTC time as the API writes it (ISO 8601 ending "Z", as `answer` serialises it)."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- Route metadata for the OpenAPI document ----------------------------------------------------------------

@dataclass
class Operation:
    """What the document says of one route: its payloads, answers and errors."""

    responses: dict[int, type[Answer] | str | tuple[type[Answer], str]]
    body: type[RequestBody] | None = None
    forms: bool = False  # the body may come as a multipart form (with files) as well as JSON
    query: type[RequestBody] | None = None
    errors: tuple[int, ...] = (401,)
    public: bool = False  # needs no session (security: [])
    description: str | None = None
    extra: dict = field(default_factory=dict)


def operation(responses, *, body=None, forms=False, query=None, errors=(401,), public=False,
              description=None, **extra):
    """Declare a route's payloads for the OpenAPI document (the summary is the view's docstring)."""
    def mark(view):
        view.openapi = Operation(responses, body, forms, query, tuple(errors), public, description, extra)
        return view
    return mark


# -- What the API shares across domains ---------------------------------------------------------------------

Locale = Literal["zh_CN", "en"]


class ErrorBody(Answer):
    code: str
    message: str
    details: dict | None = None


class Error(Answer):
    """Every refusal: a stable code, a message a person can act on, and the field or reason in details."""

    error: ErrorBody


class LocaleIn(RequestBody):
    """The language to switch to."""

    locale: Locale


class LocaleOut(Answer):
    locale: Locale


class User(Answer):
    id: int
    username: str
    display_name: str
    department: str
    company: str = Field(description="the contractor (外包单位) the user works for; empty for school staff")
    roles: list[str]


class SessionQuery(RequestBody):
    """The session's query string."""

    fresh: bool | None = Field(None, description="1: asked at send time, past the service worker's offline "
                                                 "copy (the server answers the same either way).")


class Session(Answer):
    user: User | None
    csrf_token: str
    locale: str


class I18n(Answer):
    locale: Locale
    languages: dict[str, str]
    messages: dict[str, str]
