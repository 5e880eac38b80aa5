"""The printed documents in a real Chromium: the rectification notice and the hazard file saved as PDF (what
"Save as PDF" in the print dialog gives) carry the number, the deadline and the zone, on A4; a notice is one
page; both pages pass axe on screen."""

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.browser.conftest import shot, sign_in

FOUND = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DEADLINE = "2026-03-09"  # found 2026-03-02, the building category's seven days
A4_MM = (210, 297)


@pytest.fixture
def desk_page(browser, live, make_user):
    """Return a desktop page signed in as a supervisor, in Chinese."""
    boss = make_user(roles=("supervisor",), display_name="王主任")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live, boss.username)
    page.boss = boss
    yield page
    context.close()


@pytest.fixture
def hazard(make_hazard, make_zone, desk_page):
    """Return an assigned hazard in a zone with a building and floor."""
    zone = make_zone(code="SY-3F", name="化学实验室", building="教学楼", floor="3F", department="后勤处")
    return make_hazard("assigned", supervisor=desk_page.boss, zone=zone, now=FOUND,
                       description="灭火器压力不足")


def _pdf(page) -> PdfReader:
    return PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))


def _text(reader: PdfReader) -> str:
    # Chromium may break a line of CJK text into runs; spaces and line ends are not the test's business.
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))


def _size(pdf_page) -> tuple[int, int]:
    """Return a PDF page's size in whole millimetres (Chromium's A4: 595.9 x 842.9 points, 210.2 x 297.4)."""
    box = pdf_page.mediabox
    return int(float(box.width) / 72 * 25.4), int(float(box.height) / 72 * 25.4)


def test_the_notice_prints_on_one_a4_page(desk_page, live, hazard):
    page = desk_page
    page.goto(f"{live}/hazards/{hazard.id}")
    page.click("form[action='/hazards/notices'] button[type=submit]")
    page.wait_for_url(re.compile(r"/hazards/notices\?hazard="))
    shot(page, "ledger-notice")
    reader = _pdf(page)
    number = f"{datetime.now(ZoneInfo('Asia/Shanghai')).year}-0001"
    text = _text(reader)
    assert (len(reader.pages), _size(reader.pages[0])) == (1, A4_MM)
    assert [part for part in (number, DEADLINE, "化学实验室（教学楼3F）", "SY-3F") if part not in text] == []


def test_the_hazard_file_prints_on_a4(desk_page, live, hazard):
    page = desk_page
    page.goto(f"{live}/hazards/{hazard.id}")
    page.click("form[action='/hazards/notices'] button[type=submit]")
    page.wait_for_url(re.compile(r"/hazards/notices\?hazard="))
    page.goto(f"{live}/hazards/{hazard.id}/file")
    shot(page, "ledger-hazard-file")
    # Every photo has loaded (the file prints them).
    assert page.evaluate("[...document.images].every((img) => img.complete && img.naturalWidth > 0)")
    reader = _pdf(page)
    number = f"{datetime.now(ZoneInfo('Asia/Shanghai')).year}-0001"
    text = _text(reader)
    assert {_size(p) for p in reader.pages} == {A4_MM}
    expected = (number, DEADLINE, "化学实验室（教学楼3F）", f"#{hazard.id}")
    assert [part for part in expected if part not in text] == []


def test_bulk_notices_one_page_each(desk_page, live, make_hazard):
    page = desk_page
    for _ in range(3):
        make_hazard("reported", supervisor=page.boss, now=FOUND)
    page.goto(f"{live}/hazards/queue")
    page.click("#bulk-notices button[type=submit]")
    page.wait_for_url(re.compile(r"/hazards/notices\?hazard="))
    assert len(_pdf(page).pages) == 3


def test_the_documents_pass_axe(desk_page, live, hazard):
    from axe_playwright_python.sync_playwright import Axe

    page = desk_page
    page.goto(f"{live}/hazards/{hazard.id}")
    page.click("form[action='/hazards/notices'] button[type=submit]")
    page.wait_for_url(re.compile(r"/hazards/notices\?hazard="))
    axe = Axe()
    for path in (page.url.removeprefix(live), f"/hazards/{hazard.id}/file", f"/hazards/{hazard.id}",
                 "/hazards/queue"):
        page.goto(live + path)
        violations = [(v["id"], v["help"]) for v in axe.run(page).response["violations"]]
        assert violations == [], f"{path}: {violations}"
