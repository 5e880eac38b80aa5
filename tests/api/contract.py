"""The API contract: every /api/v1 answer a test receives must be one the OpenAPI document describes.

`api_contract` is an autouse fixture (imported by the conftest.py of tests/api, hazards, patrols and
notifications): it hooks the app so each answer of an /api/v1 route is checked against the document (status
documented for that operation, JSON body valid against its schema, image types as documented), and fails the
test at teardown if one was not.
"""

import re
from datetime import datetime

import jsonschema
import pytest
from flask import request

API_PREFIX = "/api/v1"


def openapi_path(rule: str) -> str:
    """Return an API rule as an OpenAPI path: /api/v1/hazards/<int:hazard_id> becomes /hazards/{hazard_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(API_PREFIX))


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


@pytest.fixture(autouse=True)
def api_contract(app):
    """Check every API answer of the test against the OpenAPI document; fail the test if one does not fit."""
    from server.api.openapi import document

    doc = document()
    problems: list[str] = []
    checked: list[tuple[str, str, int]] = []

    @app.after_request
    def _check(response):
        rule = request.url_rule
        if rule is None or not rule.rule.startswith(API_PREFIX + "/"):
            return response
        body = response.get_json(silent=True) if response.mimetype == "application/json" else None
        problem = check_answer(doc, rule.rule, request.method, response.status_code, response.mimetype, body)
        if problem:
            problems.append(problem)
        checked.append((rule.rule, request.method, response.status_code))
        return response

    yield checked
    assert not problems, "API answers that do not match the OpenAPI document:\n" + "\n".join(problems)
