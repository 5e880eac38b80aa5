"""A photo's SHA-256 is taken once per request (issue 12): the record's content hash, the photo's row and a
campaign's hazard each ask for it, and a 3 MB photo costs 4 ms a hash."""

import hashlib

import pytest

from server import sync
from tests.campaigns.conftest import make_campaign, make_template  # noqa: F401 - fixtures
from tests.campaigns.test_api import post_answer
from tests.conftest import photo_bytes
from tests.hazards.apihelp import category_id, report

SIZE = (640, 480)  # a photo of some kilobytes, told apart from the small texts hashed for client ids


@pytest.fixture
def hashed(monkeypatch):
    """Count the SHA-256 hashes taken of each photo-sized input (more than 1 kB), by its digest."""
    counts: dict[str, int] = {}
    real = hashlib.sha256

    def counting(data=b"", *args, **kwargs):
        digest = real(data, *args, **kwargs)
        if len(data) > 1024:
            counts[digest.hexdigest()] = counts.get(digest.hexdigest(), 0) + 1
        return digest

    monkeypatch.setattr(sync.hashlib, "sha256", counting)
    return counts


def test_a_hazard_reports_photos_are_hashed_once_each(app, make_zone, login_as, hashed):
    photos = [photo_bytes(size=SIZE), photo_bytes(color=(10, 200, 10), size=SIZE)]
    response = report(login_as("patrol"), make_zone().id, category_id(app), photos=photos)

    assert response.status_code == 201
    assert hashed == {hashlib.new("sha256", p).hexdigest(): 1 for p in photos}


def test_a_campaign_answers_failed_item_photo_is_hashed_once(make_zone, make_campaign, login_as,  # noqa: F811
                                                             hashed):
    zone = make_zone()
    campaign = make_campaign([zone])
    first, *rest = campaign.item_ids
    photo = photo_bytes(size=SIZE)
    response = post_answer(login_as("patrol"), campaign, zone.id,
                           [(first, "fail"), *((item, "pass") for item in rest)], photos={first: [photo]})

    assert response.status_code == 201
    assert hashed == {hashlib.new("sha256", photo).hexdigest(): 1}


@pytest.mark.parametrize(("same_bytes", "hashes"), [(True, 1), (False, 2)])
def test_the_digest_is_kept_for_the_same_bytes_only(app, same_bytes, hashes, hashed):
    photo = photo_bytes(size=SIZE)
    other = photo if same_bytes else bytes(bytearray(photo))  # equal content, another object: hashed again
    with app.test_request_context():
        digests = {sync.photo_digest(photo), sync.photo_digest(other)}

    assert (digests, sum(hashed.values())) == ({hashlib.new("sha256", photo).hexdigest()}, hashes)
