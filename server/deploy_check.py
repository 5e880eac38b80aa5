"""`flask check-deploy`: what is wrong for production, each in plain words, with what to do about it.

Each check reads the configuration and the machine the app runs on and returns findings; the command prints
them all and exits non-zero when any is a problem, so a deployment script (or a person) can stop there.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.engine import make_url

from server.extensions import db
from server.i18n import stale_catalogs
from server.labels.address import WILDCARD_HOSTS, is_loopback

# Secrets seen in examples and tutorials; a key this short or this well known signs anyone's session cookie.
KNOWN_SECRETS = {"dev", "secret", "changeme", "change-me", "x", "test", "development", "please-change"}
SECRET_MIN_LENGTH = 32
# File systems of network disks: SQLite's locks are unreliable there and the database can be corrupted.
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "fuse.sshfs",
                       "fuse.glusterfs", "fuse.rclone", "fuse.s3fs", "davfs", "fuse.davfs2"}


@dataclass(frozen=True)
class Finding:
    """One thing checked: whether it is fine, what it is, and (for a problem) what to do."""

    ok: bool
    what: str
    advice: str = ""


def _ok(what) -> Finding:
    return Finding(True, str(what))


def _problem(what, advice) -> Finding:
    return Finding(False, str(what), str(advice))


def check_debug(app: Flask) -> Finding:
    """Debug mode shows code and lets anyone run it from an error page: never in production."""
    if app.debug or os.environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes"):
        return _problem(_l("Debug mode is on."),
                        _l("Unset FLASK_DEBUG and do not start the app with --debug."))
    return _ok(_l("Debug mode is off."))


def check_secret(app: Flask) -> Finding:
    """The session key must be long and not one of the well-known example values."""
    key = app.config.get("SECRET_KEY") or ""
    if not key:
        return _problem(_l("No secret key is set."),
                        _l("Set XUNJIAN_SECRET_KEY, or let the app write instance/secret_key once."))
    if key.lower() in KNOWN_SECRETS or len(key) < SECRET_MIN_LENGTH:
        return _problem(_l("The secret key is a default or too short (%(n)d characters).", n=len(key)),
                        _l("Set XUNJIAN_SECRET_KEY to a random value of at least %(min)d characters, e.g. "
                           "the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'.",
                           min=SECRET_MIN_LENGTH))
    return _ok(_l("The secret key is long and not a known default."))


def check_public_url(app: Flask) -> list[Finding]:
    """Labels encode the public base URL: phones must reach it, and the camera needs HTTPS."""
    url = app.config.get("PUBLIC_BASE_URL") or ""
    parts = urlsplit(url)
    findings = []
    # The labels' own rule (server/labels/address.py), and the wildcard hosts no phone can open either.
    if is_loopback(url) or (parts.hostname or "") in WILDCARD_HOSTS:
        findings.append(_problem(
            _l("The public base URL %(url)s is this machine's loopback address: no phone can open it.",
               url=url),
            _l("Set XUNJIAN_PUBLIC_BASE_URL to the address phones use, e.g. https://safety.school.example.")))
    if parts.scheme != "https":
        findings.append(_problem(
            _l("The public base URL %(url)s is not HTTPS: phones do not run the offline app or the camera "
               "over plain HTTP.", url=url),
            _l("Serve the app behind a TLS proxy (deploy/nginx.conf or deploy/Caddyfile) and set "
               "XUNJIAN_PUBLIC_BASE_URL to its https:// address.")))
    return findings or [_ok(_l("The public base URL %(url)s is HTTPS and not loopback.", url=url))]


def check_cookies(app: Flask) -> list[Finding]:
    """Behind HTTPS, cookies must be marked secure and the proxy's X-Forwarded-Proto trusted."""
    if urlsplit(app.config.get("PUBLIC_BASE_URL") or "").scheme != "https":
        return []
    findings = []
    if not app.config.get("SESSION_COOKIE_SECURE"):
        findings.append(_problem(_l("The site is served over HTTPS but its cookies are not marked secure."),
                                 _l("Set XUNJIAN_SECURE_COOKIES=true.")))
    if not app.config.get("PROXY_COUNT"):
        findings.append(_problem(
            _l("The site is served over HTTPS but no proxy is trusted: the app believes it is on plain HTTP "
               "and sees the proxy's address for every user."),
            _l("Set XUNJIAN_PROXY_COUNT=1 (the number of proxies in front of the app).")))
    return findings or [_ok(_l("Cookies are secure and the proxy's headers are trusted."))]


def check_sign_in_limits(app: Flask) -> Finding:
    """Sign-in limits kept per process would multiply by the worker count; ours are in the database."""
    return _ok(_l("Sign-in limits are kept in the database: every worker counts the same attempts."))


def check_font(app: Flask) -> Finding:
    """Labels print the zone's Chinese name: without a CJK font they print boxes."""
    from server.labels.fonts import NoCJKFont, find_cjk_font

    try:
        found = find_cjk_font(app.config.get("CJK_FONT_PATH"), app.config.get("CJK_FONT_INDEX"))
    except NoCJKFont as exc:
        return _problem(_l("No Chinese font for the QR labels."), str(exc))
    return _ok(_l("Labels print Chinese with %(path)s.", path=found.path))


def _writable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def check_folders(app: Flask) -> list[Finding]:
    """The app writes its secret, photos and SQLite database under instance/ (or where configured)."""
    media = Path(app.config.get("MEDIA_ROOT") or Path(app.instance_path) / "media")
    findings = []
    for folder in (Path(app.instance_path), media):
        path = str(folder)
        if folder.exists() and not _writable(folder):
            findings.append(_problem(_l("The folder %(path)s is not writable by this user.", path=path),
                                     _l("Give the app's user write access: chown -R <user> %(path)s.",
                                        path=path)))
        elif not folder.exists() and not _writable(folder.parent):
            findings.append(_problem(_l("The folder %(path)s is missing and cannot be made.", path=path),
                                     _l("Create it, writable by the app's user.")))
    return findings or [_ok(_l("The instance and photo folders are writable."))]


def mount_type(path: Path, mounts: str | None = None) -> str:
    """Return the file system type of the mount holding `path` (from /proc/mounts), or "" if unknown."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return ""
    best, kind = "", ""
    target = str(path.resolve())
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


def check_database(app: Flask, mounts: str | None = None) -> list[Finding]:
    """SQLite on a network disk corrupts; the schema must be at the newest migration."""
    findings = []
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        kind = mount_type(Path(url.database).parent, mounts)
        if kind in NETWORK_FILESYSTEMS:
            findings.append(_problem(
                _l("The SQLite database is on a network disk (%(kind)s): its locks are not reliable there.",
                   kind=kind),
                _l("Keep the database on a local disk, or use PostgreSQL (DATABASE_URL).")))
    directory = app.extensions["migrate"].directory
    heads = set(ScriptDirectory(directory).get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # noqa: BLE001 (any failure to reach the database is the finding itself)
        return [*findings, _problem(_l("The database cannot be reached: %(error)s", error=str(exc)),
                                    _l("Check DATABASE_URL and that the database server runs."))]
    if current != heads:
        findings.append(_problem(_l("The database schema is not up to date with the migrations."),
                                 _l("Run: flask --app server db upgrade")))
    else:
        findings.append(_ok(_l("The database schema is up to date.")))
    return findings


def check_catalogs(app: Flask) -> Finding:
    """Without compiled catalogs the pages are in English."""
    folders = app.extensions["babel"].translation_directories
    stale = [po for folder in folders for po in stale_catalogs(folder)]
    if stale:
        return _problem(_l("The translation catalogs are not compiled (%(files)s): pages would be in "
                           "English.", files=", ".join(str(p) for p in stale)),
                        _l("Run make translations, or make server/translations writable by the app's user "
                           "so it compiles them when it starts."))
    return _ok(_l("The translation catalogs are compiled."))


def run_checks(app: Flask, mounts: str | None = None) -> list[Finding]:
    """Return every finding about this app and machine, in the order they are printed."""
    findings = [check_debug(app), check_secret(app)]
    findings += check_public_url(app)
    findings += check_cookies(app)
    findings.append(check_sign_in_limits(app))
    findings.append(check_font(app))
    findings += check_folders(app)
    findings += check_database(app, mounts)
    findings.append(check_catalogs(app))
    return findings
