"""SQLite's planner statistics: ANALYZE after the migrations and from the daily pass (issue 12)."""

import pytest
from flask_migrate import upgrade

from server import create_app
from server.extensions import db
from tests.conftest import ON_POSTGRES, empty_database_uri

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="ANALYZE is SQLite's; PostgreSQL analyzes by itself")

STATS = "SELECT idx FROM sqlite_stat1 WHERE tbl = 'hazards' AND idx = 'ix_hazards_device_reported_at'"


def test_the_migrations_end_with_analyze(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": empty_database_uri(tmp_path, "fresh.sqlite")})
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        tables = db.session.scalars(db.text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
    assert "sqlite_stat1" in tables


def test_the_daily_pass_refreshes_the_statistics(app, runner, make_hazard):
    make_hazard("assigned")
    with app.app_context():
        db.session.execute(db.text("ANALYZE"))  # statistics taken before the data came (the migrations')
        db.session.execute(db.text("DELETE FROM sqlite_stat1"))
        db.session.commit()
    assert runner.invoke(args=["daily"]).exit_code == 0
    with app.app_context():
        after = db.session.scalars(db.text(STATS)).all()
    assert after == ["ix_hazards_device_reported_at"]
