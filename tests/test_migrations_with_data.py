"""Migrations on a database with records in it: a table SQLite rebuilds (hazard_events, which photos point at)
keeps its rows and every reference, down to the last released revision and up again."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from server import create_app
from server.auth.models import User
from server.extensions import db
from server.hazards import reporting
from server.hazards.models import Category, Hazard, HazardEvent, Photo
from server.zones.models import Zone
from tests.conftest import ON_POSTGRES, empty_database_uri, new_client_id, photo_bytes

RELEASED = "9d2e6f1a7b34"  # the head the last landed release ran: what a school's database is at


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Hazard, HazardEvent, Photo))


def test_a_database_with_hazards_and_photos_goes_down_and_up_again(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": empty_database_uri(tmp_path, "data.sqlite")})
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["seed-demo", "--no-history"]).exit_code == 0
    with app.app_context():
        reporter = db.session.scalar(select(User).where(User.username == "li"))
        zone = db.session.scalar(select(Zone).order_by(Zone.id))
        category = db.session.scalar(select(Category.id).order_by(Category.id))
        for _ in range(3):
            reporting.report(reporter, reporting.Report(
                client_id=new_client_id(), zone_id=zone.id, category_id=category, severity="general",
                description="楼梯扶手松动", photos=[photo_bytes(), photo_bytes((40, 160, 40))]))
        before = _counts()
        db.session.remove()  # its read transaction would hold the database the migrations rebuild
        downgrade(revision=RELEASED)
        upgrade()
        db.session.expire_all()
        assert _counts() == before == (3, 3, 6)
        if not ON_POSTGRES:
            assert db.session.execute(db.text("PRAGMA foreign_key_check")).all() == []
            assert db.session.execute(db.text("PRAGMA integrity_check")).scalar() == "ok"
            assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1
