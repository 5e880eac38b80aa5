"""Where the phone-like test photo is: shared/media beside the repository, or one made like it.

Tests and benchmarks use a 12-megapixel JPEG with GPS EXIF and orientation 6 (../shared/media/README.md).
When that folder is not beside this checkout, an equivalent is made once with Pillow alone, so the tests do
not depend on a file outside the repository.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [
    os.environ.get("XUNJIAN_PHONE_PHOTO", ""),
    str(ROOT.parent / "shared/media/phone-12mp.jpg"),
    "/work/shared/media/phone-12mp.jpg",
]


def phone_photo_path() -> Path:
    """Return the path of a 4032×3024 JPEG with camera EXIF, GPS and orientation 6."""
    for candidate in CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    made = ROOT / "instance" / "phone-12mp-made.jpg"
    if not made.exists():
        _make(made)
    return made


def _make(path: Path) -> None:
    from PIL import Image

    # A smooth picture with light sensor-like noise compresses about like a real phone photo.
    size = (4032, 3024)
    picture = Image.merge("RGB", [Image.linear_gradient("L").resize(size),
                                  Image.radial_gradient("L").resize(size),
                                  Image.linear_gradient("L").rotate(90).resize(size)])
    noise = Image.effect_noise(size, 60).convert("RGB")
    image = Image.blend(picture, noise, 0.08)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel 12"
    exif[0x0112] = 6
    exif[0x0132] = "2026:11:24 09:30:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (36.0, 48.0, 12.5)
    gps[3], gps[4] = "E", (118.0, 3.0, 18.2)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    image.save(tmp, "JPEG", quality=92, exif=exif)
    os.replace(tmp, path)
