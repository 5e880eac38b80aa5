"""The ledger in Chinese, the desk's default: the headers an inspector's 隐患台账 has, in its order, and the
Chinese file name. The app here reads a copy of the catalogs with server/translations/pending/ledger.po merged
in, as `make extract-messages` will merge it."""

import io
import shutil
from pathlib import Path

import flask_babel
import pytest
from babel.messages.pofile import read_po, write_po
from openpyxl import load_workbook

from tests.conftest import app_on_copy

ROOT = Path(__file__).resolve().parents[2]
CHINESE_HEADERS = [
    "序号", "隐患编号", "发现日期", "发现人", "责任区（部位）", "类别", "隐患描述", "等级", "整改措施",
    "整改责任人", "责任部门", "整改期限", "整改完成日期", "复查人", "复查日期", "复查结果", "状态",
    "逾期天数", "整改前照片", "整改后照片",
]


def _catalogs_with_ledger(folder: Path) -> Path:
    """Copy the catalogs into `folder` with the ledger's pending Chinese merged into zh_Hans_CN."""
    copy = folder / "translations"
    shutil.copytree(ROOT / "server/translations", copy, ignore=shutil.ignore_patterns("*.mo"))
    po = copy / "zh_Hans_CN/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale="zh_Hans_CN")
    with (ROOT / "server/translations/pending/ledger.po").open("rb") as f:
        for message in read_po(f, locale="zh_Hans_CN"):
            if message.id:
                catalog.add(message.id, message.string)
    with po.open("wb") as f:
        write_po(f, catalog)
    return copy


@pytest.fixture
def app(tmp_path, schema_database, monkeypatch):
    """Return an app (as conftest's) whose catalogs hold the ledger's Chinese."""
    # Flask-Babel keeps catalogs per locale for the whole process: this app's own are kept apart.
    cache = {}
    monkeypatch.setattr(flask_babel.Domain, "get_translations_cache", lambda self, ctx: cache)
    catalogs = _catalogs_with_ledger(tmp_path)
    with app_on_copy(tmp_path, schema_database, BABEL_TRANSLATION_DIRECTORIES=str(catalogs)) as made:
        yield made


def test_chinese_headers_in_ledger_order(login_as, make_hazard):
    make_hazard("closed")
    response = login_as("supervisor").get("/hazards/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["隐患台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == CHINESE_HEADERS
    assert rows[1][16] == "已销号"


@pytest.mark.parametrize(("path", "filename"), [
    ("/hazards/ledger.csv", "%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6-"),  # 隐患台账-
    # 隐患整改销号登记表-2026.xlsx
    ("/hazards/register.xlsx?year=2026",
     "%E9%9A%90%E6%82%A3%E6%95%B4%E6%94%B9%E9%94%80%E5%8F%B7%E7%99%BB%E8%AE%B0%E8%A1%A8-2026.xlsx"),
])
def test_chinese_file_names(login_as, path, filename):
    assert f"filename*=UTF-8''{filename}" in login_as("supervisor").get(path).headers["Content-Disposition"]


@pytest.mark.parametrize("state", ["reported", "assigned", "awaiting_recheck", "closed", "invalid"])
def test_chinese_status_words(login_as, make_hazard, state):
    expected = {"reported": "未整改", "assigned": "整改中", "awaiting_recheck": "待复查", "closed": "已销号",
                "invalid": "已作废"}
    make_hazard(state)
    response = login_as("supervisor").get("/hazards/ledger.csv")
    assert response.data.decode("utf-8-sig").splitlines()[1].split(",")[16] == expected[state]
