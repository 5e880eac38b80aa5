"""Helpers for the photo tests: build small test pictures in memory and read a JPEG's marker segments."""

import io
import struct
import zlib

from PIL import Image

from tests.phone_photo import phone_photo_path

PHONE_PHOTO = phone_photo_path()


def picture(mode="RGB", size=(64, 48), colour=None) -> Image.Image:
    """Return a picture of four coloured quadrants, so that orientation and colours can be checked."""
    image = Image.new("RGB", size, (200, 30, 30))
    w, h = size
    image.paste((30, 200, 30), (w // 2, 0, w, h // 2))
    image.paste((30, 30, 200), (0, h // 2, w // 2, h))
    image.paste((230, 230, 40), (w // 2, h // 2, w, h))
    if colour is not None:
        image = Image.new("RGB", size, colour)
    return image if mode == "RGB" else image.convert(mode)


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    """Return the picture saved in the given format."""
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """Return the (marker, payload) segments of a JPEG up to its first scan (SOS)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    pos, segments = 2, []
    while pos < len(data):
        assert data[pos] == 0xFF, f"no marker at {pos}"
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        segments.append((marker, data[pos + 4:pos + 2 + length]))
        if marker == 0xDA:  # SOS: entropy-coded data follows
            return segments
        pos += 2 + length
    raise AssertionError("no SOS in JPEG")


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """Return one PNG chunk with its CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int, height: int) -> bytes:
    """Return a VALID 1-bit PNG of width x height pixels, all black, compressed to a few tens of kilobytes.

    Built row by row through zlib, so the test never holds the decoded picture (20000 x 20000 is 400 MP).
    """
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte "none" + the packed bits of one row
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body)
            + png_chunk(b"IEND", b""))
