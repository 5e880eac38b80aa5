"""The orphan sweep: old files no record names are deleted; young ones and named ones are kept."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from server.media.storage import LocalStorage, StoredFile
from server.media.sweep import SweepResult, sweep_orphans

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

# key, age in hours, bytes, named by a record?
FILES = [
    ("aaaa0001.jpg", 48, 1000, False),  # a killed request's photo, two days old: deleted
    ("aaaa0001.thumb.jpg", 48, 100, False),  # and its thumbnail: deleted
    ("bbbb0002.jpg", 25, 700, False),  # just over a day: deleted
    ("cccc0003.jpg", 23, 500, False),  # just under a day: a request may still be storing it, kept
    ("dddd0004.jpg", 0, 300, False),  # written a moment ago: kept
    ("eeee0005.jpg", 24 * 400, 900, True),  # a year old and named by a photo row: kept
    ("eeee0005.thumb.jpg", 24 * 400, 90, True),  # its thumbnail, named too: kept
]
SURVIVORS = {"cccc0003.jpg", "dddd0004.jpg", "eeee0005.jpg", "eeee0005.thumb.jpg"}


@pytest.fixture
def store(tmp_path):
    """Return a local storage holding FILES, each with its age as its modification time."""
    store = LocalStorage(tmp_path / "media")
    for key, hours, size, _named in FILES:
        store.put(key, b"x" * size)
        stamp = (NOW - timedelta(hours=hours)).timestamp()
        os.utime(store.path(key), (stamp, stamp))
    return store


def named(keys):
    """Answer as the database would: which of these keys a record names."""
    return [key for key, _hours, _size, is_named in FILES if is_named and key in keys]


def test_files_lists_every_photo_with_its_size_and_age_and_nothing_else(store):
    (store.root / "aa" / "aa" / ".tmp-abc.part").write_bytes(b"a write under way")
    (store.root / "notes.txt").write_bytes(b"not a photo")
    (store.root / "zz" / "zz").mkdir(parents=True)
    (store.root / "zz" / "zz" / "aaaa0009.jpg").write_bytes(b"a key in another key's shard")
    listed = sorted(store.files(), key=lambda f: f.key)
    assert listed == [StoredFile(key, size, NOW - timedelta(hours=hours))
                      for key, hours, size, _named in sorted(FILES)]


def test_an_empty_or_missing_folder_lists_nothing(tmp_path):
    assert list(LocalStorage(tmp_path / "nowhere").files()) == []


def test_old_orphans_are_deleted_young_and_named_files_kept(store):
    result = sweep_orphans(store, named, now=NOW)
    assert result == SweepResult(scanned=7, deleted=3, freed_bytes=1800, young=2)
    assert {f.key for f in store.files()} == SURVIVORS


def test_keys_are_checked_in_batches_and_young_files_never_asked_about(store):
    asked = []

    def spy(keys):
        asked.append(sorted(keys))
        return named(keys)

    sweep_orphans(store, spy, now=NOW, batch=2)
    assert asked == [["aaaa0001.jpg", "aaaa0001.thumb.jpg"], ["bbbb0002.jpg", "eeee0005.jpg"],
                     ["eeee0005.thumb.jpg"]]


def test_a_second_sweep_finds_nothing_more(store):
    sweep_orphans(store, named, now=NOW)
    assert sweep_orphans(store, named, now=NOW) == SweepResult(scanned=4, deleted=0, freed_bytes=0, young=2)
