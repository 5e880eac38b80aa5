"""The desk's sentences and forms made once per page with slots each card fills (views.Slots): filled as
Markup's own `%` fills them, escaping what it puts in, in a third of its time (issue 12: some 300 fills a
page of 50 cards); and the rectifiers a page offers to choose from read as rows."""

import re

import pytest
from markupsafe import Markup

from server.auth.services import users_with_role
from server.hazards.views import Slots


class _Html:
    """A value that says how it is written in HTML (as a lazy string or a macro's output does)."""

    def __html__(self):
        return "<i>trusted</i>"


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("Reported by %(name)s at %(time)s", {"name": "<O'Neil & \"Co\">", "time": "2030-01-09 10:00"},
     "Reported by &lt;O&#39;Neil &amp; &#34;Co&#34;&gt; at 2030-01-09 10:00"),
    ("Overdue %(days)d days", {"days": 3}, "Overdue 3 days"),
    ("(%(n)d photos) %(n)s", {"n": 2}, "(2 photos) 2"),
    ("%(x).1f %(x)s", {"x": 2.25}, "2.2 2.25"),
    ("<b>%(id)s</b> %(label)s", {"id": 7, "label": Markup("<em>ok</em>")}, "<b>7</b> <em>ok</em>"),
    ("%(v)s|%(w)s|%(b)s", {"v": None, "w": _Html(), "b": True}, "None|<i>trusted</i>|True"),
    ("100%% %(s)s", {"s": "%(x)s"}, "100% %(x)s"),
])
def test_slots_fill_as_markups_own_percent(text, values, expected):
    filled, markups_own = Slots(text) % values, Markup(text) % values  # noqa: S704 (our test texts)
    assert (str(filled), isinstance(filled, Markup), filled == markups_own) == (expected, True, True)


def test_slots_given_no_dict_fill_as_markup():
    assert str(Slots("%s and %d") % ("<a>", 2)) == "&lt;a&gt; and 2"


def test_the_rectifiers_to_choose_from_are_rows_of_the_chooser_columns(app, make_user):
    make_user(roles=("rectifier",), display_name="维修工", department="后勤", company="物业公司",
              username="fixer")
    make_user(roles=("rectifier", "supervisor"), display_name="安全员", username="safety")
    make_user(roles=("patrol",), display_name="巡查员")
    with app.app_context():
        objects, rows = users_with_role("rectifier"), users_with_role("rectifier", rows=True)
        said = [(p.id, p.username, p.display_name, p.department, p.company) for p in objects]
        assert [tuple(row) for row in rows] == said
        assert [row.username for row in rows] == ["safety", "fixer"]  # by pinyin: an quan yuan, wei xiu gong


# A queue card's chooser, made once for the page with slots (views.rectifier_label names the person).
CHOOSER = ('<div class="field"><label for="rectifier-{id}">整改人</label>\n'
           '<select id="rectifier-{id}" name="rectifier_id" required data-choices="rectifier-choices">\n'
           '  {ask}\n  \n{option}</select></div>')
HOLDS = '  <option value="{person}" selected>{label}</option>\n  \n'
ASKS = '<option value="">请选择整改人</option>'


@pytest.mark.parametrize(("department", "company", "label"), [
    ("", "", "张师傅"),
    ("后勤 <处>", "", "张师傅 · 后勤 &lt;处&gt;"),
    ("物业", "物业", "张师傅 · 物业"),
    ("后勤", "A&B 100%", "张师傅 · 后勤 · A&amp;B 100%"),
])
def test_a_queue_cards_chooser_holds_its_default_or_asks(app, make_user, make_zone, make_hazard, sign_in,
                                                          department, company, label):
    zhang = make_user(roles=("rectifier",), display_name="张师傅", department=department, company=company)
    held = make_hazard("reported", zone=make_zone(responsible=zhang))
    asked = make_hazard("reported", zone=make_zone())
    page = sign_in(held.people.supervisor).get("/hazards/queue").get_data(as_text=True)
    choices = re.search(r'<template id="rectifier-choices">(.*?)</template>', page).group(1)
    assert (CHOOSER.format(id=held.id, ask="", option=HOLDS.format(person=zhang.id, label=label)) in page,
            CHOOSER.format(id=asked.id, ask=ASKS, option="") in page,
            f'<option value="{zhang.id}">{label}</option>' in choices) == (True, True, True)
