"""Shared fixtures: an app on a temporary instance folder, clients, and factories for records."""

import itertools

import pytest

from server import create_app
from server.auth import services as user_services
from server.extensions import db
from server.hazards import categories
from server.zones import services as zone_services

PASSWORD = "correct-horse-1"
_seq = itertools.count(1)


@pytest.fixture
def app(tmp_path):
    """Return an app with an empty database (schema from the models) in a temporary instance folder."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "https://school.example",
        "LABELS_DIR": str(tmp_path / "labels"),
    })
    app.instance_path = str(tmp_path)
    # No app context stays pushed during a test: each request gets its own, as in production
    # (a shared one would share the database session and the cached locale across requests).
    with app.app_context():
        db.create_all()
        categories.ensure_defaults()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def detach(obj):
    """Load a committed record's columns and detach it, so a test can read it after the context ends."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


@pytest.fixture
def client(app):
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user with the given roles (committed); its password is PASSWORD."""

    def make(username=None, roles=("patrol",), **kwargs):
        n = next(_seq)
        kwargs.setdefault("display_name", f"用户{n}")
        with app.app_context():
            user = user_services.create_user(username or f"user{n}", password=PASSWORD, roles=roles,
                                             **kwargs)
            db.session.commit()
            user.roles  # load the roles before detaching  # noqa: B018
            return detach(user)

    return make


@pytest.fixture
def make_zone(app, make_user):
    """Create an active zone (committed)."""

    def make(code=None, name=None, responsible=None, **kwargs):
        n = next(_seq)
        with app.app_context():
            if responsible is not None:
                responsible = db.session.get(type(responsible), responsible.id)
            zone = zone_services.create_zone(code or f"Z-{n}", name or f"测试责任区{n}",
                                             responsible=responsible, **kwargs)
            db.session.commit()
            return detach(zone)

    return make


class AuthActions:
    """Sign in and out through the real form."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD, next_url=None):
        """Post the sign-in form."""
        data = {"username": username, "password": password, "remember": "y"}
        if next_url:
            data["next"] = next_url
        return self.client.post("/login", data=data)

    def logout(self):
        """Post the sign-out form."""
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    """Return sign-in helpers for the client."""
    return AuthActions(client)


@pytest.fixture
def login_as(app, make_user):
    """Return a new test client signed in as a new user with the given roles."""

    def login(*roles, **kwargs):
        user = make_user(roles=roles or ("patrol",), **kwargs)
        c = app.test_client()
        response = AuthActions(c).login(user.username)
        assert response.status_code == 302, response.get_data(as_text=True)
        c.user = user
        return c

    return login
