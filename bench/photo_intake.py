"""Time the server's photo intake on a 12-megapixel phone photo against plain Pillow doing the same job.

Run: .venv/bin/python bench/photo_intake.py [--runs N] [--photo PATH]   (also part of `make bench`)

- ours: server.media.process_photo: content checks, JPEG draft decoding at reduced scale, RGB, resize to
  1600 px, EXIF orientation, JPEG encode without metadata, AND a 400 px thumbnail (the baselines make none).
- naive: Pillow's decode of the full picture + ImageOps.exif_transpose + resize to 1600 + JPEG encode.
- draft: the same as naive but decoding with Image.draft(), the speed trick ours uses; the honest comparison.
All three use the same resampling filter and JPEG quality. Each time is the median of N interleaved runs;
the memory figure is the growth of a fresh process's peak RSS over one run (phones upload concurrently).
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

from PIL import Image, ImageOps  # noqa: E402

from server import config  # noqa: E402
from server.media.images import RESAMPLE, process_photo  # noqa: E402
from tests.phone_photo import phone_photo_path  # noqa: E402

PHOTO = phone_photo_path()
EDGE = config.PHOTO_MAX_EDGE
QUALITY = config.PHOTO_JPEG_QUALITY


def _fit_and_encode(image: Image.Image) -> bytes:
    scale = EDGE / max(image.size)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), RESAMPLE)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def naive(data: bytes) -> bytes:
    """Decode the whole picture, turn it upright, resize, encode: what one would write first."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return _fit_and_encode(ImageOps.exif_transpose(image))


def with_draft(data: bytes) -> bytes:
    """The naive pipeline, but letting libjpeg decode at a reduced scale first."""
    with Image.open(io.BytesIO(data)) as image:
        scale = EDGE / max(image.size)
        image.draft(image.mode, (int(image.width * scale), int(image.height * scale)))
        image.load()
        return _fit_and_encode(ImageOps.exif_transpose(image))


def ours(data: bytes) -> bytes:
    """The server's intake."""
    return process_photo(data).jpeg


PIPELINES = {"ours": ours, "naive": naive, "draft": with_draft}


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
    """Time the three pipelines and print the figures."""
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
    pipelines = PIPELINES
    times: dict[str, list[float]] = {name: [] for name in pipelines}
    for run in range(args.runs + 1):
        for name, pipeline in pipelines.items():  # interleaved, so machine load hits all three alike
            started = time.perf_counter()
            pipeline(data)
            if run:  # the first round warms caches and is not counted
                times[name].append((time.perf_counter() - started) * 1000)
    ms = {name: statistics.median(values) for name, values in times.items()}
    with Image.open(io.BytesIO(data)) as image:
        size = f"{image.width}x{image.height}, {len(data) / 1e6:.1f} MB"
    print(f"photo_intake: {args.photo.name} ({size}), median of {args.runs} runs each")
    print(f"photo_intake: ours {ms['ours']:.0f} ms, "
          f"pillow decode+transpose+resize+encode {ms['naive']:.0f} ms, "
          f"ratio {ms['ours'] / ms['naive']:.2f} (aim <= 1.3)")
    print(f"photo_intake: ours {ms['ours']:.0f} ms, pillow with draft() {ms['draft']:.0f} ms, "
          f"ratio {ms['ours'] / ms['draft']:.2f} (ours also makes the thumbnail and checks the content)")
    peaks = {name: peak_growth_mb(name, args.photo) for name in pipelines}
    print(f"photo_intake: peak memory per photo: ours {peaks['ours']:.0f} MB, naive {peaks['naive']:.0f} MB, "
          f"draft {peaks['draft']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
