"""Who may do what: every route of the app and the API, asked by every kind of user, in one table.

Each row is a route (method and endpoint); its cells are the answers, in the order of ROLES:
- "200", "201", "400", "401", "403", "404", "422" …: the status code;
- "→login": a redirect to the sign-in page; "→" + a path: another redirect (e.g. a form's own page).
A hidden hazard answers 404, never 403 (its existence is not told). POSTs are sent empty: a role that may
act gets its validation error (400/422, or the form again), one that may not gets 401/403/404 first.
A route added without its row fails this test, which prints the observed row in
its failure message, to review a new row before adding it.
"""

from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

ROLES = ("admin", "supervisor", "patrol", "rectifier", "contractor", "anonymous", "deactivated", "revoked")
# Routes every role reaches the same way whatever they are: public files. Not part of the matrix.
PUBLIC_FILES = {"static", "shell.asset"}

#                                   admin supervisor patrol rectifier contractor anonymous deactivated revoked
TABLE: dict[tuple[str, str], str] = {
    ('GET', 'admin.categories'): '200 403 403 403 403 →login →login →login',
    ('GET', 'admin.category_edit'): '200 403 403 403 403 →login →login →login',
    ('POST', 'admin.category_edit'): '422 403 403 403 403 →login →login →login',
    ('GET', 'admin.category_new'): '200 403 403 403 403 →login →login →login',
    ('POST', 'admin.category_new'): '422 403 403 403 403 →login →login →login',
    ('GET', 'admin.import_file'): '200 403 403 403 403 →login →login →login',
    ('POST', 'admin.import_file'): '422 403 403 403 403 →login →login →login',
    ('GET', 'admin.import_template'): '200 403 403 403 403 →login →login →login',
    ('GET', 'admin.index'): '→/admin/users 403 403 403 403 →login →login →login',
    ('POST', 'admin.user_active'): '→/admin/users/8 403 403 403 403 →login →login →login',
    ('GET', 'admin.user_edit'): '200 403 403 403 403 →login →login →login',
    ('POST', 'admin.user_edit'): '422 403 403 403 403 →login →login →login',
    ('GET', 'admin.user_new'): '200 403 403 403 403 →login →login →login',
    ('POST', 'admin.user_new'): '422 403 403 403 403 →login →login →login',
    ('POST', 'admin.user_password'): '422 403 403 403 403 →login →login →login',
    ('GET', 'admin.users'): '200 403 403 403 403 →login →login →login',
    ('GET', 'api.active_campaigns'): '200 200 200 403 403 401 401 401',
    ('POST', 'api.answer_campaign'): '422 422 422 403 403 401 401 401',
    ('GET', 'api.category_list'): '200 200 200 200 200 401 401 401',
    ('POST', 'api.hazard_action'): '422 422 422 422 422 401 401 401',
    ('GET', 'api.hazard_detail'): '200 200 200 404 404 401 401 401',
    ('GET', 'api.i18n'): '200 200 200 200 200 200 200 200',
    ('GET', 'api.list_hazards'): '200 200 200 200 200 401 401 401',
    ('POST', 'api.mark_read'): '422 422 422 422 422 401 401 401',
    ('GET', 'api.my_tasks'): '200 200 200 200 200 401 401 401',
    ('GET', 'api.notifications'): '200 200 200 200 200 401 401 401',
    ('GET', 'api.openapi_json'): '200 200 200 200 200 200 200 200',
    ('GET', 'api.photo'): '200 200 200 404 404 401 401 401',
    ('GET', 'api.photo_thumb'): '200 200 200 404 404 401 401 401',
    ('POST', 'api.record_visit'): '422 422 422 422 422 401 401 401',
    ('POST', 'api.report_hazard'): '422 422 422 422 422 401 401 401',
    ('GET', 'api.session_info'): '200 200 200 200 200 200 200 200',
    ('POST', 'api.set_locale'): '422 422 422 422 422 401 401 401',
    ('GET', 'api.todays_round'): '200 200 200 200 200 401 401 401',
    ('GET', 'api.transitions'): '200 200 200 200 200 401 401 401',
    ('GET', 'api.zone_by_code'): '200 200 200 200 200 401 401 401',
    ('GET', 'api.zone_by_token'): '200 200 200 200 200 401 401 401',
    ('GET', 'api.zone_directory'): '200 200 200 200 200 401 401 401',
    ('GET', 'api.zone_hazards'): '200 200 200 200 200 401 401 401',
    ('POST', 'auth.language'): '400 400 400 400 400 400 400 400',
    ('GET', 'auth.login'): '→/desk →/desk →/app →/app →/app 200 200 200',
    ('POST', 'auth.login'): '200 200 200 200 200 200 200 200',
    ('GET', 'board.index'): '200 200 200 200 200 200 200 200',
    ('GET', 'desk.home'): '200 200 200 200 200 →login →login →login',
    ('GET', 'desk.index'): '→/desk →/desk →/app →/app →/app →login →login →login',
    ('POST', 'hazards.act'): '422 422 422 404 404 →login →login →login',
    ('GET', 'hazards.deferrals'): '403 200 403 403 403 →login →login →login',
    ('GET', 'hazards.detail'): '200 200 200 404 404 →login →login →login',
    ('GET', 'hazards.index'): '200 200 200 200 200 →login →login →login',
    ('GET', 'hazards.queue'): '403 200 403 403 403 →login →login →login',
    ('GET', 'hazards.rechecks'): '403 200 403 403 403 →login →login →login',
    ('GET', 'labels.sheet'): '200 200 403 403 403 →login →login →login',
    ('GET', 'labels.zone_png'): '200 200 403 403 403 →login →login →login',
    ('GET', 'ledger.export'): '200 200 403 403 403 →login →login →login',
    ('GET', 'ledger.hazard_file'): '200 200 403 403 403 →login →login →login',
    ('POST', 'ledger.issue_notices'): '422 422 403 403 403 →login →login →login',
    ('GET', 'ledger.notices'): '422 422 403 403 403 →login →login →login',
    ('GET', 'ledger.register'): '200 200 403 403 403 →login →login →login',
    ('GET', 'notifications.index'): '200 200 200 200 200 →login →login →login',
    ('POST', 'notifications.mark_all_read'): ('→/notifications →/notifications →/notifications '
                                              '→/notifications →/notifications →login →login →login'),
    ('GET', 'shell.app_shell'): '200 200 200 200 200 →login →login →login',
    ('GET', 'shell.app_shell /app/<path:rest>'): '200 200 200 200 200 →login →login →login',
    ('GET', 'shell.app_shell /z/<token>'): '200 200 200 200 200 →login →login →login',
    ('GET', 'shell.app_shell /z/<token>/<path:rest>'): '200 200 200 200 200 →login →login →login',
    ('GET', 'shell.manifest'): '200 200 200 200 200 200 200 200',
    ('GET', 'shell.service_worker'): '200 200 200 200 200 200 200 200',
    ('GET', 'zones.index'): '200 403 403 403 403 →login →login →login',
    ('POST', 'zones.zone_active'): '→/admin/zones/1 403 403 403 403 →login →login →login',
    ('GET', 'zones.zone_edit'): '200 403 403 403 403 →login →login →login',
    ('POST', 'zones.zone_edit'): '422 403 403 403 403 →login →login →login',
    ('GET', 'zones.zone_new'): '200 403 403 403 403 →login →login →login',
    ('POST', 'zones.zone_new'): '422 403 403 403 403 →login →login →login',
    ('GET', 'zones.zone_reissue'): '200 403 403 403 403 →login →login →login',
    ('POST', 'zones.zone_reissue'): '200 403 403 403 403 →login →login →login',
    ('GET', 'patrols.coverage_export'): '200 200 403 403 403 →login →login →login',
    ('GET', 'patrols.coverage_page'): '200 200 403 403 403 →login →login →login',
    ('GET', 'patrols.risk_page'): '200 200 403 403 403 →login →login →login',
    ('GET', 'patrols.zone_history'): '200 200 403 403 403 →login →login →login',
    ('GET', 'reports.scorecards'): '200 200 403 403 403 →login →login →login',
    ('GET', 'reports.scorecards_export'): '200 200 403 403 403 →login →login →login',
    ('GET', 'webhooks.edit'): '200 403 403 403 403 →login →login →login',
    ('POST', 'webhooks.edit'): '422 403 403 403 403 →login →login →login',
    ('GET', 'webhooks.index'): '200 403 403 403 403 →login →login →login',
    ('GET', 'webhooks.new'): '200 403 403 403 403 →login →login →login',
    ('POST', 'webhooks.new'): '422 403 403 403 403 →login →login →login',
    ('POST', 'webhooks.test'): '→/admin/webhooks/1 403 403 403 403 →login →login →login',
    ('POST', 'campaigns.cancel'): '404 404 403 403 403 →login →login →login',
    ('GET', 'campaigns.index'): '200 200 403 403 403 →login →login →login',
    ('GET', 'campaigns.new'): '200 200 403 403 403 →login →login →login',
    ('POST', 'campaigns.new'): '422 422 403 403 403 →login →login →login',
    ('GET', 'campaigns.progress'): '404 404 403 403 403 →login →login →login',
    ('GET', 'campaigns.report'): '404 404 403 403 403 →login →login →login',
    ('GET', 'campaigns.report_xlsx'): '404 404 403 403 403 →login →login →login',
    ('GET', 'campaigns.template_edit'): '404 404 403 403 403 →login →login →login',
    ('GET', 'campaigns.template_edit /campaigns/templates/new'): '200 200 403 403 403 →login →login →login',
    ('POST', 'campaigns.template_edit'): '404 404 403 403 403 →login →login →login',
    ('POST', 'campaigns.template_edit /campaigns/templates/new'): '422 422 403 403 403 →login →login →login',
    ('GET', 'campaigns.templates'): '200 200 403 403 403 →login →login →login',
    ('POST', 'auth.logout'): '→login →login →login →login →login →login →login →login',
}


def _world(app, make_user, make_zone, make_hazard, sign_in):
    """Users of every kind, signed in (or not), and records some of them may not see."""
    from server.auth import services as users
    from server.auth.models import User
    from server.extensions import db

    people = {
        "admin": make_user(roles=("admin",)),
        "supervisor": make_user(roles=("supervisor",)),
        "patrol": make_user(roles=("patrol",)),
        "rectifier": make_user(roles=("rectifier",)),
        "contractor": make_user(roles=("rectifier",), company="物业公司"),
        "deactivated": make_user(roles=("patrol", "supervisor")),
        "revoked": make_user(roles=("patrol", "supervisor")),
    }
    clients = {role: sign_in(person) for role, person in people.items()}
    clients["anonymous"] = app.test_client()
    with app.app_context():
        users.set_active(db.session.get(User, people["deactivated"].id), False)
        users.end_sessions(db.session.get(User, people["revoked"].id))
        db.session.commit()
    # Someone else's hazard, assigned to someone else: only supervisors and admins see it.
    hazard = make_hazard("assigned")
    zone = hazard.zone_obj
    with app.app_context():
        from server.hazards.models import Photo
        from server.webhooks import services as webhooks

        photo_id = db.session.scalar(db.select(Photo.id).where(Photo.hazard_id == hazard.id))
        webhook_id = webhooks.add_webhook("值班群", "wecom", "https://chat.example/hook", ["major_hazard"]).id
        db.session.commit()
    args = {"hazard_id": hazard.id, "zone_id": zone.id, "photo_id": photo_id, "category_id": 1,
            "user_id": hazard.people.reporter.id, "token": zone.qr_token, "code": zone.code, "kind": "zones",
            "fmt": "xlsx", "rest": "tasks", "name": "js/app.js", "filename": "desk.css",
            "webhook_id": webhook_id, "campaign_id": 1, "template_id": 1}
    return SimpleNamespace(clients=clients, args=args)


def _requests(app):
    """Return (method, endpoint, rule) for every route and method of the app, sorted."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.endpoint, rule))
    # Signing out ends the session every later request would use: it goes last.
    return sorted(found, key=lambda r: (r[1] == "auth.logout", r[1], r[0], r[2].rule))


def _answer(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        path = urlsplit(response.headers["Location"]).path
        return "→login" if path == "/login" else f"→{path}"
    return str(response.status_code)


def observe(world, app) -> dict[tuple[str, str], str]:
    """Ask every route as every role; return the table of answers."""
    table = {}
    for method, endpoint, rule in _requests(app):
        if endpoint in PUBLIC_FILES:
            continue
        values = {name: world.args[name] for name in rule.arguments}
        with app.test_request_context():
            url = app.url_map.bind("localhost").build(endpoint, values, method=method)
        cells = []
        for role in ROLES:
            client = world.clients[role]
            response = client.open(url, method=method, data={} if method == "POST" else None)
            cells.append(_answer(response))
            response.close()  # as a WSGI server does: a streamed answer (.xlsx, CSV) ends its request
        key = (method, endpoint) if (method, endpoint) not in table else (method, f"{endpoint} {rule.rule}")
        table[key] = " ".join(cells)
    return table


@pytest.mark.no_api_contract
def test_every_route_has_a_row_and_every_role_its_answer(app, make_user, make_zone, make_hazard, sign_in):
    """One test, one walk of every route as every role (the walk is most of the time)."""
    observed = observe(_world(app, make_user, make_zone, make_hazard, sign_in), app)
    missing = "".join(f"\n    {key!r}: {observed[key]!r}," for key in observed if key not in TABLE)
    assert not missing, f"routes without a row (as observed now: review each cell, then add it):{missing}"
    assert sorted(set(TABLE) - set(observed)) == [], "rows of routes that no longer exist"
    wrong = {key: f"table {TABLE[key]!r}, observed {observed[key]!r}"
             for key in TABLE if key in observed and observed[key] != TABLE[key]}
    assert wrong == {}
