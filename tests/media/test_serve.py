"""Serving stored photos: JPEG, cached privately for a year, 304 when the browser has it, else 404."""

import pytest

from server.errors import NotFound
from server.media.images import process_photo
from server.media.serve import CACHE_CONTROL, photo_response
from server.media.storage import get_storage, new_key, thumb_key
from tests.media.imaging import encode, picture


@pytest.fixture
def stored(app):
    """Store a processed photo and its thumbnail; return (key, photo)."""
    with app.app_context():
        photo = process_photo(encode(picture(size=(800, 600)), "PNG"))
        key = new_key()
        get_storage().put(key, photo.jpeg)
        get_storage().put(thumb_key(key), photo.thumb)
    return key, photo


def test_photo_is_sent_as_an_inline_jpeg_that_may_be_cached_for_a_year(app, stored):
    key, photo = stored
    with app.test_request_context():
        response = photo_response(key)
    assert response.status_code == 200 and response.get_data() == photo.jpeg
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == CACHE_CONTROL == "private, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["ETag"]
    assert key not in response.headers["ETag"]  # the storage key is not echoed


def test_thumbnail_is_sent_from_the_photo_key_or_its_own(app, stored):
    key, photo = stored
    with app.test_request_context():
        assert photo_response(key, thumb=True).get_data() == photo.thumb
        assert photo_response(thumb_key(key), thumb=True).get_data() == photo.thumb
        assert photo_response(key, thumb=True).headers["ETag"] != photo_response(key).headers["ETag"]


def test_browser_that_has_the_photo_gets_304_without_the_bytes(app, stored):
    key, _photo = stored
    with app.test_request_context():
        etag = photo_response(key).headers["ETag"]
    with app.test_request_context(headers={"If-None-Match": etag}):
        response = photo_response(key)
    assert response.status_code == 304 and response.get_data() == b""
    assert response.headers["ETag"] == etag and response.headers["Cache-Control"] == CACHE_CONTROL
    with app.test_request_context(headers={"If-None-Match": '"something-else"'}):
        assert photo_response(key).status_code == 200


@pytest.mark.parametrize("key", ["0123456789abcdef0123456789abcdef.jpg", "../../secret_key", "/etc/passwd",
                                 ""])
def test_missing_or_malformed_key_is_not_found(app, key):
    with app.test_request_context(), pytest.raises(NotFound):
        photo_response(key)


@pytest.mark.no_api_contract  # a stand-in route the document does not (and should not) know
def test_over_http_headers_survive_and_a_missing_photo_is_a_json_404(app, stored):
    # A stand-in for the hazard routes, which check who may see the photo before calling photo_response.
    key, photo = stored
    app.add_url_rule("/api/v1/_test_photo/<key>", "test_photo", lambda key: photo_response(key))
    client = app.test_client()
    response = client.get(f"/api/v1/_test_photo/{key}")
    assert response.status_code == 200 and response.data == photo.jpeg
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(f"/api/v1/_test_photo/{key}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    missing = client.get(f"/api/v1/_test_photo/{new_key()}")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
