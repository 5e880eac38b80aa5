"""Serve the field app (pwa/): the one app shell, its files, the service worker and the manifest."""

import hashlib
import json
import mimetypes
import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask_login import current_user

from server import minify
from server.compression import encoded

ROOT = Path(__file__).resolve().parent.parent / "pwa"
bp = Blueprint("shell", __name__)
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")
YEAR = 60 * 60 * 24 * 365
# A relative import ("./api.js") resolves without the importing module's ?v=, so the modules behind the entry
# would be fetched unversioned, and the previous service worker (still in control during an update) would hand
# the new app.js its cached old dom.js: a broken mix of two releases. The server stamps the version into
# the import specifiers instead, so a release is loaded whole and every module URL is immutable.
IMPORT = re.compile(r"""(\b(?:from|import)\s*\(?\s*)(["'])(\.{1,2}/[^"'?#\s]+\.js)\2""")


def pwa_files(root: Path = ROOT) -> list[Path]:
    """Return every file of the field app, sorted (the shell the service worker precaches)."""
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


# The code phones get is made by server/minify.py: a change there is a new release too (a module asked with a
# version is kept for a year).
MADE_BY = Path(minify.__file__)


def version_of(root: Path = ROOT, made_by: Path | None = MADE_BY) -> str:
    """Return a short hash of every pwa/ file's path and bytes (and of what serves them): it changes when any
    file changes."""
    digest = hashlib.sha256(made_by.read_bytes() if made_by else b"")
    for path in pwa_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _computed(key: str, folder: str = "") -> str:
    """Return the hash of pwa/ (or of a folder in it): once per process, or per request when live."""
    ext = current_app.extensions
    if current_app.config.get("PWA_VERSION_LIVE") or key not in ext:
        ext[key] = version_of(_root() / folder, None if folder else MADE_BY)  # vendor/ is served as shipped
    return ext[key]


def version() -> str:
    """Return the app's version, computed at start-up (set PWA_VERSION_LIVE to recompute per request)."""
    return _computed("pwa_version")


def vendor_version() -> str:
    """Return the version of pwa/vendor/ alone: its cache on the phone outlives app releases."""
    return _computed("pwa_vendor_version", "vendor")


def _root() -> Path:
    return Path(current_app.config.get("PWA_ROOT") or ROOT)


def stamp_imports(source: str, v: str) -> str:
    """Return a module's source with its relative imports asking for version v."""
    return IMPORT.sub(lambda m: f"{m[1]}{m[2]}{m[3]}?v={v}{m[2]}", source)


# What a phone runs needs no comments (server/minify.py): each text file as served, made once per release.
STRIPPED = {"text/javascript": minify.strip_js, "text/css": minify.strip_css}


def served_text(name: str, mimetype: str) -> bytes:
    """Return a pwa/ file's bytes as phones get them: code without comments, importing this version."""
    made = current_app.extensions.setdefault("pwa_served", {})
    key = (name, version())
    if key not in made:
        text = STRIPPED[mimetype]((_root() / name).read_text(encoding="utf-8"))
        if mimetype == "text/javascript":
            text = stamp_imports(text, version())
        made[key] = text.encode("utf-8")
    return made[key]


def _shell() -> Response:
    html = (_root() / "index.html").read_text(encoding="utf-8").replace("{{V}}", version())
    return encoded(Response(html, mimetype="text/html", headers={"Cache-Control": "no-cache"}),
                   f"index.html:{version()}")


@bp.get("/app")
@bp.get("/app/<path:rest>")
@bp.get("/z/<token>")
@bp.get("/z/<token>/<path:rest>")
def app_shell(rest=None, token=None):
    """Answer the app shell for every field route; the screens read their data from the API.

    Signed out, a field URL leads to sign-in first (and back). The service worker's own copy (/app?shell=1)
    is the shell whoever asks: it holds no data, and caching the sign-in page as the shell would break the
    app offline for the next person on the phone.
    """
    precache = request.path == "/app" and request.args.get("shell") == "1"
    if not current_user.is_authenticated and not precache:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return _shell()


APPLE_TOUCH_ICON = re.compile(r'<link rel="apple-touch-icon" href="/pwa/([^"?]+)')


def install_only(root: Path) -> set[str]:
    """Return the pwa/ files only an installing browser asks for: the manifest, the icons only it names, and
    the icon iOS takes for the home screen."""
    # The browser fetches them itself (the manifest at /manifest.webmanifest, Safari the apple-touch-icon when
    # the app is added); precached, every phone downloaded 9 kB that the app never reads offline (issue 12).
    manifest = json.loads((root / "manifest.webmanifest").read_text(encoding="utf-8"))
    page = (root / "index.html").read_text(encoding="utf-8")
    return ({"manifest.webmanifest"} | set(APPLE_TOUCH_ICON.findall(page))
            | {icon["src"].removeprefix("/pwa/") for icon in manifest["icons"] if icon["src"] not in page})


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from the root (its scope is the whole site), stamped with the version."""
    v = version()
    # Vendored libraries are for some phones only (a QR decoder where BarcodeDetector is missing): cached
    # when first fetched, not downloaded by every phone.
    paths = [p.relative_to(_root()) for p in pwa_files(_root())]
    installing = install_only(_root())
    files = ["/app?shell=1"] + [f"/pwa/{p.as_posix()}?v={v}" for p in paths
                                if p.name not in ("sw.js", "index.html") and p.parts[0] != "vendor"
                                and p.as_posix() not in installing]
    body = served_text("sw.js", "text/javascript").decode("utf-8")
    body = (body.replace('"{{V}}"', json.dumps(v)).replace('["{{FILES}}"]', json.dumps(files))
            .replace('"{{VENDOR_V}}"', json.dumps(vendor_version())))
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"}
    return encoded(Response(body, mimetype="text/javascript", headers=headers), f"sw.js:{v}")


@bp.get("/manifest.webmanifest")
def manifest():
    """Serve the web app manifest."""
    data = (_root() / "manifest.webmanifest").read_bytes()
    response = Response(data, mimetype="application/manifest+json", headers={"Cache-Control": "no-cache"})
    return encoded(response, f"manifest:{version()}")


@bp.get("/pwa/<path:name>")
def asset(name):
    """Serve a file of the app: immutable for a year when asked with the current version, else revalidated."""
    root = _root().resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file() or name in ("index.html", "sw.js"):
        abort(404)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # Vendored libraries go as their authors ship them (their licence notices stay with them).
    ours = mimetype in STRIPPED and not name.startswith("vendor/")
    body = served_text(name, mimetype) if ours else path.read_bytes()
    response = Response(body, mimetype=mimetype)
    if mimetype == "text/javascript":
        # Modules and workers are always read as UTF-8 (HTML: "fetch a module script", "a classic worker
        # script"): a charset would say nothing, in 20 answers of every first load.
        response.content_type = mimetype
    if request.args.get("v") == version():
        # No "public": it matters only where a request carries Authorization (RFC 9111 §3.5); none here does.
        response.headers["Cache-Control"] = f"max-age={YEAR}, immutable"
        return encoded(response, f"{name}:{version()}")
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    # Compressed before the conditional check: the validator the browser sends back names the encoding.
    return encoded(response, f"{name}:{version()}").make_conditional(request)


def init_app(app):
    """Register the shell's routes and compute the app's version once, at start-up."""
    app.extensions["pwa_version"] = version_of(Path(app.config.get("PWA_ROOT") or ROOT))
    app.register_blueprint(bp)
