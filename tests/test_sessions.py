"""The field app's files are answered without the session: no Vary: Cookie, no Set-Cookie; data and pages send
the session cookie when it changed and once a day, not with every answer (issue 12)."""

import time

import pytest

from server import sessions, shell


def _paths(app):
    with app.app_context():
        v = shell.version()
    return [f"/pwa/js/app.js?v={v}", "/pwa/css/app.css", "/sw.js", "/manifest.webmanifest",
            "/static/desk.css"]


def test_the_app_files_leave_the_session_alone(app, login_as):
    client = login_as("patrol")
    for path in _paths(app):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
        assert "Set-Cookie" not in response.headers, path


def test_pages_and_data_still_keep_the_session(login_as):
    client = login_as("patrol")
    for path in ("/app", "/api/v1/session"):
        assert "Cookie" in client.get(path).headers.get("Vary", ""), path
    assert client.get("/api/v1/session").get_json()["user"] is not None


@pytest.mark.parametrize("path", ["/app", "/api/v1/session", "/api/v1/me/tasks", "/api/v1/zones",
                                  "/api/v1/i18n"])
def test_a_signed_in_phone_gets_no_cookie_with_each_answer(login_as, path):
    client = login_as("patrol")
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # sent at sign-in, and again once a day at most


def test_the_first_answer_of_a_new_day_renews_the_cookie(login_as, monkeypatch):
    client = login_as("patrol")
    monkeypatch.setattr(sessions, "today", lambda: int(time.time() // sessions.DAY) + 1)
    renewed = client.get("/api/v1/me/tasks")
    cookie = renewed.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Expires=" in cookie
    assert "Set-Cookie" not in client.get("/api/v1/me/tasks").headers  # once that day
    assert client.get("/api/v1/session").get_json()["user"] is not None


def test_signing_out_still_sends_the_cookie_that_ends_the_session(login_as):
    client = login_as("patrol")
    client.get("/api/v1/session")
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    response = client.post("/logout", headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert any(v.startswith("session=") for v in response.headers.getlist("Set-Cookie"))
    assert client.get("/api/v1/session").get_json()["user"] is None
