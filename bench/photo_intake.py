"""Time the server's photo intake on a 12-megapixel phone photo against the minimal Pillow code that makes the
same output.

Run: .venv/bin/python bench/photo_intake.py [--runs N] [--photo PATH]   (also part of `make bench`)

- ours: server.media.process_photo: content sniffing, the pixel limit, JPEG draft decoding at reduced scale,
  EXIF orientation, sRGB, resize to 1600 px, upright, JPEG without metadata, and a 400 px thumbnail; and the
  photo's SHA-256 (idempotency), the one hash the server takes of an upload (sync.photo_digest: in a request
  the record's content hash and the photo's row share it; here, outside a request, it is taken each run).
- minimal: the fewest Pillow calls that give the same two JPEGs, byte for byte (checked before timing): open,
  draft() at the same scale, load, read the orientation, resize to 1600 px and turn upright, resize again for
  the thumbnail, encode both; the same filter, reducing gap and quality. No checks: what ours costs above it
  is the price of its checks and its structure (issue 12's goal: at most 1.2 times).
Each time is the median of N interleaved runs (the order swapped every run: machine load hits both alike),
and the ratio is given both as the ratio of the medians and as the median of each run's own ratio; the
memory figure is the growth of a fresh process's peak RSS over one run (phones upload concurrently).
"""

import argparse
import io
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import ExifTags, Image  # noqa: E402

from server import config  # noqa: E402
from server.media.images import RESAMPLE, process_photo  # noqa: E402
from tests.phone_photo import phone_photo_path  # noqa: E402

PHOTO = phone_photo_path()
EDGE = config.PHOTO_MAX_EDGE
THUMB = config.PHOTO_THUMB_EDGE
QUALITY = config.PHOTO_JPEG_QUALITY
T = Image.Transpose
UPRIGHT = {2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM, 5: T.TRANSPOSE, 6: T.ROTATE_270,
           7: T.TRANSVERSE, 8: T.ROTATE_90}


def _fit(image: Image.Image, edge: int) -> Image.Image:
    scale = edge / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, RESAMPLE, reducing_gap=2.0)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def minimal(data: bytes) -> tuple[bytes, bytes]:
    """Return the full image and the thumbnail with the fewest Pillow calls that give ours' bytes."""
    with Image.open(io.BytesIO(data)) as image:
        scale = EDGE / max(image.size)
        if scale < 0.5:
            image.draft(image.mode, (int(image.width * scale), int(image.height * scale)))
        image.load()
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        picture = _fit(image.convert("RGB") if image.mode != "RGB" else image, EDGE)
    if orientation in UPRIGHT:
        picture = picture.transpose(UPRIGHT[orientation])
    return _jpeg(picture), _jpeg(_fit(picture, THUMB))


def ours(data: bytes) -> tuple[bytes, bytes]:
    """The server's intake: the full image and the thumbnail."""
    photo = process_photo(data)
    return photo.jpeg, photo.thumb


PIPELINES = {"ours": ours, "minimal": minimal}


def _peak_rss_kib() -> int:
    # VmHWM is this process's own peak (getrusage's ru_maxrss carries the parent's peak across exec).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: an upper bound


def peak_growth_mb(name: str, photo: Path) -> float:
    """Run one pipeline once in a fresh process and return how much its peak memory grew, in MB."""
    out = subprocess.run([sys.executable, __file__, "--peak-of", name, "--photo", str(photo)],
                         check=True, capture_output=True, text=True).stdout
    return float(out)


def main() -> int:
    """Check that both pipelines make the same bytes, time them and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--photo", type=Path, default=PHOTO)
    parser.add_argument("--peak-of", choices=PIPELINES, help=argparse.SUPPRESS)  # the child of peak_growth_mb
    args = parser.parse_args()
    data = args.photo.read_bytes()
    if args.peak_of:
        before = _peak_rss_kib()
        PIPELINES[args.peak_of](data)
        print((_peak_rss_kib() - before) / 1024)
        return 0
    same = ours(data) == minimal(data)
    if not same:
        print("photo_intake: the minimal pipeline does not make ours' bytes: no fair comparison")
        return 1
    times: dict[str, list[float]] = {name: [] for name in PIPELINES}
    for run in range(args.runs + 1):
        # Interleaved, the order swapped every run, so machine load and warm caches favour neither.
        for name in (list(PIPELINES) if run % 2 else list(PIPELINES)[::-1]):
            started = time.perf_counter()
            PIPELINES[name](data)
            if run:  # the first round warms caches and is not counted
                times[name].append((time.perf_counter() - started) * 1000)
    ms = {name: statistics.median(values) for name, values in times.items()}
    low = {name: min(values) for name, values in times.items()}
    # Each run's two times were taken side by side: their ratio is the least disturbed by a loaded machine.
    paired = statistics.median(o / m for o, m in zip(times["ours"], times["minimal"], strict=True))
    with Image.open(io.BytesIO(data)) as image:
        size = f"{image.width}x{image.height}, {len(data) / 1e6:.1f} MB"
    print(f"photo_intake: {args.photo.name} ({size}), median of {args.runs} interleaved runs each; "
          "the same full image and thumbnail, byte for byte")
    print(f"photo_intake: ours {ms['ours']:.0f} ms (min {low['ours']:.0f}), "
          f"minimal Pillow {ms['minimal']:.0f} ms (min {low['minimal']:.0f}): "
          f"ratio of medians {ms['ours'] / ms['minimal']:.2f}, median of each run's ratio {paired:.2f} "
          "(goal <= 1.2)")
    peaks = {name: peak_growth_mb(name, args.photo) for name in PIPELINES}
    print(f"photo_intake: peak memory per photo: ours {peaks['ours']:.0f} MB, "
          f"minimal {peaks['minimal']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
