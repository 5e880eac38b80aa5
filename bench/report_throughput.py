"""Hazard reports with one photo accepted per second, next to a bare endpoint that only stores the bytes.

Run: .venv/bin/python bench/report_throughput.py [--clients 4] [--seconds 10] [--max-requests 2000]
     [--photo PATH] [--workers 2] [--threads 4]          (also part of `make bench`)

Both servers run the same way: gunicorn on loopback (gthread workers: --workers processes, --threads each),
on a throw-away instance folder with a SQLite database. The load comes from --clients threads in this
process, each a signed-in patrol phone sending one request after another over a kept-alive connection.
- real: POST /api/v1/hazards, multipart, one photo: sign-in session, idempotency look-up, photo checks,
  decode/orient/resize/re-encode without metadata, thumbnail, both files written, hazard + event + photo +
  visit rows committed (SQLite WAL, BEGIN IMMEDIATE), the full JSON answer.
- bare: a Flask endpoint that reads the same multipart upload and writes the bytes to a file. Nothing else.
Two photos are measured: what the field app sends (the phone photo downsized on the device to 1600 px,
JPEG quality 0.8, as DESIGN.md says) and, for reference, the 12-megapixel original straight from a camera.
Each run is bounded by --seconds and --max-requests. CSRF checks are off for both (one HMAC per request).
"""

import argparse
import http.client
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.phone_photo import phone_photo_path  # noqa: E402

PHOTO = phone_photo_path()
PASSWORD = "bench-password-1"  # noqa: S105 (throw-away accounts in a temporary folder)


# -- The bare endpoint (served by gunicorn from this file: report_throughput:bare_app()) --------------------

def bare_app():
    """Return a Flask app whose one endpoint stores an uploaded file's bytes and answers a little JSON."""
    from flask import Flask, jsonify, request

    app = Flask("bare")
    folder = Path(os.environ["BENCH_BARE_DIR"])

    @app.post("/store")
    def store():
        data = request.files["photos[]"].read()
        name = folder / f"{uuid.uuid4().hex}.jpg"
        name.write_bytes(data)
        return jsonify(client_id=request.form.get("client_id"), bytes=len(data)), 201

    return app


# -- Setting up -------------------------------------------------------------------------------------------

def _photos(path: Path) -> dict[str, bytes]:
    from PIL import Image, ImageOps

    original = path.read_bytes()
    with Image.open(io.BytesIO(original)) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=80)
    return {"phone-downsized-1600px": out.getvalue(), "camera-12mp": original}


def _prepare_instance(folder: Path, clients: int) -> tuple[int, int, list[str]]:
    """Make the database (schema from the models), categories, a zone and one patrol per client."""
    os.environ["XUNJIAN_INSTANCE_PATH"] = str(folder)
    sys.path.insert(0, str(ROOT))
    from server import create_app
    from server.auth import services as users
    from server.extensions import db
    from server.hazards import categories
    from server.zones import services as zones

    app = create_app()
    with app.app_context():
        db.create_all()
        categories.ensure_defaults()
        names = [f"patrol{i}" for i in range(clients)]
        for name in names:
            users.create_user(name, name, PASSWORD, ["patrol"])
        zone = zones.create_zone("BENCH-1", "基准测试责任区")
        category_id = categories.list_categories()[0].id
        db.session.commit()
        zone_id = zone.id
        db.engine.dispose()
    return zone_id, category_id, names


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(target: str, env: dict, chdir: Path, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--worker-class", "gthread", "--chdir", str(chdir), "--log-level", "warning", target],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start: " + process.stderr.read().decode(errors="replace"))


# -- The load ---------------------------------------------------------------------------------------------

def _multipart(fields: dict, photo: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos[]"; filename="p.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return boundary, b"".join(parts)


class Phone:
    """One client: a kept-alive connection and, for the real server, a signed-in session cookie."""

    def __init__(self, port: int, username: str | None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""
        if username:
            form = f"username={username}&password={PASSWORD}"
            self.conn.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
            response = self.conn.getresponse()
            response.read()
            cookies = [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
            self.cookie = "; ".join(cookies)
            assert response.status == 302 and self.cookie, response.status

    def send(self, path: str, fields: dict, photo: bytes) -> tuple[int, float]:
        """POST one report; return (status, seconds)."""
        boundary, body = _multipart(fields, photo)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": self.cookie}
        started = time.perf_counter()
        self.conn.request("POST", path, body, headers)
        response = self.conn.getresponse()
        answer = json.loads(response.read())
        elapsed = time.perf_counter() - started
        # The field app lets an item go only when its client id comes back: so do we.
        if response.status in (200, 201) and answer.get("client_id") != fields["client_id"]:
            raise AssertionError("client id not echoed")
        return response.status, elapsed


def _load(port: int, path: str, usernames: list[str | None], make_fields, photo: bytes, seconds: float,
          max_requests: int) -> dict:
    phones = [Phone(port, name) for name in usernames]
    for phone in phones:  # warm up: one request each, not counted
        phone.send(path, make_fields(), photo)
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[int] = []
    sent = [0]
    stop_at = time.monotonic() + seconds

    def run(phone):
        while time.monotonic() < stop_at:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            status, elapsed = phone.send(path, make_fields(), photo)
            with lock:
                (latencies if status == 201 else failures).append(elapsed if status == 201 else status)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"done": len(latencies), "failed": len(failures), "wall": wall,
            "per_second": len(latencies) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[max(0, int(len(latencies) * 0.95) - 1)]}


def main() -> int:
    """Measure both servers with both photos and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--photo", type=Path, default=PHOTO)
    args = parser.parse_args()
    if not args.photo.exists():
        print(f"no photo at {args.photo}; pass --photo PATH", file=sys.stderr)
        return 1

    photos = _photos(args.photo)
    folder = Path(tempfile.mkdtemp(prefix="xunjian-bench-"))
    try:
        real_dir, bare_dir = folder / "instance", folder / "bare"
        real_dir.mkdir()
        bare_dir.mkdir()
        zone_id, category_id, names = _prepare_instance(real_dir, args.clients)
        env = {"XUNJIAN_INSTANCE_PATH": str(real_dir), "XUNJIAN_WTF_CSRF_ENABLED": "false",
               "XUNJIAN_SECRET_KEY": "bench", "BENCH_BARE_DIR": str(bare_dir)}
        real, real_port = _serve("server:create_app()", env, ROOT, args.workers, args.threads)
        bare, bare_port = _serve("report_throughput:bare_app()", env, Path(__file__).parent, args.workers,
                                 args.threads)

        def report_fields():
            return {"client_id": str(uuid.uuid4()), "zone_id": zone_id, "category_id": category_id,
                    "severity": "general", "description": "消防通道堆放杂物",
                    "device_at": "2030-01-01T00:00:00Z"}

        try:
            print(f"{os.cpu_count()} CPUs; gunicorn {args.workers} workers x {args.threads} threads; "
                  f"{args.clients} concurrent clients over loopback; at most {args.seconds:g} s or "
                  f"{args.max_requests} requests per run")
            for label, photo in photos.items():
                ours = _load(real_port, "/api/v1/hazards", names, report_fields, photo, args.seconds,
                             args.max_requests)
                plain = _load(bare_port, "/store", [None] * args.clients, report_fields, photo, args.seconds,
                              args.max_requests)
                print(f"\nphoto: {label}, {len(photo) / 1024:.0f} KiB")
                for name, r in (("POST /api/v1/hazards", ours), ("bare store-the-bytes", plain)):
                    print(f"  {name:<22} {r['per_second']:7.1f} /s   p50 {r['p50_ms']:7.1f} ms   "
                          f"p95 {r['p95_ms']:7.1f} ms   ({r['done']} in {r['wall']:.1f} s, "
                          f"{r['failed']} failed)")
                ratio = ours["per_second"] / plain["per_second"]
                print(f"  ratio: reports accepted per second = {ratio:.3f} x the bare endpoint's "
                      f"({1 / ratio:.1f} times slower)")
        finally:
            for process in (real, bare):
                process.terminate()
                process.wait(10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
