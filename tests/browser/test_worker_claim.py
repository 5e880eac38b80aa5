"""A page its service worker did not take over asks to be taken, and gets ready to work with no signal.

A first visit whose page finished loading while the worker was activating was no client yet when the worker
claimed its clients: it stayed uncontrolled, never ready offline, until the next visit (seen under load: the
worker active, the page not controlled, no controllerchange ever). A forced reload makes the same page on
demand: it is loaded past the worker that is active.
"""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in, wait_for_service_worker


def test_a_page_loaded_past_its_worker_is_taken_over_and_ready_offline(live, phone, make_user):
    patrol = make_user(roles=("patrol",))
    sign_in(phone, live, patrol.username)
    wait_for_service_worker(phone)
    cdp = phone.context.new_cdp_session(phone)
    with phone.expect_navigation():
        cdp.send("Page.reload", {"ignoreCache": True})  # shift-reload: the worker does not serve this page
    expect(phone.locator("html")).to_have_attribute("data-offline", "ready")
    assert phone.evaluate("Boolean(navigator.serviceWorker.controller)")
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#main h1")).to_be_visible()
