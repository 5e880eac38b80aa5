"""The zone directory since a version the phone keeps: only what changed, and the zones retired (issue 12: the
whole directory was 17 kB on the wire at a district's 500 zones)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from server.auth.models import User
from server.extensions import db
from server.zones import services
from server.zones.models import Zone


def _rename(zone, person):
    db.session.get(Zone, zone.id).name = "改名的教室"


def _retire(zone, person):
    db.session.get(Zone, zone.id).active = False


def _new_label(zone, person):
    services.reissue_token(db.session.get(Zone, zone.id), db.session.get(User, person.id))


def _rename_person(zone, person):
    db.session.get(User, person.id).display_name = "新名字"


def _nothing(zone, person):
    pass


# What changes on the server after the phone kept the directory (its zones last changed hours ago), and what
# its next ask answers: the zones sent (by code), the zones to drop, whether it is the whole directory again,
# and how many zones in all.
CHANGES = [
    (_nothing, [], [], False, 3),
    (_rename, ["A-1"], [], False, 3),
    (_new_label, ["A-1"], [], False, 3),
    (_retire, [], ["A-1"], False, 2),
    (_rename_person, ["A-1", "B-2", "N-0"], [], True, 3),  # a person's name is in every zone they answer for
]


def _codes(directory) -> list[str]:
    """Return the codes of a directory answer's zones (rows of its columns)."""
    return [row[directory["columns"].index("code")] for row in directory["zones"]]


def _changed_hours_ago(app, zone, hours):
    with app.app_context():
        db.session.execute(update(Zone).where(Zone.id == zone.id).values(
            updated_at=datetime.now(UTC) - timedelta(hours=hours)))
        db.session.commit()


@pytest.mark.parametrize(("change", "sent", "dropped", "whole", "total"), CHANGES,
                         ids=[c[0].__name__.strip("_") for c in CHANGES])
def test_the_directory_since_a_version_sends_only_the_changes(app, make_zone, make_user, login_as, change,
                                                               sent, dropped, whole, total):
    person = make_user(roles=("rectifier",))
    zones = {code: make_zone(code=code, responsible=person) for code in ("A-1", "B-2")}
    for hours, zone in [(5, zones["A-1"]), (5, zones["B-2"]), (3, make_zone(code="N-0"))]:
        _changed_hours_ago(app, zone, hours)
    phone = login_as("patrol")
    kept = phone.get("/api/v1/zones").get_json()
    assert (kept["since"], kept["retired"], kept["total"], sorted(_codes(kept))) == (
        None, [], 3, ["A-1", "B-2", "N-0"])
    with app.app_context():
        change(zones["A-1"], person)
        db.session.commit()
    answer = phone.get("/api/v1/zones", query_string={"since": kept["version"]}).get_json()
    got = sorted(_codes(answer))
    assert (got, answer["retired"], answer["since"], answer["total"]) == (
        sent, [zones[code].id for code in dropped], None if whole else kept["version"], total)


@pytest.mark.parametrize("since", ["", "x", "12-nope", "99999999999999999999999999-abc", "-1-abc"])
def test_a_version_the_server_cannot_read_gets_the_whole_directory(make_zone, login_as, since):
    """A version the server cannot read, or no longer answers from, gets the whole directory (never an error:
    the phone then keeps the whole)."""
    make_zone(code="C-3")
    answer = login_as("patrol").get("/api/v1/zones", query_string={"since": since}).get_json()
    assert (answer["since"], _codes(answer), answer["total"]) == (None, ["C-3"], 1)


def test_changes_of_the_last_minutes_are_sent_again(app, make_zone, login_as):
    """A change committed late carries the time its transaction began: the zones changed in the 10 minutes
    before a version was served come again with the next changes, so none is missed."""
    _changed_hours_ago(app, make_zone(code="OLD"), 2)
    make_zone(code="NEW")
    phone = login_as("patrol")
    version = phone.get("/api/v1/zones").get_json()["version"]
    answer = phone.get("/api/v1/zones", query_string={"since": version}).get_json()
    assert (_codes(answer), answer["retired"], answer["total"]) == (["NEW"], [], 2)


def test_the_whole_directory_is_compressed_at_the_best_ratio_once_per_version(app, make_zone, login_as):
    """The whole directory (140 kB of JSON at 500 zones) goes at brotli's best ratio, compressed once for its
    version: the same bytes again; only the current version is kept in memory."""
    import brotli

    for n in range(30):
        make_zone(code=f"Z-{n:02d}", name=f"教学楼{n}楼走廊")
    phone = login_as("patrol")
    first = phone.get("/api/v1/zones", headers={"Accept-Encoding": "br"})
    raw = brotli.decompress(first.get_data())
    assert (first.headers["Content-Encoding"], first.get_data()) == (
        "br", phone.get("/api/v1/zones", headers={"Accept-Encoding": "br"}).get_data())
    assert len(first.get_data()) == len(brotli.compress(raw, quality=11))
    again = phone.get("/api/v1/zones", headers={"Accept-Encoding": "br",
                                                "If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.get_data()) == (304, b"")
    make_zone(code="Z-99")  # a new version: the old one's bytes are dropped
    phone.get("/api/v1/zones", headers={"Accept-Encoding": "br"})
    kept = [key for key in app.extensions["precompressed"] if str(key[0]).startswith("zone-directory:")]
    assert len(kept) == 1


def test_a_row_is_the_zone_as_its_label_opens_it(make_zone, make_user, login_as):
    """A label opens offline from the directory kept on the phone: each row, read by its columns, is the zone
    as /zones/by-token answers it (its responsible person less the id the page does not show)."""
    person = make_user(roles=("rectifier",), display_name="郑老师")
    zone = make_zone(code="D-4", name="锅炉房", responsible=person)
    phone = login_as("patrol")
    directory = phone.get("/api/v1/zones").get_json()
    by_token = phone.get(f"/api/v1/zones/by-token/{zone.qr_token}").get_json()["zone"]
    del by_token["responsible"]["id"]
    assert dict(zip(directory["columns"], directory["zones"][0], strict=True)) == by_token
    assert directory["columns"][0] == "id"  # the phone merges changes by the first column
