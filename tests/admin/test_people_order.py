"""Every list of people reads in pinyin order (chen, li, wang, zhang, zhao), not in code-point order."""

import re

import pytest

from server.auth.services import by_pinyin, pinyin_key

# Code-point order would be 张 王 李 赵 陈 (U+5F20, 738B, 674E, 8D75, 9648): a list in that order is wrong.
NAMES = ["张师傅", "王主任", "李老师", "赵师傅", "陈电工"]
IN_PINYIN_ORDER = ["陈电工", "李老师", "王主任", "张师傅", "赵师傅"]


@pytest.mark.parametrize(("name", "key"), [
    ("张三", ("zhang1", "san1")),
    ("陈电工", ("chen2", "dian4", "gong1")),
    ("Li Ming", ("li ming",)),
    ("", ()),
])
def test_a_name_sorts_by_its_syllables_with_tone_numbers(name, key):
    assert pinyin_key(name) == key


@pytest.mark.parametrize(("names", "expected"), [
    (NAMES, IN_PINYIN_ORDER),
    # Same syllable: by tone (汪 wang1 before 王 wang2), then a shorter name first.
    (["王芳", "汪洋", "王"], ["汪洋", "王", "王芳"]),
    # A syllable that is a prefix of another (wan, wang) comes first, as in a dictionary.
    (["王五", "万一"], ["万一", "王五"]),
    # A name written in Latin letters takes its place among the pinyin.
    (["张三", "Bob", "安娜"], ["安娜", "Bob", "张三"]),
])
def test_by_pinyin_orders_people_as_a_chinese_list_is_read(names, expected):
    from types import SimpleNamespace

    people = [SimpleNamespace(display_name=n, username=f"u{i}") for i, n in enumerate(names)]
    assert [p.display_name for p in by_pinyin(people)] == expected


@pytest.fixture
def five(make_user):
    """Make the five people, in code-point order, each a rectifier (and so any chooser's candidate)."""
    return [make_user(display_name=name, roles=("rectifier", "patrol")) for name in NAMES]


def _order(html: str) -> list[str]:
    """Return the five names in the order the page shows them first."""
    seen = {name: html.find(name) for name in NAMES}
    assert all(at >= 0 for at in seen.values()), seen
    return sorted(NAMES, key=seen.get)


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', html, re.S)
    assert match, f"no select named {name}"
    return match.group(0)


@pytest.mark.parametrize(("roles", "url", "select"), [
    (("admin",), "/admin/zones/new", "responsible"),  # a zone's responsible person
    (("supervisor",), "/hazards", "rectifier"),  # the hazard list's filter by rectifier
])
def test_choosers_of_desk_pages_list_people_by_pinyin(five, login_as, roles, url, select):
    page = login_as(*roles).get(url)
    assert page.status_code == 200
    assert _order(_select(page.get_data(as_text=True), select)) == IN_PINYIN_ORDER


@pytest.mark.parametrize("page", ["queue", "detail"])
def test_the_rectifier_to_assign_is_chosen_from_a_list_by_pinyin(five, make_hazard, sign_in, page):
    hazard = make_hazard("reported")
    supervisor = sign_in(hazard.people.supervisor)
    url = "/hazards/queue" if page == "queue" else f"/hazards/{hazard.id}"
    html = supervisor.get(url).get_data(as_text=True)
    # The queue sends its choices once for all cards (a <template> each chooser copies when focused).
    chooser = (re.search(r'<template id="rectifier-choices">.*?</template>', html, re.S).group(0)
               if page == "queue" else _select(html, "rectifier_id"))
    assert _order(chooser) == IN_PINYIN_ORDER


def test_the_users_page_lists_people_by_pinyin(five, login_as):
    html = login_as("admin").get("/admin/users").get_data(as_text=True)
    assert _order(html) == IN_PINYIN_ORDER
