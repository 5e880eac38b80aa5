"""Each field screen has its own page title in the user's language; its words read as Chinese is written."""

import pytest
from playwright.sync_api import expect

from server.extensions import db
from server.hazards.models import Hazard
from tests.browser.conftest import sign_in

APP = {"zh_CN": "校园安全巡查", "en": "School safety patrol"}
# Move inside the app without a reload, as its own links do.
GO = "(path) => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }"


def _speak(phone, live, locale: str) -> None:
    """Switch the field app to a language with the header's button, as a user does."""
    if locale == "en":
        phone.goto(f"{live}/app")
        phone.locator("#user-menu summary").click()  # the header's menu holds it
        phone.get_by_role("button", name="English").click()
        expect(phone.locator("html")).to_have_attribute("lang", "en")


def _category_name(app, hazard_id: int, locale: str) -> str:
    with app.app_context():
        return db.session.get(Hazard, hazard_id).category.display_name(locale)


@pytest.mark.parametrize(("locale", "words"), [
    ("zh_CN", {"home": "首页", "scan": "扫码巡查", "report": "上报隐患", "outbox": "待发送"}),
    ("en", {"home": "Home", "scan": "Scan a zone", "report": "Report a hazard", "outbox": "Outbox"}),
])
def test_each_field_screen_has_its_own_title(app, live, phone, make_user, make_zone, make_hazard, locale,
                                             words):
    user = make_user(display_name="赵师傅", roles=("patrol", "rectifier"))
    zone = make_zone(name="锅炉房")
    hazard = make_hazard("assigned", zone=zone, rectifier=user)
    sign_in(phone, live, user.username)
    _speak(phone, live, locale)
    app_name = APP[locale]
    expected = [
        ("/app", f"{words['home']} · {app_name}"),
        ("/app/scan", f"{words['scan']} · {app_name}"),
        (f"/z/{zone.qr_token}", f"锅炉房 · {app_name}"),
        (f"/z/{zone.qr_token}/report", f"{words['report']} · {app_name}"),
        (f"/app/hazards/{hazard.id}", f"{_category_name(app, hazard.id, locale)} #{hazard.id} · {app_name}"),
        ("/app/outbox", f"{words['outbox']} · {app_name}"),
    ]
    seen = []
    for path, _title in expected:
        # Moving inside the app (no reload), as a user does: each screen sets its own title.
        phone.evaluate(GO, path)
        phone.wait_for_function("() => document.getElementById('main').getAttribute('aria-busy') === 'false'")
        seen.append((path, phone.title()))
    assert seen == expected
    assert phone.js_errors == []


def test_report_form_problems_read_one_a_line_without_a_space_after_the_full_stop(live, phone, make_user,
                                                                                   make_zone):
    user = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, user.username)
    phone.goto(f"{live}/z/{zone.qr_token}/report")
    phone.locator("#report-form button[type=submit]").click()
    error = phone.locator("#form-error")
    expect(error).to_be_visible()
    text = error.inner_text()
    assert "。 " not in text
    assert len(text.split("\n")) == 2  # no photo, no category: one line each


@pytest.mark.parametrize(("locale", "word"), [
    ("zh_CN", "待发送"),
    ("en", "Outbox"),  # named "Outbox: 1 records wait to be sent." (it was the count alone)
])
def test_the_outbox_links_accessible_name_contains_its_visible_text(live, phone, make_user, make_zone, locale,
                                                                    word):
    # WCAG 2.5.3 (label in name): a voice user says what they see ("Outbox") and the link must answer to it.
    user = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, user.username)
    _speak(phone, live, locale)
    phone.evaluate(GO, f"/z/{zone.qr_token}")
    # The zone drawn before the signal goes (its request still on its way could only fail: "no connection").
    no_hazard = phone.locator("#zone-actions button")
    expect(no_hazard).to_be_visible()
    phone.context.set_offline(True)
    no_hazard.click()  # "no hazard found", kept on the phone: the count shows
    link = phone.locator("#outbox-link")
    expect(link.locator(".count")).to_have_text("1")
    assert link.inner_text().split()[0] == word
    # The accessible name as assistive technology computes it (aria-label, else the text), word included.
    expect(phone.get_by_role("link", name=word)).to_have_attribute("id", "outbox-link", timeout=3000)
