"""Categories: the list, editing names, period, active flag and checklist, and adding one."""

from sqlalchemy import func, select

from server.extensions import db
from server.hazards.models import Category


def _category(app, **where) -> Category:
    with app.app_context():
        category = db.session.scalar(select(Category).filter_by(**where))
        db.session.expunge(category)
        return category


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Category))


def test_list_shows_the_default_categories(login_as):
    page = login_as("admin").get("/admin/categories").get_data(as_text=True)
    for name in ("校舍安全", "饮食安全", "用电安全", "消防安全", "学生公寓安全", "体育场馆及器械安全",
                 "校园及周边安全", "特种设备安全", "其他", "Fire safety", "3 天"):
        assert name in page, name
    assert 'class="stack"' in page and 'data-label="默认整改期限"' in page


def test_edit_category(app, login_as):
    admin = login_as("admin")
    fire = _category(app, code="fire")
    page = admin.get(f"/admin/categories/{fire.id}").get_data(as_text=True)
    assert 'value="消防安全"' in page
    response = admin.post(f"/admin/categories/{fire.id}", data={
        "name": "消防安全（含燃气）", "name_en": "Fire and gas", "default_period_days": "2", "active": "y",
        "checklist": "灭火器在有效期内\n\n  疏散通道畅通  \n"})
    assert response.status_code == 302
    fire = _category(app, code="fire")
    assert (fire.name, fire.name_en, fire.default_period_days, fire.active) == (
        "消防安全（含燃气）", "Fire and gas", 2, True)
    assert fire.checklist == ["灭火器在有效期内", "疏散通道畅通"]
    page = admin.get("/admin/categories").get_data(as_text=True)
    assert "消防安全（含燃气）" in page and "2 项" in page


def test_deactivate_category_and_clear_its_period(app, login_as):
    admin = login_as("admin")
    other = _category(app, code="other")
    response = admin.post(f"/admin/categories/{other.id}", data={"name": "其他", "default_period_days": ""})
    assert response.status_code == 302
    other = _category(app, code="other")
    assert not other.active and other.default_period_days is None
    assert "已停用" in admin.get("/admin/categories").get_data(as_text=True)


def test_category_refusals_change_nothing(app, login_as):
    admin = login_as("admin")
    food = _category(app, code="food")
    for data, message in [({"name": "", "active": "y"}, 'aria-invalid="true"'),
                          ({"name": "饮食", "default_period_days": "0"}, "默认整改期限须在 1 到 365 天之间"),
                          ({"name": "饮食", "default_period_days": "abc"}, 'aria-invalid="true"')]:
        response = admin.post(f"/admin/categories/{food.id}", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert _category(app, code="food").name == "饮食安全"


def test_add_category_with_checklist(app, login_as):
    admin = login_as("admin")
    before = _count(app)
    response = admin.post("/admin/categories/new", data={
        "name": "实验室安全", "name_en": "Laboratory safety", "default_period_days": "5", "active": "y",
        "checklist": "危化品上锁\n通风正常"})
    assert response.status_code == 302
    lab = _category(app, name="实验室安全")
    assert lab.code == "laboratory-safety" and lab.default_period_days == 5 and lab.active
    assert lab.checklist == ["危化品上锁", "通风正常"]
    # Another with the same English name gets its own code; an explicit bad or taken code is refused.
    assert admin.post("/admin/categories/new", data={"name": "实验室二", "name_en": "Laboratory safety",
                                                     "active": "y"}).status_code == 302
    assert _category(app, name="实验室二").code == "laboratory-safety-2"
    response = admin.post("/admin/categories/new", data={"name": "某类", "code": "Fire", "active": "y"})
    assert response.status_code == 422 and "类别代码为空或已被使用" in response.get_data(as_text=True)
    response = admin.post("/admin/categories/new", data={"name": "某类", "code": "有 空格", "active": "y"})
    assert response.status_code == 422 and "类别代码须为" in response.get_data(as_text=True)
    assert _count(app) == before + 2
