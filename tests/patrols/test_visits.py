"""Patrol visits: "no hazard found" in one tap, idempotent; reports belong to a visit; on-site scans."""

from datetime import UTC, datetime, timedelta

import pytest

from server.extensions import db
from server.patrols.models import PatrolVisit
from tests.conftest import new_client_id
from tests.hazards.apihelp import category_id, count, report


def _visit(client, zone_id, **fields):
    body = {"client_id": new_client_id(), "zone_id": zone_id, **fields}
    return client.post("/api/v1/visits", json=body)


def test_no_hazard_found_in_one_tap(app, make_zone, login_as):
    patrol = login_as("patrol")
    zone = make_zone()
    scanned = datetime.now(UTC) - timedelta(minutes=3)
    response = _visit(patrol, zone.id, zone_token=zone.qr_token, scanned_at=scanned.isoformat(),
                      device_at=datetime.now(UTC).isoformat(), checklist={"消防通道畅通": "yes"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["visit"]["result"] == "no_hazard" and body["visit"]["on_site"] is True
    assert body["visit"]["patrol"]["id"] == patrol.user.id and body["client_id"]
    assert body["visit"]["checklist"] == {"消防通道畅通": "yes"}


def test_a_visit_sent_twice_is_one_visit(app, make_zone, login_as):
    patrol = login_as("patrol")
    zone = make_zone()
    cid = new_client_id()
    first = _visit(patrol, zone.id, client_id=cid, device_at="2030-01-01T01:00:00Z")
    again = _visit(patrol, zone.id, client_id=cid, device_at="2030-01-01T01:00:00Z")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["visit"] == again.get_json()["visit"]
    other = _visit(patrol, zone.id, client_id=cid, device_at="2030-01-01T02:00:00Z")
    assert other.status_code == 409
    assert count(app, PatrolVisit) == 1


def test_visit_refusals(app, make_zone, login_as):
    from server.zones import services as zones
    from server.zones.models import Zone

    patrol = login_as("patrol")
    zone = make_zone(name="地下车库")
    assert _visit(login_as("rectifier"), zone.id).status_code == 403
    assert _visit(patrol, 99999).status_code == 422
    assert _visit(patrol, zone.id, result="maybe").status_code == 422
    assert _visit(patrol, zone.id, checklist=["not", "a", "dict"]).status_code == 422
    assert patrol.post("/api/v1/visits", data="nonsense", content_type="text/plain").status_code == 422
    with app.app_context():
        zones.set_active(db.session.get(Zone, zone.id), False)
        db.session.commit()
    response = _visit(patrol, zone.id)
    assert response.status_code == 409 and "地下车库" in response.get_json()["error"]["message"]
    assert count(app, PatrolVisit) == 0


@pytest.mark.parametrize(("label", "scanned_ago", "on_site"), [
    ("this zone", timedelta(minutes=5), True),
    ("another zone", timedelta(minutes=5), False),
    ("this zone", timedelta(hours=2), False),  # scanned long before
    (None, timedelta(0), False),
])
def test_on_site_needs_this_zones_current_label_and_a_recent_scan(app, make_zone, login_as, label,
                                                                  scanned_ago, on_site):
    patrol = login_as("patrol")
    zone, other = make_zone(), make_zone()
    token = {"this zone": zone.qr_token, "another zone": other.qr_token, None: None}[label]
    now = datetime.now(UTC)
    body = _visit(patrol, zone.id, zone_token=token, scanned_at=(now - scanned_ago).isoformat(),
                  device_at=now.isoformat()).get_json()
    assert body["visit"]["on_site"] is on_site


def test_reports_belong_to_a_visit(app, make_zone, login_as):
    patrol = login_as("patrol")
    zone = make_zone()
    visit_id = new_client_id()
    assert _visit(patrol, zone.id, client_id=visit_id).get_json()["visit"]["result"] == "no_hazard"
    # Something is noticed after all: the report names the visit, which now has hazards.
    one = report(patrol, zone.id, category_id(app), visit_client_id=visit_id).get_json()["hazard"]
    two = report(patrol, zone.id, category_id(app), visit_client_id=visit_id).get_json()["hazard"]
    assert one["visit_id"] == two["visit_id"] is not None
    with app.app_context():
        visit = db.session.scalar(db.select(PatrolVisit).where(PatrolVisit.client_id == visit_id))
        assert visit.result == "hazards_found" and len(visit.hazards) == 2
    # A report without a visit id still makes a visit (patrol coverage counts it).
    three = report(patrol, zone.id, category_id(app)).get_json()["hazard"]
    assert three["visit_id"] not in (None, one["visit_id"])
    # Another person's visit, or another zone, cannot be named.
    response = report(login_as("patrol"), zone.id, category_id(app), visit_client_id=visit_id)
    assert response.status_code == 422 and response.get_json()["error"]["details"] == {
        "visit_client_id": "mismatch"}
    assert count(app, PatrolVisit) == 2
