"""The OpenAPI document: valid, complete (every /api/v1 route of the app), and true to the real answers."""

import pytest
from openapi_spec_validator import validate

from tests.contract import API_PREFIX, check_answer, openapi_path

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app) -> set[tuple[str, str]]:
    return {(openapi_path(rule.rule), method.lower())
            for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX + "/")
            for method in rule.methods - IGNORED_METHODS}


def test_the_document_is_served_and_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_api_route_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, item in document["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    routes = _routes(app)
    assert routes, "no API routes found"
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented paths that are no routes"
    # The routes this loop adds, and those of the other domains that exist now, are among them.
    for must in [("/hazards", "post"), ("/hazards/{hazard_id}/actions", "post"), ("/session", "get"),
                 ("/zones/by-token/{token}", "get"), ("/photos/{photo_id}/thumb", "get")]:
        assert must in routes


def test_every_operation_documents_its_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            if path not in ("/session", "/openapi.json", "/i18n"):  # public: they hold no data
                assert "401" in codes, (method, path)
            if method == "post":
                assert {"400", "422"} <= codes, (method, path)  # 400: a missing or stale CSRF token


def test_the_checker_catches_a_mismatch(app):
    from server.api.openapi import document

    doc = document(app)
    good = {"error": {"code": "not_found", "message": "未找到。"}}
    assert check_answer(doc, "/api/v1/hazards/<int:hazard_id>", "GET", 404, "application/json", good) is None
    assert "does not list" in check_answer(doc, "/api/v1/hazards/<int:hazard_id>", "GET", 418,
                                           "application/json", good)
    assert "not in the OpenAPI document" in check_answer(doc, "/api/v1/nowhere", "GET", 200,
                                                         "application/json", {})
    wrong = check_answer(doc, "/api/v1/notifications", "GET", 200, "application/json", {"unread": "two"})
    assert wrong and "notifications" in wrong
    late = check_answer(doc, "/api/v1/notifications", "GET", 200, "application/json",
                        {"unread": 0, "notifications": [{"id": 1, "kind": "overdue", "hazard_id": 1,
                                                         "message": "m", "created_at": "2030-01-01 08:00",
                                                         "read_at": None}]})
    assert late and "is not a 'date-time'" in late


def test_real_answers_match(app, make_hazard, sign_in, api_contract):
    """Walk every GET of the API once (the other tests cover the writes); the contract fixture checks each."""
    hazard = make_hazard("closed")
    supervisor = sign_in(hazard.people.supervisor)
    detail = supervisor.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]
    urls = ["/api/v1/session", "/api/v1/zones", f"/api/v1/zones/by-token/{hazard.zone_obj.qr_token}",
            "/api/v1/zones/by-token/nosuchtoken", f"/api/v1/zones/{hazard.zone_id}/hazards?open=0",
            "/api/v1/zones/99999/hazards", "/api/v1/hazards", "/api/v1/hazards?mine=1",
            "/api/v1/hazards/99999",
            "/api/v1/hazards/transitions", "/api/v1/me/tasks", "/api/v1/categories", "/api/v1/notifications",
            detail["photos"][0]["url"], detail["photos"][0]["thumb_url"], "/api/v1/openapi.json"]
    for url in urls:
        assert supervisor.get(url).status_code in (200, 404), url
    etag = supervisor.get(detail["photos"][0]["url"]).headers["ETag"]
    assert supervisor.get(detail["photos"][0]["url"], headers={"If-None-Match": etag}).status_code == 304
    seen = {(openapi_path(rule), method) for rule, method, _status in api_contract}
    assert len(seen) >= 13


def test_the_transition_table_is_the_state_machine(client, login_as):
    from server.hazards import states

    body = login_as("rectifier").get("/api/v1/hazards/transitions").get_json()
    assert body["transitions"] == states.as_data()["transitions"]
    assert body["labels"]["states"]["closed"] == "已销号"
    assert body["labels"]["actions"]["pass"] == "复查通过"


def test_categories_for_the_report_screen(login_as):
    categories = login_as("patrol").get("/api/v1/categories").get_json()["categories"]
    assert categories[0]["name"] == "校舍安全" and categories[0]["default_period_days"] == 7
    assert len(categories) == 9


def test_the_document_is_generated_from_the_declarations(app):
    """Limits, enums and patterns live in the declarations, so they appear in the document."""
    from server.api.openapi import document

    doc = document(app)
    schemas = doc["components"]["schemas"]
    report = schemas["ReportIn"]["properties"]
    assert report["description"]["maxLength"] == 2000
    assert "description" not in schemas["ReportIn"]["required"]  # optional: photos and category say it
    assert report["client_id"]["pattern"] == r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{7,63}$"
    assert report["zone_id"]["maximum"] == 2**63 - 1 and report["zone_id"]["minimum"] == 1
    assert schemas["ActionIn"]["properties"]["note"]["maxLength"] == 2000
    assert schemas["ActionIn"]["properties"]["action"]["enum"][0] == "assign"
    assert schemas["ZoneHazardsQuery"]["properties"]["open"]
    limit = {p["name"]: p for p in doc["paths"]["/hazards"]["get"]["parameters"]}["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 500, 100)
    visits = doc["paths"]["/visits"]["post"]["requestBody"]["content"]
    assert set(visits) == {"application/json", "multipart/form-data"}  # as the field app sends it
    report_body = doc["paths"]["/hazards"]["post"]["requestBody"]["content"]
    assert "photos[]" in report_body["multipart/form-data"]["schema"]["properties"]
    assert "photos" not in report_body["application/json"]["schema"]["properties"]


@pytest.mark.parametrize(("path", "security"), [
    ("/session", []), ("/i18n", []), ("/openapi.json", []), ("/hazards", None), ("/zones", None)])
def test_public_routes_declare_no_security(app, path, security):
    from server.api.openapi import document

    assert document(app)["paths"][path]["get"].get("security") == security


def test_a_route_without_its_declaration_stops_the_document(app):
    from server.api import bp
    from server.api.openapi import build

    @app.get("/api/v1/undeclared")
    def undeclared():
        return {}

    with pytest.raises(LookupError, match="undeclared"):
        build(app)
    assert bp  # the blueprint's own routes are all declared (the document above built)


def test_a_wrong_method_says_which_are_allowed(login_as):
    response = login_as("patrol").delete("/api/v1/hazards")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize(("value", "code"), [
    (1.5, "invalid"), (1e300, "invalid"), (2**63, "invalid"), (-1, "invalid"), (0, "invalid"),
    ("abc", "invalid"), (True, "invalid")])
def test_a_zone_id_that_is_no_id_is_refused_not_truncated(app, make_zone, login_as, value, code):
    from server.patrols.models import PatrolVisit
    from tests.hazards.apihelp import count

    make_zone()
    response = login_as("patrol").post("/api/v1/visits", json={
        "client_id": "c0ffee00-0000-4000-8000-000000000001", "zone_id": value})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"] == {"zone_id": code}
    assert response.get_json()["error"]["message"]
    assert count(app, PatrolVisit) == 0


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                  "1969-12-31T23:59:59Z", "1700000000"])
def test_a_device_time_outside_any_real_clock_is_refused(make_zone, login_as, when):
    zone = make_zone()
    response = login_as("patrol").post("/api/v1/visits", json={
        "client_id": "c0ffee00-0000-4000-8000-000000000002", "zone_id": zone.id, "device_at": when})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"device_at": "invalid"}


def test_the_contract_check_reads_requests_too(app):
    from server.api.openapi import document
    from tests.contract import check_request

    doc = document(app)
    rule = "/api/v1/hazards/<int:hazard_id>/actions"
    good = {"action": "pass", "client_id": "c0ffee00-0000-4000", "seen_state": "awaiting_recheck"}
    assert check_request(doc, rule, "POST", "application/json", {}, [], good) is None
    assert "is not one of" in check_request(doc, rule, "POST", "application/json", {}, [],
                                           {**good, "action": "close"})
    assert "not in the document" in check_request(doc, "/api/v1/hazards", "GET", "", {"colour": "red"}, [],
                                                  None)
    assert "form fields not in the document" in check_request(doc, rule, "POST", "multipart/form-data", {},
                                                              ["action", "photo"], None)
    assert "text/plain" in check_request(doc, rule, "POST", "text/plain", {}, [], None)


def test_a_device_time_keeps_the_offset_it_was_sent_with(app, make_zone, login_as):
    """A resent record hashes as before: a time sent with +08:00 is not turned into UTC before the digest."""
    from server import sync
    from server.patrols.models import PatrolVisit

    zone = make_zone()
    patrol = login_as("patrol")
    body = {"client_id": "c0ffee00-0000-4000-8000-000000000003", "zone_id": zone.id,
            "device_at": "2030-05-01T16:30:00+08:00"}
    first = patrol.post("/api/v1/visits", json=body)
    assert first.status_code == 201 and first.get_json()["visit"]["device_at"] == "2030-05-01T08:30:00Z"
    assert patrol.post("/api/v1/visits", json=body).status_code == 200
    from datetime import datetime

    with app.app_context():
        from server.extensions import db

        stored = db.session.scalar(db.select(PatrolVisit.content_hash))
        # What the previous release hashed for the same visit (field by field, the offset as sent).
        before = sync.content_hash({"actor": patrol.user.id, "zone_id": zone.id, "result": "no_hazard",
                                    "device_at": datetime.fromisoformat("2030-05-01T16:30:00+08:00"),
                                    "scanned_at": None, "zone_token": None, "checklist": {}, "note": ""})
    assert stored == before


@pytest.mark.parametrize(("fields", "status", "details", "message"), [
    ({"device_at": "2030-05-01T08:30:00"}, 422, {"device_at": "invalid"}, "ISO 8601"),
    ({"device_at": "2030-05-01"}, 422, {"device_at": "invalid"}, "ISO 8601"),
    ({"note": None, "result": None}, 201, None, None),
    ({"note": 12345}, 201, None, None),
    ({"note": "长" * 501}, 422, {"note": "too_long"}, "500"),
    ({"note": ["a"]}, 422, {"note": "invalid"}, "note"),
    ({"checklist": None}, 201, None, None),
], ids=["no-offset", "a-day", "nulls", "number-note", "long-note", "list-note", "null-checklist"])
def test_what_a_visit_accepts(make_zone, login_as, fields, status, details, message):
    response = login_as("patrol").post("/api/v1/visits", json={
        "client_id": "c0ffee00-0000-4000-8000-000000000004", "zone_id": make_zone().id, **fields})
    assert response.status_code == status, response.get_json()
    if details:
        error = response.get_json()["error"]
        assert error["details"] == details and message in error["message"]


def test_a_bad_deadline_says_it_wants_a_date(make_hazard, sign_in):
    from tests.hazards.apihelp import act

    hazard = make_hazard("reported")
    response = act(sign_in(hazard.people.supervisor), hazard.id, "assign", "reported", deadline="2031/01/01")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"deadline": "invalid"}
    assert "日期" in response.get_json()["error"]["message"]  # "deadline 须为日期（年-月-日）。"


@pytest.mark.parametrize(("query", "open_only"), [("", True), ("?open=1", True), ("?open=0", False),
                                                   ("?open=", False)])
def test_an_empty_flag_says_no_as_it_always_did(make_hazard, sign_in, query, open_only):
    hazard = make_hazard("closed")
    body = sign_in(hazard.people.supervisor).get(f"/api/v1/zones/{hazard.zone_id}/hazards{query}").get_json()
    assert [h["id"] for h in body["hazards"]] == ([] if open_only else [hazard.id])
