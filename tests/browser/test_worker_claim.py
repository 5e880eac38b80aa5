"""A first visit that opens the app again while its service worker activates still works offline, no reload.

The worker claims the pages open when it activates; a page whose HTML was still on its way then was no client
yet, and stayed uncontrolled: the worker never saw its requests and the app was never ready offline until
the next visit (test_outbox's new-version test met it 2 runs in 10 under load). The page now asks an active
worker to take it over when none controls it.
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in

READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")


def test_the_app_opened_twice_while_its_worker_activates_works_offline(live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="配电房")
    # The race made certain instead of 2 runs in 10: the worker's install waits until the app is opened again,
    # and that second page's HTML arrives once the worker has activated (and claimed the pages open then).
    race = Race(phone)
    sign_in(phone, live, patrol.username)  # lands on /app, which registers the worker
    expect(phone.locator("h1")).to_have_text(f"您好，{patrol.display_name}")
    race.open_again(f"{live}/app")  # a second tap on the app's icon
    expect(phone.locator("h1")).to_have_text(f"您好，{patrol.display_name}")

    # No reload: the page itself comes under the worker and is made ready for no signal.
    expect(phone.locator("#offline-ready")).to_have_text(READY, timeout=30000)
    assert phone.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    assert serious_violations(phone) == []

    phone.context.set_offline(True)
    phone.locator("#round a", has_text=zone.name).click()  # within the page: its requests go to the worker
    expect(phone.locator("h1")).to_have_text(zone.name)
    phone.get_by_role("button", name="未发现隐患").click()
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    assert phone.js_errors == []


class Race:
    """Hold the service worker's own requests (its install) until the app is opened again; hold that page's
    HTML until the worker has activated."""

    def __init__(self, page):
        self.page = page
        self.installing: list = []  # the worker's requests, held
        self.opening: list = []  # the second page's request, held
        self.activated = False
        page.context.route("**/*", self.route)
        devtools = page.context.new_cdp_session(page)
        devtools.on("ServiceWorker.workerVersionUpdated", self.updated)
        devtools.send("ServiceWorker.enable")
        self.url = None

    def updated(self, update):
        """Note when a worker version has activated."""
        self.activated |= any(v["status"] == "activated" for v in update["versions"])

    def route(self, route):
        """Hold or pass one request."""
        request = route.request
        if self.url and request.url == self.url and request.is_navigation_request() and not self.opening:
            self.opening.append(route)
        elif request.service_worker and not self.url:
            self.installing.append(route)
        else:
            route.continue_()

    def open_again(self, url, timeout_ms=30000):
        """Open url in the page while the worker installs; let its HTML come once the worker is active."""
        assert not self.activated and self.installing, "the worker must still be installing"
        self.url = url
        self.page.evaluate("(url) => { location.href = url; }", url)
        self._until(lambda: self.opening)
        for held in self.installing:
            held.continue_()
        self._until(lambda: self.activated, timeout_ms)
        self.opening[0].continue_()

    def _until(self, done, timeout_ms=15000):
        waited = 0
        while not done() and waited < timeout_ms:
            self.page.wait_for_timeout(50)
            waited += 50
        assert done()
