"""Users: list, create, edit, disable and enable, reset password; an admin cannot lock themselves out."""

import re

import pytest
from sqlalchemy import func, select

from server.auth.models import User
from server.extensions import db
from tests.conftest import PASSWORD, AuthActions


def _user(app, username) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            user.roles  # noqa: B018  (load before the context ends)
            db.session.expunge(user)
        return user


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def _signed_in(app, username, password=PASSWORD):
    client = app.test_client()
    return client, AuthActions(client).login(username, password).status_code == 302


def test_list_shows_people_and_filters_by_role_and_text(login_as, make_user):
    admin = login_as("admin")
    make_user(username="zhangsan", display_name="张三", roles=("rectifier",), department="后勤维修组")
    make_user(username="lisi", display_name="李四", roles=("patrol",), department="安全办")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "张三" in page and "李四" in page and "后勤维修组" in page and "整改人" in page
    assert 'class="stack"' in page and 'data-label="姓名"' in page
    only_rectifiers = admin.get("/admin/users?role=rectifier").get_data(as_text=True)
    assert "张三" in only_rectifiers and "李四" not in only_rectifiers
    searched = admin.get("/admin/users?q=安全").get_data(as_text=True)
    assert "李四" in searched and "张三" not in searched


def test_create_user_who_can_then_sign_in(app, login_as):
    admin = login_as("admin")
    response = admin.post("/admin/users/new", data={
        "username": "WangLi", "display_name": "王丽", "department": "食堂", "phone": "13800138000",
        "roles": ["patrol", "rectifier"], "password": "first-pass-1"})
    assert response.status_code == 302
    assert "王丽" in admin.get(response.headers["Location"]).get_data(as_text=True)
    user = _user(app, "wangli")
    assert user.display_name == "王丽" and user.department == "食堂" and user.phone == "13800138000"
    assert user.roles == {"patrol", "rectifier"}
    assert _signed_in(app, "wangli", "first-pass-1")[1]


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"username": "Taken", "display_name": "某人", "roles": ["patrol"], "password": "long-enough-1"},
     409, "用户名 taken 已被使用"),
    ({"username": "short", "display_name": "某人", "roles": ["patrol"], "password": "short"},
     422, "密码至少需要 8 个字符"),
    ({"username": "noroles", "display_name": "某人", "password": "long-enough-1"},
     422, "请至少选择一个角色"),
    ({"username": "noname", "display_name": "", "roles": ["patrol"], "password": "long-enough-1"}, 422,
     'aria-invalid="true"'),
], ids=["taken", "short-password", "no-roles", "no-name"])
def test_create_user_refusals_write_nothing(app, login_as, make_user, data, status, message):
    admin = login_as("admin")
    make_user(username="taken")
    before = _count(app)
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _count(app) == before


def test_edit_user_details_and_roles(app, login_as, make_user):
    admin = login_as("admin")
    user = make_user(roles=("patrol",))
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert user.display_name in page
    assert re.search(r'<input checked[^>]*value="patrol"', page)
    assert not re.search(r'<input checked[^>]*value="admin"', page)
    response = admin.post(f"/admin/users/{user.id}", data={
        "display_name": "新名字", "department": "康复部", "phone": "0533-1234567", "roles": ["supervisor"]})
    assert response.status_code == 302
    changed = _user(app, user.username)
    assert (changed.display_name, changed.department, changed.phone) == ("新名字", "康复部", "0533-1234567")
    assert changed.roles == {"supervisor"}


def test_disable_ends_sessions_and_enable_lets_them_back(app, login_as):
    admin = login_as("admin")
    worker = login_as("patrol")
    assert worker.get("/api/v1/zones").status_code == 200
    response = admin.post(f"/admin/users/{worker.user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "已停用" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert worker.get("/api/v1/zones").status_code == 401
    assert not _signed_in(app, worker.user.username)[1]
    assert admin.post(f"/admin/users/{worker.user.id}/active", data={"active": "1"}).status_code == 302
    assert _signed_in(app, worker.user.username)[1]


def test_admin_cannot_disable_themselves(app, login_as):
    admin = login_as("admin")
    page = admin.get(f"/admin/users/{admin.user.id}").get_data(as_text=True)
    assert "不能停用自己的账号" in page  # no disable button, a note instead
    response = admin.post(f"/admin/users/{admin.user.id}/active", data={"active": "0"})
    assert response.status_code == 403
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    assert _user(app, admin.user.username).active
    assert admin.get("/admin/users").status_code == 200


def test_admin_cannot_remove_their_own_admin_role(app, login_as):
    admin = login_as("admin", "supervisor")
    response = admin.post(f"/admin/users/{admin.user.id}", data={
        "display_name": admin.user.display_name, "roles": ["supervisor"]})
    assert response.status_code == 403
    assert "不能取消自己的管理员角色" in response.get_data(as_text=True)
    assert _user(app, admin.user.username).roles == {"admin", "supervisor"}
    # Other changes to themselves are fine.
    response = admin.post(f"/admin/users/{admin.user.id}", data={
        "display_name": "管理员甲", "roles": ["admin", "supervisor", "patrol"]})
    assert response.status_code == 302
    assert _user(app, admin.user.username).roles == {"admin", "supervisor", "patrol"}


def test_admin_may_disable_another_admin(app, login_as):
    admin, other = login_as("admin"), login_as("admin")
    assert admin.post(f"/admin/users/{other.user.id}/active", data={"active": "0"}).status_code == 302
    assert other.get("/admin/users").status_code == 302


def test_reset_password_ends_their_sessions(app, login_as):
    admin = login_as("admin")
    worker = login_as("rectifier")
    response = admin.post(f"/admin/users/{worker.user.id}/password", data={"password": "brand-new-pass"})
    assert response.status_code == 302
    assert "已在所有设备上退出登录" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert worker.get("/api/v1/zones").status_code == 401
    assert not _signed_in(app, worker.user.username)[1]
    assert _signed_in(app, worker.user.username, "brand-new-pass")[1]


def test_reset_password_refuses_a_short_one(app, login_as):
    admin = login_as("admin")
    worker = login_as("rectifier")
    response = admin.post(f"/admin/users/{worker.user.id}/password", data={"password": "short"})
    assert response.status_code == 422
    assert "密码至少需要 8 个字符" in response.get_data(as_text=True)
    assert worker.get("/api/v1/zones").status_code == 200
    assert _signed_in(app, worker.user.username)[1]


def test_admin_resetting_own_password_stays_signed_in_here(app, login_as):
    admin = login_as("admin")
    other_device = app.test_client()
    AuthActions(other_device).login(admin.user.username)
    response = admin.post(f"/admin/users/{admin.user.id}/password", data={"password": "my-new-pass-1"})
    assert response.status_code == 302
    assert admin.get("/admin/users").status_code == 200
    assert other_device.get("/admin/users").status_code == 302


def test_unknown_user_is_404(login_as):
    admin = login_as("admin")
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.post("/admin/users/999999/active", data={"active": "0"}).status_code == 404
