"""`flask check-deploy`: each production mistake is named in plain words, and the exit status says so."""

import os
from pathlib import Path

import pytest
from flask_migrate import upgrade

from server import create_app
from server.deploy_check import (
    check_catalogs,
    check_cookies,
    check_database,
    check_debug,
    check_folders,
    check_public_url,
    check_secret,
    mount_type,
    run_checks,
)

GOOD = {
    "SECRET_KEY": "k" * 64,
    "PUBLIC_BASE_URL": "https://safety.school.example",
    "SECURE_COOKIES": True,
    "PROXY_COUNT": 1,
}
MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /srv/nfs nfs4 rw,relatime 0 0
//nas/share /mnt/smb cifs rw 0 0
tmpfs /run tmpfs rw 0 0
"""


def _app(tmp_path, **overrides):
    config = {"TESTING": True, "BABEL_DEFAULT_LOCALE": "en",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'deploy.sqlite'}", **GOOD, **overrides}
    app = create_app(config)
    app.instance_path = str(tmp_path)
    return app


def _problems(findings) -> list[str]:
    return [f.what for f in findings if not f.ok]


@pytest.fixture
def migrated(tmp_path):
    """An app configured as production wants, on a database at the newest migration."""
    app = _app(tmp_path)
    with app.app_context():
        upgrade()
    return app


def test_a_good_configuration_has_no_problem(migrated):
    with migrated.app_context():
        findings = run_checks(migrated, mounts=MOUNTS)
    assert _problems(findings) == []
    assert all(f.what for f in findings)


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"SECRET_KEY": "dev"}, "secret key is a default or too short (3 characters)"),
    ({"SECRET_KEY": "changeme"}, "secret key is a default or too short"),
    ({"SECRET_KEY": "s" * 20}, "too short (20 characters)"),
    ({"PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, "loopback address"),
    ({"PUBLIC_BASE_URL": "https://localhost"}, "loopback address"),
    ({"PUBLIC_BASE_URL": "http://0.0.0.0:5000"}, "loopback address"),
    ({"PUBLIC_BASE_URL": "http://192.168.1.20:5000"}, "is not HTTPS"),
    ({"SECURE_COOKIES": False}, "cookies are not marked secure"),
    ({"PROXY_COUNT": 0}, "no proxy is trusted"),
])
def test_each_mistake_is_named(tmp_path, overrides, expected):
    app = _app(tmp_path, **overrides)
    findings = [check_secret(app), *check_public_url(app), *check_cookies(app)]
    problems = _problems(findings)
    assert len(problems) >= 1
    assert any(expected in p for p in problems), problems
    assert all(f.advice for f in findings if not f.ok)


def test_debug_mode_is_a_problem(tmp_path, monkeypatch):
    app = _app(tmp_path)
    assert check_debug(app).ok
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert not check_debug(app).ok


@pytest.mark.parametrize(("path", "kind"), [
    ("/srv/nfs/xunjian/instance", "nfs4"),
    ("/mnt/smb", "cifs"),
    ("/srv/nfsother", "ext4"),  # a name that merely starts like a mount point is not inside it
    ("/var/lib/xunjian", "ext4"),
])
def test_mount_type_reads_the_longest_mount_point(path, kind):
    assert mount_type(Path(path), MOUNTS) == kind


def test_sqlite_on_a_network_disk_is_a_problem(migrated, tmp_path):
    mounts = MOUNTS + f"server:/x {tmp_path} nfs rw 0 0\n"
    with migrated.app_context():
        problems = _problems(check_database(migrated, mounts))
    assert problems == ["The SQLite database is on a network disk (nfs): its locks are not reliable there."]


def test_a_database_behind_its_migrations_is_a_problem(tmp_path):
    app = _app(tmp_path)
    with app.app_context():
        upgrade(revision="7657d971dab6")
        problems = _problems(check_database(app, MOUNTS))
    assert problems == ["The database schema is not up to date with the migrations."]


def test_an_unwritable_media_folder_is_a_problem(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    media.chmod(0o500)
    try:
        app = _app(tmp_path, MEDIA_ROOT=str(media))
        problems = _problems(check_folders(app))
    finally:
        media.chmod(0o700)
    if os.geteuid() == 0:  # root writes anywhere: the check rightly finds nothing to complain of
        assert problems == []
    else:
        assert problems == [f"The folder {media} is not writable by this user."]


def test_uncompiled_catalogs_are_a_problem(tmp_path):
    folder = tmp_path / "translations" / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    app = _app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    assert check_catalogs(app).ok  # the app compiled it when it started
    (folder / "messages.mo").unlink()  # e.g. a read-only folder where it could not
    assert not check_catalogs(app).ok


def test_the_command_exits_non_zero_on_a_problem(tmp_path):
    app = _app(tmp_path, SECRET_KEY="dev")
    result = app.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1
    assert "secret key is a default" in result.output


def test_the_command_exits_zero_when_ready(migrated):
    result = migrated.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("Ready for production.")


def test_the_command_speaks_chinese_by_default(tmp_path):
    app = _app(tmp_path, SECRET_KEY="dev", BABEL_DEFAULT_LOCALE="zh_CN")
    result = app.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1
    assert "密钥" in result.output
