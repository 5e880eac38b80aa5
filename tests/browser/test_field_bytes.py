"""Each byte fetched once (issue 12): a first visit asks the server for each piece of data once (the page
hands what it read to its worker); on the next app open the data the phone has comes back as 304 with no
body (the worker asks with the ETag of the copy it keeps), the reference data (words, categories, zones,
rules) only once per run of the worker (the zone directory: its changes since the copy kept), and the app
still works with no signal afterwards; the QR decoder is fetched once, through the worker, and kept, and
never by a phone with a native QR reader.

The server counts what it is asked (a WSGI wrapper around the live app): what a phone fetches is what reaches
the server, whoever asked (the page or the service worker).
"""

import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, wait_for_service_worker, wait_until

READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")
# The data the field keeps, each with a strong ETag (server/api/conditional.py): what changes with the day's
# work, asked at every app open, and the reference data, asked once per run of the service worker.
# (A patrol's home asks only the counts of tasks and rechecks: one of each, with their totals.)
WORK = ["/api/v1/me/tasks?limit=1", "/api/v1/me/today"]
REFERENCE = ["/api/v1/i18n", "/api/v1/zones", "/api/v1/categories", "/api/v1/hazards/transitions"]
# The zone directory a phone keeps is brought up to date with the changes since its version (issue 12).
DIRECTORY_CHANGES = "/api/v1/zones?since"
# A first visit: each answer the app keeps reaches the server once, whoever asked for it (page or worker).
# (The header's unread count comes from the notifications on a first visit: the same answer, asked once.)
FIRST_VISIT = {"/api/v1/session", "/api/v1/i18n", "/api/v1/me/tasks?limit=1", "/api/v1/me/today",
               "/api/v1/notifications", "/api/v1/zones",
               "/api/v1/categories", "/api/v1/hazards/transitions"}


class Asked:
    """WSGI middleware: every request's path (and query) with the status answered."""

    def __init__(self, app):
        self.app, self.log = app, []

    def __call__(self, environ, start_response):
        url = environ["PATH_INFO"] + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")

        def started(status, headers, exc_info=None):
            self.log.append((url, int(status.split()[0])))
            return start_response(status, headers, exc_info)

        return self.app(environ, started)

    def counts(self, keep=lambda url: True) -> Counter:
        """Return how often each URL was asked, of those `keep` takes, without its ?v= version."""
        return Counter(re.sub(r"\?v=\w+$", "", url) for url, _ in self.log if keep(url))


@pytest.fixture
def asked(app, live):
    """Count the requests that reach the live server."""
    counter = Asked(app.wsgi_app)
    app.wsgi_app = counter
    return counter


@pytest.fixture
def first_visit(live, phone, asked, make_user, make_zone):
    """A new phone signs in once (no reload) and waits until the app says it is ready with no signal."""
    patrol = make_user(roles=("patrol",))
    zones = [make_zone(name="教学楼一楼"), make_zone(name="锅炉房")]
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    wait_for_service_worker(phone)
    phone.wait_for_load_state("networkidle")
    return zones


def test_a_first_visit_asks_for_each_piece_of_data_once(first_visit, asked):
    counts = asked.counts(lambda url: url.startswith("/api/v1/"))
    assert FIRST_VISIT - counts.keys() == set()
    assert {url: n for url, n in counts.items() if n > 1} == {}  # none asked twice (other data may come once)


def _app_open(phone, live, asked) -> dict:
    """Open the app again; return {URL: status} of the field data that reached the server (the zone
    directory's changes since the phone's copy as DIRECTORY_CHANGES)."""
    asked.log.clear()
    phone.goto(f"{live}/app")
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    phone.wait_for_load_state("networkidle")
    named = [(DIRECTORY_CHANGES if url.startswith(f"{DIRECTORY_CHANGES}=") else url, status)
             for url, status in asked.log]
    return {url: status for url, status in named if url in WORK + REFERENCE + [DIRECTORY_CHANGES]}


def test_the_next_app_open_gets_304_for_what_the_phone_has_and_works_offline_after(live, phone, first_visit,
                                                                                   asked):
    # The worker that kept the data is still running: the reference data is current for it.
    assert _app_open(phone, live, asked) == dict.fromkeys(WORK, 304)

    # The copies the 304s confirmed are the ones the phone uses with no signal: a zone never opened opens from
    # the directory, and the home screen draws its round.
    phone.context.set_offline(True)
    boiler_room = first_visit[1]
    phone.goto(f"{live}/z/{boiler_room.qr_token}")
    expect(phone.locator("h1")).to_have_text("锅炉房")
    phone.goto(f"{live}/app")
    expect(phone.locator("#signal")).not_to_be_empty()
    expect(phone.locator("main h1")).to_be_visible()
    expect(phone.locator(".notice-error")).to_have_count(0)


def test_a_new_run_of_the_worker_revalidates_the_reference_data_once(live, phone, first_visit, asked):
    # The phone stopped the worker while the app was closed (as browsers do after a short idle time).
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    rest = [url for url in REFERENCE if url != "/api/v1/zones"]
    assert _app_open(phone, live, asked) == {**dict.fromkeys(WORK + rest, 304), DIRECTORY_CHANGES: 200}
    assert _app_open(phone, live, asked) == dict.fromkeys(WORK, 304)


# A browser with a native QR reader (iOS has none, Android's Chrome has one).
NATIVE_READER = """self.BarcodeDetector = class { static async getSupportedFormats() { return ["qr_code"]; }
    async detect() { return []; } };"""
KEPT_DECODER = """async () => { for (const name of await caches.keys()) {
    if (name.startsWith("vendor-") && (await (await caches.open(name)).keys()).length) return true; }
    return false; }"""


def decoder(url: str) -> bool:
    """Say whether a URL is the QR decoder's (the vendored library and the worker that runs it)."""
    return url.startswith(("/pwa/vendor/", "/pwa/js/qr-worker.js"))


def test_the_qr_decoder_is_fetched_once_through_the_worker_and_kept(live, phone, first_visit, asked):
    # Chromium on Linux has no BarcodeDetector: the home screen warms the decoder through the worker, when the
    # phone is idle: waited for as everywhere else (15 s; a loop of its own gave up after 10 s).
    wait_until(phone, KEPT_DECODER)
    phone.goto(f"{live}/app")
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    phone.wait_for_load_state("networkidle")
    assert asked.counts(decoder) == {"/pwa/vendor/jsqr/jsQR.js": 1, "/pwa/js/qr-worker.js": 1}


def test_a_phone_with_a_native_qr_reader_never_fetches_the_decoder(live, phone, asked, make_user):
    phone.context.add_init_script(NATIVE_READER)
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    phone.wait_for_timeout(1500)  # past the idle moment the decoder would be warmed in
    assert asked.counts(decoder) == Counter()


@pytest.mark.parametrize(("roles", "tasks"), [
    (("rectifier",), "/api/v1/me/tasks"),               # home lists the first page of tasks: kept for offline
    (("supervisor",), "/api/v1/me/tasks?limit=1"),      # home counts the rechecks: one of each carries totals
    (("patrol", "rectifier"), "/api/v1/me/tasks"),
])
def test_home_asks_a_page_of_tasks_only_where_it_lists_them(live, phone, asked, make_user, roles, tasks):
    phone.goto(f"{live}/login?next=/app")  # a supervisor signing in lands on the desk otherwise
    sign_in(phone, live, make_user(roles=roles).username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    assert asked.counts(lambda url: url.startswith("/api/v1/me/tasks")) == {tasks: 1}


def test_a_first_visit_asks_the_notifications_once_and_counts_them_offline(live, phone, asked, make_user,
                                                                           make_zone, make_hazard):
    rectifier = make_user(roles=("rectifier",))
    make_hazard("assigned", zone=make_zone(name="锅炉房"), rectifier=rectifier)  # told: one unread
    sign_in(phone, live, rectifier.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    expect(phone.locator("#notes-link")).to_have_text("1")
    assert asked.counts(lambda url: url.startswith("/api/v1/notifications")) == {"/api/v1/notifications": 1}
    # The header's own count was never asked: with no signal the worker counts the notifications it kept.
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#signal")).not_to_be_empty()
    expect(phone.locator("#notes-link")).to_have_text("1")
