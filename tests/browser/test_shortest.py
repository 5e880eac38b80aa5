"""Each role's shortest way on a phone: the report's submit in sight, one recheck form, a quiet deferral,
a torch for dark rooms."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from server.auth.models import User
from server.extensions import db
from server.hazards.models import Hazard
from tests.browser.conftest import ARTIFACTS, serious_violations, shot, sign_in

TALL_PHONE = {"width": 390, "height": 844}  # the screen the report's figure is for
LOCALES = ["zh_CN", "en"]


def _speak(app, user, locale):
    """Make `locale` the user's language, as the header's switch remembers it on the account."""
    with app.app_context():
        db.session.get(User, user.id).locale = None if locale == "zh_CN" else locale
        db.session.commit()


def _edges(page, selector):
    """Return the element's top and bottom on the screen, in CSS pixels."""
    box = page.locator(selector).bounding_box()
    return box["y"], box["y"] + box["height"]


def _in_view(page, selector):
    """Return whether the element's whole height is on the screen."""
    top, bottom = _edges(page, selector)
    return top >= 0 and bottom <= page.viewport_size["height"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_report_is_sent_without_scrolling_past_the_description(app, live, phone, make_user, make_zone,
                                                                   locale):
    page = phone
    page.set_viewport_size(TALL_PHONE)
    patrol = make_user(roles=("patrol",))
    _speak(app, patrol, locale)
    zone = make_zone(name="锅炉房")
    sign_in(page, live, patrol.username)
    page.goto(f"{live}/z/{zone.qr_token}/report")
    expect(page.locator("#description")).to_be_visible()
    # The description is still below, and yet the submit button is on the screen.
    assert _edges(page, "#description")[0] > TALL_PHONE["height"]
    assert _in_view(page, "#report-form button[type=submit]")
    page.screenshot(path=str(ARTIFACTS / f"shortest-report-screen-{locale}.png"))  # what the thumb sees
    shot(page, f"shortest-report-{locale}")
    page.focus("#description")  # a tap on it, or the keyboard's "next": the bar does not cover it
    # The form scrolls it up at the next frame (a fixed 200 ms wait was too short on a loaded machine).
    page.wait_for_function("""() => document.querySelector("#description").getBoundingClientRect().bottom
        <= document.querySelector(".submit-bar").getBoundingClientRect().top""")
    assert _in_view(page, "#description")
    assert _edges(page, "#description")[1] <= _edges(page, ".submit-bar")[0]
    assert _in_view(page, "#report-form button[type=submit]")
    assert serious_violations(page) == []
    assert page.js_errors == []


def test_a_problem_shows_beside_the_submit_button(live, phone, make_user, make_zone):
    page = phone
    page.set_viewport_size(TALL_PHONE)
    patrol = make_user(roles=("patrol",))
    sign_in(page, live, patrol.username)
    page.goto(f"{live}/z/{make_zone().qr_token}/report")
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator("#form-error")).to_have_text("请至少拍一张照片。请选择类别。")
    assert _in_view(page, "#form-error")


def _open_hazard(page, live, user, hazard):
    sign_in(page, live, user.username)
    page.goto(f"{live}/app/hazards/{hazard.id}")
    expect(page.locator("form.action-form").first).to_be_visible()


def _state(app, hazard):
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        return row.state, [e.action for e in row.events][-1]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_recheck_is_one_form(app, live, phone, make_hazard, locale):
    hazard = make_hazard("awaiting_recheck")
    _speak(app, hazard.people.supervisor, locale)
    _open_hazard(phone, live, hazard.people.supervisor, hazard)
    expect(phone.locator("form.action-form")).to_have_count(1)
    expect(phone.locator("form#act-recheck input[name=result]")).to_have_count(2)
    expect(phone.locator("#act-recheck-date")).to_be_hidden()  # passed: no new deadline to give
    assert serious_violations(phone) == []
    shot(phone, f"shortest-recheck-{locale}")
    phone.locator("#act-recheck label.choice").last.click()  # failed
    expect(phone.locator("#act-recheck-date")).to_be_visible()
    expect(phone.locator("#act-recheck-note")).to_have_attribute("aria-required", "true")
    assert serious_violations(phone) == []
    shot(phone, f"shortest-recheck-fail-{locale}")


@pytest.mark.parametrize(("result", "note", "expected"), [
    ("pass", "", ("closed", "pass")),  # a pass needs no note
    ("fail", "", ("awaiting_recheck", "submit")),  # refused on the phone: nothing is sent
    ("fail", "扶手仍松动", ("assigned", "fail")),
])
def test_the_recheck_asks_a_note_only_when_it_failed(app, live, phone, make_hazard, result, note, expected):
    hazard = make_hazard("awaiting_recheck")
    _open_hazard(phone, live, hazard.people.supervisor, hazard)
    phone.locator(f"#act-recheck input[value={result}] + span").click()
    phone.fill("#act-recheck-note", note)
    phone.locator("#act-recheck button[type=submit]").click()
    if expected[0] == "awaiting_recheck":
        expect(phone.locator("#act-recheck-error")).to_have_text("请写明问题或原因。")
        expect(phone.locator("#act-recheck-note")).to_be_focused()
    else:
        expect(phone.locator(".notice-ok")).to_be_visible()
    assert _state(app, hazard) == expected


@pytest.mark.parametrize("locale", LOCALES)
def test_a_deferral_is_a_quiet_disclosure_apart_from_submit(app, live, phone, make_hazard, locale):
    hazard = make_hazard("assigned")
    _speak(app, hazard.people.rectifier, locale)
    _open_hazard(phone, live, hazard.people.rectifier, hazard)
    summary = phone.locator("details.deferral summary")
    expect(phone.locator("#act-request_deferral")).to_be_hidden()
    # Not the next thing under the thumb: a gap of at least 32 px, and it does not look like a button.
    # Measured once both are drawn and two frames have passed (the layout a person sees, not half-built).
    expect(summary).to_be_visible()
    expect(phone.locator("#act-submit button[type=submit]")).to_be_visible()
    phone.wait_for_function("""() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(
        () => done(true))))""")
    gap = _edges(phone, "details.deferral summary")[0] - _edges(phone, "#act-submit button[type=submit]")[1]
    assert gap >= 32
    assert summary.evaluate("(e) => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert serious_violations(phone) == []
    shot(phone, f"shortest-rectify-{locale}")
    summary.click()
    phone.fill("#act-request_deferral-note", "配件需厂家订货")
    phone.fill("#act-request_deferral-date", (date.today() + timedelta(days=20)).isoformat())
    phone.locator("#act-request_deferral button[type=submit]").click()
    expect(phone.locator(".notice-ok")).to_be_visible()
    with app.app_context():
        assert db.session.get(Hazard, hazard.id).deferral_pending


# A camera stand-in: a canvas's stream whose track says whether it has a torch and records what it is asked.
FAKE_CAMERA = """(torch) => {
    window.__torch = [];
    navigator.mediaDevices.getUserMedia = async () => {
        const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 240 });
        canvas.getContext("2d").fillRect(0, 0, 320, 240);
        const stream = canvas.captureStream(5);
        const track = stream.getVideoTracks()[0];
        track.getCapabilities = () => (torch ? { torch: true } : {});
        track.applyConstraints = async (c) => { window.__torch.push(c.advanced[0].torch); };
        return stream;
    };
}"""


@pytest.mark.parametrize(("torch", "shown"), [(True, True), (False, False)])
def test_the_scanner_offers_the_torch_where_the_camera_has_one(live, phone, make_user, torch, shown):
    phone.add_init_script(f"({FAKE_CAMERA})({'true' if torch else 'false'})")
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app/scan")
    expect(phone.locator(".viewfinder")).to_be_visible()
    expect(phone.locator("#scan-status")).to_have_text("请将摄像头对准责任区张贴的二维码标签。")
    toggle = phone.locator("#scan-torch")
    if not shown:
        expect(toggle).to_be_hidden()
        return
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert phone.evaluate("window.__torch") == [True, False]
    assert serious_violations(phone) == []
    shot(phone, "shortest-scan-torch")
