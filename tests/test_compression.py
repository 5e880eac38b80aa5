"""Compressed answers with no proxy: the field app's files compressed once per release, pages and JSON per
request, nothing compressed twice, and the same bytes after decompression."""

import gzip

import brotli
import pytest

from server import compression, shell


def _decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    return {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[encoding](body)


@pytest.mark.parametrize(("accept", "expected"), [
    ("gzip, deflate, br, zstd", "br"),
    ("gzip, deflate", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("identity", None),
    ("", None),
    ("*", "br"),
    ("gzip;q=0.5, br;q=0", "gzip"),
    ("gzip;q=zz", None),
])
def test_the_encoding_follows_accept_encoding(accept, expected):
    assert compression.chosen_encoding(accept) == expected


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_app_files_are_compressed_and_decode_to_the_same_bytes(app, client, encoding):
    with app.app_context():
        v = shell.version()
    plain = client.get(f"/pwa/js/app.js?v={v}")
    packed = client.get(f"/pwa/js/app.js?v={v}", headers={"Accept-Encoding": encoding})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert _decoded(packed) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2


def test_app_files_are_compressed_once_per_release(app, client, monkeypatch):
    calls = []
    real = compression._compressed
    monkeypatch.setattr(compression, "_compressed", lambda body, enc: calls.append(enc) or real(body, enc))
    with app.app_context():
        v = shell.version()
    for _ in range(3):
        assert client.get(f"/pwa/css/app.css?v={v}", headers={"Accept-Encoding": "br"}).status_code == 200
    assert calls == ["br"]


def test_a_revalidated_app_file_answers_304_with_the_encoded_validator(client):
    first = client.get("/pwa/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    again = client.get("/pwa/css/app.css",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/sw.js", "/manifest.webmanifest", "/app?shell=1"])
def test_the_worker_manifest_and_shell_are_compressed(client, path):
    response = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert _decoded(response) == client.get(path).get_data()


def test_json_answers_are_compressed_per_request(client):
    plain = client.get("/api/v1/openapi.json")
    packed = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()


def test_a_small_answer_is_sent_as_it_is(client):
    response = client.get("/api/v1/session", headers={"Accept-Encoding": "br, gzip"})
    assert len(response.get_data()) < compression.MIN_SIZE
    assert "Content-Encoding" not in response.headers


def test_photos_are_not_compressed_again(app, make_hazard, sign_in):
    hazard = make_hazard("reported")
    client = sign_in(hazard.people.supervisor)
    photo = client.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]["photos"][0]
    response = client.get(f"/api/v1/photos/{photo['id']}", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "Content-Encoding" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/i18n", "/api/v1/hazards/transitions", "/api/v1/categories"])
def test_a_packed_answer_kept_in_one_language_is_not_current_in_the_other(login_as, path):
    client = login_as("patrol")
    br = {"Accept-Encoding": "br"}
    chinese = client.get(path, headers=br)
    csrf = client.get("/api/v1/session?fresh=1").get_json().get("csrf_token", "")
    switched = client.post("/api/v1/session/locale", json={"locale": "en"}, headers={"X-CSRFToken": csrf})
    assert switched.status_code == 200
    english = client.get(path, headers={**br, "If-None-Match": chinese.headers["ETag"]})
    again = client.get(path, headers={**br, "If-None-Match": english.headers["ETag"]})
    assert (chinese.status_code, english.status_code, again.status_code) == (200, 200, 304)
    assert english.headers["ETag"] != chinese.headers["ETag"]
    assert _decoded(english) != _decoded(chinese)
