"""Backup and restore proven (issue 13): a backup taken while patrols keep reporting, restored into a new
instance, holds every record acknowledged before the backup began, with its photo files; on SQLite and
PostgreSQL alike (the suite runs on both)."""

import io
import threading
import time
import uuid
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from server import create_app
from server.extensions import db
from tests.conftest import ON_POSTGRES, empty_database_uri, photo_bytes


def _instance(folder: Path):
    folder.mkdir()
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SQLALCHEMY_DATABASE_URI": empty_database_uri(folder, "backup.sqlite")})
    app.instance_path = str(folder)
    return app


def test_a_backup_taken_while_patrols_report_restores_every_acknowledged_record(tmp_path):
    from server.hazards.models import Category, Hazard, Photo
    from server.media.storage import get_storage
    from server.zones.models import Zone

    app = _instance(tmp_path / "school")
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["seed-demo", "--no-history"]).exit_code == 0
    with app.app_context():
        zone_id = db.session.scalar(select(Zone.id).where(Zone.code == "GL-BOILER"))
        category_id = db.session.scalar(select(Category.id).where(Category.code == "fire"))
    patrol = app.test_client()
    assert patrol.post("/login", data={"username": "li", "password": "demo1234"}).status_code == 302

    acknowledged: list[tuple[float, int]] = []
    stop = threading.Event()

    def keep_reporting():
        n = 0
        while not stop.is_set():
            n += 1
            response = patrol.post("/api/v1/hazards", content_type="multipart/form-data", data={
                "client_id": str(uuid.uuid4()), "zone_id": zone_id, "category_id": category_id,
                "severity": "general", "description": f"巡查发现第{n}处",
                "photos": (io.BytesIO(photo_bytes((n % 250, 90, 40))), "p.jpg")})
            if response.status_code == 201:
                acknowledged.append((time.monotonic(), response.get_json()["hazard"]["id"]))

    writer = threading.Thread(target=keep_reporting)
    writer.start()
    try:
        while len(acknowledged) < 3:
            time.sleep(0.05)
        began = time.monotonic()
        result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "backups")])
        while not any(at > began for at, _ in acknowledged):  # reports went on during and after it
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    archive = result.output.strip().splitlines()[-1]
    before = sorted(hazard_id for at, hazard_id in acknowledged if at < began)

    elsewhere = _instance(tmp_path / "new-server")
    restored = elsewhere.test_cli_runner().invoke(args=["restore", archive, "--yes"])
    assert restored.exit_code == 0, restored.output
    with elsewhere.app_context():
        present = set(db.session.scalars(select(Hazard.id).where(Hazard.id.in_(before))))
        photos = list(db.session.scalars(select(Photo).where(Photo.hazard_id.in_(before))))
        storage = get_storage()
        missing_files = [p.key for p in photos for key in (p.key, p.thumb_key) if not storage.exists(key)]
    assert present == set(before) and len(before) >= 3
    assert {p.hazard_id for p in photos} == set(before)
    assert missing_files == []
    assert ON_POSTGRES or (tmp_path / "new-server" / "backup.sqlite").exists()
