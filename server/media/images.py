"""Photo intake: check an uploaded photo by its content and re-encode it as a clean, upright JPEG.

Whatever is accepted is decoded and encoded again, so the stored bytes are always a JPEG made here: no EXIF
(no GPS position: this is a school), no XMP, no ICC profile, no comments, nothing appended by a sender.
"""

import io
import logging
import math
import struct
from dataclasses import dataclass
from functools import cache

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, ImageCms, ImageFile, UnidentifiedImageError

from server import config as default_config
from server.errors import BadUpload, TooLarge
from server.sync import photo_digest

log = logging.getLogger(__name__)

# How the stored photo and its thumbnail are resampled. LANCZOS is the sharpest of Pillow's filters (these
# photos are evidence); it costs about 20 ms a photo more than BICUBIC here (see bench/photo_intake.py).
RESAMPLE = Image.Resampling.LANCZOS

# Signatures (magic bytes) of what we accept. The format is decided from the content only: the client's file
# name and MIME type are never consulted. A file must START with one of these (an HTML/JPEG polyglot that
# begins with markup is refused; trailing bytes after an image are dropped by the re-encoding).
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
# ISO base media "ftyp" brands of HEIF still images as phones write them (HEIC from iPhones and others).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}

_EXIF_ORIENTATION = ExifTags.Base.Orientation
# EXIF orientation → the transpose that makes the picture upright; the table of ImageOps.exif_transpose,
# applied here after downsizing (rotating 1600 px instead of 4032 px; tests check both give the same picture).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo as it will be stored: a clean upright JPEG, its thumbnail, and facts about the upload."""

    jpeg: bytes  # the re-encoded full image, upright, long edge <= PHOTO_MAX_EDGE, no metadata
    thumb: bytes  # JPEG thumbnail, long edge <= PHOTO_THUMB_EDGE, no metadata
    width: int  # of `jpeg`
    height: int
    sha256: str  # hex digest of the ORIGINAL uploaded bytes (used for idempotency)
    source_format: str  # "JPEG" | "PNG" | "WEBP" | "HEIF"


@dataclass(frozen=True)
class _Settings:
    max_bytes: int
    max_pixels: int
    max_edge: int
    thumb_edge: int
    quality: int


def _settings() -> _Settings:
    # Inside the app the (overridable) config counts; outside it (bench scripts) the defaults do.
    cfg = current_app.config if has_app_context() else vars(default_config)
    return _Settings(int(cfg["PHOTO_MAX_BYTES"]), int(cfg["PHOTO_MAX_PIXELS"]), int(cfg["PHOTO_MAX_EDGE"]),
                     int(cfg["PHOTO_THUMB_EDGE"]), int(cfg["PHOTO_JPEG_QUALITY"]))


@cache
def heif_supported() -> bool:
    """Return whether HEIC/HEIF photos can be read (the optional pillow-heif package is installed)."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def accepted_formats() -> str:
    """Return the accepted formats as people know them, for messages: "JPEG / PNG / WebP"."""
    return " / ".join(("JPEG", "PNG", "WebP", "HEIC") if heif_supported() else ("JPEG", "PNG", "WebP"))


def sniff_format(head: bytes) -> str | None:
    """Name the format the first bytes of a file show: an accepted one (JPEG, PNG, WEBP, HEIF) or another."""
    if head.startswith(_JPEG_MAGIC):
        return "JPEG"
    if head.startswith(_PNG_MAGIC):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIF"
        if brand in _AVIF_BRANDS:
            return "AVIF"
        return None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:2] == b"BM":
        return "BMP"
    if head[:5] == b"%PDF-":
        return "PDF"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return "SVG" if b"<svg" in text else "HTML"
    return None


def process_photo(data: bytes) -> ProcessedPhoto:
    """Check an uploaded photo and re-encode it upright, downsized and without metadata, with a thumbnail."""
    settings = _settings()
    if not data:
        raise BadUpload(_l("The photo is empty. Take or choose the photo again."))
    if len(data) > settings.max_bytes:
        raise TooLarge(_l("The photo is %(size)s MB; at most %(limit)s MB is accepted. Send a smaller photo.",
                          size=_megabytes(len(data), up=True), limit=_megabytes(settings.max_bytes)))
    source_format = _check_format(data)
    digest = photo_digest(data)  # in a request, the one the record's content hash took already

    image = _open(data, source_format, settings)
    try:
        _decode(image, settings.max_edge)
        orientation = _orientation(image)
        picture = _to_rgb(image, image.info.get("icc_profile"))
    except BaseException:
        image.close()
        raise
    del image  # phones send photos concurrently: hold each decoded picture no longer than needed
    picture = _fit(picture, settings.max_edge)
    if orientation in _UPRIGHT:
        picture = picture.transpose(_UPRIGHT[orientation])
    thumb = _fit(picture, settings.thumb_edge)
    return ProcessedPhoto(jpeg=_encode(picture, settings.quality), thumb=_encode(thumb, settings.quality),
                          width=picture.width, height=picture.height, sha256=digest,
                          source_format=source_format)


def _megabytes(n: int, *, up: bool = False) -> str:
    tenths = n * 10 / (1024 * 1024)
    # Rounded up for the file's size, so that one just over the limit never reads "15 MB; at most 15 MB".
    return f"{(math.ceil(tenths) if up else round(tenths)) / 10:.1f}".removesuffix(".0")


def _check_format(data: bytes) -> str:
    kind = sniff_format(data[:512])  # enough to find "<svg" after an XML prolog
    if kind in ("JPEG", "PNG", "WEBP") or (kind == "HEIF" and heif_supported()):
        return kind
    accepted = accepted_formats()
    if kind == "HEIF":
        raise BadUpload(_l("HEIC photos cannot be read here. Set the camera to save JPEG (\"Most "
                           "Compatible\"), or send the photo as %(accepted)s.", accepted=accepted))
    if kind is not None:
        raise BadUpload(_l("%(kind)s files are not accepted. Send a photo as %(accepted)s.",
                           kind=kind, accepted=accepted))
    raise BadUpload(_l("This file is not a photo. Send a photo as %(accepted)s.", accepted=accepted))


def _damaged() -> BadUpload:
    return BadUpload(_l("The photo is damaged or incomplete and could not be read. "
                        "Take or choose the photo again."))


def _too_many_pixels(settings: _Settings) -> BadUpload:
    # 400, not 413: the file itself is within the size limit; the picture it describes is not.
    return BadUpload(_l("The picture has too many pixels (more than %(limit)s megapixels). "
                        "Send a smaller photo.", limit=round(settings.max_pixels / 1_000_000)))


def _open(data: bytes, source_format: str, settings: _Settings) -> ImageFile.ImageFile:
    # Only the plugin the signature names may read the file, so bytes that look like a JPEG are never
    # handed to some other decoder. Image.open reads the header only: no pixels are decoded yet.
    try:
        image = Image.open(io.BytesIO(data), formats=[source_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own global guard (MAX_IMAGE_PIXELS, about 89 MP warns, twice that raises). The warning
        # is an exception only where warnings are made errors (the tests); otherwise our check below refuses.
        raise _too_many_pixels(settings) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError,
            struct.error, Warning) as exc:
        raise _damaged() from exc
    try:
        # Our limit is checked here, per call, from the header size: Image.MAX_IMAGE_PIXELS is a process-wide
        # setting we leave alone. MPO (a JPEG with extra pictures, as some phones write) is a JPEG to us.
        if image.format not in ({"JPEG", "MPO"} if source_format == "JPEG" else {source_format}):
            raise _damaged()
        width, height = image.size
        if width * height > settings.max_pixels:
            raise _too_many_pixels(settings)
        if source_format in ("PNG", "WEBP") and getattr(image, "is_animated", False):
            raise BadUpload(_l("Moving pictures are not accepted. Send a still photo as %(accepted)s.",
                               accepted=accepted_formats()))
    except BaseException:
        image.close()
        raise
    return image


def _orientation(image: Image.Image) -> int:
    try:
        # getexif() reads the EXIF block (JPEG APP1, PNG eXIf, WebP EXIF) and, failing that, XMP.
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block loses the orientation, not the photo
        log.info("unreadable EXIF in an uploaded photo", exc_info=True)
        return 1
    return value if isinstance(value, int) else 1


def _decode(image: ImageFile.ImageFile, max_edge: int) -> None:
    if image.format in ("JPEG", "MPO"):
        # The main speed trick: libjpeg decodes at 1/2, 1/4 or 1/8 scale, keeping at least the target size,
        # so a 12 MP photo is decoded as 3 MP (about half the time, a quarter of the memory), then resampled.
        width, height = image.size
        scale = max_edge / max(width, height)
        if scale < 0.5:
            image.draft(image.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A truncated photo would be stored with a grey lower half and look like evidence; refuse to run.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; photo intake requires it off.")
    try:
        image.load()  # the full decode: a truncated or corrupt file fails here
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error) as exc:
        raise _damaged() from exc


def _to_rgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale (PNG): scale to 8 bits; a plain convert would clip everything above 255 to white.
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    if mode == "F":
        return image.convert("L").convert("RGB")
    if mode == "P":
        mode = "RGBA" if "transparency" in image.info else "RGB"
        image = image.convert(mode)
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        # Flatten transparency onto white, as a viewer shows it; JPEG has no alpha.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if mode in ("RGB", "CMYK") and icc_profile:
        converted = _to_srgb(image, icc_profile)
        if converted is not None:
            return converted
    return image if mode == "RGB" else image.convert("RGB")


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image | None:
    # We keep no ICC profile in the stored JPEG (it can identify the device, and an untagged JPEG is read as
    # sRGB everywhere), so a photo in another colour space (an iPhone's Display P3, a CMYK scan) is converted
    # to sRGB first; otherwise its colours would shift. An unreadable profile is ignored, not fatal.
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if image.mode == "RGB" and ImageCms.getProfileDescription(source).strip().lower().startswith("srgb"):
            return image  # already sRGB: nothing to convert
        return ImageCms.profileToProfile(image, source, _srgb(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        log.info("ignored an unusable ICC profile in an uploaded photo", exc_info=True)
        return None


def _fit(image: Image.Image, max_edge: int) -> Image.Image:
    width, height = image.size
    if max(width, height) <= max_edge:
        return image  # only ever down, never up
    scale = max_edge / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap: a fast box reduction by whole factors first, then the fine filter over the last factor of
    # at most 2 (Pillow's thumbnail() default): the thumbnail takes half the time, no visible difference.
    return image.resize(size, RESAMPLE, reducing_gap=2.0)


def _encode(image: Image.Image, quality: int) -> bytes:
    # Pillow's JPEG writer copies info["comment"] into a COM marker; EXIF, ICC and XMP are written only when
    # passed, and we pass none. An empty info makes sure nothing of the source is carried over.
    image.info = {}
    out = io.BytesIO()
    # optimize and progressive each cost 5-15 % more time for 1-3 % smaller files: not worth it here.
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
