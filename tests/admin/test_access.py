"""Every administration route is for admins only: 403 for other roles, sign-in for anonymous visitors."""

import re

import pytest
from sqlalchemy import select

from server.auth.models import User
from server.extensions import db

# Every admin route, GET and POST; test_every_admin_route_is_listed keeps this list complete.
ROUTES = [
    ("GET", "/admin/"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{user}"),
    ("POST", "/admin/users/{user}"),
    ("POST", "/admin/users/{user}/active"),
    ("POST", "/admin/users/{user}/password"),
    ("GET", "/admin/zones"),
    ("GET", "/admin/zones/new"),
    ("POST", "/admin/zones/new"),
    ("GET", "/admin/zones/{zone}"),
    ("POST", "/admin/zones/{zone}"),
    ("POST", "/admin/zones/{zone}/active"),
    ("GET", "/admin/zones/{zone}/reissue"),
    ("POST", "/admin/zones/{zone}/reissue"),
    ("GET", "/admin/categories"),
    ("GET", "/admin/categories/new"),
    ("POST", "/admin/categories/new"),
    ("GET", "/admin/categories/{category}"),
    ("POST", "/admin/categories/{category}"),
    ("GET", "/admin/import/zones"),
    ("POST", "/admin/import/zones"),
    ("GET", "/admin/import/users"),
    ("POST", "/admin/import/users"),
    ("GET", "/admin/import/zones/template.xlsx"),
    ("GET", "/admin/import/users/template.csv"),
]
# What a POST would change if it got through: it must not.
FORM = {"active": "0", "confirm": "yes", "password": "another-pass-1", "display_name": "改名", "name": "改名",
        "code": "HACK-1", "roles": ["admin"], "username": "intruder", "frequency": "weekly",
        "responsible": "0"}


@pytest.fixture
def targets(app, make_user, make_zone):
    """Return the ids the URLs name: a user, a zone, a category."""
    user = make_user(roles=("rectifier",))
    zone = make_zone(responsible=user)
    with app.app_context():
        from server.hazards.models import Category

        category = db.session.scalars(select(Category)).first()
        return {"user": user.id, "zone": zone.id, "category": category.id, "token": zone.qr_token}


def _call(client, method, url, targets):
    url = url.format(**targets)
    if method == "GET":
        return client.get(url)
    return client.post(url, data=FORM)


@pytest.mark.parametrize("roles", [("supervisor",), ("patrol", "rectifier")], ids=["supervisor", "field"])
@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_other_roles_are_refused(app, login_as, targets, method, url, roles):
    response = _call(login_as(*roles), method, url, targets)
    assert response.status_code == 403
    assert "您没有执行此操作的权限" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, targets["user"])
        assert user.active and user.display_name != "改名"
        assert db.session.scalar(select(User).where(User.username == "intruder")) is None
        from server.zones.models import Zone

        assert db.session.get(Zone, targets["zone"]).qr_token == targets["token"]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, targets, method, url):
    response = _call(client, method, url, targets)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("url", "status"), [
    (url, 302 if url == "/admin/" else 200) for method, url in ROUTES if method == "GET"])
def test_admins_get_in(login_as, targets, url, status):
    assert _call(login_as("admin"), "GET", url, targets).status_code == status


def test_every_admin_route_is_listed(app):
    listed = {(m, u.split("{")[0].rstrip("/")) for m, u in ROUTES}
    served = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = {(method, rule) for method, rule in served
               if not any(m == method and u.startswith(rule.split("<")[0].rstrip("/")) for m, u in listed)}
    assert missing == set(), "not in ROUTES"


@pytest.mark.parametrize("url", [
    "/admin/users/new", "/admin/users/{user}", "/admin/zones/new", "/admin/zones/{zone}",
    "/admin/zones/{zone}/reissue", "/admin/categories/new", "/admin/categories/{category}",
    "/admin/import/zones", "/admin/import/users"])
def test_every_admin_form_sends_the_csrf_token(app, login_as, targets, url):
    admin = login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    page = admin.get(url.format(**targets)).get_data(as_text=True)
    main = page[page.index("<main"):]
    forms = re.findall(r'<form method="post".*?</form>', main, flags=re.S)
    assert forms
    assert [form[:120] for form in forms if not re.search(r'name="csrf_token"[^>]*value="[^"]+"', form)] == []


def test_a_post_without_the_csrf_token_is_refused(app, login_as, targets):
    admin = login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    url = "/admin/zones/{zone}/active".format(**targets)
    assert admin.post(url, data={"active": "0"}).status_code == 400
    page = admin.get("/admin/zones/{zone}".format(**targets)).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert admin.post(url, data={"active": "0", "csrf_token": token}).status_code == 302
