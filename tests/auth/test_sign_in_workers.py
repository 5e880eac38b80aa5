"""The sign-in limit holds when gunicorn's worker processes share the work, as deployed (README)."""

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-1"
WRONG_PASSWORD_PAGE = "用户名或密码错误"
TOO_MANY_PAGE = "尝试次数过多"


def _run_flask(env, *args):
    subprocess.run([str(BIN / "flask"), "--app", "server", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)


def _wait_for(log: Path, pattern: str, count: int, deadline: float) -> list[str]:
    """Return the first `count` matches of `pattern` in the growing log, waiting until the deadline."""
    while time.monotonic() < deadline:
        found = re.findall(pattern, log.read_text())
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not log {pattern!r} {count} times:\n{log.read_text()}")


@pytest.fixture
def gunicorn(tmp_path):
    """Serve the app with 4 gunicorn workers on a free loopback port; yield (port, access log); stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNJIAN_") and k != "DATABASE_URL"}
    env["XUNJIAN_INSTANCE_PATH"] = str(tmp_path)
    _run_flask(env, "db", "upgrade")
    _run_flask(env, "create-user", "wang", "--name", "王主任", "--role", "supervisor", "--password", PASSWORD)
    log, access = tmp_path / "gunicorn.log", tmp_path / "access.log"
    with log.open("w") as out:
        # Port 0: the kernel picks a free port, which gunicorn then logs. The access log names the worker.
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "4", "-b", "127.0.0.1:0", "--access-logfile", str(access),
             "--access-logformat", "%(p)s %(m)s %(s)s", "server:create_app()"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        port = int(_wait_for(log, r"Listening at: http://127\.0\.0\.1:(\d+)", 1, deadline)[0])
        _wait_for(log, r"Booting worker with pid", 4, deadline)
        yield port, access
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def _request(port, method, path, body=None, headers=None) -> tuple[int, str, list[str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode(), response.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


def test_eleventh_wrong_password_is_refused_across_workers(gunicorn):
    port, access = gunicorn
    status, page, cookies = _request(port, "GET", "/login")
    assert status == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = next(c.split(";")[0] for c in cookies if c.startswith("session="))

    def sign_in(password):
        body = urllib.parse.urlencode({"csrf_token": token, "username": "wang", "password": password})
        status, page, _ = _request(port, "POST", "/login", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        return status, (WRONG_PASSWORD_PAGE in page, TOO_MANY_PAGE in page)

    # All at once, so the workers check passwords side by side.
    with ThreadPoolExecutor(max_workers=15) as pool:
        answers = list(pool.map(sign_in, [f"wrong-guess-{n}" for n in range(15)]))
    assert sorted(answers) == [(200, (True, False))] * 10 + [(429, (False, True))] * 5
    assert sign_in(PASSWORD) == (429, (False, True))  # the right password waits too

    time.sleep(0.5)  # gunicorn writes its access log after each answer
    posts = [line.split() for line in access.read_text().splitlines() if " POST " in line]
    assert len(posts) == 16
    assert len({pid for pid, _method, _status in posts}) >= 2, "one worker served every attempt"
