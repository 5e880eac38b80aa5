"""Sign-in, sign-out, session versions, rate limits, roles, cookies and headers."""

import pytest

from server.auth import services
from server.auth.models import User
from server.extensions import db


def test_sign_in_and_out(client, auth, make_user):
    user = make_user(roles=("supervisor",))
    assert client.get("/desk").status_code == 302
    response = auth.login(user.username)
    assert response.status_code == 302 and response.headers["Location"] == "/desk"
    assert client.get("/desk").status_code == 200
    auth.logout()
    assert client.get("/desk").headers["Location"].startswith("/login")


def test_wrong_password_shows_error_and_no_session(client, auth, make_user):
    user = make_user()
    response = auth.login(user.username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/desk").status_code == 302


def test_field_staff_land_in_app_and_next_is_honoured(client, auth, make_user):
    user = make_user(roles=("patrol",))
    assert auth.login(user.username).headers["Location"] == "/app"
    auth.logout()
    assert auth.login(user.username, next_url="/z/abc").headers["Location"] == "/z/abc"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_cannot_leave_the_site(auth, make_user, target):
    user = make_user(roles=("patrol",))
    assert auth.login(user.username, next_url=target).headers["Location"] == "/app"


def test_sign_out_ends_every_session(app, make_user):
    user = make_user(roles=("supervisor",))
    phone, desktop = app.test_client(), app.test_client()
    from tests.conftest import AuthActions

    AuthActions(phone).login(user.username)
    AuthActions(desktop).login(user.username)
    assert phone.get("/desk").status_code == 200
    AuthActions(desktop).logout()
    assert phone.get("/desk").status_code == 302


def test_disabled_user_session_stops_working(app, client, auth, make_user):
    user = make_user(roles=("supervisor",))
    auth.login(user.username)
    assert client.get("/desk").status_code == 200
    with app.app_context():
        services.set_active(db.session.get(User, user.id), False)
        db.session.commit()
    assert client.get("/desk").status_code == 302
    assert client.get("/api/v1/zones").status_code == 401
    # And they cannot sign in again.
    assert auth.login(user.username).status_code == 200


def test_remember_cookie_alone_is_ended_by_session_version(app, make_user):
    user = make_user(roles=("supervisor",))
    c = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(c).login(user.username)
    remember = c.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/desk").status_code == 200
    with app.app_context():
        services.end_sessions(db.session.get(User, user.id))
        db.session.commit()
    stale = app.test_client()
    stale.set_cookie("remember_token", remember.value)
    assert stale.get("/desk").status_code == 302


def test_ten_wrong_passwords_are_rate_limited(client, auth, make_user):
    user = make_user()
    for _ in range(10):
        assert auth.login(user.username, "nope-nope").status_code == 200
    response = auth.login(user.username)  # even the right password waits now
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)


def test_rate_limit_is_per_account(client, auth, make_user):
    victim, colleague = make_user(), make_user()
    for _ in range(10):
        auth.login(victim.username, "nope-nope")
    # Same school address, another account: still allowed.
    assert auth.login(colleague.username).status_code == 302


def test_successful_sign_ins_do_not_count(client, auth, make_user):
    user = make_user()
    for _ in range(12):
        assert auth.login(user.username).status_code == 302
        auth.logout()


@pytest.fixture
def default_app(tmp_path):
    """Return an app on the default settings (tests elsewhere hash with a cheap method), with its tables."""
    from server import create_app

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'd.sqlite'}"})
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_passwords_are_hashed_with_scrypt_by_default(default_app):
    with default_app.app_context():
        user = services.create_user("boss", "校长", "a-long-password", ["admin"])
        assert user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize("method", ["pbkdf2:sha256:1000", "pbkdf2:sha256:600000", "scrypt:16384:8:1"])
def test_hashes_made_another_way_still_verify(default_app, method):
    from werkzeug.security import generate_password_hash

    with default_app.app_context():
        user = services.create_user("old", "老用户", "a-long-password", ["patrol"])
        user.password_hash = generate_password_hash("an-older-password", method=method)
        db.session.commit()
        assert services.authenticate("old", "an-older-password") == user
        assert services.authenticate("old", "a-wrong-password") is None


def test_cookie_flags(app, make_user):
    user = make_user()
    c = app.test_client()
    response = c.post("/login", data={"username": user.username, "password": "correct-horse-1"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(v for v in cookies if v.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain http in tests; XUNJIAN_SECURE_COOKIES turns it on


def test_secure_cookies_when_configured(tmp_path):
    from server import create_app

    app = create_app({"SECRET_KEY": "x", "SECURE_COOKIES": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite'}"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_required_for_forms_and_api(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    c = app.test_client()
    response = c.post("/login", data={"username": user.username, "password": "correct-horse-1"})
    assert response.status_code == 400
    token = c.get("/api/v1/session").get_json()["csrf_token"]
    response = c.post("/login", data={"username": user.username, "password": "correct-horse-1",
                                      "csrf_token": token})
    assert response.status_code == 302


def test_api_answers_json_401_when_signed_out(client):
    response = client.get("/api/v1/zones")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_language_switch_is_remembered_per_user(app, client, auth, make_user):
    user = make_user(roles=("supervisor",))
    auth.login(user.username)
    assert "退出" in client.get("/desk").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/desk"})
    assert "Sign out" in client.get("/desk").get_data(as_text=True)
    # A new device: the language follows the account.
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(other).login(user.username)
    assert "Sign out" in other.get("/desk").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"locale": "xx"}).status_code == 400


def test_create_user_rules(app, make_user):
    from server.errors import Conflict, ValidationFailed

    make_user(username="dup")
    with app.test_request_context():
        with pytest.raises(Conflict):
            services.create_user("DUP", "某人", "long-enough-1", ["patrol"])
        with pytest.raises(ValidationFailed):
            services.create_user("short", "某人", "short", ["patrol"])
        with pytest.raises(ValidationFailed):
            services.create_user("norole", "某人", "long-enough-1", [])
