"""Send stored photos to browsers, with the caching that immutable keys allow."""

import hashlib

from flask import Response, request

from server.errors import NotFound
from server.media.storage import InvalidKey, get_storage, thumb_key

# A key's content never changes (keys are random and never reused), so a browser may keep a photo for a year
# without asking again. "private": only the user's own browser may keep it, never a shared proxy cache.
CACHE_CONTROL = "private, max-age=31536000, immutable"


def photo_etag(key: str) -> str:
    """Return the ETag of a stored file: derived from its key, which never changes content."""
    # Hashed, so the response does not echo the storage key itself.
    return hashlib.sha256(f"photo:{key}".encode()).hexdigest()[:32]


def photo_response(key: str, *, thumb: bool = False) -> Response:
    """Answer with a stored photo (or its thumbnail) as image/jpeg, cacheable and conditional (304).

    Authorisation is the caller's job: this function sends whatever key it is given. The hazard routes
    decide first whether the signed-in user may see the hazard the photo belongs to (deny by default), and
    only then call this. A key that is malformed or not stored answers 404 (NotFound).
    """
    try:
        name = thumb_key(key) if thumb else key
        storage = get_storage()
        etag = photo_etag(name)
        if request.if_none_match.contains_weak(etag):
            # The browser already has these exact bytes: no need to read the file.
            response = Response(status=304)
        else:
            response = Response(storage.read(name), mimetype="image/jpeg")
            response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    except (InvalidKey, FileNotFoundError) as exc:
        raise NotFound() from exc
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Another site may not embed our photos (the session cookie is SameSite=Lax anyway).
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
