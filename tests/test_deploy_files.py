"""The production files in deploy/ say what the README promises, and name only commands that exist."""

import os
import re
import shutil
import subprocess  # noqa: S404 (nginx -t and openssl, fixed commands)
from pathlib import Path

import pytest
from gunicorn.config import Config

from server import config as defaults

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_gunicorn_runs_threads_on_loopback():
    config = Config()
    namespace = {"__file__": str(DEPLOY / "gunicorn.conf.py")}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    for key in ("bind", "worker_class", "workers", "threads", "timeout", "forwarded_allow_ips"):
        config.set(key, namespace[key])
    assert config.worker_class_str == "gthread"  # a list is not queued behind photo uploads
    assert config.threads >= 2 and config.workers >= 2
    assert config.bind == ["127.0.0.1:8000"]  # only nginx or Caddy talk to it


@pytest.mark.parametrize("unit", sorted(p.name for p in DEPLOY.glob("*.service")))
def test_units_name_commands_that_exist(unit, app):
    commands = re.findall(r"flask --app server (\S+)", (DEPLOY / unit).read_text())
    assert commands
    for command in commands:
        assert command in app.cli.commands or command == "db", command


@pytest.mark.parametrize("timer", sorted(p.name for p in DEPLOY.glob("*.timer")))
def test_each_timer_has_its_service(timer):
    assert (DEPLOY / timer.replace(".timer", ".service")).exists()
    assert "OnCalendar=" in (DEPLOY / timer).read_text()


@pytest.mark.parametrize("needed", [
    "Strict-Transport-Security", "X-Forwarded-Proto", "X-Forwarded-For", "proxy_request_buffering on",
    "gzip_proxied any", "application/json", "text/javascript", "text/css", "application/manifest+json",
])
def test_nginx_terminates_tls_buffers_compresses_and_forwards(needed):
    assert needed in (DEPLOY / "nginx.conf").read_text()


def test_nginx_and_caddy_accept_what_the_app_accepts():
    limit_mb = defaults.MAX_CONTENT_LENGTH // (1024 * 1024)
    assert f"client_max_body_size {limit_mb}m;" in (DEPLOY / "nginx.conf").read_text()
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert f"max_size {limit_mb}MB" in caddy and "encode" in caddy and "Strict-Transport-Security" in caddy


NGINX_MAIN = """worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{}}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  include {d}/site.conf;
}}
"""


@pytest.mark.skipif(not shutil.which("nginx") and not os.environ.get("CI"), reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path):
    """`nginx -t` on the site as shipped, with a throw-away certificate in place of Let's Encrypt's."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,  # noqa: S607
                    "-days", "1", "-subj", "/CN=safety.school.example"], check=True, capture_output=True)
    site = (DEPLOY / "nginx.conf").read_text()
    site = (site.replace("/etc/letsencrypt/live/safety.school.example/fullchain.pem", str(cert))
            .replace("/etc/letsencrypt/live/safety.school.example/privkey.pem", str(key)))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(NGINX_MAIN.format(d=tmp_path))
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")],  # noqa: S607
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
