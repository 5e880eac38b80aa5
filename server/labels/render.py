"""Draw zone labels with Pillow: one PNG per zone, and A4 PDF pages of several labels."""

import functools
import io
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw

from server.labels.fonts import FontChoice

DPI = 300
LABEL_SIZE = (900, 1350)  # 3 × 4.5 inches at 300 dpi
A4 = (2480, 3508)  # 210 × 297 mm at 300 dpi
MARGIN = 118  # 10 mm
INSTRUCTION = "扫码巡查 · 发现隐患请拍照上报"  # posted on the wall: always Chinese, like the zone's name
KEY_AREA = "重点区域"
TITLE = "安全隐患排查责任区"
INK = (0, 0, 0)
RED = (178, 34, 34)
# Labels per A4 page and the grid they make (columns, rows).
LAYOUTS = {1: (1, 1), 2: (2, 1), 4: (2, 2), 6: (3, 2), 8: (4, 2), 9: (3, 3)}


@dataclass(frozen=True)
class LabelData:
    """What one label shows."""

    url: str
    code: str
    name: str
    person: str
    phone: str
    key_area: bool
    school: str


def label_data(zone, base_url: str, school: str) -> LabelData:
    """Return the label contents of a zone."""
    person = zone.responsible
    return LabelData(url=f"{base_url}/z/{zone.qr_token}", code=zone.code, name=zone.name,
                     person=person.display_name if person else "", phone=person.phone if person else "",
                     key_area=zone.key_area, school=school)


def qr_matrix(url: str) -> qrcode.QRCode:
    """Return the QR code of a URL (error correction Q: a label outdoors gets scratched)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


@functools.lru_cache(maxsize=1024)  # a label's URL makes its QR: a district's 500 took 2.8 s at each print
def qr_svg(url: str) -> str:
    """Return the QR of a URL as an SVG element (one path, no style attributes: the CSP allows it)."""
    image = qr_matrix(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    # Let CSS size it: drop the fixed millimetre width and height, keep the viewBox.
    head, _, rest = svg.partition(">")
    head = " ".join(p for p in head.split(" ") if not p.startswith(("width=", "height=")))
    return f'{head} role="img" aria-label="QR">{rest}'


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) <= width:
            line += char
            continue
        lines.append(line)
        line = char
        if len(lines) == max_lines:
            break
    if line and len(lines) < max_lines:
        lines.append(line)
    if len(lines) == max_lines and "".join(lines) != text:
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _centre(draw, y, text, font, width, fill=INK, stroke=0) -> int:
    box = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
    draw.text(((width - (box[2] - box[0])) / 2 - box[0], y), text, font=font, fill=fill,
              stroke_width=stroke, stroke_fill=fill)
    return y + (box[3] - box[1]) + font.size // 3


def render_label(data: LabelData, font: FontChoice) -> Image.Image:
    """Draw one label: school and title, the QR, the zone's name and code, the responsible person."""
    width, height = LABEL_SIZE
    image = Image.new("RGB", LABEL_SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, width - 7, height - 7), outline=INK, width=6)
    draw.rectangle((6, 6, width - 7, 150), fill=INK)
    small, medium, large = font.load(38), font.load(48), font.load(68)
    _centre(draw, 26, data.school, small, width, fill="white")
    _centre(draw, 80, TITLE, small, width, fill="white")

    qr = qr_matrix(data.url).make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    side = 660
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    image.paste(qr, ((width - side) // 2, 165))

    y = 165 + side + 10
    for line in _wrap(draw, data.name, large, width - 80, 2):
        y = _centre(draw, y, line, large, width, stroke=1)
    y = _centre(draw, y, f"编号 {data.code}", medium, width)
    person = f"责任人 {data.person}" + (f"  {data.phone}" if data.phone else "")
    if data.person:
        y = _centre(draw, y, person, small, width)
    if data.key_area:
        box = draw.textbbox((0, 0), KEY_AREA, font=medium)
        w = box[2] - box[0] + 40
        x0 = (width - w) // 2
        draw.rounded_rectangle((x0, y, x0 + w, y + 70), radius=12, outline=RED, width=5)
        _centre(draw, y + 6, KEY_AREA, medium, width, fill=RED)
    draw.line((40, height - 120, width - 40, height - 120), fill=INK, width=3)
    _centre(draw, height - 100, INSTRUCTION, medium, width, stroke=1)
    return image


def png_bytes(image: Image.Image) -> bytes:
    """Return the image as PNG with its print resolution."""
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI), optimize=False)
    return out.getvalue()


def a4_pages(labels: list[Image.Image], per_page: int) -> list[Image.Image]:
    """Lay labels out on A4 pages, `per_page` to a page, each scaled to fit its cell."""
    if per_page not in LAYOUTS:
        raise ValueError(f"per_page must be one of {sorted(LAYOUTS)}")
    cols, rows = LAYOUTS[per_page]
    cell_w = (A4[0] - 2 * MARGIN) // cols
    cell_h = (A4[1] - 2 * MARGIN) // rows
    scale = min((cell_w - 40) / LABEL_SIZE[0], (cell_h - 40) / LABEL_SIZE[1])
    size = (int(LABEL_SIZE[0] * scale), int(LABEL_SIZE[1] * scale))
    pages = []
    for start in range(0, len(labels), per_page):
        page = Image.new("RGB", A4, "white")
        for n, label in enumerate(labels[start:start + per_page]):
            col, row = n % cols, n // cols
            x = MARGIN + col * cell_w + (cell_w - size[0]) // 2
            y = MARGIN + row * cell_h + (cell_h - size[1]) // 2
            page.paste(label.resize(size, Image.Resampling.LANCZOS), (x, y))
        pages.append(page)
    return pages


def pdf_bytes(pages: list[Image.Image]) -> bytes:
    """Return the pages as one PDF at 300 dpi (A4)."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return out.getvalue()
