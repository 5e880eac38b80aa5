"""Zones: list and filters, create and edit, deactivate and reactivate, re-issuing the QR token."""

import re

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.zones.models import Zone


def _zone(app, zone_id) -> Zone:
    with app.app_context():
        zone = db.session.get(Zone, zone_id)
        db.session.expunge(zone)
        return zone


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Zone))


def _form(**overrides):
    data = {"code": "JX-1F-E", "name": "教学楼一楼东走廊", "building": "教学楼", "floor": "1F",
            "department": "教务处", "responsible": "0", "frequency": "daily", "frequency_days": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_list_shows_zone_details_badge_and_label_url(login_as, make_user, make_zone):
    admin = login_as("admin")
    person = make_user(display_name="郑老师")
    key = make_zone(code="ST-GAS", name="食堂燃气间", building="食堂", floor="1F", department="食堂",
                    responsible=person, key_area=True, frequency="daily")
    make_zone(code="TY-FIELD", name="操场及跑道", building="操场", frequency="custom", frequency_days=3)
    page = admin.get("/admin/zones").get_data(as_text=True)
    for text in ("ST-GAS", "食堂燃气间", "食堂 · 1F", "郑老师", "重点区域", "每日", "每 3 天", "TY-FIELD",
                 f"https://school.example/z/{key.qr_token}", 'data-label="标签地址"'):
        assert text in page, text
    assert page.count('class="badge badge-key"') == 1


def test_list_filters_by_building_and_status(login_as, make_zone):
    admin = login_as("admin")
    make_zone(code="JX-1", name="教学楼一层", building="教学楼")
    make_zone(code="SS-1", name="宿舍一层", building="学生宿舍楼")
    closed = make_zone(code="SS-9", name="旧宿舍", building="学生宿舍楼")
    admin.post(f"/admin/zones/{closed.id}/active", data={"active": "0"}, follow_redirects=True)
    page = admin.get("/admin/zones?building=学生宿舍楼").get_data(as_text=True)
    assert "SS-1" in page and "JX-1" not in page and "SS-9" not in page
    assert '<option value="学生宿舍楼" selected>' in page
    inactive = admin.get("/admin/zones?status=inactive").get_data(as_text=True)
    assert "SS-9" in inactive and "SS-1" not in inactive
    everything = admin.get("/admin/zones?status=all").get_data(as_text=True)
    assert all(code in everything for code in ("JX-1", "SS-1", "SS-9"))
    assert "JX-1" in admin.get("/admin/zones?q=教学").get_data(as_text=True)


def test_the_list_comes_a_page_at_a_time_keeping_its_search(login_as, make_zone, monkeypatch):
    """A district's 500 zones made the list 362 kB: it is paged, and the pages keep the search and filters."""
    from html import unescape

    from server.zones import views

    monkeypatch.setattr(views, "ZONES_PAGE", 2)
    for n in range(5):
        make_zone(code=f"JX-{n}", name=f"教学楼{n}", building="教学楼")
    make_zone(code="SS-1", name="宿舍", building="宿舍楼")
    admin = login_as("admin")
    first = admin.get("/admin/zones?q=教学&building=教学楼").get_data(as_text=True)
    assert re.findall(r'data-label="编号">([^<]*)<', first) == ["JX-0", "JX-1"]
    assert "5 个责任区符合条件，显示第 1–2 个。" in first and "第 1 页，共 3 页" in first
    next_page = unescape(re.search(r'href="([^"]*)" rel="next"', first).group(1))
    assert next_page == "/admin/zones?q=%E6%95%99%E5%AD%A6&building=%E6%95%99%E5%AD%A6%E6%A5%BC&page=2"
    last = admin.get(next_page.replace("page=2", "page=3")).get_data(as_text=True)
    assert re.findall(r'data-label="编号">([^<]*)<', last) == ["JX-4"] and 'rel="next"' not in last
    assert "第 3 页，共 3 页" in last and "显示第 5–5 个" in last
    whole = admin.get("/admin/zones?q=宿舍").get_data(as_text=True)  # one page: no pager, as before
    assert "共 1 项" in whole and 'class="pager"' not in whole


def test_create_zone_with_responsible_person(app, login_as, make_user):
    admin = login_as("admin")
    person = make_user(display_name="张师傅", roles=("rectifier",))
    response = admin.post("/admin/zones/new", data=_form(responsible=str(person.id), key_area="y"))
    assert response.status_code == 302
    zone_id = int(response.headers["Location"].rsplit("/", 1)[1])
    zone = _zone(app, zone_id)
    assert (zone.code, zone.name, zone.building, zone.floor, zone.department) == (
        "JX-1F-E", "教学楼一楼东走廊", "教学楼", "1F", "教务处")
    assert zone.responsible_id == person.id and zone.key_area and zone.frequency == "daily"
    assert zone.active and len(zone.qr_token) == 10
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "已创建责任区 JX-1F-E" in page and f"https://school.example/z/{zone.qr_token}" in page


@pytest.mark.parametrize(("data", "status", "message"), [
    (_form(code="taken"), 409, "责任区编号 TAKEN 已被使用"),
    (_form(name=""), 422, 'aria-invalid="true"'),
    (_form(code="教学楼"), 422, "责任区编号须为"),
    (_form(frequency="custom"), 422, "自定义巡查频次需要填写 1 到 365 之间的天数"),
    (_form(frequency="custom", frequency_days="400"), 422, "自定义巡查频次需要填写"),
    (_form(responsible="999999"), 422, 'aria-invalid="true"'),
], ids=["taken", "no-name", "bad-code", "custom-without-days", "custom-400-days", "no-such-person"])
def test_zone_refusals_write_nothing(app, login_as, make_zone, data, status, message):
    admin = login_as("admin")
    make_zone(code="TAKEN")
    before = _count(app)
    response = admin.post("/admin/zones/new", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _count(app) == before


def test_edit_zone(app, login_as, make_user, make_zone):
    admin = login_as("admin")
    old, new = make_user(display_name="旧责任人"), make_user(display_name="新责任人")
    zone = make_zone(code="TY-HALL", responsible=old)
    page = admin.get(f"/admin/zones/{zone.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{old.id}">', page)
    response = admin.post(f"/admin/zones/{zone.id}", data=_form(
        code="ty-hall-2", name="体育馆主场地", responsible=str(new.id), frequency="custom",
        frequency_days="3"))
    assert response.status_code == 302
    changed = _zone(app, zone.id)
    assert (changed.code, changed.name, changed.responsible_id) == ("TY-HALL-2", "体育馆主场地", new.id)
    assert (changed.frequency, changed.frequency_days, changed.key_area) == ("custom", 3, False)
    assert changed.qr_token == zone.qr_token  # editing never changes the label


def test_responsible_person_is_chosen_from_active_users(app, login_as, make_user, make_zone):
    admin = login_as("admin")
    active, gone = make_user(display_name="在职者"), make_user(display_name="离职者")
    zone = make_zone(responsible=gone)
    admin.post(f"/admin/users/{gone.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "离职者" not in admin.get("/admin/zones/new").get_data(as_text=True)
    assert "在职者" in admin.get("/admin/zones/new").get_data(as_text=True)
    # The zone's current person is shown as disabled, and saving it with them is refused.
    page = admin.get(f"/admin/zones/{zone.id}").get_data(as_text=True)
    assert "离职者（已停用）" in page
    response = admin.post(f"/admin/zones/{zone.id}", data=_form(code=zone.code, responsible=str(gone.id)))
    assert response.status_code == 422 and "责任人的账号已停用" in response.get_data(as_text=True)
    response = admin.post(f"/admin/zones/{zone.id}", data=_form(code=zone.code, responsible=str(active.id)))
    assert response.status_code == 302 and _zone(app, zone.id).responsible_id == active.id


def test_deactivate_and_reactivate(app, login_as, make_zone):
    admin = login_as("admin")
    zone = make_zone()
    response = admin.post(f"/admin/zones/{zone.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "已停用" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert not _zone(app, zone.id).active
    scan = admin.get(f"/api/v1/zones/by-token/{zone.qr_token}")
    assert scan.status_code == 404 and "已停用" in scan.get_json()["error"]["message"]
    assert admin.post(f"/admin/zones/{zone.id}/active", data={"active": "1"}).status_code == 302
    assert admin.get(f"/api/v1/zones/by-token/{zone.qr_token}").status_code == 200


def test_reissue_token_asks_first_then_retires_the_old_label(app, login_as, make_zone):
    admin = login_as("admin")
    patrol = login_as("patrol")
    zone = make_zone()
    old = zone.qr_token
    confirm = admin.get(f"/admin/zones/{zone.id}/reissue")
    assert confirm.status_code == 200
    assert "立即失效" in confirm.get_data(as_text=True) and 'name="confirm" value="yes"' in confirm.get_data(
        as_text=True)
    assert _zone(app, zone.id).qr_token == old  # looking at the question changes nothing
    assert admin.post(f"/admin/zones/{zone.id}/reissue", data={}).status_code == 200
    assert _zone(app, zone.id).qr_token == old  # nor does a POST without the confirmation
    response = admin.post(f"/admin/zones/{zone.id}/reissue", data={"confirm": "yes"})
    assert response.status_code == 302
    new = _zone(app, zone.id).qr_token
    assert new != old
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"https://school.example/z/{new}" in page and f"/z/{old}" not in page
    gone = patrol.get(f"/api/v1/zones/by-token/{old}")
    assert gone.status_code == 404
    assert "已被更换" in gone.get_json()["error"]["message"]
    assert gone.get_json()["error"]["details"] == {"reason": "retired"}
    works = patrol.get(f"/api/v1/zones/by-token/{new}")
    assert works.status_code == 200 and works.get_json()["zone"]["id"] == zone.id


def test_unknown_zone_is_404(login_as):
    admin = login_as("admin")
    assert admin.get("/admin/zones/999999").status_code == 404
    assert admin.post("/admin/zones/999999/reissue", data={"confirm": "yes"}).status_code == 404
