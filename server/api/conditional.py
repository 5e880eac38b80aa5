"""Validators for the field data a phone keeps (issue 12, "each byte fetched once"): an answer carries a
strong ETag made from a hash of its JSON body, and a phone that sends that tag back (If-None-Match) gets
304 Not Modified with no body.

The server still builds the whole answer to hash it: this saves the phone's bytes and the radio's time, not
the server's work. A hash of the body (not of a version number kept somewhere) needs no bookkeeping and cannot
go stale: a language, a user or a day that changes the answer changes its tag.
"""

import functools
import hashlib

from flask import Response, make_response, request

NOT_MODIFIED = "Not modified: the copy the phone names in If-None-Match is current (no body)."
# Per user (never in a shared cache), kept by the browser, and asked again every time it is used.
CACHE_CONTROL = "private, no-cache"


def body_etag(body: bytes) -> str:
    """Return the strong ETag of an answer's body: the start of its SHA-256."""
    return hashlib.sha256(body).hexdigest()[:32]


def _matched(tag: str) -> str | None:
    """Return the tag of If-None-Match that names this content, or None."""
    # Flask-Compress sends a compressed answer's tag as "<tag>:br" or "<tag>:gzip" (the same content in
    # another encoding), and the browser sends back the one it was given: any of them means "I have it".
    for sent in request.if_none_match.as_set(include_weak=True):
        if sent.partition(":")[0] == tag:
            return sent
    return None


def revalidated(view):
    """Decorate a GET view: a 200 answer gets an ETag and Cache-Control; a matching If-None-Match, 304."""
    @functools.wraps(view)
    def answer_or_not_modified(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        tag = body_etag(response.get_data())
        sent = _matched(tag)
        if sent is not None:
            # Echo the tag the browser holds: a 304's headers update the stored copy's, and its copy is the
            # encoding it named.
            return Response(status=304, headers={"ETag": f'"{sent}"', "Cache-Control": CACHE_CONTROL,
                                                 "Vary": "Accept-Encoding"})
        response.set_etag(tag)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response
    return answer_or_not_modified
