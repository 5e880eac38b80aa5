"""Make label files for zones: PNGs and an A4 PDF, with a real Chinese font."""

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from server.errors import ValidationFailed
from server.labels import address, render
from server.labels.fonts import FontChoice, find_cjk_font
from server.zones import services as zones


def font() -> FontChoice:
    """Return the configured or found CJK font (raises NoCJKFont with install advice)."""
    cfg = current_app.config
    index = cfg.get("CJK_FONT_INDEX")
    return find_cjk_font(cfg.get("CJK_FONT_PATH"), int(index) if index not in (None, "") else None)


def label_url(zone) -> str:
    """Return the URL a zone's label encodes."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/z/{zone.qr_token}"


def loopback_warning(url: str | None = None) -> str | None:
    """Return the plain warning owed while labels encode a loopback address (PUBLIC_BASE_URL), else None."""
    url = url or current_app.config["PUBLIC_BASE_URL"]
    if not address.is_loopback(url):
        return None
    return _("These labels encode %(url)s, an address of this computer only: phones cannot open these "
             "labels; set XUNJIAN_PUBLIC_BASE_URL to the address phones reach this server on.", url=url)


def choose_zones(codes=None) -> list:
    """Return the active zones with these codes (all active zones when none are given)."""
    active = zones.list_zones()
    if not codes:
        return active
    wanted = [zones.normalize_code(c) for c in codes]
    by_code = {z.code: z for z in active}
    unknown = [c for c in wanted if c not in by_code]
    if unknown:
        raise ValidationFailed(_l("No active zone with the code %(codes)s.", codes=", ".join(unknown)))
    return [by_code[c] for c in wanted]


def label_png(zone, choice: FontChoice | None = None) -> bytes:
    """Return one zone's label as PNG bytes."""
    data = render.label_data(zone, current_app.config["PUBLIC_BASE_URL"], current_app.config["SCHOOL_NAME"])
    return render.png_bytes(render.render_label(data, choice or font()))


@dataclass
class Written:
    """What make_files wrote."""

    pngs: list[Path]
    pdf: Path | None


def make_files(zone_list, out_dir: Path, per_page: int = 4) -> Written:
    """Write one PNG per zone and one A4 PDF of all of them into out_dir."""
    if not zone_list:
        raise ValidationFailed(_l("There are no zones to print."))
    choice = font()
    out_dir.mkdir(parents=True, exist_ok=True)
    base, school = current_app.config["PUBLIC_BASE_URL"], current_app.config["SCHOOL_NAME"]
    images, pngs = [], []
    for zone in zone_list:
        image = render.render_label(render.label_data(zone, base, school), choice)
        path = out_dir / f"{zone.code}.png"
        path.write_bytes(render.png_bytes(image))
        pngs.append(path)
        images.append(image)
    pdf = out_dir / "labels.pdf"
    pdf.write_bytes(render.pdf_bytes(render.a4_pages(images, per_page)))
    return Written(pngs, pdf)
