"""No input gets a 500: every route of the URL map, walked with edge values.

Ids past a signed 64-bit integer (what SQLite and PostgreSQL hold), negative ids, 1e400, "abc", and device
times at year 1 or 9999 with offsets, in paths, query strings and bodies (JSON and forms), sent by a user who
holds every role. Each answer is a 4xx with a message (JSON error.message under /api/, a page elsewhere), or
a 2xx/3xx where the value is legitimately fine; never a 5xx.
"""

import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from server import create_app
from server.auth.models import ADMIN, PATROL, RECTIFIER, SUPERVISOR
from server.extensions import db
from tests.conftest import PASSWORD, _test_config, app_on_copy, new_client_id, photo_bytes

# Only its URL map is read (to list the cases when the tests are collected); it never opens its database.
ROUTES_APP = create_app(_test_config(Path("/nonexistent")))
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _routes(*methods):
    return sorted(((method, rule) for rule in ROUTES_APP.url_map.iter_rules()
                   for method in rule.methods & set(methods)), key=lambda mr: (mr[1].rule, mr[0]))


def _int_args(rule) -> list[str]:
    return [name for name, conv in rule._converters.items() if conv.regex == r"\d+"]


def _case_id(method, rule, *rest) -> str:
    return " ".join([method, rule.rule, *map(str, rest)])


# -- One app for the whole walk ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory, schema_database):
    """Return one app for the module (as conftest's app): thousands of requests, not thousands of apps."""
    with app_on_copy(tmp_path_factory.mktemp("edge"), schema_database) as made:
        yield made


@pytest.fixture(autouse=True)
def api_contract():
    """Leave out conftest's check of API traffic against the OpenAPI document here: this walk sends, on
    purpose, parameters and values no document declares (and its hook is made per app, not per module)."""
    yield []


@pytest.fixture(scope="module")
def _made():
    return {}


@pytest.fixture
def world(app, _made, make_user, make_zone, make_hazard, sign_in):
    """Return the records every route can name and a client signed in with every role (made once)."""
    if not _made:
        from server.hazards.models import Category, Photo

        boss = make_user(roles=(ADMIN, SUPERVISOR, PATROL, RECTIFIER))
        hazard = make_hazard("reported", supervisor=boss, rectifier=boss)
        with app.app_context():
            photo_id = db.session.scalar(db.select(Photo.id).where(Photo.hazard_id == hazard.id))
            category_id = db.session.scalar(db.select(Category.id).order_by(Category.id))
            from server.webhooks.services import add_webhook

            webhook_id = add_webhook("edge", "json", "https://bot.example/", []).id
            db.session.commit()
        _made["world"] = SimpleNamespace(
            boss=boss, client=sign_in(boss), hazard=hazard, zone=hazard.zone_obj, photo_id=photo_id,
            category_id=category_id, target=make_user(roles=(PATROL,)),  # the admin pages change this one
            webhook_id=webhook_id,
            admin_zone=make_zone(),  # ... and deactivate or re-issue this one
            leaver=make_user(roles=(ADMIN, SUPERVISOR, PATROL, RECTIFIER)))  # signs in and out
    return _made["world"]


# What each path argument is, by its name: a record that exists (so only the edge value is wrong).
PATH_ARGS = {
    "user_id": lambda w: w.target.id,
    "zone_id": lambda w: w.admin_zone.id,
    "category_id": lambda w: w.category_id,
    "hazard_id": lambda w: w.hazard.id,
    "photo_id": lambda w: w.photo_id,
    "webhook_id": lambda w: w.webhook_id,
    "campaign_id": lambda w: 1,  # none is made here: its own tests (tests/campaigns) walk real ones
    "template_id": lambda w: 1,
    "kind": lambda w: "zones",
    "fmt": lambda w: "csv",
    "code": lambda w: w.zone.code,
    "token": lambda w: w.zone.qr_token,
    "rest": lambda w: "report",
    "name": lambda w: "js/app.js",
    "filename": lambda w: "desk.css",
}


def _path(rule, world, **given) -> str:
    values = {name: given[name] if name in given else PATH_ARGS[name](world) for name in rule.arguments}
    return re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _client(world, rule, sign_in):
    # Signing out ends all the user's sessions, so another user signs in and out (a new session each case).
    return sign_in(world.leaver) if rule.endpoint in ("auth.logout", "auth.login") else world.client


def assert_answered(response, path):
    """Assert the answer is not a server error, and that a refusal carries a message."""
    if response.status_code < 400:
        return
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[:2000]
    if path.startswith("/api/"):
        assert response.is_json, body[:500]
        assert response.get_json()["error"]["message"], body[:500]
    else:
        assert response.mimetype == "text/html", response.mimetype
        assert "<h1" in body and "</html>" in body, body[:500]


# -- Ids in paths --------------------------------------------------------------------------------------------

ID_ROUTES = [(m, r, a) for m, r in _routes(*METHODS) for a in _int_args(r)]
# Past a signed 64-bit integer, or negative: the route does not match at all (never reaches the database).
NO_MATCH = [2**63, 2**64, 10**30, -1]
# Ids the database can hold, of no record.
NO_RECORD = [0, 2**63 - 1]


ID_CASE_IDS = [_case_id(m, r, a) for m, r, a in ID_ROUTES]


@pytest.mark.parametrize("value", NO_MATCH, ids=str)
@pytest.mark.parametrize(("method", "rule", "arg"), ID_ROUTES, ids=ID_CASE_IDS)
def test_an_id_the_database_cannot_hold_is_not_found(world, sign_in, method, rule, arg, value):
    """Every <int:> route answers 404 with a message for an id past 2**63 - 1 or below 0."""
    path = _path(rule, world, **{arg: value})
    response = _client(world, rule, sign_in).open(path, method=method)
    assert_answered(response, path)
    assert response.status_code == 404


@pytest.mark.parametrize("value", NO_RECORD, ids=str)
@pytest.mark.parametrize(("method", "rule", "arg"), ID_ROUTES, ids=ID_CASE_IDS)
def test_an_id_of_no_record_is_refused(world, sign_in, method, rule, arg, value):
    """Every <int:> route refuses an id of no record with a message (404, or 422 when a POST's empty body is
    looked at first)."""
    path = _path(rule, world, **{arg: value})
    response = _client(world, rule, sign_in).open(path, method=method)
    assert_answered(response, path)
    assert response.status_code in (404, 422)


def test_the_bounded_converter_is_in_use():
    """Every <int:> argument of the URL map stops at 2**63 - 1."""
    assert {type(c).__name__: c.max for r in ROUTES_APP.url_map.iter_rules()
            for c in r._converters.values() if c.regex == r"\d+"} == {"DatabaseIntConverter": 2**63 - 1}


# -- Query strings -------------------------------------------------------------------------------------------

QUERY_NAMES = ["limit", "offset", "zone", "page", "category", "rectifier", "copies", "closed_from", "since"]
QUERY_VALUES = ["-1", str(2**63), "1e400", "abc", "0001-01-01"]
QUERY_CASES = [(m, r, n) for m, r in _routes("GET") for n in QUERY_NAMES]


@pytest.mark.parametrize("value", QUERY_VALUES)
@pytest.mark.parametrize(("method", "rule", "name"), QUERY_CASES,
                         ids=[_case_id(m, r, n) for m, r, n in QUERY_CASES])
def test_query_strings_with_edge_values(world, sign_in, method, rule, name, value):
    """A page or list asked with an unusable number or day answers, or refuses with a message."""
    path = _path(rule, world)
    response = _client(world, rule, sign_in).open(path, method=method, query_string={name: value})
    assert_answered(response, path)


# -- Bodies --------------------------------------------------------------------------------------------------

NUMBERS = ["1e400", str(2**63), "-1", "1.5", "abc"]
TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59Z"]
DAYS = ["0001-01-01", "9999-12-31"]


# Every POST route: a body that would be accepted, and the fields to spoil, each with the values it gets.
POSTS = {
    "admin.category_edit": (lambda w: {"name": "消防安全", "default_period_days": "7"},
                            {"default_period_days": NUMBERS}),
    "admin.category_new": (lambda w: {"name": "新类别", "name_en": "New one"},
                           {"default_period_days": NUMBERS}),
    "admin.import_file": (lambda w: {}, {"file": NUMBERS}),
    "admin.user_active": (lambda w: {"active": "1"}, {"active": NUMBERS}),
    "admin.user_edit": (lambda w: {"display_name": "张老师", "roles": PATROL}, {"roles": NUMBERS}),
    "admin.user_new": (lambda w: {"username": "edge", "display_name": "边界", "password": "edge-pass-1",
                                  "roles": PATROL}, {"roles": NUMBERS}),
    "admin.user_password": (lambda w: {"password": "edge-pass-2"}, {"password": NUMBERS}),
    "zones.zone_active": (lambda w: {"active": "1"}, {"active": NUMBERS}),
    "zones.zone_edit": (lambda w: {"code": w.admin_zone.code, "name": "边界区", "frequency": "custom",
                                   "frequency_days": "3", "responsible": "0"},
                        {"frequency_days": NUMBERS, "responsible": NUMBERS}),
    "zones.zone_new": (lambda w: {"code": "EDGE-NEW", "name": "新区", "frequency": "custom",
                                  "frequency_days": "3", "responsible": "0"},
                       {"frequency_days": NUMBERS, "responsible": NUMBERS}),
    "zones.zone_reissue": (lambda w: {"confirm": "yes"}, {"confirm": NUMBERS}),
    "api.hazard_action": (lambda w: {"action": "assign", "seen_state": "reported", "rectifier_id": w.boss.id,
                                     "deadline": "2030-01-01"},
                          {"rectifier_id": NUMBERS, "deadline": NUMBERS + DAYS,
                           "device_at": NUMBERS + TIMES, "scanned_at": NUMBERS + TIMES}),
    "api.mark_read": (lambda w: {"ids": [1]}, {"ids": NUMBERS}),
    "api.answer_campaign": (lambda w: {"zone_id": w.zone.id, "answers": "[]"},
                            {"zone_id": NUMBERS, "answered_at": NUMBERS + TIMES, "on_site": NUMBERS}),
    "campaigns.cancel": (lambda w: {}, {"next": NUMBERS}),
    "campaigns.new": (lambda w: {"title": "边界", "starts_on": "2030-01-01", "ends_on": "2030-01-02",
                                 "template_id": "1", "scope": "zones", "zones": str(w.zone.id)},
                      {"template_id": NUMBERS, "starts_on": NUMBERS + DAYS, "ends_on": NUMBERS + DAYS,
                       "zones": NUMBERS}),
    "campaigns.template_edit": (lambda w: {"name": "边界", "items-0-group": "消防", "items-0-text": "灭火器"},
                                {"items-0-category_id": NUMBERS, "items-0-text": NUMBERS}),
    "api.record_visit": (lambda w: {"zone_id": w.zone.id, "result": "no_hazard"},
                         {"zone_id": NUMBERS, "device_at": NUMBERS + TIMES, "scanned_at": NUMBERS + TIMES}),
    "api.report_hazard": (lambda w: {"zone_id": w.zone.id, "category_id": w.category_id,
                                     "severity": "general", "description": "边界"},
                          {"zone_id": NUMBERS, "category_id": NUMBERS, "device_at": NUMBERS + TIMES,
                           "scanned_at": NUMBERS + TIMES}),
    "api.set_locale": (lambda w: {"locale": "en"}, {"locale": NUMBERS}),
    "auth.language": (lambda w: {"locale": "en"}, {"locale": NUMBERS}),
    "auth.login": (lambda w: {"username": w.leaver.username, "password": PASSWORD}, {"username": NUMBERS}),
    "auth.logout": (lambda w: {}, {"next": NUMBERS}),
    "hazards.act": (lambda w: {"action": "assign", "seen_state": "reported", "rectifier_id": w.boss.id,
                               "deadline": "2030-01-01"},
                    {"rectifier_id": NUMBERS, "deadline": NUMBERS + DAYS}),
    "ledger.issue_notices": (lambda w: {"hazard": w.hazard.id}, {"hazard": NUMBERS}),
    "notifications.mark_all_read": (lambda w: {}, {"ids": NUMBERS}),
    "webhooks.edit": (lambda w: {"name": "边界", "format": "json", "url": "https://bot.example/"},
                      {"url": NUMBERS, "events": NUMBERS}),
    "webhooks.new": (lambda w: {"name": "边界", "format": "json", "url": "https://bot.example/"},
                     {"url": NUMBERS, "events": NUMBERS}),
    "webhooks.test": (lambda w: {}, {"next": NUMBERS}),
}
# Routes that act on a hazard: each case gets a new one, so an action that goes through spoils no other.
ACTS_ON_HAZARD = {"api.hazard_action", "hazards.act"}
POST_RULES = {r.endpoint: r for _, r in _routes("POST")}
BODY_CASES = [(endpoint, name, value, encoding) for endpoint, (_, fields) in sorted(POSTS.items())
              for name, values in fields.items() for value in values for encoding in ("json", "form")]


def test_every_post_route_has_bodies_to_walk():
    """A new POST route is added to POSTS (its good body and its fields), or this fails."""
    assert sorted(POST_RULES) == sorted(POSTS)


def _json_text(body: dict, name: str, value: str) -> str:
    # The spoilt value as a JSON number where it is one (1e400, 2**63: what a fuzzer or broken client sends).
    literal = value if re.fullmatch(r"-?[0-9][0-9.e]*", value) else json.dumps(value)
    return json.dumps({**body, name: "\0"}, ensure_ascii=False).replace('"\\u0000"', literal)


@pytest.mark.parametrize(("endpoint", "name", "value", "encoding"), BODY_CASES,
                         ids=[f"{e} {n}={v} {enc}" for e, n, v, enc in BODY_CASES])
def test_bodies_with_edge_values(world, sign_in, make_hazard, endpoint, name, value, encoding):
    """A body with one field spoilt is refused with a message (or, where the value is fine, taken)."""
    rule = POST_RULES[endpoint]
    given = {}
    if endpoint in ACTS_ON_HAZARD:
        given["hazard_id"] = make_hazard("reported", supervisor=world.boss, rectifier=world.boss,
                                         zone=world.zone).id
    path = _path(rule, world, **given)
    body = {**POSTS[endpoint][0](world), "client_id": new_client_id()}
    client = _client(world, rule, sign_in)
    if encoding == "json":
        response = client.post(path, data=_json_text(body, name, value), content_type="application/json")
    else:
        form = {**{k: json.dumps(v) if isinstance(v, list) else str(v) for k, v in body.items()}, name: value}
        if endpoint == "api.report_hazard":  # a report needs its photo (a form, as the field app sends it)
            form["photos"] = (io.BytesIO(photo_bytes()), "hazard.jpg")
        response = client.post(path, data=form)
    assert_answered(response, path)


RAW_BODIES = ["[1]", "1e400", "null", '"abc"', "{"]
RAW_CASES = [(endpoint, text) for endpoint in sorted(POSTS) for text in RAW_BODIES]


@pytest.mark.parametrize(("endpoint", "text"), RAW_CASES, ids=[f"{e} {t}" for e, t in RAW_CASES])
def test_json_bodies_that_are_no_object(world, sign_in, endpoint, text):
    """A JSON body that is a list, a number, null, text or broken is refused with a message."""
    rule = POST_RULES[endpoint]
    path = _path(rule, world)
    response = _client(world, rule, sign_in).post(path, data=text, content_type="application/json")
    assert_answered(response, path)


DEVICE_TIME_CASES = [(endpoint, name, value) for endpoint in ("api.hazard_action", "api.record_visit",
                                                             "api.report_hazard")
                     for name in ("device_at", "scanned_at") for value in TIMES]


@pytest.mark.parametrize(("endpoint", "name", "value"), DEVICE_TIME_CASES,
                         ids=[f"{e} {n}={v}" for e, n, v in DEVICE_TIME_CASES])
def test_device_times_at_the_ends_of_the_calendar_are_refused(world, make_hazard, endpoint, name, value):
    """A device time at year 1 or 9999 (none in UTC, or none in the school's zone) is refused: 422."""
    given = {}
    if endpoint in ACTS_ON_HAZARD:
        given["hazard_id"] = make_hazard("reported", supervisor=world.boss, rectifier=world.boss,
                                         zone=world.zone).id
    path = _path(POST_RULES[endpoint], world, **given)
    body = {**POSTS[endpoint][0](world), "client_id": new_client_id()}
    response = world.client.post(path, data=_json_text(body, name, value), content_type="application/json")
    assert (response.status_code, response.get_json()["error"]["details"]) == (422, {name: "invalid"})


@pytest.mark.parametrize(("given", "expected"), [
    ("7", 7), (" 12 ", 12), (0, 0), (-1, -1), (5.0, 5), (2**63 - 1, 2**63 - 1), (-(2**63), -(2**63)),
    (str(2**63 - 1), 2**63 - 1),
    (2**63, ValueError), (-(2**63) - 1, ValueError), (str(2**63), ValueError), ("1e400", ValueError),
    (float("inf"), ValueError), (float("nan"), ValueError), (1.5, ValueError), ("1.5", ValueError),
    ("abc", ValueError), ("", ValueError), (True, ValueError), (None, ValueError), ([1], ValueError),
    ("9" * 5000, ValueError),
])
def test_db_int(given, expected):
    """db_int gives whole numbers a signed 64-bit column holds, and refuses everything else."""
    from server.converters import db_int

    if expected is ValueError:
        with pytest.raises(ValueError):
            db_int(given)
    else:
        assert db_int(given) == expected
