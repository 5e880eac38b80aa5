"""The URL labels encode: phones must open it, `make run` serves it, and a loopback one is warned of."""

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from server.labels import address

ROOT = Path(__file__).resolve().parents[2]
EVERY = "0.0.0.0"  # noqa: S104 (every interface, as `make run HOST=0.0.0.0` says; nothing is bound here)
ALERT = re.compile(r'<p class="flash flash-error" role="alert">(.*?)</p>', re.S)


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:5000", True),
    ("http://127.8.9.1", True),
    ("http://localhost:8000", True),
    ("http://LOCALHOST.:8000", True),
    ("http://app.localhost", True),
    ("http://[::1]:5000", True),
    ("http://192.168.1.20:8000", False),
    ("https://safety.school.example", False),
    ("http://[fd00::2]:8000", False),
])
def test_is_loopback(url, loopback):
    assert address.is_loopback(url) is loopback


@pytest.mark.parametrize(("host", "port", "lan", "url"), [
    (EVERY, 8000, "192.168.1.20", "http://192.168.1.20:8000"),  # every interface: the network address
    ("::", 8000, "192.168.1.20", "http://192.168.1.20:8000"),
    (EVERY, 8000, None, "http://127.0.0.1:8000"),  # no network found: loopback (and a warning)
    ("127.0.0.1", 5000, "192.168.1.20", "http://127.0.0.1:5000"),  # what the user chose stays
    ("10.0.0.7", 80, None, "http://10.0.0.7:80"),
    ("fd00::2", 8000, None, "http://[fd00::2]:8000"),
    ("school-pc.local", 8000, None, "http://school-pc.local:8000"),
])
def test_serving_url(monkeypatch, host, port, lan, url):
    monkeypatch.setattr(address, "lan_address", lambda: lan)
    assert address.serving_url(host, port) == url


class FakeSocket:
    """A UDP socket whose connect() finds the given source address, or no route (None)."""

    source = None

    def __init__(self, *args):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def connect(self, target):
        if self.source is None:
            raise OSError(101, "Network is unreachable")

    def getsockname(self):
        return (self.source, 40000)


@pytest.mark.parametrize(("routed", "resolved", "expected"), [
    ("192.168.1.20", ["127.0.1.1"], "192.168.1.20"),  # the route to the private network names it
    (None, ["127.0.1.1", "10.1.2.3"], "10.1.2.3"),  # no route: the host name's address
    (None, ["127.0.1.1"], None),  # nothing but loopback: none
    (EVERY, [], None),
])
def test_lan_address_without_sending_anything(monkeypatch, routed, resolved, expected):
    monkeypatch.setattr(FakeSocket, "source", routed)
    monkeypatch.setattr(address.socket, "socket", FakeSocket)
    monkeypatch.setattr(address.socket, "getaddrinfo",
                        lambda *a: [(socket.AF_INET, socket.SOCK_DGRAM, 17, "", (ip, 0)) for ip in resolved])
    assert address.lan_address() == expected


# -- `make run` serves the labels' URL ---------------------------------------------------------------------

def _make_run_url(tmp_path, *args, env=None) -> str:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    environ = {k: v for k, v in os.environ.items() if k != "XUNJIAN_PUBLIC_BASE_URL"}
    environ.update({"XUNJIAN_INSTANCE_PATH": str(tmp_path / "instance"), **(env or {})})
    done = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=120, check=True)
    urls = re.findall(r"url='([^']*)'; export XUNJIAN_PUBLIC_BASE_URL=\"\$url\"", done.stdout)
    assert len(urls) == 1, done.stdout
    assert 'seed-demo --url "$url" && exec' in done.stdout
    return urls[0]


@pytest.mark.parametrize(("args", "env", "url"), [
    (["HOST=127.0.0.1", "PORT=8123"], {}, "http://127.0.0.1:8123"),
    (["HOST=192.168.1.20", "PORT=8080"], {}, "http://192.168.1.20:8080"),
    (["HOST=0.0.0.0", "PORT=8000"], {"XUNJIAN_PUBLIC_BASE_URL": "https://safety.school.example"},
     "https://safety.school.example"),  # the user's own setting wins
])
def test_make_run_serves_what_labels_encode(tmp_path, args, env, url):
    assert _make_run_url(tmp_path, *args, env=env) == url


def test_make_run_keeps_the_url_set_in_instance_config(tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text('PUBLIC_BASE_URL = "https://from-instance.example"\n')
    assert _make_run_url(tmp_path, "HOST=0.0.0.0", "PORT=8000") == "https://from-instance.example"


def test_make_run_on_every_interface_gives_phones_the_network_address(tmp_path):
    lan = address.lan_address()
    if lan is None:
        pytest.skip("this machine has no network address")
    assert _make_run_url(tmp_path, "HOST=0.0.0.0", "PORT=8000") == f"http://{lan}:8000"


# -- A loopback base URL is warned of: the label sheet, the desk home, make-labels and public-url ----------

LOOPBACK = ["http://127.0.0.1:5000", "http://localhost:8000", "http://[::1]:5000"]
REACHABLE = ["http://192.168.1.20:8000", "https://school.example"]


def _alerts(page: str) -> list[str]:
    return ALERT.findall(page)


def _says_phones_cannot_open(text: str, url: str) -> bool:
    return url in text and "XUNJIAN_PUBLIC_BASE_URL" in text


@pytest.mark.parametrize("url", LOOPBACK)
@pytest.mark.parametrize("path", ["/labels/", "/desk"])
def test_pages_warn_while_labels_encode_a_loopback_address(app, login_as, make_zone, path, url):
    make_zone()
    app.config["PUBLIC_BASE_URL"] = url
    alerts = _alerts(login_as("admin", "supervisor").get(path).get_data(as_text=True))
    assert len(alerts) == 1 and _says_phones_cannot_open(alerts[0], url)


@pytest.mark.parametrize("url", REACHABLE)
@pytest.mark.parametrize("path", ["/labels/", "/desk"])
def test_pages_do_not_warn_for_an_address_phones_reach(app, login_as, make_zone, path, url):
    make_zone()
    app.config["PUBLIC_BASE_URL"] = url
    assert _alerts(login_as("admin").get(path).get_data(as_text=True)) == []


def test_the_desk_warns_only_those_who_print_labels(app, login_as):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    assert _alerts(login_as("rectifier").get("/desk").get_data(as_text=True)) == []
    assert len(_alerts(login_as("supervisor").get("/desk").get_data(as_text=True))) == 1


@pytest.mark.parametrize(("url", "warned"), [(u, True) for u in LOOPBACK] + [(u, False) for u in REACHABLE])
def test_make_labels_warns_while_labels_encode_a_loopback_address(app, runner, make_zone, url, warned):
    make_zone()
    app.config["PUBLIC_BASE_URL"] = url
    result = runner.invoke(args=["make-labels"])
    assert result.exit_code == 0, result.output
    assert _says_phones_cannot_open(result.stderr, url) is warned
    assert "labels.pdf" in result.stdout  # written all the same


@pytest.mark.parametrize(("configured", "args", "printed", "warned"), [
    ("https://school.example", ["--host", EVERY, "--port", "8000"], "https://school.example", False),
    ("http://127.0.0.1:5000", ["--host", EVERY, "--port", "8000"], "http://192.168.1.20:8000", False),
    ("http://127.0.0.1:5000", ["--host", "127.0.0.1", "--port", "8123"], "http://127.0.0.1:8123", True),
    ("http://localhost:9000", ["--host", EVERY, "--port", "8000"], "http://localhost:9000", True),
])
def test_public_url_command(app, runner, monkeypatch, configured, args, printed, warned):
    monkeypatch.setattr(address, "lan_address", lambda: "192.168.1.20")
    app.config["PUBLIC_BASE_URL"] = configured
    result = runner.invoke(args=["public-url", *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == printed + "\n"
    assert _says_phones_cannot_open(result.stderr, printed) is warned
