"""Shared fixtures: an app on a temporary instance folder, clients, and factories for records.

The suite runs on SQLite, or on PostgreSQL when XUNJIAN_TEST_POSTGRES_URL names a server's maintenance
database (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres, as scripts/throwaway_postgres.py
prints): each test then gets its own database there, made from a template built once per session.
"""

import contextlib
import itertools
import os
import shutil

import pytest
from sqlalchemy.engine import make_url

from server import create_app
from server.auth import services as user_services
from server.extensions import db
from server.hazards import categories
from server.zones import services as zone_services

PASSWORD = "correct-horse-1"
DATABASE = "test.sqlite"
POSTGRES_URL = os.environ.get("XUNJIAN_TEST_POSTGRES_URL") or None
ON_POSTGRES = POSTGRES_URL is not None
# Database names unique to this process: xdist workers, and other runs on the same server, never meet.
_PREFIX = f"xj_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
_seq = itertools.count(1)

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="the suite runs on PostgreSQL; this is about SQLite")
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="XUNJIAN_TEST_POSTGRES_URL is not set")


def _database_uri(folder, name=DATABASE) -> str:
    # Under PostgreSQL the file's path stands in for a database (made by _create_database).
    if ON_POSTGRES:
        return make_url(POSTGRES_URL).set(database=_pg_name(folder / name)).render_as_string(
            hide_password=False)
    return f"sqlite:///{folder / name}"


def _test_config(folder) -> dict:
    """Return the test settings for an app whose database and labels live in `folder`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_uri(folder),
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "https://school.example",
        "LABELS_DIR": str(folder / "labels"),
        # scrypt was 40 % of the suite's CPU: tests check that passwords are checked, not what a guess costs.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


# -- PostgreSQL: one database per test, copied from a template built once per session --------------------

_pg_names: dict = {}


def _pg_name(path) -> str:
    """Return the database name that stands for the SQLite file `path` in this process (made on first use)."""
    return _pg_names.setdefault(str(path), f"{_PREFIX}_{next(_seq)}")


@contextlib.contextmanager
def _pg_admin():
    """Yield an autocommit connection to the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    conninfo = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn


def _create_database(name: str, template: str = "template0") -> None:
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _drop_database(name: str) -> None:
    with _pg_admin() as conn:
        # FORCE: a test that failed half-way may leave a connection open (a thread, a live server).
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_database_uri(folder, name=DATABASE) -> str:
    """Return the URI of a new, empty database (no tables: for migrations and fresh apps): the SQLite file
    `name` in `folder`, or a PostgreSQL database standing for it."""
    if ON_POSTGRES:
        _create_database(_pg_name(folder / name))
        _fresh_databases.append(_pg_name(folder / name))
    return _database_uri(folder, name)


_fresh_databases: list[str] = []


@pytest.fixture(scope="session", autouse=ON_POSTGRES)
def _drop_fresh_databases():
    """Drop the empty databases that empty_database_uri made, at the end of the session."""
    yield
    for name in _fresh_databases:
        _drop_database(name)


@pytest.fixture(scope="session")
def schema_database(tmp_path_factory):
    """Build the schema and the default categories once per session; return that SQLite file (on
    PostgreSQL, the path that stands for the template database)."""
    folder = tmp_path_factory.mktemp("schema")
    if ON_POSTGRES:
        _create_database(_pg_name(folder / DATABASE))
    app = create_app(_test_config(folder))
    app.instance_path = str(folder)
    with app.app_context():
        db.create_all()
        categories.ensure_defaults()
        db.session.commit()
        # Closing every connection checkpoints SQLite's write-ahead log into the file, so a copy is whole;
        # PostgreSQL copies a template only while nobody is connected to it.
        db.engine.dispose()
    if not ON_POSTGRES:
        yield folder / DATABASE
        return
    yield folder / DATABASE
    _drop_database(_pg_name(folder / DATABASE))


@contextlib.contextmanager
def app_on_copy(folder, schema_database, **settings):
    """Make an app on its own copy of the schema-built database in `folder`, with `settings` on top of the
    test ones; dispose of its engine after."""
    # Copying a built database is a fraction of the cost of create_all and the categories for every test.
    if ON_POSTGRES:
        _create_database(_pg_name(folder / DATABASE), template=_pg_name(schema_database))
    else:
        shutil.copyfile(schema_database, folder / DATABASE)
    app = create_app({**_test_config(folder), **settings})
    app.instance_path = str(folder)
    # No app context stays pushed during a test: each request gets its own, as in production
    # (a shared one would share the database session and the cached locale across requests).
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if ON_POSTGRES:
            _drop_database(_pg_name(folder / DATABASE))


@pytest.fixture
def app(tmp_path, schema_database):
    """Return an app on its own copy of the schema-built database, in a temporary instance folder."""
    with app_on_copy(tmp_path, schema_database) as made:
        yield made


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


# -- The hazard loop: photos, signed-in clients for existing users, hazards in any state --------------------

def photo_bytes(color=(200, 40, 40), size=(64, 48), fmt="JPEG") -> bytes:
    """Return a small real image file (JPEG by default), different for each color."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def new_client_id() -> str:
    """Return a fresh client id, as the field app makes with crypto.randomUUID()."""
    import uuid

    return str(uuid.uuid4())


@pytest.fixture
def sign_in(app):
    """Return a new test client signed in as an existing user (made by make_user)."""

    def sign(user):
        c = app.test_client()
        response = AuthActions(c).login(user.username)
        assert response.status_code == 302, response.get_data(as_text=True)
        c.user = user
        return c

    return sign


@pytest.fixture
def login_as(make_user, sign_in):
    """Return a new test client signed in as a new user with the given roles."""

    def login(*roles, **kwargs):
        return sign_in(make_user(roles=roles or ("patrol",), **kwargs))

    return login


def plan_fields() -> dict:
    """Return a complete rectification plan (the five in place) as services.Command fields."""
    from datetime import date, timedelta

    return {"measures": "更换损坏部件并加固", "funding": "维修经费 2000 元", "responsible": "王主任",
            "time_limit": date.today() + timedelta(days=30), "emergency_measures": "设置警戒线，专人看守"}


@pytest.fixture
def make_hazard(app, make_user, make_zone):
    """Create a hazard and walk it through the real services to `state` (committed); return it detached.

    People not given are made: a patrol reporter, a supervisor, a rectifier (the zone's responsible person
    when the zone is made here). `now` is the time the steps happen at (a past time makes it overdue).
    The returned hazard carries `.people` (reporter, supervisor, rectifier) for signing in as them.
    """
    from types import SimpleNamespace

    def make(state="reported", *, zone=None, reporter=None, supervisor=None, rectifier=None,
             severity="general", category="building", description="楼梯扶手松动", now=None):
        from server.auth.models import User
        from server.hazards import reporting, services, states
        from server.hazards.models import Category, Hazard

        reporter = reporter or make_user(roles=("patrol",))
        supervisor = supervisor or make_user(roles=("supervisor",))
        rectifier = rectifier or make_user(roles=("rectifier",))
        zone = zone or make_zone(responsible=rectifier)
        with app.app_context():
            def get(user):
                return db.session.get(User, user.id)

            category_id = db.session.scalar(db.select(Category.id).where(Category.code == category))
            outcome = reporting.report(get(reporter), reporting.Report(
                client_id=new_client_id(), zone_id=zone.id, category_id=category_id, severity=severity,
                description=description, photos=[photo_bytes()]), now=now)
            hazard_id = outcome.hazard.id

            def act(user, action, **fields):
                current = db.session.get(Hazard, hazard_id).state
                services.perform(get(user), hazard_id, services.Command(
                    action=action, client_id=new_client_id(), seen_state=current, **fields), now=now)

            if state == states.INVALID:
                act(supervisor, states.INVALIDATE, note="重复上报")
            elif state != states.REPORTED:
                if states.needs_plan(severity):  # a major hazard is assigned with its plan (五到位)
                    act(supervisor, states.PLAN, **plan_fields())
                act(supervisor, states.ASSIGN, rectifier_id=rectifier.id)
                if state in (states.AWAITING_RECHECK, states.CLOSED):
                    act(rectifier, states.SUBMIT, note="已整改", photos=[photo_bytes((40, 160, 40))])
                if state == states.CLOSED:
                    act(supervisor, states.PASS)
            hazard = db.session.get(Hazard, hazard_id)
            assert hazard.state == state, (hazard.state, state)
            hazard = detach(hazard)
        hazard.people = SimpleNamespace(reporter=reporter, supervisor=supervisor, rectifier=rectifier)
        hazard.zone_obj = zone
        return hazard

    return make


@pytest.fixture(autouse=True)
def api_contract(request):
    """Hold every API request and answer of a test's app to the OpenAPI document; fail the test if one
    does not fit (tests/contract.py)."""
    if "app" not in request.fixturenames or request.node.get_closest_marker("no_api_contract"):
        yield []
        return
    from server.api.openapi import document
    from tests.contract import hook

    app = request.getfixturevalue("app")
    problems, checked = hook(app, document(app))
    yield checked
    assert not problems, "API traffic that does not match the OpenAPI document:\n" + "\n".join(problems)
