"""The templates' words: looked up once per request and render (issue 12), still in the request's language,
a force_locale block's language inside it, the variables escaped and the words not; Words tables translate
each value once."""

import pytest
from flask import render_template_string
from flask_babel import force_locale

from server.hazards import wording
from server.i18n import Words, words_of

LANGUAGES = [("zh_CN", "整改人", "整改中"), ("en", "Rectifier", "Being rectified")]


def _render(app, locale, source, **context):
    with app.test_request_context(), force_locale(locale):
        return render_template_string(source, **context)


@pytest.mark.parametrize(("locale", "word", "_state"), LANGUAGES)
def test_a_templates_words_are_in_the_requests_language(app, locale, word, _state):
    assert _render(app, locale, "{{ _('Rectifier') }}|{{ _('Rectifier') }}") == f"{word}|{word}"


def test_a_force_locale_block_inside_a_request_speaks_its_own_language(app):
    with app.test_request_context():
        with force_locale("en"):
            english = render_template_string("{{ _('Rectifier') }}")
        with force_locale("zh_CN"):
            chinese = render_template_string("{{ _('Rectifier') }}")
    assert (english, chinese) == ("Rectifier", "整改人")


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_CN", "&lt;b&gt;张三 于 09:00 上报"),
    ("en", "Reported by &lt;b&gt;张三 at 09:00"),
])
def test_variables_are_escaped_and_the_words_are_not(app, locale, expected):
    source = "{{ _('Reported by %(name)s at %(time)s', name=name, time='09:00') }}"
    assert _render(app, locale, source, name="<b>张三") == expected


def test_a_trans_block_still_translates(app):
    assert _render(app, "zh_CN", "{% trans %}Rectifier{% endtrans %}") == "整改人"


@pytest.mark.parametrize(("locale", "_word", "state"), LANGUAGES)
def test_words_of_a_table_are_in_the_requests_language(app, locale, _word, state):
    with app.test_request_context(), force_locale(locale):
        words = Words(wording.STATE_LABELS)
        assert (words["assigned"], "assigned" in words, "lost" in words) == (state, True, False)


class _Counted:
    """A lazy string that counts how often it is translated."""

    def __init__(self, text):
        self.text, self.said = text, 0

    def __str__(self):
        self.said += 1
        return self.text


def test_words_translate_each_value_once_and_keep_the_tables_order():
    table = {"b": _Counted("二"), "a": _Counted("一")}
    words = Words(table)
    assert [words["a"], words["a"], words["b"]] == ["一", "一", "二"]
    assert (words.items(), list(words), [t.said for t in table.values()]) == (
        [("b", "二"), ("a", "一")], ["b", "a"], [1, 1])


def test_a_requests_words_of_a_table_are_made_once_per_language(app):
    with app.test_request_context():
        with force_locale("zh_CN"):
            first, again = words_of(wording.STATE_LABELS), words_of(wording.STATE_LABELS)
            chinese = first["assigned"]
        with force_locale("en"):
            english = words_of(wording.STATE_LABELS)["assigned"]
    assert (first is again, chinese, english) == (True, "整改中", "Being rectified")
