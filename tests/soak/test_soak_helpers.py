"""The pure parts of bench/_soak.py that bench/load.py and bench/crash.py judge by; cheap, so in the suite.

The scripts themselves start gunicorn, 55 clients and a minute of load: they are run by hand or by
`make bench`, never here (even a 5-second variant takes over a minute on a busy 2-core machine).
"""

import io
import sys
from pathlib import Path

import pytest
from werkzeug.formparser import parse_form_data

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import _soak  # noqa: E402


@pytest.mark.parametrize(("values", "p", "expected"), [
    ([], 95, 0.0),
    ([7.0], 95, 7.0),
    ([1.0, 2.0], 50, 1.0),
    ([float(n) for n in range(1, 21)], 50, 10.0),
    ([float(n) for n in range(1, 21)], 95, 19.0),
    ([float(n) for n in range(1, 101)], 95, 95.0),
])
def test_percentile_is_the_nearest_rank(values, p, expected):
    assert _soak.percentile(values, p) == expected


@pytest.mark.parametrize(("kind", "status", "flagged"), [
    ("POST assign", 409, False),  # another supervisor got there first: the answer the field app expects
    ("POST pass", 409, False),
    ("resend event", 409, False),  # an action in flight at the kill, its hazard moved on since
    ("resend hazard", 409, True),
    ("POST report, 1 photo", 409, True),
    ("POST visit (JSON)", 422, True),
    ("GET list ?state=reported", 400, True),
    ("POST assign", 403, True),
    ("POST assign", 201, False),
    ("POST report, 1 photo", 500, False),  # a 5xx is counted by server_errors(), not here
])
def test_unexpected_answers_are_4xx_but_a_conflict_on_an_action(kind, status, flagged):
    stats = _soak.Stats()
    stats.add(kind, status, 0.1)
    assert bool(stats.unexpected()) is flagged


def test_server_errors_count_every_5xx():
    stats = _soak.Stats()
    for kind, status in [("a", 500), ("a", 200), ("b", 503), ("b", 409)]:
        stats.add(kind, status, 0.1)
    assert stats.server_errors() == 2


def test_multipart_body_reads_back_as_the_fields_and_photos_sent():
    fields = {"client_id": "abc-12345", "description": "消防通道堆放杂物", "fixed_on_the_spot": "true"}
    photos = {"photos[]": [b"\xff\xd8one"], "after_photos[]": [b"\xff\xd8two", b"\xff\xd8three"]}
    boundary, body = _soak.multipart(fields, photos)
    _, form, files = parse_form_data({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
                                      "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                                      "wsgi.input": io.BytesIO(body)})
    assert form.to_dict() == fields
    assert {name: [f.read() for f in files.getlist(name)] for name in files} == photos


def test_in_app_times_are_read_from_the_access_log_by_route(tmp_path):
    instance = _soak.Instance(folder=tmp_path, db="sqlite", env={})
    (tmp_path / "access.log").write_text("POST /api/v1/visits 201 9000000\n"  # before the run: left out
                                         "POST /api/v1/hazards/12/actions 201 250000\n"
                                         "POST /api/v1/hazards/7/actions 201 750000\n"
                                         "GET /api/v1/hazards 200 40000\n")
    assert _soak.in_app_table(instance, since=len("POST /api/v1/visits 201 9000000\n"))[1:] == [
        f"  {'GET /api/v1/hazards':<34} {1:>6} {40:>8} {40:>8}",
        f"  {'POST /api/v1/hazards/<id>/actions':<34} {2:>6} {250:>8} {750:>8}",
    ]
