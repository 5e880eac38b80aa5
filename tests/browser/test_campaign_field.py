"""Special inspections on the phone: a zone's checklist answered offline, sent once, a hazard per failed item.

Each test does what a person's first visit does: a fresh profile, one sign-in, no reload or warm-up first;
the real server answers (its fault injection only drops or fails an answer on the way).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from server import schooltime
from server.auth.models import User
from server.campaigns import services as campaigns
from server.campaigns.models import Campaign, CampaignAnswer, ItemResult
from server.extensions import db
from server.hazards.models import Category, Hazard
from server.patrols.models import PatrolVisit
from tests.browser.conftest import serious_violations, shot, sign_in
from tests.phone_photo import phone_photo_path

# Until the lead merges pending/campaign-field.po, the new words read in English in the Chinese app too.
READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")
KEPT = "已保存在本机，有网络时会自动发送。"
SCREEN = {"width": 360, "height": 780}
# The paths of everything the service worker keeps.
KEPT_FILES = """async () => (await Promise.all((await caches.keys()).map(async (n) =>
    (await caches.open(n)).keys()))).flat().map((r) => new URL(r.url).pathname)"""
# The checklist of the tests' campaign: (group, text, category code or None, standard, remedy).
ITEMS = [
    ("消防", "灭火器压力正常、在有效期内", "fire", "压力表指针在绿区，在有效期内。", "更换或送检灭火器。"),
    ("消防", "疏散通道畅通、无堆放", "fire", "通道宽度不少于 1.1 米，无杂物。", "立即清理堆放物。"),
    ("用电", "无私拉乱接电线", None, "插座、线路规范，无裸露线头。", "断电后由电工整改。"),
]


def _words(zh: str, *en: str):
    """Match the Chinese text, or the English until the fragment is merged (a count's "other" form there)."""
    return re.compile(f"^({'|'.join(re.escape(text) for text in (zh, *en))})$")


def _campaign(app, zones, *, title="国庆节前安全专项检查", start_in_days=0):
    """Make a campaign over `zones` with the ITEMS checklist (English texts too); return (id, item ids)."""
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "campaign-boss"))
        if boss is None:
            from server.auth import services as users

            boss = users.create_user("campaign-boss", "督查", "x" * 12, roles=("supervisor",))
        fire = db.session.scalar(select(Category.id).where(Category.code == "fire"))
        lines = [campaigns.TemplateLine(group=group, text=text, standard=standard, remedy=remedy,
                                        category_id=fire if code == "fire" else None,
                                        group_en={"消防": "Fire", "用电": "Electricity"}[group],
                                        text_en=f"Item {n}: {text}", standard_en=f"Standard {n}",
                                        remedy_en=f"Remedy {n}")
                 for n, (group, text, code, standard, remedy) in enumerate(ITEMS, 1)]
        template = campaigns.save_template(boss, None, name="测试检查表", name_en="Test checklist",
                                           lines=lines)
        today = schooltime.today()
        campaign = campaigns.create_campaign(boss, campaigns.NewCampaign(
            title=title, starts_on=today + timedelta(days=start_in_days),
            ends_on=today + timedelta(days=start_in_days + 3), zone_ids=[z.id for z in zones],
            template_id=template.id))
        db.session.commit()
        return campaign.id, [item.id for item in campaign.items]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _speaks_english(app, user):
    with app.app_context():
        db.session.get(User, user.id).locale = "en"
        db.session.commit()


def _open_checklist(page, live, zone, title="国庆节前安全专项检查"):
    """Open the zone's label URL (as a phone's camera app does) and its special inspection's checklist."""
    page.goto(f"{live}/z/{zone.qr_token}")
    expect(page.locator("h1")).to_have_text(zone.name)
    page.locator(".campaign-button", has_text=title).click()
    expect(page.locator("h1")).to_have_text(title)


def _answer(page, item_id, result):
    page.locator(f"#item-{item_id} label.choice:has(input[value={result}])").click()


def _fail_with_photo(page, item_id, note=""):
    _answer(page, item_id, "fail")
    page.set_input_files(f"#item-{item_id}-photos", str(phone_photo_path()))
    expect(page.locator(f"#item-{item_id} .thumbs img")).to_have_count(1)
    if note:
        page.fill(f"#item-{item_id}-note", note)


def _submit(page):
    page.locator("#checklist-form button[type=submit]").click()


def test_a_checklist_answered_offline_is_sent_once_and_opens_one_hazard_for_its_failed_item(
        app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    basement = make_zone(name="配电房")
    campaign_id, (extinguisher, exits, wiring) = _campaign(app, [basement, make_zone()])
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)

    phone.context.set_offline(True)  # straight into the basement: the checklist was kept when the app opened
    _open_checklist(phone, live, basement)
    _fail_with_photo(phone, extinguisher, note="压力表指针在红区")
    _answer(phone, exits, "pass")
    _answer(phone, wiring, "na")
    expect(phone.locator("#hazards-to-open")).to_have_text(
        _words("不合格项将生成 1 条隐患。", "1 hazards will be opened for the failed items."))
    _submit(phone)
    expect(phone.locator("main > .notice-ok")).to_contain_text(KEPT)
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    expect(phone.locator(".campaign-done")).to_have_text("已记录，等待发送")
    assert (_count(app, CampaignAnswer), _count(app, Hazard)) == (0, 0)

    phone.context.set_offline(False)  # the `online` event sends it
    expect(phone.locator("#outbox-link .count")).to_have_count(0)
    with app.app_context():
        answer = db.session.scalars(select(CampaignAnswer)).one()
        hazard = db.session.scalars(select(Hazard)).one()
        failed = db.session.scalars(select(ItemResult).where(ItemResult.hazard_id.is_not(None))).one()
        fire = db.session.scalar(select(Category.id).where(Category.code == "fire"))
        assert (answer.campaign_id, answer.zone_id, answer.on_site) == (campaign_id, basement.id, True)
        assert (failed.item_id, failed.hazard_id) == (extinguisher, hazard.id)
        assert failed.note == "压力表指针在红区"
        assert (hazard.state, hazard.zone_id, hazard.category_id) == ("reported", basement.id, fire)
        assert "灭火器压力正常、在有效期内" in hazard.description and "压力表指针在红区" in hazard.description
        assert len(hazard.photos) == 1
    assert _count(app, PatrolVisit) == 1
    assert phone.js_errors == []


def test_a_resent_checklist_whose_answer_was_lost_creates_nothing(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="锅炉房")
    _campaign_id, (extinguisher, exits, wiring) = _campaign(app, [zone])
    sign_in(phone, live, patrol.username)
    dropped = {"done": False}

    def commit_then_drop(route):
        if not dropped["done"]:
            dropped["done"] = True
            route.fetch()  # the server commits the answer and its hazards…
            return route.abort("connectionreset")  # …and its acknowledgement never reaches the phone
        return route.continue_()

    phone.route("**/api/v1/campaigns/*/answers", commit_then_drop)
    _open_checklist(phone, live, zone)
    _fail_with_photo(phone, extinguisher)
    _fail_with_photo(phone, exits, note="楼梯口堆放纸箱")
    _answer(phone, wiring, "pass")
    _submit(phone)
    expect(phone.locator("main > .notice-ok")).to_contain_text(KEPT)
    expect(phone.locator("#outbox-link .count")).to_have_count(0)  # resent after its backoff, acknowledged
    assert dropped["done"]
    assert (_count(app, CampaignAnswer), _count(app, Hazard), _count(app, PatrolVisit)) == (1, 2, 1)


def test_the_checklist_is_refused_until_every_item_is_answered_and_each_failure_has_a_photo(
        app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="学生宿舍一楼")
    _campaign_id, (extinguisher, exits, wiring) = _campaign(app, [zone])
    sign_in(phone, live, patrol.username)
    _open_checklist(phone, live, zone)
    need_answer = _words("请选择合格、不合格或不适用。", "Choose pass, fail or not applicable.")

    _submit(phone)
    for item in (extinguisher, exits, wiring):
        expect(phone.locator(f"#item-{item}-error")).to_have_text(need_answer)
    expect(phone.locator("#form-error")).to_have_text(_words(
        "有 3 项未完成，请看项目旁的提示。", "3 items are not ready: see the message next to each."))
    expect(phone.locator(f"#item-{extinguisher} input[value=pass]")).to_be_focused()

    _answer(phone, extinguisher, "fail")  # the remedy shows, and a photo is asked for
    expect(phone.locator(f"#item-{extinguisher} .remedy")).to_contain_text("更换或送检灭火器。")
    _answer(phone, exits, "pass")
    _answer(phone, wiring, "na")
    _submit(phone)
    expect(phone.locator(f"#item-{extinguisher}-error")).to_have_text(_words("请至少拍一张照片。",
                                                                            "Take at least one photo."))
    expect(phone.locator(f"#item-{extinguisher}-photos")).to_be_focused()  # the photo it needs
    for item in (exits, wiring):
        expect(phone.locator(f"#item-{item}-error")).to_be_hidden()
    expect(phone.locator("#form-error")).to_have_text(_words(
        "有 1 项未完成，请看项目旁的提示。", "1 item is not ready: see the message next to it."))
    expect(phone.locator("#outbox-link .count")).to_have_count(0)
    assert _count(app, CampaignAnswer) == 0

    phone.set_input_files(f"#item-{extinguisher}-photos", str(phone_photo_path()))
    expect(phone.locator(f"#item-{extinguisher}-error")).to_be_hidden()  # put right: the message goes
    _submit(phone)
    expect(phone.locator("main > .notice-ok")).to_have_text(_words(
        "检查结果已记录。不合格项将生成 1 条隐患。",
        "The checklist is recorded.1 hazards will be opened for the failed items."))
    assert (_count(app, CampaignAnswer), _count(app, Hazard)) == (1, 1)
    # Answered here now: a later round is still offered, and the page says this one is done.
    expect(phone.locator(".campaign-done")).to_have_text(_words(
        "本区域已有人完成此项检查，可以再查一轮。",
        "Already answered in this zone: another round is welcome."))
    expect(phone.locator(".campaign-button")).to_be_visible()
    assert serious_violations(phone) == []
    shot(phone, "zone-campaign-answered-phone")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_checklist_reads_well_on_a_phone_and_to_a_screen_reader(app, live, phone, make_user, make_zone,
                                                                   language):
    patrol = make_user(roles=("patrol",))
    if language == "en":
        _speaks_english(app, patrol)
    zone = make_zone(name="教学楼一楼东走廊")
    _campaign_id, (extinguisher, exits, _wiring) = _campaign(app, [zone])
    phone.set_viewport_size(SCREEN)
    sign_in(phone, live, patrol.username)
    _open_checklist(phone, live, zone)
    group = {"zh": "消防", "en": "Fire"}[language]
    expect(phone.locator(".check-group h2").first).to_have_text(group)
    item = phone.locator(f"fieldset#item-{exits}")
    expect(item.locator("legend")).to_have_text({"zh": ITEMS[1][1], "en": f"Item 2: {ITEMS[1][1]}"}[language])
    _fail_with_photo(phone, extinguisher, note="Gauge in the red")
    # Every choice is a labelled radio, at least 44 px each way.
    radios = item.get_by_role("radio")
    expect(radios).to_have_count(3)
    names = {"zh": ["合格", "不合格", "不适用"], "en": ["Pass", "Fail", "Not applicable"]}[language]
    for n, name in enumerate(names):
        label = phone.locator(f"#item-{exits} label.choice").nth(n)
        box = label.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (name, box)
        if language == "en":
            expect(radios.nth(n)).to_have_accessible_name(name)
    assert phone.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    assert serious_violations(phone) == []
    shot(phone, f"checklist-phone-{language}")
    assert phone.js_errors == []


def test_the_checklist_is_not_fetched_when_no_campaign_is_active(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    _campaign(app, [zone], title="下周的检查", start_in_days=7)  # not active yet
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    phone.goto(f"{live}/z/{zone.qr_token}")
    expect(phone.locator("h1")).to_have_text(zone.name)
    expect(phone.locator("#zone-hazards .muted, #zone-hazards .hazards")).to_have_count(1)
    expect(phone.locator(".campaign-button")).to_have_count(0)
    fetched = phone.evaluate("""async () => [
        ...performance.getEntriesByType('resource').map((e) => e.name),
        ...(await Promise.all((await caches.keys()).map(async (n) => (await caches.open(n)).keys())))
            .flat().map((r) => r.url)]""")
    assert [url for url in fetched if "checklist" in url] == []


def test_during_a_campaign_the_checklist_is_kept_for_offline_use_at_once(app, live, phone, make_user,
                                                                         make_zone):
    patrol = make_user(roles=("patrol",))
    _campaign(app, [make_zone()])
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    assert "/pwa/js/screens/checklist.js" in phone.evaluate(KEPT_FILES)


def test_a_new_phone_opening_a_label_can_answer_the_checklist_offline_right_after(app, live, phone, make_user,
                                                                                   make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="地下车库")
    _campaign_id, items = _campaign(app, [zone])
    phone.goto(f"{live}/z/{zone.qr_token}")  # the phone's camera app opens the label: sign in, then the zone
    sign_in(phone, live, patrol.username)
    expect(phone.locator(".campaign-button")).to_be_visible()
    phone.wait_for_selector("html[data-offline=ready]", state="attached")  # no reload, no other screen
    assert "/pwa/js/screens/checklist.js" in phone.evaluate(KEPT_FILES)  # for the next opening too
    phone.context.set_offline(True)
    phone.locator(".campaign-button").click()
    expect(phone.locator("h1")).to_have_text("国庆节前安全专项检查")
    for item in items:
        _answer(phone, item, "pass")
    _submit(phone)
    expect(phone.locator("main > .notice-ok")).to_contain_text(KEPT)
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_count(0)
    assert (_count(app, CampaignAnswer), _count(app, Hazard)) == (1, 0)


def test_a_checklist_refused_by_the_server_waits_for_the_patrol_and_can_only_be_discarded(
        app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="食堂操作间")
    campaign_id, items = _campaign(app, [zone])
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    phone.context.set_offline(True)
    _open_checklist(phone, live, zone)
    for item in items:
        _answer(phone, item, "pass")
    expect(phone.locator("#hazards-to-open")).to_have_text(
        _words("没有不合格项，不会生成隐患。", "No item failed: no hazard will be opened."))
    _submit(phone)
    expect(phone.locator("main > .notice-ok")).to_contain_text(KEPT)
    with app.app_context():  # meanwhile the office calls the inspection off
        boss = db.session.scalar(select(User).where(User.username == "campaign-boss"))
        campaigns.cancel_campaign(boss, db.session.get(Campaign, campaign_id))
        db.session.commit()

    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count-attention")).to_have_text("1")
    phone.goto(f"{live}/app/outbox")
    item = phone.locator(".outbox-item")
    expect(item.locator(".notice-error")).to_contain_text(
        re.compile("cancelled|取消"))  # the server's 409 says why, in words
    # Nothing in a checklist to correct by hand: sent again or discarded, never "edited" into something else.
    expect(item.get_by_role("button")).to_have_count(2)
    phone.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="丢弃").click()
    expect(phone.locator(".outbox-item")).to_have_count(0)
    assert (_count(app, CampaignAnswer), _count(app, Hazard)) == (0, 0)
