"""Photo storage: files under instance/media, written whole or not at all, keys that cannot leave the root."""

import os
from pathlib import Path

import pytest

from server.media import storage as media_storage
from server.media.storage import InvalidKey, LocalStorage, get_storage, new_key, thumb_key


@pytest.fixture
def store(tmp_path):
    """Return a local storage in a temporary folder."""
    return LocalStorage(tmp_path / "media")


def files_under(root: Path) -> list[str]:
    """Return every file under a folder, hidden ones included, as relative paths."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_put_read_exists_delete(store):
    key = new_key()
    assert not store.exists(key)
    store.put(key, b"\xff\xd8 photo bytes")
    assert store.exists(key) and store.read(key) == b"\xff\xd8 photo bytes"
    # Sharded folders ab/cd/<key>, so no folder grows to tens of thousands of files.
    assert store.path(key) == store.root / key[:2] / key[2:4] / key
    assert files_under(store.root) == [f"{key[:2]}/{key[2:4]}/{key}"]
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting what is not there is fine
    with pytest.raises(FileNotFoundError):
        store.read(key)


def test_a_failed_write_leaves_nothing_half_written(store, monkeypatch):
    key = new_key()
    store.put(key, b"first version")

    def power_cut(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(media_storage.os, "replace", power_cut)
    with pytest.raises(OSError, match="disk full"):
        store.put(key, b"second version")
    with pytest.raises(OSError, match="disk full"):
        store.put(new_key(), b"another photo")
    # Readers still see the whole first version; no temporary file or partial photo is left behind.
    assert store.read(key) == b"first version"
    assert files_under(store.root) == [f"{key[:2]}/{key[2:4]}/{key}"]


def test_a_write_goes_through_a_temporary_file_in_the_same_folder(store, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((Path(src), Path(dst), Path(src).read_bytes()))
        return real_replace(src, dst)

    monkeypatch.setattr(media_storage.os, "replace", spy)
    key = new_key()
    store.put(key, b"photo")
    [(src, dst, data)] = seen
    assert dst == store.path(key) and src.parent == dst.parent and src.name.startswith(".tmp-")
    assert data == b"photo" and not src.exists()


@pytest.mark.parametrize("key", [
    "../escape.jpg", "../../etc/passwd", "/etc/passwd", "abcd/../../x.jpg", "..", ".", "", "ab",
    ".hidden.jpg", "abcd/efgh.jpg", "abcd\\efgh.jpg", "abcd..jpg", "abcd.jpg/..", "abcd.jpg\x00.png",
    "照片照片.jpg", "abcd.jpg ", "a" * 200 + ".jpg", "C:abcd.jpg",
])
def test_keys_that_could_leave_the_folder_are_refused(store, key):
    for action in (lambda: store.put(key, b"x"), lambda: store.read(key), lambda: store.exists(key),
                   lambda: store.delete(key), lambda: store.path(key)):
        with pytest.raises(InvalidKey):
            action()
    assert files_under(store.root.parent) == []


def test_new_keys_are_random_server_made_names():
    keys = {new_key() for _ in range(1000)}
    assert len(keys) == 1000
    key = keys.pop()
    assert len(key) == 36 and key.endswith(".jpg") and all(c in "0123456789abcdef" for c in key[:32])
    assert new_key(".png").endswith(".png")


def test_thumbnail_keys_are_derived_and_stable():
    key = new_key()
    assert thumb_key(key) == key.removesuffix(".jpg") + ".thumb.jpg"
    assert thumb_key(thumb_key(key)) == thumb_key(key)  # a thumbnail's key names itself
    with pytest.raises(InvalidKey):
        thumb_key("../x.jpg")


def test_storage_lives_in_the_instance_folder_unless_configured(app, tmp_path):
    with app.app_context():
        assert get_storage().root == Path(app.instance_path) / "media"
    app.config["MEDIA_ROOT"] = str(tmp_path / "photos")
    with app.app_context():
        store = get_storage()
        store.put("abcdef.jpg", b"x")
    assert (tmp_path / "photos" / "ab" / "cd" / "abcdef.jpg").read_bytes() == b"x"
    app.config["MEDIA_STORAGE"] = "s3"
    with app.app_context(), pytest.raises(RuntimeError, match="MEDIA_STORAGE"):
        get_storage()
