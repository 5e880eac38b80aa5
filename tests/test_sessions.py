"""The field app's files are answered without the session: no Vary: Cookie, no Set-Cookie (issue 12)."""

from server import shell


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
