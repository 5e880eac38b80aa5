"""Two people act on one hazard at the same moment, through a live threaded server: one wins, one gets 409."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from werkzeug.serving import make_server
from werkzeug.test import encode_multipart

from server.hazards.models import Hazard, HazardEvent, Photo
from tests.conftest import PASSWORD, new_client_id, photo_bytes
from tests.hazards.apihelp import category_id, count, stored_files


@pytest.fixture
def live_server(app):
    """Serve the app on a free loopback port from a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


class Browser:
    """A signed-in HTTP client with its own cookies, like one phone."""

    def __init__(self, base, username):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "next": "/api/v1/session"}).encode()
        with self.opener.open(f"{base}/login", form, timeout=30) as response:
            assert json.loads(response.read())["user"]["username"] == username

    def post(self, path, fields, photos=()):
        """POST a multipart form with photos[]; return (status, JSON body)."""
        values = [(k, v) for k, v in fields.items()] + [
            ("photos[]", (_file(data, f"p{i}.jpg"))) for i, data in enumerate(photos)]
        boundary, body = encode_multipart(_multidict(values))
        request = urllib.request.Request(f"{self.base}{path}", data=body, method="POST", headers={  # noqa: S310
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def _file(data, name):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=name, content_type="image/jpeg")


def _multidict(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


def _at_once(*calls):
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_two_rechecks_at_once_one_wins(app, live_server, make_hazard, make_user):
    hazard = make_hazard("awaiting_recheck")
    one = Browser(live_server, hazard.people.supervisor.username)
    two = Browser(live_server, make_user(roles=("supervisor",)).username)
    events, photos = count(app, HazardEvent), count(app, Photo)

    def recheck(browser, action, color):
        return lambda: browser.post(f"/api/v1/hazards/{hazard.id}/actions", {
            "action": action, "client_id": new_client_id(), "seen_state": "awaiting_recheck",
            "note": "复查"}, photos=[photo_bytes(color, size=(800, 600))])

    results = _at_once(recheck(one, "pass", (1, 2, 3)), recheck(two, "fail", (4, 5, 6)))
    statuses = sorted(status for status, _body in results)
    assert statuses == [201, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "invalid_transition"
    assert count(app, HazardEvent) == events + 1
    assert count(app, Photo) == photos + 1
    # The loser's photo files were removed: every stored file belongs to a photo row (with its thumbnail).
    assert len(stored_files(app)) == 2 * count(app, Photo)
    winner = next(body for status, body in results if status == 201)
    assert count(app, Hazard, Hazard.state == winner["hazard"]["state"]) == 1


def test_the_same_report_sent_twice_at_once_is_one_hazard(app, live_server, make_zone, make_user):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    phone_a, phone_b = Browser(live_server, patrol.username), Browser(live_server, patrol.username)
    fields = {"client_id": new_client_id(), "zone_id": str(zone.id), "category_id": str(category_id(app)),
              "severity": "general", "description": "楼道灯不亮"}
    photo = photo_bytes((7, 7, 7), size=(800, 600))
    results = _at_once(lambda: phone_a.post("/api/v1/hazards", fields, [photo]),
                       lambda: phone_b.post("/api/v1/hazards", fields, [photo]))
    assert sorted(status for status, _ in results) == [200, 201], results
    assert results[0][1]["hazard"]["id"] == results[1][1]["hazard"]["id"]
    assert all(body["client_id"] == fields["client_id"] for _, body in results)
    assert count(app, Hazard) == 1 and count(app, Photo) == 1 and len(stored_files(app)) == 2
