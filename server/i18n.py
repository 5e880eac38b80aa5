"""Compiled catalogs: the app compiles its own .mo files when it starts, so it speaks Chinese however it runs.

The .mo files are build products (git-ignored). `make run` used to be the only thing that compiled them, so an
app started as the README's deployment says (`flask db upgrade`, then gunicorn) silently spoke English.
"""

import logging
import os
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

log = logging.getLogger(__name__)


def stale_catalogs(directory: str | os.PathLike[str]) -> list[Path]:
    """Return the .po files under <directory>/*/LC_MESSAGES whose .mo is missing or older than they are."""
    stale = []
    for po in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_catalog(po: Path) -> Path:
    """Compile one .po file into the .mo beside it, atomically; return the .mo's path."""
    with po.open("rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name)
    mo = po.with_suffix(".mo")
    # Several gunicorn workers start at once and may all compile: each writes its own temporary file and
    # renames it over the .mo, so a worker never reads half a catalog. Fuzzy entries are unreviewed guesses
    # and stay out, as with `pybabel compile` without -f.
    fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".tmp-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return mo


def compile_catalogs(directories, logger: logging.Logger = log) -> list[Path]:
    """Compile every missing or stale catalog in these translation folders; return the .mo files written.

    A folder the app may not write to is logged as a warning, not raised: the app still starts (in English
    where a catalog is missing) rather than not at all.
    """
    written = []
    for directory in directories:
        for po in stale_catalogs(directory):
            try:
                written.append(compile_catalog(po))
            except OSError as exc:
                logger.warning("Cannot compile %s (%s): pages will be in English where this catalog is "
                               "missing or out of date. Run `make translations` as a user who may write "
                               "to %s.", po, exc, po.parent)
    return written


def init_app(app: Flask) -> None:
    """Compile the app's stale catalogs, in the folders Flask-Babel reads (BABEL_TRANSLATION_DIRECTORIES)."""
    for mo in compile_catalogs(app.extensions["babel"].translation_directories, app.logger):
        app.logger.info("compiled %s", mo)


if __name__ == "__main__":  # `make translations`: the same compiler, run by hand
    for mo in compile_catalogs(sys.argv[1:] or [Path(__file__).parent / "translations"]):
        print(mo)
