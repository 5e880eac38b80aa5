"""The field data a phone keeps is not sent again: a strong ETag from the body's hash, 304 when the phone
names it (plain or in the encoding it was given), a new tag when the answer changes."""

import pytest

from server.api.conditional import body_etag

# Every answer the field app keeps for offline use and asks again at each app open.
FIELD_DATA = ["/api/v1/zones", "/api/v1/categories", "/api/v1/i18n", "/api/v1/me/tasks", "/api/v1/me/today",
              "/api/v1/hazards/transitions"]


@pytest.fixture
def patrol(login_as, make_zone):
    make_zone(code="A-101", name="教学楼一楼走廊")
    return login_as("patrol", "rectifier", "supervisor")


@pytest.mark.parametrize("path", FIELD_DATA)
def test_an_answer_carries_a_strong_etag_of_its_body_and_must_be_revalidated(patrol, path):
    response = patrol.get(path)
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{body_etag(response.get_data())}"'
    assert response.headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("path", FIELD_DATA)
def test_the_same_answer_again_is_304_with_no_body(patrol, path):
    tag = patrol.get(path).headers["ETag"]
    again = patrol.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_the_tag_of_a_compressed_answer_revalidates_too(client, encoding):
    first = client.get("/api/v1/i18n", headers={"Accept-Encoding": encoding})
    assert first.headers["Content-Encoding"] == encoding
    assert first.headers["ETag"].endswith(f':{encoding}"')
    again = client.get("/api/v1/i18n",
                       headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("sent", ['"0123456789abcdef0123456789abcdef"', '"stale:br"', "", 'W/"nothing"'])
def test_a_tag_of_other_content_gets_the_whole_answer(patrol, sent):
    response = patrol.get("/api/v1/zones", headers={"If-None-Match": sent} if sent else {})
    assert response.status_code == 200
    assert response.get_json()["zones"][0][1] == "A-101"  # a row: id, code, ...


def test_a_changed_directory_has_a_new_tag(patrol, make_zone):
    tag = patrol.get("/api/v1/zones").headers["ETag"]
    make_zone(code="A-102", name="教学楼二楼走廊")
    response = patrol.get("/api/v1/zones", headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert response.headers["ETag"] != tag
    assert [row[1] for row in response.get_json()["zones"]] == ["A-101", "A-102"]


def test_words_in_another_language_have_another_tag(client):
    chinese = client.get("/api/v1/i18n")
    with client.session_transaction() as session:
        session["locale"] = "en"
    english = client.get("/api/v1/i18n", headers={"If-None-Match": chinese.headers["ETag"]})
    assert (chinese.get_json()["locale"], english.status_code) == ("zh_CN", 200)
    assert english.get_json()["locale"] == "en"


def test_signed_out_is_still_401_not_304(client):
    assert client.get("/api/v1/zones", headers={"If-None-Match": "*"}).status_code == 401
