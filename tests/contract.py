"""The API contract: every /api/v1 request a test sends and every answer it receives must be ones the
OpenAPI document (generated from the declarations) describes.

The root conftest.py's autouse fixture `api_contract` hooks every test's app: each answer of an /api/v1 route
is checked (status documented for that operation, JSON body valid against its schema, image types as
documented), and so is each request (content type, field and parameter names, JSON body against its schema):
a request the document refuses must have been refused (4xx); one the server accepted must fit the document.
"""

import re
from datetime import datetime

import jsonschema
from flask import request

from server.api.openapi import PREFIX as API_PREFIX
from server.api.openapi import openapi_path

_formats = jsonschema.FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _utc_time(value) -> bool:
    # Our times are ISO 8601 in UTC, written with "Z" (the PWA formats them in the school's time zone).
    if not isinstance(value, str):
        return True
    if not value.endswith("Z") or datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is None:
        raise ValueError(f"not a UTC time: {value!r}")
    return True


@_formats.checks("date", raises=ValueError)
def _day(value) -> bool:
    if isinstance(value, str):
        datetime.strptime(value, "%Y-%m-%d")
    return True


def check_answer(document: dict, rule: str, method: str, status: int, mimetype: str, body) -> str | None:
    """Return what is wrong with one answer of an API route, or None when it matches the document."""
    path = openapi_path(rule)
    operation = document["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return f"{method} {path} is not in the OpenAPI document"
    answer = operation["responses"].get(str(status))
    if answer is None:
        return f"{method} {path} answered {status}, which the document does not list"
    content = answer.get("content")
    if not content:
        return None
    if mimetype not in content:
        return f"{method} {path} {status} answered {mimetype}, the document says {sorted(content)}"
    schema = content[mimetype].get("schema")
    if mimetype == "application/json" and schema is not None:
        # Resolve "#/components/..." against a root that carries the components.
        rooted = {**schema, "components": document["components"]}
        try:
            jsonschema.Draft202012Validator(rooted, format_checker=_formats).validate(body)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path)
            return f"{method} {path} {status}: {exc.message} at /{where}"
    return None


def _validate(schema: dict, document: dict, body, format_checker=None) -> str | None:
    rooted = {**schema, "components": document["components"]}
    try:
        jsonschema.Draft202012Validator(rooted, format_checker=format_checker).validate(body)
    except jsonschema.ValidationError as exc:
        return f"{exc.message} at /{'/'.join(str(p) for p in exc.absolute_path)}"
    return None


def check_request(document: dict, rule: str, method: str, mimetype: str, args, form_names,
                  body) -> str | None:
    """Return what in a request the document does not allow (content type, names, JSON body), or None."""
    path = openapi_path(rule)
    operation = document["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return f"{method} {path} is not in the OpenAPI document"
    declared = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"}
    unknown = set(args) - declared
    if unknown:
        return f"{method} {path}: query parameters not in the document: {sorted(unknown)}"
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return None if mimetype in ("", None) or body in (None, {}) and not form_names else (
            f"{method} {path} takes no body, got {mimetype}")
    if mimetype not in content:
        return f"{method} {path} got {mimetype}, the document says {sorted(content)}"
    schema = content[mimetype]["schema"]
    if mimetype == "application/json":
        problem = _validate(schema, document, body)
        return f"{method} {path} request: {problem}" if problem else None
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]  # e.g. a campaign's photo_<id>
    unknown = {n for n in set(form_names) - set(schema["properties"])
               if not any(p.match(n) for p in patterns)}
    if unknown:
        return f"{method} {path}: form fields not in the document: {sorted(unknown)}"
    missing = set(schema.get("required", ())) - set(form_names)
    return f"{method} {path}: form fields missing: {sorted(missing)}" if missing else None


def hook(app, document: dict) -> tuple[list[str], list[tuple[str, str, int]]]:
    """Check every API request and answer of `app` from now on; return (problems, checked) as they grow."""
    problems: list[str] = []
    checked: list[tuple[str, str, int]] = []

    @app.after_request
    def _check(response):
        rule = request.url_rule
        if rule is None or not rule.rule.startswith(API_PREFIX + "/"):
            return response
        body = response.get_json(silent=True) if response.mimetype == "application/json" else None
        problem = check_answer(document, rule.rule, request.method, response.status_code, response.mimetype,
                               body)
        if problem:
            problems.append(problem)
        sent = request.get_json(silent=True) if request.mimetype == "application/json" else None
        names = [*request.form, *request.files]
        refused = check_request(document, rule.rule, request.method, request.mimetype, request.args, names,
                                sent)
        if refused and response.status_code < 400:
            problems.append(f"accepted what the document refuses: {refused}")
        checked.append((rule.rule, request.method, response.status_code))
        return response

    return problems, checked
