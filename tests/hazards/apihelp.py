"""Send what the field app sends: multipart reports and actions with photos, each with a client id."""

import io
from pathlib import Path

from sqlalchemy import func, select

from server.extensions import db
from tests.conftest import new_client_id, photo_bytes


def files(photos) -> list:
    """Return photos (bytes) as multipart file parts."""
    return [(io.BytesIO(data), f"photo{i}.jpg") for i, data in enumerate(photos)]


def category_id(app, code="building") -> int:
    """Return the id of a default category."""
    from server.hazards.models import Category

    with app.app_context():
        return db.session.scalar(select(Category.id).where(Category.code == code))


def report(client, zone_id, category, *, photos=None, after_photos=None, client_id=None, **fields):
    """POST /api/v1/hazards as multipart, with one before photo unless told otherwise."""
    data = {"client_id": client_id or new_client_id(), "zone_id": str(zone_id), "category_id": str(category),
            "severity": "general", "description": "消防通道堆放杂物", "device_at": "2030-01-01T00:00:00Z"}
    data.update({k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()})
    data["photos[]"] = files([photo_bytes()] if photos is None else photos)
    if after_photos:
        data["after_photos[]"] = files(after_photos)
    return client.post("/api/v1/hazards", data=data, content_type="multipart/form-data")


def act(client, hazard_id, action, seen_state, *, photos=None, client_id=None, **fields):
    """POST /api/v1/hazards/<id>/actions: multipart when there are photos, else JSON."""
    body = {"action": action, "seen_state": seen_state, "client_id": client_id or new_client_id(), **fields}
    url = f"/api/v1/hazards/{hazard_id}/actions"
    if photos:
        data = {k: str(v) for k, v in body.items()}
        data["photos[]"] = files(photos)
        return client.post(url, data=data, content_type="multipart/form-data")
    return client.post(url, json=body)


def count(app, model, *where) -> int:
    """Return how many rows of a model there are (matching the conditions)."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def stored_files(app) -> list[Path]:
    """Return the photo files in storage (photos and thumbnails)."""
    root = Path(app.config.get("MEDIA_ROOT") or Path(app.instance_path) / "media")
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def school_today():
    """Return today's date in the school's time zone (deadlines are days there, not on this machine)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date()
