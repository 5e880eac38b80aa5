"""Find a font that really draws Chinese, so labels never print as tofu boxes."""

import shutil
import subprocess  # noqa: S404 (fc-list, a fixed command)
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

INSTALL_HINT = ("No Chinese (CJK) font was found for the QR labels. Install one, e.g. "
                "`apt-get install fonts-noto-cjk` (or fonts-wqy-microhei), or set XUNJIAN_CJK_FONT_PATH "
                "(and XUNJIAN_CJK_FONT_INDEX for a .ttc collection) to a font file.")

# Known places, best first. Noto Sans CJK's collection holds JP, KR, SC, TC…: the SC face is chosen by name.
KNOWN = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]
SAMPLE = "巡查隐患责任区"


class NoCJKFont(RuntimeError):
    """No usable CJK font: the message says how to install one."""


@dataclass(frozen=True)
class FontChoice:
    """A font file and the face index inside it."""

    path: str
    index: int

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        """Return the face at a pixel size."""
        return ImageFont.truetype(self.path, size, index=self.index)


def draws_chinese(path: str, index: int = 0) -> bool:
    """Say whether the face draws real glyphs for Chinese text (not the empty or .notdef box)."""
    try:
        font = ImageFont.truetype(path, 48, index=index)
    except OSError:
        return False
    tofu = bytes(font.getmask("\ue000"))  # a private-use code point: no font has a glyph for it
    for char in SAMPLE:
        mask = font.getmask(char)
        if mask.getbbox() is None or bytes(mask) == tofu:
            return False
    return True


def _faces(path: str) -> list[int]:
    faces = []
    for index in range(16):
        try:
            ImageFont.truetype(path, 12, index=index)
        except OSError:
            break
        faces.append(index)
    return faces or [0]


def _rank(path: str, index: int) -> int:
    try:
        family = " ".join(ImageFont.truetype(path, 12, index=index).getname()).lower()
    except OSError:
        return 99
    if "mono" in family:
        return 5
    if " sc" in family or "simplified" in family or "micro hei" in family or "zen hei" in family:
        return 0
    if " jp" in family or " kr" in family:
        return 3  # Japanese and Korean glyph shapes differ from what Chinese readers expect
    return 2


def _fc_list() -> list[str]:
    exe = shutil.which("fc-list")
    if not exe:
        return []
    try:
        out = subprocess.run([exe, "-f", "%{file}\n", ":lang=zh"], capture_output=True, text=True,  # noqa: S603
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.strip() for line in out.splitlines() if line.strip()})


def find_cjk_font(path: str | None = None, index: int | None = None) -> FontChoice:
    """Return the configured font, or the best Chinese font on the system; raise NoCJKFont if none."""
    if path:
        if not Path(path).exists():
            raise NoCJKFont(f"CJK_FONT_PATH {path} does not exist. " + INSTALL_HINT)
        faces = [index] if index is not None else _faces(path)
        for face in sorted(faces, key=lambda i: _rank(path, i)):
            if draws_chinese(path, face):
                return FontChoice(path, face)
        raise NoCJKFont(f"The font {path} does not draw Chinese. " + INSTALL_HINT)
    candidates = [p for p in KNOWN if Path(p).exists()] + [p for p in _fc_list() if p not in KNOWN]
    ranked = sorted(((_rank(p, i), p, i) for p in candidates for i in _faces(p)), key=lambda r: r[0])
    for _rank_value, p, i in ranked:
        if draws_chinese(p, i):
            return FontChoice(p, i)
    raise NoCJKFont(INSTALL_HINT)
