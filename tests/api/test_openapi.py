"""The OpenAPI document: valid, complete (every /api/v1 route of the app), and true to the real answers."""

from openapi_spec_validator import validate

from tests.api.contract import API_PREFIX, check_answer, openapi_path

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
                assert "422" in codes, (method, path)


def test_the_checker_catches_a_mismatch(app):
    from server.api.openapi import document

    doc = document()
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
