"""Photo intake: phone photos come out upright, downsized and without any metadata; bad files are refused."""

import hashlib
import io
import resource
import struct
import time
from pathlib import Path

import pytest
from flask import session
from PIL import Image, ImageChops, ImageCms, ImageFile, ImageOps, ImageStat

from server.errors import BadUpload, TooLarge
from server.media import images
from server.media.images import process_photo
from tests.media.imaging import PHONE_PHOTO, encode, jpeg_segments, picture, png_bomb

# The only segments a clean baseline JPEG from Pillow has before its scan: JFIF, tables, frame, scan.
CLEAN_MARKERS = {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
       b'height="10"><script>alert(document.cookie)</script></svg>')


def small_jpeg(**params) -> bytes:
    """Return a 640 x 480 JPEG."""
    return encode(picture(size=(640, 480)), "JPEG", quality=90, **params)


def assert_clean_jpeg(data: bytes) -> Image.Image:
    """Check a stored JPEG carries nothing but pixels, and return it opened."""
    segments = jpeg_segments(data)
    assert {marker for marker, _ in segments} <= CLEAN_MARKERS, [hex(m) for m, _ in segments]
    assert [payload[:5] for marker, payload in segments if marker == 0xE0] == [b"JFIF\x00"]
    assert data.endswith(b"\xff\xd9")  # nothing after the end of the image
    assert b"Exif\x00\x00" not in data and b"ICC_PROFILE" not in data and b"ns.adobe.com" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.mode == "RGB"
    assert not image.getexif() and "icc_profile" not in image.info and "comment" not in image.info
    return image


def difference(a: Image.Image, b: Image.Image) -> float:
    """Return the mean absolute difference of two pictures of the same size, 0-255."""
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def refusal(app, data: bytes, lang: str = "en") -> BadUpload:
    """Run the intake on bytes that must be refused, in a request in the given language; return the error."""
    with app.test_request_context():
        session["locale"] = lang
        with pytest.raises(BadUpload) as info:
            process_photo(data)
        info.value.text = str(info.value.message)  # translated while the request is there
    return info.value


# -- The phone photo ----------------------------------------------------------------------------------------

def test_phone_photo_is_stored_upright_downsized_and_without_exif(app):
    original = PHONE_PHOTO.read_bytes()
    with Image.open(PHONE_PHOTO) as source:
        assert source.size == (4032, 3024) and source.getexif()[0x0112] == 6  # as the camera wrote it
        exif_block = source.info["exif"]
        reference = ImageOps.exif_transpose(source).resize((1200, 1600))
    with app.app_context():
        photo = process_photo(original)

    assert (photo.width, photo.height) == (1200, 1600)  # portrait: the camera was held upright
    assert photo.sha256 == hashlib.sha256(original).hexdigest() and photo.source_format == "JPEG"
    full = assert_clean_jpeg(photo.jpeg)
    assert full.size == (1200, 1600)
    assert difference(full, reference) < 4  # the same picture, turned the right way
    thumb = assert_clean_jpeg(photo.thumb)
    assert thumb.size == (300, 400)
    assert difference(thumb, reference.resize((300, 400))) < 6
    # Not a fragment of the camera's EXIF block (make, model, GPS position, time) survives anywhere.
    windows = {exif_block[i:i + 12] for i in range(len(exif_block) - 12)}
    for out in (photo.jpeg, photo.thumb):
        assert b"PhoneMaker" not in out and b"PhoneModel" not in out and b"2026:11:24" not in out
        assert not any(w in out for w in windows)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_made_upright_as_pillow_does(app, orientation):
    source = picture(size=(80, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(source, "PNG", exif=exif)
    with Image.open(io.BytesIO(data)) as opened:
        expected = ImageOps.exif_transpose(opened)
    with app.app_context():
        photo = process_photo(data)
    out = Image.open(io.BytesIO(photo.jpeg))
    assert out.size == expected.size
    assert difference(out, expected) < 10  # JPEG blurs the edges a little; a wrong turn differs by ~100


# -- Accepted kinds of pictures -----------------------------------------------------------------------------

def test_png_with_transparency_is_flattened_onto_white(app):
    image = picture(size=(100, 100)).convert("RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 50, 100))  # left half fully transparent (and black underneath)
    with app.app_context():
        photo = process_photo(encode(image, "PNG"))
    out = assert_clean_jpeg(photo.jpeg)
    assert photo.source_format == "PNG" and out.size == (100, 100)
    assert min(out.getpixel((10, 50))) > 245  # white, not black
    assert out.getpixel((90, 90))[2] < 90 and out.getpixel((90, 90))[0] > 200  # the yellow quadrant kept


@pytest.mark.parametrize("mode", ["P", "LA", "L", "1", "CMYK"])
def test_other_pixel_modes_are_accepted(app, mode):
    image = picture(size=(60, 40), mode=mode)
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    params = {"transparency": 0} if mode == "P" else {}
    with app.app_context():
        photo = process_photo(encode(image, fmt, **params))
    out = assert_clean_jpeg(photo.jpeg)
    assert out.size == (60, 40)


def test_cmyk_jpeg_keeps_its_colours(app):
    with app.app_context():
        photo = process_photo(encode(picture(size=(64, 48), mode="CMYK"), "JPEG", quality=95))
    assert difference(Image.open(io.BytesIO(photo.jpeg)), picture(size=(64, 48))) < 8


def test_sixteen_bit_grey_png_is_scaled_not_clipped(app):
    grey = Image.new("I;16", (40, 30), 32768)  # mid grey in 16 bits
    with app.app_context():
        photo = process_photo(encode(grey, "PNG"))
    assert 120 <= Image.open(io.BytesIO(photo.jpeg)).getpixel((20, 15))[0] <= 136


def test_webp_is_accepted(app):
    with app.app_context():
        photo = process_photo(encode(picture(size=(2000, 1000)), "WEBP", quality=80))
    out = assert_clean_jpeg(photo.jpeg)
    assert photo.source_format == "WEBP" and out.size == (1600, 800)
    assert Image.open(io.BytesIO(photo.thumb)).size == (400, 200)


def test_mpo_from_a_phone_is_a_jpeg(app):
    # Some phones write MPO: a JPEG with more pictures appended. The first one is the photo.
    first, second = picture(size=(120, 90)), picture(size=(120, 90), colour=(0, 0, 0))
    data = encode(first, "MPO", save_all=True, append_images=[second], quality=95)
    assert Image.open(io.BytesIO(data)).format == "MPO"
    with app.app_context():
        photo = process_photo(data)
    out = assert_clean_jpeg(photo.jpeg)
    assert photo.source_format == "JPEG" and difference(out, first) < 6


def test_small_photo_is_never_enlarged(app):
    with app.app_context():
        photo = process_photo(small_jpeg())
    assert (photo.width, photo.height) == (640, 480)
    assert Image.open(io.BytesIO(photo.thumb)).size == (400, 300)


def test_metadata_of_every_kind_is_stripped(app):
    exif = Image.Exif()
    exif[0x010F] = "SecretMaker"
    exif.get_ifd(0x8825)[2] = (36.0, 48.0, 12.5)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>SecretXMP</rdf:RDF></x:xmpmeta>'
    jpeg = small_jpeg(exif=exif, icc_profile=srgb, comment=b"SecretComment <script>", xmp=xmp)
    png = encode(picture(size=(640, 480)), "PNG", exif=exif, icc_profile=srgb)
    webp = encode(picture(size=(640, 480)), "WEBP", exif=exif, icc_profile=srgb, xmp=xmp)
    for data in (jpeg, png, webp):
        assert b"Secret" in data
        with app.app_context():
            photo = process_photo(data)
        for out in (photo.jpeg, photo.thumb):
            assert_clean_jpeg(out)
            assert b"Secret" not in out and b"<script" not in out


def test_an_unusable_colour_profile_is_ignored(app):
    with app.app_context():
        photo = process_photo(small_jpeg(icc_profile=b"not really a colour profile" * 10))
    assert_clean_jpeg(photo.jpeg)


def test_jpeg_with_script_appended_is_accepted_but_the_script_is_not_kept(app):
    data = small_jpeg() + b"<html><script>alert(document.cookie)</script></html>"
    with app.app_context():
        photo = process_photo(data)
    for out in (photo.jpeg, photo.thumb):
        assert_clean_jpeg(out)
        assert b"<script" not in out and b"<html" not in out


@pytest.mark.skipif(not images.heif_supported(), reason="pillow-heif is not installed (optional)")
def test_heic_is_accepted_when_pillow_heif_is_installed(app):
    import pillow_heif

    exif = Image.Exif()
    exif[0x010F] = "SecretMaker"
    out = io.BytesIO()
    pillow_heif.from_pillow(picture(size=(2000, 1500))).save(out, quality=90, exif=exif.tobytes())
    with app.app_context():
        photo = process_photo(out.getvalue())
    image = assert_clean_jpeg(photo.jpeg)
    assert photo.source_format == "HEIF" and image.size == (1600, 1200)
    assert b"Secret" not in photo.jpeg


# -- Refusals -----------------------------------------------------------------------------------------------

def _animated(fmt):
    frames = [picture(size=(40, 30)), picture(size=(40, 30), colour=(0, 0, 0))]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


HEIC_HEADER = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)

REFUSED = {
    "text named .jpg": (lambda: b"These are my notes, not a photo.\n" * 20, "This file is not a photo."),
    "empty file": (lambda: b"", "The photo is empty."),
    "svg": (lambda: SVG, "SVG files are not accepted."),
    "html first, then a jpeg": (lambda: b"<!DOCTYPE html><html><script>alert(1)</script>" + small_jpeg(),
                                "HTML files are not accepted."),
    "gif": (lambda: encode(picture(), "GIF"), "GIF files are not accepted."),
    "animated gif": (lambda: _animated("GIF"), "GIF files are not accepted."),
    "bmp": (lambda: encode(picture(), "BMP"), "BMP files are not accepted."),
    "tiff": (lambda: encode(picture(), "TIFF"), "TIFF files are not accepted."),
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF files are not accepted."),
    "avif": (lambda: encode(picture(), "AVIF"), "AVIF files are not accepted."),
    "truncated phone photo": (lambda: PHONE_PHOTO.read_bytes()[:1_500_000], "damaged or incomplete"),
    "truncated small jpeg": (lambda: small_jpeg()[:-2000], "damaged or incomplete"),
    "jpeg signature, then junk": (lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8,
                                  "damaged or incomplete"),
    "truncated png": (lambda: encode(picture(size=(300, 200)), "PNG")[:-300], "damaged or incomplete"),
    "animated png": (lambda: _animated("PNG"), "Moving pictures are not accepted."),
    "animated webp": (lambda: _animated("WEBP"), "Moving pictures are not accepted."),
}


@pytest.mark.parametrize("case", REFUSED)
def test_bad_files_are_refused_with_a_message_a_person_can_act_on(app, case):
    make, message = REFUSED[case]
    error = refusal(app, make())
    assert (error.status, error.code) == (400, "bad_upload")
    assert message in error.text
    if "not accepted" in message or "not a photo" in message:
        assert "JPEG / PNG / WebP" in error.text  # what to send instead
    assert not (Path(app.instance_path) / "media").exists()  # the intake itself never writes anything


@pytest.mark.skipif(images.heif_supported(), reason="pillow-heif is installed: HEIC is accepted")
def test_heic_without_pillow_heif_says_how_to_send_jpeg(app):
    error = refusal(app, HEIC_HEADER)
    assert error.status == 400 and "Most Compatible" in error.text


def test_refusals_are_shown_in_chinese_by_default(app):
    error = refusal(app, SVG, lang="zh_CN")
    assert "SVG" in error.text and "JPEG / PNG / WebP" in error.text and "不" in error.text
    assert "照片" in refusal(app, b"", lang="zh_CN").text


def test_file_over_the_size_cap_is_refused_with_413(app):
    data = small_jpeg()
    data += bytes(15 * 1024 * 1024 + 1 - len(data))
    error = refusal(app, data)
    assert isinstance(error, TooLarge) and (error.status, error.code) == (413, "too_large")
    assert "The photo is 15.1 MB; at most 15 MB is accepted." in error.text


@pytest.mark.parametrize("side", [20000, 10000, 8000])
def test_decompression_bomb_is_refused_from_its_header_without_decoding(app, side):
    # 20000² is past Pillow's own hard limit (it raises), 10000² is in its warning band, 8000² (64 MP) only
    # over ours (50 MP): all three must be refused the same way, and fast, with no pixels decoded.
    data = png_bomb(side, side)
    assert len(data) < 100_000 and data[16:24] == struct.pack(">II", side, side)  # small file, huge picture
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    error = refusal(app, data)
    assert time.perf_counter() - started < 1.0
    # Decoding would take side² bytes (64-400 MB); the process's peak memory must not have moved by that.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 32 * 1024  # KiB
    assert (error.status, error.code) == (400, "bad_upload")
    assert "too many pixels (more than 50 megapixels)" in error.text


def test_pixel_limit_is_the_apps_own_not_pillows_global(app):
    app.config["PHOTO_MAX_PIXELS"] = 10_000
    global_limit = Image.MAX_IMAGE_PIXELS
    error = refusal(app, encode(picture(size=(200, 200)), "PNG"))
    assert "too many pixels" in error.text
    assert Image.MAX_IMAGE_PIXELS == global_limit  # nothing process-wide was changed
    app.config["PHOTO_MAX_PIXELS"] = 50_000_000
    with app.app_context():
        assert process_photo(encode(picture(size=(200, 200)), "PNG")).width == 200


def test_truncated_images_stay_refused_across_the_app(app, monkeypatch):
    # Some library could switch Pillow's process-wide "load truncated images" on; the intake would then
    # store half-grey photos as evidence. It is off after the whole app is loaded, and the intake insists.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with app.app_context(), pytest.raises(RuntimeError):
        process_photo(small_jpeg())
