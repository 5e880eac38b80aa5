"""The catalogs: Chinese is complete, English is the source language, times show in the school's zone."""

import logging
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import gettext

from server import create_app, i18n

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

    def placeholders(text):
        return set(re.findall(r"%\(\w+\)[sd]", text))

    broken = []
    for message in _catalog("zh_Hans_CN"):
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            broken += [message.id for s in strings if placeholders(s) != placeholders(ids[0])]
    assert broken == []


def test_times_show_in_the_school_time_zone(app):
    from server.web import localtime

    with app.test_request_context():
        assert localtime(datetime(2026, 11, 24, 16, 30, tzinfo=UTC)) == "2026-11-25 00:30"


# -- The app compiles its own catalogs, however it is started (flask db upgrade, gunicorn, make run) ---------

@pytest.fixture(autouse=True)
def _uncached_translations(monkeypatch):
    # Flask-Babel keeps loaded catalogs per locale for the whole process, whatever the app: each test here
    # loads its own, and the catalogs other tests use are put back afterwards.
    cache = {}
    monkeypatch.setattr(flask_babel.Domain, "get_translations_cache", lambda self, ctx: cache)


def _translations_without_mo(tmp_path) -> Path:
    copy = tmp_path / "translations"
    shutil.copytree(ROOT / "server/translations", copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def _hazards_in_chinese(directory) -> str:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "BABEL_TRANSLATION_DIRECTORIES": str(directory),
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        return gettext("Hazards")


def _write_mo(path: Path, hazards: str, mtime: float) -> None:
    catalog = Catalog(locale="zh_Hans_CN")
    catalog.add("Hazards", hazards)
    with path.open("wb") as f:
        write_mo(f, catalog)
    os.utime(path, (mtime, mtime))


def test_missing_catalogs_are_compiled_when_the_app_starts(tmp_path):
    copy = _translations_without_mo(tmp_path)
    assert _hazards_in_chinese(copy) == "隐患"
    assert sorted(p.relative_to(copy).as_posix() for p in copy.glob("*/LC_MESSAGES/*.mo")) == [
        "en/LC_MESSAGES/messages.mo", "zh_Hans_CN/LC_MESSAGES/messages.mo"]
    assert not list(copy.glob("*/LC_MESSAGES/.tmp-*")), "no temporary file is left behind"


@pytest.mark.parametrize(("mo_age_vs_po", "expected"), [
    (-3600, "隐患"),  # the .mo is older than its .po: compiled again
    (+3600, "旧译文"),  # the .mo is newer: kept as it is
])
def test_a_stale_catalog_is_compiled_again_a_fresh_one_kept(tmp_path, mo_age_vs_po, expected):
    copy = _translations_without_mo(tmp_path)
    po = copy / "zh_Hans_CN/LC_MESSAGES/messages.po"
    _write_mo(po.with_suffix(".mo"), "旧译文", po.stat().st_mtime + mo_age_vs_po)
    assert _hazards_in_chinese(copy) == expected


def test_a_folder_it_may_not_write_to_is_a_warning_not_a_crash(tmp_path, monkeypatch, caplog):
    copy = _translations_without_mo(tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # As root (CI, this machine) a read-only folder is still writable, so the refusal is simulated.
    monkeypatch.setattr(i18n.tempfile, "mkstemp", refuse)
    # Alembic's logging set-up (run by the migration tests) disables loggers that exist before it: the app's
    # among them. Whatever ran before, this test must hear the app's warning.
    monkeypatch.setattr(logging.getLogger("server"), "disabled", False)
    assert _hazards_in_chinese(copy) == "Hazards"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2 and all("make translations" in w and "Permission denied" in w for w in warnings)
    assert not list(copy.glob("*/LC_MESSAGES/*.mo"))


def test_an_app_started_as_gunicorn_starts_it_speaks_chinese(tmp_path):
    # create_app() with no test config, in a fresh process, as `gunicorn 'server:create_app()'` calls it.
    copy = _translations_without_mo(tmp_path)
    script = ("from flask_babel import gettext; from server import create_app; app = create_app(); "
              "ctx = app.test_request_context(); ctx.push(); print(gettext('Hazards'))")
    env = {**os.environ, "XUNJIAN_INSTANCE_PATH": str(tmp_path / "instance"),
           "XUNJIAN_BABEL_TRANSLATION_DIRECTORIES": str(copy), "PYTHONIOENCODING": "utf-8"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "隐患"
    assert (copy / "zh_Hans_CN/LC_MESSAGES/messages.mo").exists()


# -- Words: one app name everywhere, Chinese punctuation without ASCII spaces -------------------------------

APP_NAME_ZH = "校园安全巡查"
APP_NAME_EN = "School safety patrol"


@pytest.mark.parametrize(("path", "pattern"), [
    ("pwa/manifest.webmanifest", r'^  "name": "([^"]*)"'),  # the app's own, not its shortcuts'
    ("pwa/manifest.webmanifest", r'^  "short_name": "([^"]*)"'),
    ("pwa/index.html", r"<title>([^<]*)</title>"),
    ("pwa/index.html", r'class="appname"[^>]*>([^<]*)<'),
    ("pwa/offline.html", r'class="appname"[^>]*>([^<]*)<'),
])
def test_the_field_apps_own_files_write_the_one_app_name(path, pattern):
    import re

    assert re.findall(pattern, (ROOT / path).read_text(encoding="utf-8"), re.M) == [APP_NAME_ZH]


@pytest.mark.parametrize(("locale", "name"), [("zh_CN", APP_NAME_ZH), ("en", APP_NAME_EN)])
def test_the_desk_and_the_field_apps_words_say_the_one_app_name(client, locale, name):
    with client.session_transaction() as session:
        session["locale"] = locale
    page = client.get("/login").get_data(as_text=True)
    assert f'class="brand" href="/">{name}</a>' in page  # the desk's header
    assert f"· {name}</p>" in page  # under the sign-in heading
    assert client.get("/api/v1/i18n").get_json()["messages"]["app_name"] == name


def test_no_ascii_space_follows_a_chinese_full_stop_in_the_compiled_catalog(app):
    from babel.messages.mofile import read_mo

    # The app fixture has compiled the catalog if it was stale: this .mo is what users read.
    with (ROOT / "server/translations/zh_Hans_CN/LC_MESSAGES/messages.mo").open("rb") as f:
        catalog = read_mo(f)
    texts = [text for m in catalog if m.id
             for text in (m.string if isinstance(m.string, tuple) else (m.string,))]
    assert len(texts) > 500
    assert [text for text in texts if "。 " in text] == []


@pytest.mark.parametrize("folder", ["server/translations/pending", "server/templates", "pwa"])
def test_no_ascii_space_follows_a_chinese_full_stop_in_fragments_templates_or_the_field_app(folder):
    files = [p for p in (ROOT / folder).rglob("*") if p.suffix in (".po", ".html", ".js", ".webmanifest")]
    assert files
    assert [p.name for p in files if "。 " in p.read_text(encoding="utf-8")] == []
