"""The catalogs: Chinese is complete, English is the source language, times show in the school's zone."""

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _catalog(locale):
    with (ROOT / f"server/translations/{locale}/LC_MESSAGES/messages.po").open("rb") as f:
        return read_po(f)


def test_chinese_catalog_is_complete_and_matches_the_template():
    with (ROOT / "server/translations/messages.pot").open("rb") as f:
        template = read_po(f)
    zh = _catalog("zh_Hans_CN")
    wanted = {m.id for m in template if m.id}
    have = {m.id for m in zh if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - have)
    assert not missing, f"untranslated (run make extract-messages, add to pending/*.po): {missing[:20]}"


def test_placeholders_survive_translation():
    import re

    for message in _catalog("zh_Hans_CN"):
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            want = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
            for s in strings:
                assert set(re.findall(r"%\(\w+\)[sd]", s)) == want, message.id


def test_times_show_in_the_school_time_zone(app):
    from server.web import localtime

    with app.test_request_context():
        assert localtime(datetime(2026, 11, 24, 16, 30, tzinfo=UTC)) == "2026-11-25 00:30"
