"""Compiled catalogs: the app compiles its own .mo files when it starts, so it speaks Chinese however it runs.
Also the translations a page's templates use, looked up once per request (`translations`, `Words`).

The .mo files are build products (git-ignored). `make run` used to be the only thing that compiled them, so an
app started as the README's deployment says (`flask db upgrade`, then gunicorn) silently spoke English.
"""

import functools
import logging
import os
import sys
import tempfile
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

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


@functools.cache
def locale_of(code: str) -> Locale:
    """Return the Babel locale of a language code, parsed once per process."""
    # Locale.parse("zh_CN") scans Babel's list of every locale id (normalize_locale): 0.08 ms, a twentieth
    # of a signed-in request, paid on every request while the locale selector gave Flask-Babel a code to
    # parse. It hands a Locale back unchanged, so the selector returns this one (shared: no one changes it).
    return Locale.parse(code)


def translations():
    """Return the translations of the language in use, looked up once per request and language."""
    # Flask-Babel finds its domain, cache and locale identifier again on every call (about 15 µs): a page of
    # 50 cards says `_()` some 560 times. The locale is asked each time (cheap, kept on the request), so a
    # force_locale block (the group-chat alerts) still gets its own language.
    locale = get_locale()
    held = g.get("_i18n_translations")
    if held is None or held[0] is not locale:
        held = g._i18n_translations = (locale, get_translations())
    return held[1]


class Words:
    """The words of a table of lazy strings (a value -> its label), each translated once, when first asked.

    Made per page: a list of 50 cards asks the same few states and severities hundreds of times.
    """

    def __init__(self, labels: dict):
        self.labels = labels
        self.said: dict = {}

    def __getitem__(self, key) -> str:
        if key not in self.said:
            self.said[key] = str(self.labels[key])
        return self.said[key]

    def __contains__(self, key) -> bool:
        return key in self.labels

    def __iter__(self):
        return iter(self.labels)

    def items(self) -> list[tuple]:
        """Return every (value, word) pair, in the table's order."""
        return [(key, self[key]) for key in self.labels]


def words_of(labels: dict) -> Words:
    """Return this request's Words of a table of lazy strings, made once per request and language."""
    # For code that turns many rows into JSON (a list of hazards says each one's state and severity).
    made = g.setdefault("_i18n_words", {})
    key = (id(labels), get_locale())
    if key not in made:
        made[key] = Words(labels)
    return made[key]


@pass_context
def template_gettext(context, string: str, **variables) -> str:
    """Translate a template's _('…'): the words trusted as markup when escaping, each variable escaped."""
    # What Jinja's "newstyle" gettext does, in one call instead of three (its alias resolves `gettext` and
    # calls it through the context, which calls the translation function through the context again); the
    # translations are kept on the render's context, as no render changes its language half-way.
    found = context.__dict__.get("_i18n_translations")
    if found is None:
        found = context._i18n_translations = translations()
    said = found.ugettext(string)
    # Our own catalog's words, trusted as Jinja's gettext trusts them; the variables are escaped by `%`.
    return (Markup(said) if context.eval_ctx.autoescape else said) % variables  # noqa: S704


def install_template_gettext(app: Flask) -> None:
    """Make the templates' _(), ngettext and pgettext read translations() instead of Flask-Babel's lookup."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)


def init_app(app: Flask) -> None:
    """Compile the app's stale catalogs, in the folders Flask-Babel reads (BABEL_TRANSLATION_DIRECTORIES),
    and bind the templates' translation functions to the request's translations."""
    for mo in compile_catalogs(app.extensions["babel"].translation_directories, app.logger):
        app.logger.info("compiled %s", mo)
    install_template_gettext(app)


if __name__ == "__main__":  # `make translations`: the same compiler, run by hand
    for mo in compile_catalogs(sys.argv[1:] or [Path(__file__).parent / "translations"]):
        print(mo)
