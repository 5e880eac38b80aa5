"""Screens that tell things apart and a calm header, on a 360×780 phone (issue 9).

The outbox's rows say what each record is; the sign-in request shows once and the header names who the
server knows; the zone page offline says what it knows and since when; the header stays one line.
"""

import re

import pytest
from playwright.sync_api import expect

from server.auth import services as users
from server.auth.models import User
from server.extensions import db
from tests.browser.conftest import PHONE, serious_violations, shot, sign_in
from tests.phone_photo import phone_photo_path

SCREEN = {**PHONE, "viewport": {"width": 360, "height": 780}}
# Until the lead merges pending/screens.po, the new words read in English in the Chinese app too.
SIGNED_OUT = re.compile(r"^(未登录|Not signed in)$")
TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d"
AS_OF = re.compile(rf"(以下是 {TIME} 时的未关闭隐患|open hazards as of {TIME})")
NOT_KEPT = re.compile(r"^(无信号：本机还没有这个责任区的隐患清单。"
                      r"|No signal: this phone has no list of this zone's open hazards yet\.)$")
WORDS = {
    "zh_CN": {"report": "上报隐患", "submit": "上报", "fire": "消防安全", "electric": "用电安全",
              "major": "较大", "general": "一般", "send_now": "立即发送", "no_hazard": "未发现隐患"},
    "en": {"report": "Report a hazard", "submit": "Report", "fire": "Fire safety",
           "electric": "Electrical safety", "major": "Major", "general": "General", "send_now": "Send now",
           "no_hazard": "No hazard found"},
}
# Cumulative layout shift of the page so far (the layout-shift entries not caused by the user's input).
CLS = """() => new Promise((resolve) => {
    let sum = 0;
    new PerformanceObserver((list) => {
        sum += list.getEntries().filter((e) => !e.hadRecentInput).reduce((total, e) => total + e.value, 0);
    }).observe({ type: "layout-shift", buffered: true });
    setTimeout(() => resolve(sum), 300);  // with no shift at all the observer is never called
})"""


@pytest.fixture
def screen(browser):
    """Return a new page in a fresh 360×780 phone context."""
    context = browser.new_context(**SCREEN)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def _speak(app, user, locale):
    with app.app_context():
        db.session.get(User, user.id).locale = locale
        db.session.commit()


def _end_session(app, user):
    with app.app_context():  # signed out elsewhere, or the session expired
        users.end_sessions(db.session.get(User, user.id))
        db.session.commit()


def _report(page, live, zone, words, category, severity, photos=1):
    """Report a hazard in `zone` through the form, in-app (the phone may be offline)."""
    page.goto(f"{live}/z/{zone.qr_token}")
    page.get_by_role("link", name=words["report"]).click()
    page.set_input_files("#photos", [str(phone_photo_path())] * photos)
    expect(page.locator(".thumbs img")).to_have_count(photos)
    page.locator("label.choice", has_text=words[category]).click()
    page.locator("label.choice", has_text=words[severity]).click()
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.locator("main .notice-ok")).to_be_visible()


def _open_outbox(page):
    page.locator("#outbox-link").click()
    expect(page.locator("#outbox-list")).to_be_attached()


READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")


def _ready_offline(page):
    """Lose the signal once the home screen says the phone is ready for it, as a patrol would wait to see."""
    expect(page.locator("#offline-ready")).to_have_text(READY)
    page.context.set_offline(True)


def _patrol_offline(app, live, screen, make_user, make_zone, locale, zone_name):
    """Sign a new patrol in, speaking `locale`; make a zone; lose the signal. Return the zone and words."""
    patrol = make_user(roles=("patrol",))
    _speak(app, patrol, locale)
    zone = make_zone(name=zone_name)
    sign_in(screen, live, patrol.username)
    _ready_offline(screen)
    return zone, WORDS[locale]


def _nowrap(locator) -> str:
    return locator.evaluate("(el) => getComputedStyle(el).whiteSpace")


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_CN", ["消防安全 · 较大", "用电安全 · 一般"]),
    ("en", ["Fire safety · Major", "Electrical safety · General"]),
])
def test_outbox_rows_tell_two_reports_in_one_zone_apart(app, live, screen, make_user, make_zone, locale,
                                                        expected):
    zone, words = _patrol_offline(app, live, screen, make_user, make_zone, locale, "锅炉房")
    _report(screen, live, zone, words, "fire", "major")
    _report(screen, live, zone, words, "electric", "general")
    _open_outbox(screen)

    rows = screen.locator(".outbox-item")
    expect(rows.locator(".outbox-what")).to_have_text(expected)
    for n in range(2):  # each row shows its own photo, and its time on one line
        thumb = rows.nth(n).locator("img.outbox-thumb")
        expect(thumb).to_be_visible()
        # Shown means decoded, never an empty box: read in one go, as a redraw (a retry round) may have put a
        # new row in its place, its photo still hidden while it decodes.
        assert thumb.evaluate("(img) => img.hidden || img.naturalWidth > 0")
        assert _nowrap(rows.nth(n).locator(".date")) == "nowrap"
    expect(screen.get_by_role("button", name=words["send_now"])).to_be_visible()  # something waits
    shot(screen, f"screens-outbox-waiting-{locale}")
    assert serious_violations(screen) == []

    screen.context.set_offline(False)
    expect(rows).to_have_count(0, timeout=20000)
    expect(screen.get_by_role("button", name=words["send_now"])).to_be_hidden()  # nothing waits
    assert screen.js_errors == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_outbox_retrying_and_needing_attention(app, live, screen, make_user, make_zone, locale):
    zone, words = _patrol_offline(app, live, screen, make_user, make_zone, locale, "配电室")
    _report(screen, live, zone, words, "fire", "major")
    # 503 until the user taps "send now", then 422. (The answer changed before the tap let the outbox's own
    # retry meet the 422 first, and take "send now" away before the tap: a click waiting out its 30 s.)
    tapped = []
    screen.route("**/api/v1/hazards", lambda route: route.fulfill(
        status=422 if tapped else 503, content_type="application/json",
        body='{"error": {"code": "invalid", "message": "The category is no longer in use."}}' if tapped
        else '{"error": {"code": "unavailable", "message": "busy"}}'))
    _open_outbox(screen)
    screen.context.set_offline(False)
    expect(screen.locator(".outbox-item .retry-note")).to_contain_text("503", timeout=20000)
    shot(screen, f"screens-outbox-retrying-{locale}")
    assert serious_violations(screen) == []

    screen.get_by_role("button", name=words["send_now"]).click()
    tapped.append(True)  # the tap starts the backoff afresh: its send, or the one 2 s after, meets the 422
    expect(screen.locator(".outbox-item.state-attention")).to_have_count(1, timeout=20000)
    # A refused record waits for the user, not for the network: nothing to "send now".
    expect(screen.get_by_role("button", name=words["send_now"])).to_be_hidden()
    shot(screen, f"screens-outbox-attention-{locale}")
    assert serious_violations(screen) == []


def test_an_ended_session_asks_to_sign_in_once_and_the_header_names_nobody(app, live, screen, make_user,
                                                                           make_zone):
    patrol = make_user(display_name="甲老师", roles=("patrol",))
    zone = make_zone()
    sign_in(screen, live, patrol.username)
    screen.goto(f"{live}/z/{zone.qr_token}")
    # The zone drawn before the signal goes: with its page's requests still on their way (goto returns at the
    # load event, before them), going offline could make it say "无法连接服务器", rightly, and show no button.
    no_hazard = screen.get_by_role("button", name="未发现隐患")
    expect(no_hazard).to_be_visible()
    screen.context.set_offline(True)
    no_hazard.click()
    expect(screen.locator("#outbox-link .count")).to_have_text("1")
    _end_session(app, patrol)
    _open_outbox(screen)
    expect(screen.locator(".who-name")).to_have_text("甲老师")
    screen.context.set_offline(False)  # the server answers "sign in"

    expect(screen.locator("#signin-banner")).to_be_visible(timeout=20000)
    expect(screen.get_by_text("请重新登录以发送等待中的记录。")).to_have_count(1)
    expect(screen.locator(".who-name")).to_have_text(SIGNED_OUT)
    expect(screen.locator(".appbar")).not_to_contain_text("甲老师")
    # The banner's button reads clearly: its text against its own background (WCAG AA, 4.5:1).
    assert serious_violations(screen) == []
    shot(screen, "screens-signed-out-zh_CN")


def test_zone_offline_shows_what_it_knows_and_its_hazards_open(app, live, screen, make_user, make_zone,
                                                               make_hazard):
    patrol = make_user(roles=("patrol",))
    known = make_zone(name="食堂后厨")
    never = make_zone(name="锅炉房")
    hazard = make_hazard(zone=known, description="灭火器压力不足")
    sign_in(screen, live, patrol.username)
    # Its worker keeps what the zone page reads from here on: the page opened offline below needs both.
    expect(screen.locator("#offline-ready")).to_have_text(READY)
    screen.goto(f"{live}/z/{known.qr_token}")
    item = screen.locator("#zone-hazards .hazard")
    expect(item).to_contain_text("灭火器压力不足")
    expect(screen.locator("#zone-hazards .as-of")).to_have_count(0)  # online: the list is now's
    shot(screen, "screens-zone-online-zh_CN")
    assert serious_violations(screen) == []
    item.get_by_role("link").click()
    expect(screen).to_have_url(f"{live}/app/hazards/{hazard.id}")
    expect(screen.locator("h1")).to_contain_text("校舍安全")

    screen.context.set_offline(True)
    screen.goto(f"{live}/z/{known.qr_token}")
    expect(screen.locator("#zone-hazards .as-of")).to_have_text(AS_OF)
    assert _nowrap(screen.locator("#zone-hazards .as-of .date")) == "nowrap"
    expect(item).to_contain_text("灭火器压力不足")
    expect(screen.locator("#zone-hazards .notice-error")).to_have_count(0)
    shot(screen, "screens-zone-offline-zh_CN")
    assert serious_violations(screen) == []

    screen.goto(f"{live}/z/{never.qr_token}")  # never opened: its label opens, its hazards are not known
    expect(screen.locator("#zone-hazards .as-of")).to_have_text(NOT_KEPT)
    expect(screen.locator("main .notice-error")).to_have_count(0)
    assert screen.js_errors == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_header_is_one_line_at_360_px_with_a_menu(app, live, screen, make_user, make_zone, locale):
    patrol = make_user(display_name="欧阳老师", roles=("patrol",))
    _speak(app, patrol, locale)
    zone = make_zone()
    sign_in(screen, live, patrol.username)
    _ready_offline(screen)  # the widest header: the "no signal" chip and a count
    screen.goto(f"{live}/z/{zone.qr_token}")
    screen.get_by_role("button", name=WORDS[locale]["no_hazard"]).click()
    expect(screen.locator("#signal")).not_to_be_empty()
    expect(screen.locator("#outbox-link .count")).to_have_text("1")

    bar = screen.locator(".appbar").bounding_box()
    assert bar["height"] <= 56, bar
    assert screen.evaluate("document.documentElement.scrollWidth") <= 360
    parts = (".appname", "#signal", "#outbox-link", ".menu")
    tops = [screen.locator(sel).bounding_box()["y"] for sel in parts]
    assert max(tops) - min(tops) < 12, tops
    summary = screen.locator("#user-menu summary")
    expect(summary).to_have_accessible_name(re.compile("欧阳老师"))
    expect(screen.locator(".menu-panel")).to_be_hidden()
    summary.click()
    for item in screen.locator(".menu-panel .menu-item").all():
        expect(item).to_be_visible()
        assert item.bounding_box()["height"] >= 44
    assert summary.bounding_box()["height"] >= 44
    shot(screen, f"screens-header-menu-{locale}")
    assert serious_violations(screen) == []
    screen.keyboard.press("Escape")
    expect(screen.locator(".menu-panel")).to_be_hidden()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_home_does_not_move_while_it_fills(app, live, screen, make_user, make_zone, make_hazard, locale):
    person = make_user(display_name="赵师傅", roles=("patrol", "rectifier"))
    _speak(app, person, locale)
    for n in range(3):
        make_zone(name=f"教学楼{n + 1}楼")
    make_hazard("assigned", rectifier=person, description="配电箱未上锁")
    sign_in(screen, live, person.username)
    expect(screen.locator("#round li")).to_have_count(3)
    expect(screen.locator("#my-tasks li")).to_have_count(1)
    screen.reload()  # opened again, as every morning: the shell from the phone, the data from the network
    # Filled, all of it (not a fixed 500 ms): the round, the tasks, the line that says it is ready offline.
    expect(screen.locator("#round li")).to_have_count(3)
    expect(screen.locator("#my-tasks li")).to_have_count(1)
    expect(screen.locator("#offline-ready")).to_have_text(READY)
    assert screen.evaluate(CLS) < 0.1
    shot(screen, f"screens-home-{locale}")
    assert serious_violations(screen) == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_zone_facts_labels_do_not_squeeze_the_values(app, live, screen, make_user, make_zone, locale):
    patrol = make_user(roles=("patrol",))
    _speak(app, patrol, locale)
    rectifier = make_user(display_name="欧阳建国", roles=("rectifier",), phone="13800001234")
    zone = make_zone(name="锅炉房", building="后勤楼", floor="地下一层", department="后勤维修组",
                     responsible=rectifier)
    sign_in(screen, live, patrol.username)
    screen.goto(f"{live}/z/{zone.qr_token}")
    expect(screen.locator("dl.facts dt")).to_have_count(5)
    card = screen.locator("dl.facts").bounding_box()["width"]
    for n in range(5):  # each value has most of the line; a long label wraps instead
        label = screen.locator("dl.facts dt").nth(n).bounding_box()
        value = screen.locator("dl.facts dd").nth(n).bounding_box()
        assert label["width"] <= 0.4 * card, n
        assert value["width"] >= 150, n  # with the label's longest word as its width, 110 px in English
    assert screen.evaluate("document.documentElement.scrollWidth") <= 360
    shot(screen, f"screens-zone-facts-{locale}")


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_CN", ["1 张照片", "2 张照片"]),
    ("en", ["1 photo", "2 photos"]),
])
def test_outbox_counts_photos_in_the_language_s_plural_forms(app, live, screen, make_user, make_zone, locale,
                                                             expected):
    zone, words = _patrol_offline(app, live, screen, make_user, make_zone, locale, "锅炉房")
    _report(screen, live, zone, words, "fire", "major")
    _report(screen, live, zone, words, "electric", "general", photos=2)
    _open_outbox(screen)
    expect(screen.locator(".outbox-item .nowrap")).to_have_text(expected)
