"""Bulk import of zones and users: every row or none, with each bad row named by its number and column."""

import io
import os
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from server.admin import imports
from server.auth.models import User
from server.errors import BadUpload, TooLarge, ValidationFailed
from server.extensions import db
from server.zones.models import Zone
from tests.conftest import AuthActions

ZONE_HEADER = "编号,名称,楼宇,楼层,部门,责任人,重点区域,巡查频次"


def _csv(*lines, encoding="utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, kind, data: bytes, filename):
    return client.post(f"/admin/import/{kind}", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _row_errors(page: str) -> list[tuple[int, str, str]]:
    """Return (row, column, problem) from the error table of the import page."""
    cells = r'<td data-label="[^"]*">([^<]*)</td>'
    return [(int(r), c, p) for r, c, p in re.findall(rf"<tr>{cells}{cells}{cells}</tr>", page)]


@pytest.fixture
def admin(login_as, make_user):
    """Return an admin client; the school has 张师傅 (zhang) and 郑老师 (zheng) as rectifiers."""
    make_user(username="zhang", display_name="张师傅", roles=("rectifier",))
    make_user(username="zheng", display_name="郑老师", roles=("rectifier",))
    return login_as("admin")


# The parser on its own: no database, no HTTP.


def test_parse_gbk_csv_with_chinese_headers():
    data = _csv(ZONE_HEADER,
                "jx-1f-e,教学楼一楼东走廊,教学楼,1F,教务处,郑老师,是,每日",
                "TY-FIELD,操场及跑道,操场,,体育组,zhang,否,3天",
                "",
                "SS-1F,学生宿舍一楼,宿舍楼,1F,学生处,,1,每周",
                encoding="gbk")
    parsed = imports.parse_file(data, "责任区.csv", "zones", 100)
    assert parsed.errors == []
    assert [r.number for r in parsed.rows] == [2, 3, 5]  # the blank line keeps its number, as in Excel
    first, second, third = (r.values for r in parsed.rows)
    assert first["code"] == "jx-1f-e" and first["responsible"] == "郑老师" and first["key_area"] is True
    assert first["frequency"] == ("daily", None) and second["frequency"] == ("custom", 3)
    assert second["key_area"] is False and third["key_area"] is True
    assert third["frequency"] == ("weekly", None)


def test_parse_english_headers_in_any_order_a_title_row_and_extra_columns():
    data = _csv("责任区导入表,,,", "Frequency,Notes,Code,Name,Key Area", "7,随便写,A-1,一号区,yes",
                "every 14 days,,A-2,二号区,No")
    parsed = imports.parse_file(data, "zones.csv", "zones", 100)
    assert parsed.errors == [] and [r.number for r in parsed.rows] == [3, 4]
    assert parsed.rows[0].values["frequency"] == ("weekly", None)
    assert parsed.rows[1].values["frequency"] == ("custom", 14)
    assert parsed.header("code") == "Code"


def test_parse_reports_bad_cells_with_row_and_column():
    data = _csv(ZONE_HEADER, "A-1,一号区,,,,,也许,每日", "a-1,重复的,,,,,否,每月两次", "B-1,,,,,,,")
    parsed = imports.parse_file(data, "zones.csv", "zones", 100)
    found = [(e.row, e.column, str(e.message)) for e in parsed.errors]
    assert found == [
        (2, "重点区域", "Write 是 or 否 (yes or no), not “也许”."),
        (3, "编号", "“a-1” is also on row 2 of this file."),
        (3, "巡查频次", "Write 每日, 每周 or a number of days, not “每月两次”."),
    ]


def test_parse_users_roles_in_chinese_and_english():
    data = _csv("用户名,姓名,部门,电话,角色,初始密码",
                "wangli,王丽,食堂,13800138000,巡查员、整改人,pass-word-1",
                "boss,赵主任,后勤处,,后勤/安全办;admin,pass-word-2",
                "x,某人,,,清洁工,pass-word-3")
    parsed = imports.parse_file(data, "users.csv", "users", 100)
    assert parsed.rows[0].values["roles"] == ["patrol", "rectifier"]
    assert parsed.rows[1].values["roles"] == ["admin", "supervisor"]
    assert [(e.row, e.column) for e in parsed.errors] == [(4, "角色")]


def test_parse_xlsx_with_numbers_in_cells():
    data = _xlsx([["用户名", "姓名", "电话", "角色", "初始密码"],
                  ["li", "李老师", 13800138000, "巡查员", 12345678]])
    parsed = imports.parse_file(data, "users.xlsx", "users", 100)
    assert parsed.rows[0].values["phone"] == "13800138000" and parsed.rows[0].values["password"] == "12345678"


@pytest.mark.parametrize(("data", "filename", "error"), [
    (b"", "zones.csv", BadUpload),
    (b"\xef\xbb\xbf\r\n", "zones.csv", BadUpload),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "zones.xlsx", BadUpload),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "zones.csv", BadUpload),
    (os.urandom(4096), "zones.csv", BadUpload),
    (b"PK\x03\x04" + os.urandom(400), "zones.xlsx", BadUpload),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "zones.xls", BadUpload),
    (_csv(ZONE_HEADER), "zones.csv", BadUpload),
    (_csv("名称,楼宇", "一号区,教学楼"), "zones.csv", ValidationFailed),
    (_csv("编号,code,名称", "A,B,C"), "zones.csv", ValidationFailed),
    (_csv("编号,名称", "A,一", "B,二", "C,三", "D,四"), "zones.csv", TooLarge),
    (_csv("编号,名称", "A,一"), "zones.pdf", BadUpload),
])
def test_parse_refuses_files_it_cannot_use(app, data, filename, error):
    with app.test_request_context(), pytest.raises(error) as raised:
        imports.parse_file(data, filename, "zones", 3)
    assert str(raised.value.message)


def test_parse_refuses_a_workbook_that_unpacks_too_large(app, monkeypatch):
    monkeypatch.setattr(imports, "_MAX_XLSX_UNPACKED", 1000)
    data = _xlsx([["编号", "名称"], ["A-1", "一号区"]])
    with app.test_request_context(), pytest.raises(TooLarge):
        imports.parse_file(data, "zones.xlsx", "zones", 100)


@pytest.mark.parametrize("english", [False, True], ids=["chinese", "english"])
@pytest.mark.parametrize("kind", ["zones", "users"])
def test_templates_are_read_back_by_the_parser(app, kind, english):
    with app.test_request_context():
        header = imports.template_rows(kind, english)
        assert imports.template_csv(kind, english).startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
        sheet = load_workbook(io.BytesIO(imports.template_xlsx(kind, english))).worksheets[0]
        assert [c.value for c in sheet[1]] == header


@pytest.mark.parametrize("name", ["t.csv", "t.xlsx"])
@pytest.mark.parametrize("english", [False, True], ids=["chinese", "english"])
@pytest.mark.parametrize("kind", ["zones", "users"])
def test_a_header_only_template_is_refused_as_having_no_rows(app, kind, english, name):
    # No rows, rather than missing columns: the template's header is what the parser wants.
    with app.test_request_context():
        make = imports.template_csv if name.endswith(".csv") else imports.template_xlsx
        with pytest.raises(BadUpload) as raised:
            imports.parse_file(make(kind, english), name, kind, 10)
    assert raised.value.details == {"file": "no_rows"}


# Through the page.


def test_import_gbk_csv_creates_every_zone(app, admin):
    before = _count(app, Zone)
    data = _csv(ZONE_HEADER, "JX-1F-E,教学楼一楼东走廊,教学楼,1F,教务处,郑老师,是,每日",
                "TY-FIELD,操场及跑道,操场,,体育组,zhang,否,3", "ST-GAS,食堂燃气间,食堂,1F,食堂,,是,每周",
                encoding="gbk")
    response = _upload(admin, "zones", data, "责任区.csv")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/zones"
    assert "已从 责任区.csv 导入 3 个责任区" in admin.get("/admin/zones").get_data(as_text=True)
    assert _count(app, Zone) == before + 3
    with app.app_context():
        zone = db.session.scalar(select(Zone).where(Zone.code == "JX-1F-E"))
        assert (zone.name, zone.building, zone.floor, zone.department) == (
            "教学楼一楼东走廊", "教学楼", "1F", "教务处")
        assert zone.responsible.username == "zheng" and zone.key_area and zone.frequency == "daily"
        field = db.session.scalar(select(Zone).where(Zone.code == "TY-FIELD"))
        assert field.responsible.username == "zhang"
        assert (field.frequency, field.frequency_days) == ("custom", 3)
        assert len({z.qr_token for z in db.session.scalars(select(Zone))}) == before + 3


def test_import_utf8_bom_csv_creates_users_who_can_sign_in(app, admin):
    before = _count(app, User)
    data = _csv("用户名,姓名,部门,电话,角色,初始密码",
                "WangLi,王丽,食堂,13800138000,巡查员、整改人,first-pass-1",
                "sunli,孙丽,安全办,,后勤安全办,first-pass-2")
    response = _upload(admin, "users", data, "用户.csv")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert _count(app, User) == before + 2
    with app.app_context():
        wang = db.session.scalar(select(User).where(User.username == "wangli"))
        assert wang.roles == {"patrol", "rectifier"} and wang.phone == "13800138000"
    assert AuthActions(app.test_client()).login("wangli", "first-pass-1").status_code == 302


def test_import_xlsx_creates_every_zone(app, admin):
    before = _count(app, Zone)
    data = _xlsx([["code", "name", "building", "floor", "responsible", "key_area", "frequency"],
                  ["GL-BOILER", "锅炉房", "锅炉房", "B1", "张师傅", "yes", "daily"],
                  [None, None, None, None, None, None, None],
                  ["PD-ROOM", "配电室", "综合楼", "B1", "zheng", 1, 7]])
    response = _upload(admin, "zones", data, "zones.xlsx")
    assert response.status_code == 302
    assert _count(app, Zone) == before + 2
    with app.app_context():
        room = db.session.scalar(select(Zone).where(Zone.code == "PD-ROOM"))
        assert room.key_area and room.frequency == "weekly" and room.responsible.username == "zheng"


def test_bad_rows_import_nothing_and_are_each_named(app, admin, make_zone):
    make_zone(code="XM-GATE")
    before = _count(app, Zone)
    data = _csv(ZONE_HEADER,
                "A-1,一号区,,,,,否,每日",             # row 2: fine, but it must not be written either
                "A-1,重复区,,,,,否,每日",             # row 3: the same code as row 2
                "xm-gate,门卫室,,,,,否,每日",          # row 4: the code is in the database already
                "A-4,四号区,,,,王五,否,每日",          # row 5: no such person
                "A-5,,,,,,否,每日",                   # row 6: no name
                "A-6,六号区,,,,,否,每月两次",          # row 7: a frequency we do not understand
                encoding="gbk")
    response = _upload(admin, "zones", data, "zones.csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "zones.csv 未导入任何数据：共 5 处问题" in page
    errors = _row_errors(page)
    assert [(row, column) for row, column, _ in errors] == [
        (3, "编号"), (4, "编号"), (5, "责任人"), (6, "名称"), (7, "巡查频次")]
    problems = dict(((row, column), problem) for row, column, problem in errors)
    assert "与本文件第 2 行重复" in problems[(3, "编号")]
    assert "XM-GATE 已被使用" in problems[(4, "编号")]
    assert "王五" in problems[(5, "责任人")]
    assert "请填写责任区名称" in problems[(6, "名称")]
    assert "每月两次" in problems[(7, "巡查频次")]
    assert _count(app, Zone) == before


@pytest.mark.parametrize(("line", "column", "message"), [
    ("ok-1,同编号,,,,,否,每日", "编号", "“ok-1”与本文件第 2 行重复"),
    ("B-1,一号区,,,,查无此人,否,每日", "责任人", "没有用户名或姓名为“查无此人”的用户"),
    ("C-1,,,,,,否,每日", "名称", "请填写责任区名称"),
    ("D-1,一号区,,,,,否,0", "巡查频次", "1 到 365"),
    ("E-1,一号区,,,,,不知道,每日", "重点区域", "不知道"),
])
def test_each_kind_of_bad_row_imports_nothing(app, admin, line, column, message):
    before = _count(app, Zone)
    response = _upload(admin, "zones", _csv(ZONE_HEADER, "OK-1,好的一行,,,,,否,每日", line), "zones.csv")
    assert response.status_code == 422
    errors = _row_errors(response.get_data(as_text=True))
    assert [(row, col) for row, col, _ in errors] == [(3, column)]
    assert message in errors[0][2]
    assert _count(app, Zone) == before


def test_disabled_or_ambiguous_responsible_person_is_reported(app, admin, make_user):
    make_user(username="wang1", display_name="王老师")
    make_user(username="wang2", display_name="王老师")
    gone = make_user(username="gone", display_name="离职者")
    admin.post(f"/admin/users/{gone.id}/active", data={"active": "0"}, follow_redirects=True)
    data = _csv(ZONE_HEADER, "A-1,一号区,,,,王老师,否,每日", "A-2,二号区,,,,离职者,否,每日",
                "A-3,三号区,,,,wang2,否,每日")
    response = _upload(admin, "zones", data, "zones.csv")
    assert response.status_code == 422
    errors = _row_errors(response.get_data(as_text=True))
    assert [(r, c) for r, c, _ in errors] == [(2, "责任人"), (3, "责任人")]
    assert "请改填用户名" in errors[0][2] and "已停用" in errors[1][2]


def test_bad_user_rows_import_nothing(app, admin):
    before = _count(app, User)
    data = _csv("username,name,roles,password",
                "ok1,好人,patrol,long-enough-1",
                "zhang,重名,patrol,long-enough-1",  # taken in the database
                "short,短密码,patrol,short",
                "norole,没角色,,long-enough-1",
                "OK1,重复,patrol,long-enough-1")  # the same username as row 2
    response = _upload(admin, "users", data, "users.csv")
    assert response.status_code == 422
    errors = _row_errors(response.get_data(as_text=True))
    assert [(r, c) for r, c, _ in errors] == [(3, "username"), (4, "password"), (5, "roles"), (6, "username")]
    assert "已被使用" in errors[0][2] and "至少需要 8 个字符" in errors[1][2]
    assert _count(app, User) == before


@pytest.mark.parametrize(("data", "filename", "status", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "zones.xlsx", 400, "不是有效的 .xlsx 工作簿"),
    (os.urandom(2048), "zones.csv", 400, "该文件不是表格"),
    (b"", "zones.csv", 400, "文件是空的"),
    (_csv(ZONE_HEADER), "zones.csv", 400, "没有数据行"),
    (_csv("名称,楼宇", "一号区,教学楼"), "zones.csv", 422, "缺少以下列：编号"),
])
def test_unusable_files_import_nothing(app, admin, data, filename, status, message):
    before = _count(app, Zone)
    response = _upload(admin, "zones", data, filename)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _count(app, Zone) == before


def test_too_many_rows_imports_nothing(app, admin):
    app.config["IMPORT_MAX_ROWS"] = 2
    before = _count(app, Zone)
    data = _csv(ZONE_HEADER, "A-1,一,,,,,否,每日", "A-2,二,,,,,否,每日", "A-3,三,,,,,否,每日")
    response = _upload(admin, "zones", data, "zones.csv")
    assert response.status_code == 413
    assert "文件超过 2 行" in response.get_data(as_text=True)
    assert _count(app, Zone) == before


def test_no_file_chosen(admin):
    response = admin.post("/admin/import/zones", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要导入的文件" in response.get_data(as_text=True)


def test_template_downloads(app, admin):
    response = admin.get("/admin/import/zones/template.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == ZONE_HEADER.split(",")
    response = admin.get("/admin/import/users/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").strip() == "用户名,姓名,部门,电话,角色,初始密码"
    # A filled-in template imports.
    sheet.append(["NEW-1", "新区域", "教学楼", "2F", "教务处", "zhang", "是", "每日"])
    out = io.BytesIO()
    sheet.parent.save(out)
    assert _upload(admin, "zones", out.getvalue(), "模板.xlsx").status_code == 302


def test_import_page_explains_columns(admin):
    page = admin.get("/admin/import/zones").get_data(as_text=True)
    assert "导入责任区" in page and "重点区域" in page and "key_area" in page
    assert 'enctype="multipart/form-data"' in page
