"""Compressed answers without a proxy: a phone that talks to the app as `make run` starts it gets brotli or
gzip, not raw bytes (issue 12: 519 kB on a first load before this).

Two paths, so nothing is compressed twice and the field app's files are compressed once:
- the field app's files (server/shell.py) are the same bytes for a whole release: `encoded()` compresses each
  once per version and encoding, at the best ratio, and keeps the result in memory;
- every other answer (HTML pages, JSON, CSS of the desk) goes through Flask-Compress when the browser accepts
  it, at a quick level; it leaves alone whatever already carries a Content-Encoding (the shell's files, and a
  proxy in front never compresses such an answer again: see deploy/nginx.conf).
"""

import gzip
import threading

import brotli
from flask import Flask, Response, current_app, request
from flask_compress import Compress
from werkzeug.http import parse_accept_header

compress = Compress()

# What is worth compressing: text. Photos are JPEG already; xlsx is a zip.
MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
             "application/manifest+json", "image/svg+xml", "text/csv", "text/plain"]
MIN_SIZE = 500  # below a packet, compression saves nothing worth its header
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Compress dynamic answers the browser accepts compressed (brotli first, then gzip)."""
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)  # per request: fast, still smaller than gzip -6
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    app.extensions["precompressed"] = {}
    compress.init_app(app)
    app.after_request(_pack_marked)  # hooks run in reverse order: this one before Flask-Compress's


def chosen_encoding(accept_encoding: str) -> str | None:
    """Return "br" or "gzip" as the request's Accept-Encoding allows (brotli first), or None."""
    offered = parse_accept_header(accept_encoding)  # qualities, "*" and q=0 as Werkzeug reads them
    return next((name for name in ("br", "gzip") if offered[name] > 0), None)


def _compressed(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=11)  # once per release: the best ratio is worth its time
    return gzip.compress(body, compresslevel=9, mtime=0)


def encoded(response: Response, key: str) -> Response:
    """Compress a response whose body is fixed for `key` (a file and the release), once per encoding.

    The answer varies by Accept-Encoding; a small body, or a browser that accepts neither, gets it as is.
    """
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    encoding = chosen_encoding(request.headers.get("Accept-Encoding", ""))
    if encoding is None or len(body) < MIN_SIZE or "Content-Encoding" in response.headers:
        return response
    cache = current_app.extensions["precompressed"]
    found = cache.get((key, encoding))
    if found is None:
        found = _compressed(body, encoding)
        with _lock:
            cache[(key, encoding)] = found
    etag, weak = response.get_etag()
    response.set_data(found)
    response.headers["Content-Encoding"] = encoding
    if etag:  # the compressed bytes are another representation: another validator
        response.set_etag(f"{etag}-{encoding}", weak=weak)
    return response


def packed(response: Response, key: str) -> Response:
    """Compress a validated answer many requests share (`key`: its content) once per encoding, at best ratio.

    Its ETag names the encoding as Flask-Compress's do ("<tag>:br": the same content, for a 304).
    """
    tag, weak = response.get_etag()
    response.headers.pop("ETag", None)
    response = encoded(response, key)
    if tag:
        encoding = response.headers.get("Content-Encoding")
        response.set_etag(f"{tag}:{encoding}" if encoding else tag, weak=weak)
    return response


def packed_once(view):
    """Mark a GET view whose validated answer many requests share: its 200 goes packed once, at best ratio.

    For the field app's reference data (words, rules, categories: a quick level per request sent a third more,
    issue 12). Packed after the view's other hooks, as its ETag (@revalidated) names the content.
    """
    view.packed_once = True
    return view


def _pack_marked(response: Response) -> Response:
    """Pack the answer of a view marked packed_once (an app-wide hook, run before Flask-Compress's)."""
    if response.status_code != 200 or not getattr(current_app.view_functions.get(request.endpoint),
                                                  "packed_once", False):
        return response
    tag, _ = response.get_etag()
    return packed(response, f"{request.endpoint}:{tag}") if tag else response
