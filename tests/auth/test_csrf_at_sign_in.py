"""The CSRF token is in the session from the sign-in's own answer (issue 10's field notifications met a 400):
the app's first reads each re-send the session cookie as it was when asked, so a token made later by the first
write could be lost to a read answered after it."""

from flask.sessions import SecureCookieSessionInterface

from tests.conftest import PASSWORD


def test_the_sign_in_answer_carries_the_csrf_token(app, make_user):
    user = make_user(roles=("patrol",))
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    session = serializer.loads(client.get_cookie("session").value)
    assert session.get("csrf_token")
    # The token the app hands out afterwards belongs to that session: no later answer needs to add it.
    assert client.get("/api/v1/session?fresh=1").get_json()["csrf_token"]
