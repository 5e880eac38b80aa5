"""CLI commands: migrations, demo data, users, backup and restore, the daily pass."""

import os
import tarfile
import time
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from server import create_app
from server.auth.models import User
from server.extensions import db
from server.zones.models import Zone
from tests.conftest import ON_POSTGRES, empty_database_uri

NO_NOTICES = ("New notices: 0 due tomorrow, 0 overdue; 0 flagged for supervision (督办); "
              "0 group-chat alerts queued.")


def _fresh_app(tmp_path, name="fresh.sqlite"):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": empty_database_uri(tmp_path, name)})
    app.instance_path = str(tmp_path)
    return app


def test_migrations_build_exactly_the_models(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ; run flask db migrate: {diff}"
        if ON_POSTGRES:
            return
        journal = db.session.execute(db.text("PRAGMA journal_mode")).scalar()
        assert journal == "wal"
        assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1


def test_seed_demo_loads_once_and_prints_logins(tmp_path):
    app = _fresh_app(tmp_path)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
    result = runner.invoke(args=["seed-demo", "--no-history", "--url", "http://127.0.0.1:5000"])
    assert result.exit_code == 0, result.output
    printed = ("http://127.0.0.1:5000", "admin", "demo1234")
    assert [text for text in printed if text not in result.output] == []
    with app.app_context():
        zones = db.session.scalar(select(func.count()).select_from(Zone))
        users = db.session.scalar(select(func.count()).select_from(User))
        key = db.session.scalar(select(func.count()).select_from(Zone).where(Zone.key_area.is_(True)))
    assert zones >= 25 and users >= 10 and key >= 5
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "kept" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Zone)) == zones


def test_create_user_command(runner, app):
    result = runner.invoke(args=["create-user", "boss", "--name", "校长", "--role", "admin", "--role",
                                 "supervisor", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "boss"))
        assert user.roles == {"admin", "supervisor"}
    again = runner.invoke(args=["create-user", "boss", "--name", "x", "--role", "admin",
                                "--password", "a-long-password"])
    assert again.exit_code != 0 and "已被使用" in again.output


def test_backup_while_writing_and_restore(tmp_path):
    app = _fresh_app(tmp_path)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
    runner.invoke(args=["seed-demo", "--no-history"])  # the term's photos are tests/test_demo.py's
    media = tmp_path / "media" / "ab"
    media.mkdir(parents=True)
    (media / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    # A second connection holds an open write transaction while the backup runs (the app at work; on
    # SQLite it holds the write lock: BEGIN IMMEDIATE).
    writer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with writer.connect() as conn, conn.begin():
        conn.execute(text("UPDATE zones SET name = 'uncommitted' WHERE code = 'JX-1F-E'"))
        result = runner.invoke(args=["backup", "--out", str(tmp_path / "backups")])
        conn.rollback()
    writer.dispose()
    assert result.exit_code == 0, result.output
    archive = Path(result.output.strip().splitlines()[-1])
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert ("xunjian.pgdump" if ON_POSTGRES else "xunjian.sqlite") in names and "media/ab/photo.jpg" in names

    # Lose data, then restore.
    with app.app_context():
        db.session.execute(db.delete(Zone).where(Zone.code == "XM-GATE"))
        db.session.commit()
    (media / "photo.jpg").unlink()
    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        gate = db.session.scalar(select(Zone).where(Zone.code == "XM-GATE"))
        first = db.session.scalar(select(Zone).where(Zone.code == "JX-1F-E"))
    assert gate is not None and first.name != "uncommitted"
    assert (media / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"


def test_daily_deletes_the_files_of_an_uncommitted_record_and_keeps_the_rest(app, runner, make_hazard):
    from server.hazards.models import Photo
    from server.media.storage import get_storage, new_key, thumb_key

    make_hazard("reported")  # one committed report: its photo and thumbnail are named by a row
    with app.app_context():
        storage = get_storage()
        named = [k for photo in db.session.scalars(select(Photo)) for k in (photo.key, photo.thumb_key)]
        # A request killed between storing its photo and committing its record, two days ago…
        lost = new_key()
        storage.put(thumb_key(lost), b"t" * 200)
        storage.put(lost, b"p" * 1000)
        # …and one storing its photo right now (its record is not committed yet).
        busy = new_key()
        storage.put(thumb_key(busy), b"t" * 50)
        storage.put(busy, b"p" * 500)
        two_days_ago = time.time() - 2 * 86400
        for key in [*named, lost, thumb_key(lost)]:
            os.utime(storage.path(key), (two_days_ago, two_days_ago))

    result = runner.invoke(args=["daily"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        NO_NOTICES,
        "Special inspections starting: 0 announced.",
        "Orphan photo files: 2 deleted (1200 bytes freed); 6 files scanned, 2 younger than a day left alone.",
    ]
    with app.app_context():
        storage = get_storage()
        assert {f.key for f in storage.files()} == {*named, busy, thumb_key(busy)}
    assert runner.invoke(args=["daily"]).output.splitlines()[2] == (
        "Orphan photo files: 0 deleted (0 bytes freed); 4 files scanned, 2 younger than a day left alone.")


def test_sweep_deadlines_still_runs_alone(runner):
    result = runner.invoke(args=["sweep-deadlines"])
    assert result.exit_code == 0 and result.output == NO_NOTICES + "\n"
