"""The outbox in a real Chromium, across tabs and past a record the server keeps failing on.

Each test starts from a first visit: a fresh profile signs in, the service worker takes control (no reload),
and the phone loses its signal.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.hazards.models import Hazard, HazardEvent
from server.patrols.models import PatrolVisit
from server.zones import services as zones
from server.zones.models import Zone
from tests.browser.conftest import (
    PHONE,
    serious_violations,
    shot,
    sign_in,
    wait_for_service_worker,
    wait_until,
)
from tests.phone_photo import phone_photo_path

KEPT = "已保存在本机，有网络时会自动发送。"
# True once the service worker keeps what the app needs to open and work with no signal.
FIELD_DATA_CACHED = """async () => {
    const cache = await caches.open("data-v1");
    const kept = await Promise.all(["/api/v1/session", "/api/v1/i18n", "/api/v1/zones",
                                    "/api/v1/hazards/transitions"].map((path) => cache.match(path)));
    return kept.every(Boolean);
}"""
# The outbox module the page runs (the same instance: its URL carries the page's version).
OUTBOX_MODULE = """const v = new URL(document.querySelector("script[type=module]").src).searchParams.get("v");
    const outbox = await import(`/pwa/js/outbox.js?v=${v}`);"""


def _installed(page, live, username):
    """Sign in on a fresh phone and wait until the app can work with no signal (no reload)."""
    sign_in(page, live, username)
    if not page.url.endswith("/app"):
        page.goto(f"{live}/app")
    wait_for_service_worker(page)
    wait_until(page, FIELD_DATA_CACHED)


def _no_hazard_offline(page, live, zone):
    """Open a zone's label with no signal and record "no hazard found": kept on the phone."""
    page.goto(f"{live}/z/{zone.qr_token}")
    expect(page.locator("h1")).to_have_text(zone.name)
    page.get_by_role("button", name="未发现隐患").click()
    expect(page.locator(".visit-status")).to_have_text(KEPT)


def _visits_by_zone(app):
    with app.app_context():
        query = select(PatrolVisit.zone_id, func.count()).group_by(PatrolVisit.zone_id)
        return dict(db.session.execute(query).all())


def _zone_of(request):
    """Return the zone id a "no hazard" visit is posted for, from its multipart body."""
    match = re.search(rb'name="zone_id"\r\n\r\n(\d+)', request.post_data_buffer or b"")
    return int(match[1]) if match else None


@pytest.mark.parametrize("web_locks", [True, False], ids=["web-locks", "no-web-locks"])
def test_two_tabs_send_each_record_once_and_show_the_same_outbox(app, live, browser, make_user, make_zone,
                                                                 web_locks):
    patrol = make_user(roles=("patrol",))
    walk = [make_zone(name=f"二楼{n}号教室") for n in range(3)]
    closing = make_zone(name="旧器材室")
    context = browser.new_context(**PHONE)
    if not web_locks:  # a browser without Web Locks (Safari before 15.4): each tab sends alone
        context.add_init_script("delete Navigator.prototype.locks")
    posts = []
    context.on("request", lambda r: posts.append(_zone_of(r)) if r.method == "POST" and
               r.url.endswith("/api/v1/visits") else None)
    errors = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    first = context.new_page()
    _installed(first, live, patrol.username)
    assert first.evaluate("'locks' in navigator") is web_locks
    second = context.new_page()
    second.goto(f"{live}/app/outbox")
    expect(second.locator("#outbox-summary")).to_contain_text("全部已发送")

    context.set_offline(True)
    for zone in [*walk, closing]:
        _no_hazard_offline(first, live, zone)
    # The other tab's list and count follow without a reload.
    expect(second.locator(".outbox-item")).to_have_count(4)
    expect(second.locator("#outbox-link .count")).to_have_text("4")
    with app.app_context():  # meanwhile the last zone is taken out of use: its visit will be refused
        zones.set_active(db.session.get(Zone, closing.id), False)
        db.session.commit()
    first.locator("#outbox-link").click()  # the first tab shows the outbox too
    expect(first.locator(".outbox-item")).to_have_count(4)

    context.set_offline(False)  # both tabs hear `online` and sync
    for page in (first, second):
        expect(page.locator(".outbox-item")).to_have_count(1)
        expect(page.locator(".outbox-item.state-attention")).to_contain_text(closing.name)
        expect(page.locator("#outbox-link .count-attention")).to_have_text("1")
    assert _visits_by_zone(app) == {zone.id: 1 for zone in walk}
    if web_locks:  # one round at a time across the tabs: each record went up once
        assert sorted(posts) == sorted(zone.id for zone in [*walk, closing])

    second.once("dialog", lambda dialog: dialog.accept())
    second.locator(".outbox-item").get_by_role("button", name="丢弃").click()
    for page in (second, first):
        expect(page.locator(".outbox-item")).to_have_count(0)
        expect(page.locator("#outbox-link .count")).to_have_count(0)
        expect(page.locator("#outbox-summary")).to_contain_text("全部已发送")
    assert errors == []
    context.close()


def test_a_record_the_server_keeps_failing_on_holds_back_nothing(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    broken, *others = [make_zone(name=f"三楼{n}号教室") for n in range(4)]
    failures = {"n": 0}
    mended = []

    def fail_one(route):
        # Something on the server breaks on this record only, until it is mended.
        if _zone_of(route.request) == broken.id and not mended:
            failures["n"] += 1
            return route.fulfill(status=500, content_type="text/html", body="<h1>Internal Server Error</h1>")
        return route.continue_()

    phone.context.route("**/api/v1/visits", fail_one)
    _installed(phone, live, patrol.username)
    phone.context.set_offline(True)
    for zone in [broken, *others]:  # the failing one first: the three others are queued behind it
        _no_hazard_offline(phone, live, zone)
    expect(phone.locator("#outbox-link .count")).to_have_text("4")

    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    assert _visits_by_zone(app) == {zone.id: 1 for zone in others}
    phone.locator("#outbox-link").click()
    item = phone.locator(".outbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(broken.name)
    expect(item.locator(".notice-error")).to_contain_text("500")
    expect(item.locator(".retry-note")).to_be_visible()
    for _ in range(200):  # it keeps being tried, with its own backoff (2 s after the first failure)
        if failures["n"] >= 2:
            break
        phone.wait_for_timeout(100)
    assert failures["n"] >= 2 and _visits_by_zone(app) == {zone.id: 1 for zone in others}
    assert serious_violations(phone) == []
    shot(phone, "outbox-server-failure-phone")

    # The server is mended as the user taps "send now", which does not wait the backoff. (Mended before the
    # tap, the outbox's own retry could send the record first and take the button away: a click waiting out
    # its 30 s.)
    phone.get_by_role("button", name="立即发送").click()
    mended.append(True)  # the tap's send, or the one 2 s after it, goes through
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送")
    assert _visits_by_zone(app) == {zone.id: 1 for zone in [broken, *others]}


def test_a_queued_action_hides_its_buttons_in_every_tab_until_it_is_sent(app, live, browser, make_hazard):
    hazard = make_hazard("assigned", description="楼梯灯不亮")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _installed(page, live, hazard.people.rectifier.username)
    other = context.new_page()  # the same hazard open in a second tab
    for tab in (page, other):
        tab.goto(f"{live}/app/hazards/{hazard.id}")
        expect(tab.locator("#act-submit")).to_be_visible()

    context.set_offline(True)
    page.set_input_files("#act-submit-photos", str(phone_photo_path()))
    expect(page.locator("#act-submit .thumbs img")).to_have_count(1)
    page.fill("#act-submit-note", "已更换灯泡")
    page.get_by_role("button", name="提交整改").last.click()
    expect(page.locator(".notice-ok")).to_have_text(KEPT)
    for tab in (page, other):  # no second tap can queue a command the server would refuse
        expect(tab.locator("#action-waiting")).to_be_visible()
        expect(tab.locator("#action-waiting a")).to_have_attribute("href", "/app/outbox")
        expect(tab.locator("form.action-form")).to_have_count(0)
        expect(tab.locator("#outbox-link .count")).to_have_text("1")
    assert serious_violations(page) == []
    shot(page, "hazard-action-waiting-phone")

    context.set_offline(False)
    for tab in (page, other):  # sent: the hazard is drawn again as the server has it now
        expect(tab.locator("#action-waiting")).to_have_count(0)
        expect(tab.locator(".state-awaiting_recheck")).to_be_visible()
        expect(tab.locator("form.action-form")).to_have_count(0)  # the rectifier has nothing more to do
    with app.app_context():
        assert db.session.get(Hazard, hazard.id).state == "awaiting_recheck"
        actions = db.session.scalars(select(HazardEvent.action).where(HazardEvent.hazard_id == hazard.id)
                                     .order_by(HazardEvent.id)).all()
        assert actions.count("submit") == 1
    context.close()


def test_actions_on_one_hazard_keep_their_order_past_a_server_failure(app, live, phone, make_hazard,
                                                                     make_user, make_zone):
    """Two actions on one hazard: the second waits while the first is in backoff; another record goes."""
    hazard = make_hazard("assigned", description="消防通道堆放杂物",
                         rectifier=make_user(roles=("rectifier", "patrol")))  # 赵师傅: patrols and repairs
    zone = make_zone(name="一楼大厅")
    seen = []
    failures = {"left": 2}

    def first_fails_twice(route):
        body = route.request.post_data_buffer or b""
        seen.append(b"request_deferral" if b"request_deferral" in body else b"submit")
        if b"request_deferral" in body and failures["left"]:
            failures["left"] -= 1
            return route.fulfill(status=503, body="busy")
        return route.continue_()

    phone.context.route(f"**/api/v1/hazards/{hazard.id}/actions", first_fails_twice)
    _installed(phone, live, hazard.people.rectifier.username)
    later = (date.today() + timedelta(days=10)).isoformat()
    # Queued as the app's screens queue them, with no signal (the buttons allow one at a time; the outbox
    # must keep the order all the same, e.g. records made under an older release).
    phone.context.set_offline(True)
    phone.evaluate(f"""async ({{hazard, later}}) => {{
        {OUTBOX_MODULE}
        const canvas = new OffscreenCanvas(64, 48);
        canvas.getContext("2d").fillRect(0, 0, 64, 48);
        const photo = await canvas.convertToBlob({{ type: "image/jpeg" }});
        const url = `/api/v1/hazards/${{hazard}}/actions`;
        for (const [action, extra, files] of [["request_deferral", {{ deadline: later }}, {{}}],
                                              ["submit", {{}}, {{ photos: [photo] }}]]) {{
            const id = crypto.randomUUID();
            await outbox.enqueue({{ id, url, label: action, files, fields: {{ action, client_id: id,
                seen_state: "assigned", note: action, device_at: new Date().toISOString(), ...extra }} }});
        }}
    }}""", {"hazard": hazard.id, "later": later})
    _no_hazard_offline(phone, live, zone)  # a record of its own, behind both
    expect(phone.locator("#outbox-link .count")).to_have_text("3")

    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_text("2")  # the visit went; the two wait in order
    # (The deferral's own retry, 2 s after its first failure, may have gone by now on a loaded machine.)
    assert _visits_by_zone(app)[zone.id] == 1 and seen[0] == b"request_deferral" and b"submit" not in seen
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=30_000)  # backoff 2 s, then 4 s
    assert seen == [b"request_deferral"] * 3 + [b"submit"]  # the submit never went before the deferral
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        assert row.state == "awaiting_recheck"
        actions = db.session.scalars(select(HazardEvent.action).where(HazardEvent.hazard_id == hazard.id)
                                     .order_by(HazardEvent.id)).all()
        assert actions[-2:] == ["request_deferral", "submit"]
    assert _visits_by_zone(app)[zone.id] == 1


def _small_jpeg(n: int) -> dict:
    """Return a small photo as Playwright's set_input_files wants a file."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40 * n, 90, 40)).save(buffer, "JPEG")
    return {"name": f"photo-{n}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _server_limits(app, monkeypatch, **limits):
    """Make GET /api/v1/hazards/transitions answer these limits (what a server configured so would say)."""
    from flask import jsonify

    endpoint = next(r.endpoint for r in app.url_map.iter_rules() if r.rule == "/api/v1/hazards/transitions")
    view = app.view_functions[endpoint]

    def with_limits(**kwargs):
        data = app.make_response(view(**kwargs)).get_json()
        data["limits"].update(limits)
        return jsonify(data)

    monkeypatch.setitem(app.view_functions, endpoint, with_limits)


def test_the_forms_take_their_limits_from_the_server_and_keep_them_offline(app, live, phone, make_user,
                                                                         make_hazard, monkeypatch):
    _server_limits(app, monkeypatch, description_max=300, note_max=150, photos_max=2)
    worker = make_user(roles=("patrol", "rectifier"))
    hazard = make_hazard("assigned", rectifier=worker)
    _installed(phone, live, worker.username)
    phone.goto(f"{live}/app/hazards/{hazard.id}")
    expect(phone.locator("#act-submit-note")).to_have_attribute("maxlength", "150")

    phone.context.set_offline(True)  # with no signal, the rules kept on the phone still hold
    phone.goto(f"{live}/z/{hazard.zone_obj.qr_token}/report")
    expect(phone.locator("#description")).to_have_attribute("maxlength", "300")
    phone.set_input_files("#photos", [_small_jpeg(n) for n in range(3)])
    expect(phone.locator("#photos-error")).to_have_text("最多 2 张照片。")
    expect(phone.locator(".thumbs img")).to_have_count(2)
    expect(phone.locator("label[for=photos]")).to_be_hidden()  # no button for a third


def test_background_sync_asks_the_open_app_to_send_before_its_own_backoff(app, live, phone, make_user,
                                                                          make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    _installed(phone, live, patrol.username)
    tries = {"n": 0}

    def no_signal(route):  # the signal is there for everything but this record
        tries["n"] += 1
        return route.abort("internetdisconnected")

    phone.context.route("**/api/v1/visits", no_signal)
    _no_hazard_offline(phone, live, zone)
    for _ in range(150):  # it tried three times (at once, 2 s, 4 s later): the next try is 8 s away
        if tries["n"] >= 3:
            break
        phone.wait_for_timeout(100)
    phone.context.unroute("**/api/v1/visits")
    # The connection is back: what the worker does when the browser fires the "outbox" sync.
    assert phone.context.service_workers[0].evaluate("askPagesToSend()") == 1
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=5_000)  # not after the 8 s
    assert tries["n"] == 3 and _visits_by_zone(app) == {zone.id: 1}
