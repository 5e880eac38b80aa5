"""Where photo files live: a small storage interface, a local-folder implementation, and server-made keys.

A key names one file for ever: it is made here at random (never from the client's file name) and its content
never changes, which is what lets photos be cached for a year (server/media/serve.py).
"""

import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from flask import current_app
from werkzeug.security import safe_join

# Flat keys only: letters, digits, "_" and "-", with dot-separated suffixes ("3f9c….jpg", "3f9c….thumb.jpg").
# No "/", no "\", no ".." and no leading dot can pass, so a key can never leave the storage root.
_KEY = re.compile(r"[A-Za-z0-9]{4}[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
_KEY_MAX = 128
_THUMB = "thumb"


class InvalidKey(ValueError):
    """A storage key that this storage would not make (path separators, "..", odd characters)."""


def new_key(suffix: str = ".jpg") -> str:
    """Make a new random storage key (128 bits), never derived from anything the client sent."""
    return check_key(secrets.token_hex(16) + suffix)


def thumb_key(key: str) -> str:
    """Return the key of a photo's thumbnail ("<name>.thumb.jpg"); a thumbnail's key is returned as it is."""
    stem, dot, suffix = check_key(key).partition(".")
    if suffix == _THUMB or suffix.startswith(_THUMB + "."):
        return key
    return check_key(f"{stem}.{_THUMB}.{suffix}" if dot else f"{stem}.{_THUMB}")


def check_key(key: str) -> str:
    """Return the key if it is one this storage could have made, else raise InvalidKey."""
    if not isinstance(key, str) or len(key) > _KEY_MAX or not _KEY.fullmatch(key):
        raise InvalidKey(f"not a storage key: {key!r}")
    return key


@dataclass(frozen=True)
class StoredFile:
    """One stored file as a listing shows it: its key, size in bytes, and when it was written (UTC)."""

    key: str
    size: int
    modified: datetime


class Storage(Protocol):
    """Where photo files are kept: local disk by default; an object store can implement the same methods."""

    def put(self, key: str, data: bytes) -> None:
        """Store the bytes under the key, whole or not at all."""

    def read(self, key: str) -> bytes:
        """Return the bytes stored under the key; raise FileNotFoundError when there are none."""

    def exists(self, key: str) -> bool:
        """Return whether something is stored under the key."""

    def delete(self, key: str) -> None:
        """Remove what is stored under the key (nothing happens when there is nothing)."""

    def path(self, key: str) -> Path | None:
        """Return the local file of the key when the storage is a local folder, else None."""

    def files(self) -> Iterator[StoredFile]:
        """Yield every stored file, one at a time (an object store pages through its listing, as S3 does)."""


class LocalStorage(Storage):
    """Photo files in a local folder (by default instance/media), sharded as ab/cd/<key>."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _file(self, key: str) -> Path:
        check_key(key)
        # Sharding keeps folders small (thousands of photos a year); safe_join is a second guard on top of
        # the key pattern, should that ever be loosened.
        joined = safe_join(str(self.root), key[:2], key[2:4], key)
        if joined is None:
            raise InvalidKey(f"not a storage key: {key!r}")
        return Path(joined)

    def put(self, key: str, data: bytes) -> None:
        """Write the file atomically: a reader sees the whole photo or nothing, never half of it."""
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())  # the data is on disk before the name points at it
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        """Return the file's bytes; raise FileNotFoundError when there is no such photo."""
        return self._file(key).read_bytes()

    def exists(self, key: str) -> bool:
        """Return whether the file exists."""
        return self._file(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file if it is there."""
        self._file(key).unlink(missing_ok=True)

    def path(self, key: str) -> Path | None:
        """Return where the file is (or would be) on disk."""
        return self._file(key)

    def files(self) -> Iterator[StoredFile]:
        """Yield the photo files under the root in key order, one shard folder at a time (never all)."""
        for first in _subfolders(self.root):
            for second in _subfolders(first):
                with os.scandir(second) as listing:
                    entries = sorted(listing, key=lambda e: e.name)  # one shard: a few thousand at most
                for entry in entries:
                    if self._is_photo_file(entry):
                        stat = entry.stat(follow_symlinks=False)
                        yield StoredFile(entry.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def _is_photo_file(self, entry: os.DirEntry) -> bool:
        # Only files this storage could have put there: a key, in its own shard folder. Temporary
        # ".tmp-*.part" files of a write under way and anything else are not ours to list (or delete).
        if not entry.is_file(follow_symlinks=False):
            return False
        try:
            return Path(entry.path) == self._file(entry.name)
        except InvalidKey:
            return False


def _subfolders(folder: Path) -> list[Path]:
    # Shard folders are named by two characters of a key; sorted, so a listing comes in key order, as S3's.
    try:
        with os.scandir(folder) as entries:
            return sorted(Path(e.path) for e in entries
                          if e.is_dir(follow_symlinks=False) and len(e.name) == 2)
    except FileNotFoundError:
        return []


def get_storage() -> Storage:
    """Return the current app's photo storage (config MEDIA_STORAGE, MEDIA_ROOT)."""
    config = current_app.config
    kind = config.get("MEDIA_STORAGE") or "local"
    if kind != "local":
        raise RuntimeError(f"MEDIA_STORAGE={kind!r} is not known; the only storage built in is 'local'.")
    # Made per call (it is only a path), so a changed MEDIA_ROOT or instance folder is always honoured.
    return LocalStorage(config.get("MEDIA_ROOT") or os.path.join(current_app.instance_path, "media"))
