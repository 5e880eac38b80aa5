"""The OpenAPI 3.1 document of /api/v1, generated from the routes and their declarations; served at
GET /api/v1/openapi.json.

Nothing here is written by hand but the conventions: every /api/v1 route carries an `operation(...)`
(server/api/schemas.py) naming the declarations of its body, query and answers; the schemas are pydantic's
JSON Schema of those declarations (2020-12, as OpenAPI 3.1 speaks). A route without its declaration stops
the document from being built, and tests hold every route and every request and answer of the suite to it.

Conventions every operation shares: JSON error bodies {"error": {"code", "message", "details"}} with 401 (not
signed in), 403 (role), 404 (not there, or not visible to this user), 409 (state, or a client id reused with
other content), 422 (a field missing or invalid; details names it); state-changing requests carry the CSRF
token in X-CSRFToken (from GET /session); times are ISO 8601 in UTC.
"""

import re
from copy import deepcopy

from flask import current_app
from pydantic.json_schema import models_json_schema

from server.api import bp
from server.api.schemas import ID_MAX, Answer, Error, Operation, answer, operation

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
ERRORS = {
    400: "The request or an uploaded photo was not usable (bad_upload), or the CSRF token was missing.",
    401: "Not signed in.",
    403: "The role (or who the user is for this hazard) does not allow it.",
    404: "Not there, or not visible to this user.",
    409: "The hazard's state (or the zone's) does not allow it, it changed since the user saw it, or the "
         "client id was used before for other content.",
    413: "An uploaded photo, or the whole request, is too large.",
    422: "A field is missing or invalid; details names it.",
}
# How an answer leads to the next request (OpenAPI links): a client, or a fuzzer following them, reaches real
# hazards, zones and photos instead of guessing ids. Source operation → link name → (target, parameters).
_HAZARD = {"hazard_id": "$response.body#/hazard/id"}
_FIRST_HAZARD = {"hazard_id": "$response.body#/hazards/0/id"}
_FIRST_TASK = {"hazard_id": "$response.body#/tasks/0/id"}
_FIRST_ZONE = "$response.body#/zones/0/"
LINKS: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "report_hazard": {"GetHazard": ("hazard_detail", _HAZARD), "ActOnHazard": ("hazard_action", _HAZARD),
                      "ZoneHazards": ("zone_hazards", {"zone_id": "$response.body#/hazard/zone/id"}),
                      "Photo": ("photo", {"photo_id": "$response.body#/hazard/photos/0/id"})},
    "list_hazards": {"GetHazard": ("hazard_detail", _FIRST_HAZARD),
                     "ActOnHazard": ("hazard_action", _FIRST_HAZARD)},
    "hazard_detail": {"ActOnHazard": ("hazard_action", _HAZARD),
                      "Photo": ("photo", {"photo_id": "$response.body#/hazard/photos/0/id"}),
                      "Thumb": ("photo_thumb", {"photo_id": "$response.body#/hazard/photos/0/id"})},
    "hazard_action": {"GetHazard": ("hazard_detail", _HAZARD), "ActAgain": ("hazard_action", _HAZARD)},
    "my_tasks": {"GetHazard": ("hazard_detail", _FIRST_TASK), "ActOnHazard": ("hazard_action", _FIRST_TASK)},
    "zone_directory": {"ZoneHazards": ("zone_hazards", {"zone_id": _FIRST_ZONE + "id"}),
                       "ByToken": ("zone_by_token", {"token": _FIRST_ZONE + "token"}),
                       "ByCode": ("zone_by_code", {"code": _FIRST_ZONE + "code"})},
    "zone_by_token": {"ZoneHazards": ("zone_hazards", {"zone_id": "$response.body#/zone/id"})},
    "zone_by_code": {"ZoneHazards": ("zone_hazards", {"zone_id": "$response.body#/zone/id"})},
    "zone_hazards": {"GetHazard": ("hazard_detail", _FIRST_HAZARD)},
    "notifications": {"GetHazard": ("hazard_detail",
                                    {"hazard_id": "$response.body#/notifications/0/hazard_id"})},
}
_PATH_PARAM = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")
_CONVERTERS = {"int": {"type": "integer", "minimum": 0, "maximum": ID_MAX}}


def openapi_path(rule: str) -> str:
    """Return an API rule as an OpenAPI path: /api/v1/hazards/<int:hazard_id> becomes /hazards/{hazard_id}."""
    return _PATH_PARAM.sub(r"{\2}", rule.removeprefix(PREFIX))


def api_operations(app) -> list[tuple[str, str, Operation, object]]:
    """Return (rule, method, declaration, view) for every /api/v1 route; refuse one with no declaration."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "openapi", None)
        if declared is None:
            raise LookupError(f"{rule.rule} ({rule.endpoint}) has no operation(...) declaration")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method.lower(), declared, view))
    return found


def _models(ops) -> list[tuple[type, str]]:
    wanted: dict[tuple[type, str], None] = {(Error, "serialization"): None}
    for _rule, _method, op, _view in ops:
        for value in op.responses.values():
            model = value[0] if isinstance(value, tuple) else value
            if isinstance(model, type) and issubclass(model, Answer):
                wanted[(model, "serialization")] = None
        for model in (op.body, op.query):
            if model is not None:
                wanted[(model, "validation")] = None
    return list(wanted)


def _strip_titles(schema):
    # pydantic titles every property ("Zone Id"); the names say it, and the document reads better without.
    if isinstance(schema, dict):
        return {k: _strip_titles(v) for k, v in schema.items() if k != "title" or not isinstance(v, str)}
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


def _nullable(declared: dict) -> dict:
    # A field that may be left out may also be sent as null (or ""): the server reads both as not given.
    optional = {k: {"anyOf": [v, {"type": "null"}]} if k not in declared.get("required", ()) else v
                for k, v in declared["properties"].items()}
    return {**declared, "properties": optional}


def _request_body(op: Operation, schemas: dict) -> dict:
    name = op.body.__name__
    declared = _nullable(schemas[name])
    files = {k for k, v in schemas[name]["properties"].items() if v.get("x-files")}
    plain = {k: v for k, v in declared["properties"].items() if k not in files}
    content = {"application/json": {"schema": {**declared, "properties": plain}}}
    if op.forms:
        form = dict(plain)
        for key in files:  # repeated parts NAME (as the field app sends them) or NAME[] (as the tests do)
            part = {"type": "array", "items": schemas[name]["properties"][key]["items"],
                    "description": schemas[name]["properties"][key].get("description", "")}
            form[key] = form[f"{key}[]"] = part
        content["multipart/form-data"] = {"schema": {**declared, "properties": form}}
    return {"required": True, "content": content}


def _parameters(rule: str, op: Operation, schemas: dict) -> list[dict]:
    params = []
    for converter, name in _PATH_PARAM.findall(rule):
        params.append({"name": name, "in": "path", "required": True,
                       "schema": _CONVERTERS.get(converter, {"type": "string"}),
                       "description": name.replace("_", " ").capitalize() + "."})
    if op.query is not None:
        declared = schemas[op.query.__name__]
        for key, prop in declared["properties"].items():
            prop = dict(prop)
            description = prop.pop("description", key)
            params.append({"name": key, "in": "query", "required": key in declared.get("required", ()),
                           "schema": prop, "description": description})
    return params


def _responses(op: Operation, method: str) -> dict:
    out = {}
    for status, value in op.responses.items():
        model, description = value if isinstance(value, tuple) else (value, None)
        if isinstance(model, str):
            model, description = None, model
        entry = {"description": description or "OK."}
        if model is not None:
            entry["content"] = {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}
        elif op.extra.get("image") and status == 200:
            entry["content"] = {"image/jpeg": {"schema": {"type": "string", "contentEncoding": "binary"}}}
        out[str(status)] = entry
    # Every change may be refused 400 for a missing or stale CSRF token, whatever its own errors.
    errors = sorted({*op.errors, 400}) if method != "get" else op.errors
    for status in errors:
        out[str(status)] = {"description": ERRORS[status],
                            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
    return out


def _links(ops) -> dict[str, dict]:
    """Return the OpenAPI links per source operation; refuse a link to an unknown operation or parameter."""
    params = {view.__name__: {name for _c, name in _PATH_PARAM.findall(rule)} for rule, _m, _o, view in ops}
    out = {}
    for source, links in LINKS.items():
        if source not in params:
            raise LookupError(f"link source {source} is not an API operation")
        out[source] = {}
        for name, (target, given) in links.items():
            if target not in params or set(given) != params[target]:
                raise LookupError(f"link {source}.{name}: {target} takes {params.get(target)}, "
                                  f"not {set(given)}")
            out[source][name] = {"operationId": target, "parameters": given}
    return out


def build(app) -> dict:
    """Return the OpenAPI document of `app`'s /api/v1 routes."""
    ops = api_operations(app)
    links = _links(ops)
    _keys, defs = models_json_schema(_models(ops), ref_template=REF)
    schemas = _strip_titles(defs.get("$defs", {}))
    paths: dict[str, dict] = {}
    for rule, method, op, view in ops:
        summary = (view.__doc__ or "").strip().splitlines()[0].rstrip(".")
        entry = {"operationId": view.__name__, "summary": summary, "responses": _responses(op, method)}
        for status in ("200", "201"):
            if view.__name__ in links and status in entry["responses"]:
                entry["responses"][status]["links"] = links[view.__name__]
        if op.description:
            entry["description"] = op.description
        params = _parameters(rule, op, schemas)
        if params:
            entry["parameters"] = params
        if op.body is not None:
            entry["requestBody"] = _request_body(op, schemas)
        if op.public:
            entry["security"] = []
        paths.setdefault(openapi_path(rule), {})[method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "巡检 / School safety inspection API", "version": "1", "description": __doc__},
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "security": [{"session": []}],
    }


def document(app=None) -> dict:
    """Return the document of `app` (the current app by default): built once per app, a copy each call."""
    app = app or current_app._get_current_object()
    if "openapi_document" not in app.extensions:
        app.extensions["openapi_document"] = build(app)
    return deepcopy(app.extensions["openapi_document"])


class Document(Answer):
    """An OpenAPI 3.1 document."""

    model_config = {"extra": "allow"}
    openapi: str


@bp.get("/openapi.json")
@operation({200: (Document, "The OpenAPI document.")}, errors=(), public=True)
def openapi_json():
    """This document (public: it holds no data, only the shape of the API)."""
    return answer(Document, document())
