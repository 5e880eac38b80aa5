"""QR labels: the PNG decodes to the zone's URL, the PDF is A4, Chinese is drawn, the sheet prints."""

import io
import re

import pytest
import zxingcpp
from PIL import Image

from server.extensions import db
from server.labels import fonts, render, services
from server.zones import services as zone_services
from server.zones.models import Zone


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_label_png_decodes_to_the_zone_url(app, make_zone, make_user):
    person = make_user(display_name="钱经理", roles=("rectifier",), phone="13800000000")
    zone = make_zone(code="ST-KITCHEN", name="食堂后厨操作间", responsible=person, key_area=True)
    with app.app_context():
        png = services.label_png(db.session.get(Zone, zone.id))
    assert _decode(png) == [f"https://school.example/z/{zone.qr_token}"]
    image = Image.open(io.BytesIO(png))
    assert image.size == render.LABEL_SIZE and image.info["dpi"][0] == pytest.approx(300, abs=1)


def test_reissued_token_changes_the_label_and_retires_the_old_url(app, make_zone, login_as):
    zone = make_zone()
    with app.app_context():
        row = db.session.get(Zone, zone.id)
        zone_services.reissue_token(row)
        db.session.commit()
        new_token = row.qr_token
        png = services.label_png(row)
    assert _decode(png) == [f"https://school.example/z/{new_token}"]
    client = login_as("patrol")
    old = client.get(f"/api/v1/zones/by-token/{zone.qr_token}")
    assert old.status_code == 404 and old.get_json()["error"]["details"]["reason"] == "retired"
    assert client.get(f"/api/v1/zones/by-token/{new_token}").status_code == 200


def test_chinese_text_is_drawn_not_tofu():
    choice = fonts.find_cjk_font()
    assert fonts.draws_chinese(choice.path, choice.index)
    font = choice.load(48)
    tofu = bytes(font.getmask("\ue000"))
    assert all(bytes(font.getmask(c)) != tofu for c in render.INSTRUCTION if c.strip() and c != "·")
    # The label's name band really has ink in it.
    data = render.LabelData("https://x/z/abc", "JX-1F-E", "教学楼一楼东走廊", "郑老师", "", False, "学校")
    image = render.render_label(data, choice).convert("L")
    band = image.crop((40, 835, render.LABEL_SIZE[0] - 40, 920))
    assert band.getextrema()[0] < 50


def test_a_font_without_chinese_is_refused(tmp_path):
    latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not fonts.Path(latin).exists():
        pytest.skip("DejaVu not installed")
    assert not fonts.draws_chinese(latin)
    with pytest.raises(fonts.NoCJKFont, match="fonts-noto-cjk"):
        fonts.find_cjk_font(latin)


def test_no_font_at_all_says_how_to_install_one(app, runner, make_zone, monkeypatch):
    make_zone()
    monkeypatch.setattr(fonts, "KNOWN", [])
    monkeypatch.setattr(fonts, "_fc_list", lambda: [])
    result = runner.invoke(args=["make-labels"])
    assert result.exit_code != 0
    assert "apt-get install fonts-noto-cjk" in result.output and "XUNJIAN_CJK_FONT_PATH" in result.output


def test_cli_writes_pngs_and_an_a4_pdf(app, runner, make_zone, tmp_path):
    zones = [make_zone(name=f"责任区{n}") for n in range(5)]
    result = runner.invoke(args=["make-labels", "--per-page", "4"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "labels"
    for zone in zones:
        png = (out / f"{zone.code}.png").read_bytes()
        assert _decode(png) == [f"https://school.example/z/{zone.qr_token}"]
    pdf = (out / "labels.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 2  # 5 labels, 4 per page
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)


def test_cli_for_chosen_zones_and_unknown_code(app, runner, make_zone, tmp_path):
    make_zone(code="A-1"), make_zone(code="B-1")
    result = runner.invoke(args=["make-labels", "--zone", "a-1", "--out", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["A-1.png", "labels.pdf"]
    bad = runner.invoke(args=["make-labels", "--zone", "NOPE"])
    assert bad.exit_code != 0 and "NOPE" in bad.output


def test_sheet_shows_chosen_zones_with_svg_qr(app, login_as, make_zone):
    chosen, other = make_zone(name="配电室", key_area=True), make_zone(name="西侧门")
    client = login_as("supervisor")
    page = client.get(f"/labels/?zone={chosen.id}&size=small&copies=2").get_data(as_text=True)
    assert page.count('class="qr-label"') == 2 and "配电室" in page and "重点区域" in page
    assert f'data-url="https://school.example/z/{chosen.qr_token}"' in page
    assert "<svg" in page and "<path d=" in page and "style=" not in page.split('<div class="sheet')[1]
    assert "扫码巡查 · 发现隐患请拍照上报" in page
    assert f"https://school.example/z/{other.qr_token}" not in page
    everything = client.get("/labels/").get_data(as_text=True)
    assert everything.count('class="qr-label"') == 2


def test_each_labels_qr_is_made_once(app, login_as, make_zone):
    """Copies share their zone's QR, and a sheet printed again reuses them (500 QR codes took 2.8 s)."""
    zone = make_zone()
    client = login_as("supervisor")
    render.qr_svg.cache_clear()
    for _ in range(2):
        page = client.get(f"/labels/?zone={zone.id}&copies=3").get_data(as_text=True)
        assert page.count('class="qr-label"') == 3 and page.count("<svg") == 3
    assert (render.qr_svg.cache_info().misses, render.qr_svg.cache_info().hits) == (1, 1)


def test_sheet_svg_decodes(app, make_zone):
    zone = make_zone()
    with app.app_context():
        url = services.label_url(db.session.get(Zone, zone.id))
    svg = render.qr_svg(url)
    # Draw the SVG's unit squares back into pixels and decode them.
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size, size), 255)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        image.putpixel((int(x), int(y)), 0)
    big = image.resize((size * 8, size * 8), Image.NEAREST)
    assert [r.text for r in zxingcpp.read_barcodes(big)] == [url]


@pytest.mark.parametrize("roles", [("patrol",), ("rectifier",)])
def test_sheet_is_for_the_desk_only(app, login_as, make_zone, roles):
    zone = make_zone()
    client = login_as(*roles)
    assert client.get("/labels/").status_code == 403
    assert client.get(f"/labels/{zone.id}.png").status_code == 403


def test_sheet_redirects_anonymous_visitors(client):
    response = client.get("/labels/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_single_png_download(app, login_as, make_zone):
    zone = make_zone(code="GL-BOILER")
    response = login_as("admin").get(f"/labels/{zone.id}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "GL-BOILER.png" in response.headers["Content-Disposition"]
    assert _decode(response.data) == [f"https://school.example/z/{zone.qr_token}"]
