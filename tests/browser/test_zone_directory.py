"""The zone directory a phone keeps stays complete and current with only the changes sent (issue 12).

A phone signs in (a first visit, no reload) and keeps the directory. On the server a zone is renamed, one is
retired and one is added. The next morning the browser has stopped the app's worker meanwhile (as phones do)
and the app opens again: its worker asks for the changes since its copy, not the whole directory. Then, with
no signal, each label opens what the server says now: the renamed zone with its new name, the added one (never
opened on this phone), and the retired one no more.
"""

from playwright.sync_api import expect

from server.extensions import db
from server.zones.models import Zone
from tests.browser.conftest import serious_violations
from tests.browser.test_outbox_tabs import _installed

# The directory as the worker keeps it: its zones' names by label token.
KEPT_NAMES = """async () => {
    const kept = await (await caches.open("data-v1")).match("/api/v1/zones");
    if (!kept) return null;
    const { columns, zones } = await kept.json();
    const [token, name] = [columns.indexOf("token"), columns.indexOf("name")];
    return Object.fromEntries(zones.map((row) => [row[token], row[name]]));
}"""


def _next_morning(page):
    """Stop the app's service worker, as a phone's browser does between two uses of the app."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    cdp.detach()


def test_the_kept_directory_gets_the_changes_and_every_label_opens_offline(app, live, phone, make_user,
                                                                            make_zone):
    patrol = make_user(roles=("patrol",))
    renamed, retired, kept = make_zone(name="一楼东厕所"), make_zone(name="旧仓库"), make_zone(name="门卫室")
    _installed(phone, live, patrol.username)
    with app.app_context():
        db.session.get(Zone, renamed.id).name = "一楼东卫生间"
        db.session.get(Zone, retired.id).active = False
        db.session.commit()
    added = make_zone(name="新建器材室")
    asked = []
    # What the worker asks the network (the page's own requests go to the worker).
    phone.context.on("request", lambda request: request.service_worker and asked.append(
        request.url.split(live, 1)[-1]))

    _next_morning(phone)
    phone.goto(f"{live}/app")
    expect(phone.locator("html[data-offline=ready]")).to_be_attached(timeout=15000)
    directory = [path for path in asked if path.startswith("/api/v1/zones")]
    assert len(directory) == 1 and directory[0].startswith("/api/v1/zones?since="), directory
    assert phone.evaluate(KEPT_NAMES) == {renamed.qr_token: "一楼东卫生间", kept.qr_token: "门卫室",
                                          added.qr_token: "新建器材室"}

    phone.context.set_offline(True)
    for zone, name in [(renamed, "一楼东卫生间"), (added, "新建器材室"), (kept, "门卫室")]:
        phone.goto(f"{live}/z/{zone.qr_token}")
        expect(phone.locator("main h1")).to_have_text(name)
    assert serious_violations(phone) == []
    phone.goto(f"{live}/z/{retired.qr_token}")
    expect(phone.locator("main")).not_to_contain_text("旧仓库")
    expect(phone.locator("main [role=alert]")).to_be_visible()


# The kept directory as a release before rows kept it: each zone an object, no columns.
AS_OLDER_RELEASE_KEPT = """async () => {
    const cache = await caches.open("data-v1");
    const kept = await (await cache.match("/api/v1/zones")).json();
    const zones = kept.zones.map((row) => Object.fromEntries(kept.columns.map((c, i) => [c, row[i]])));
    delete kept.columns;
    await cache.put("/api/v1/zones", new Response(JSON.stringify({ ...kept, zones }),
                                                  { headers: { "Content-Type": "application/json" } }));
}"""


def test_a_directory_kept_by_an_older_release_still_opens_labels_offline(live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="三楼化学实验室")
    _installed(phone, live, patrol.username)
    phone.evaluate(AS_OLDER_RELEASE_KEPT)  # the phone took this release, then lost its signal

    phone.context.set_offline(True)
    phone.goto(f"{live}/z/{zone.qr_token}")
    expect(phone.locator("main h1")).to_have_text("三楼化学实验室")

    phone.context.set_offline(False)  # online, in the worker's next run: the whole directory, as rows
    _next_morning(phone)
    phone.goto(f"{live}/app")
    expect(phone.locator("html[data-offline=ready]")).to_be_attached(timeout=15000)
    assert phone.evaluate(KEPT_NAMES) == {zone.qr_token: "三楼化学实验室"}
