"""Chinese text on the desk's pages: no ASCII space after "。" (two sentences in a row are written solid)."""

import re
from html.parser import HTMLParser

import pytest

# A full stop, then white space, then more text in the same run of text: shown as "。 要么…" in the browser.
SPACED_STOP = re.compile(r"。[ \t\r\n]+\S")


class _Text(HTMLParser):
    """Collect each run of text between two tags."""

    def __init__(self):
        super().__init__()
        self.runs = []

    def handle_data(self, data):
        self.runs.append(data)


def _spaced_stops(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(run.split()) for run in parser.runs if SPACED_STOP.search(run)]


@pytest.mark.parametrize("url", [
    "/desk", "/hazards", "/hazards/queue", "/hazards/deferrals", "/hazards/rechecks", "/hazards/{hazard}",
    "/notifications", "/admin/users", "/admin/users/new", "/admin/users/{user}", "/admin/categories",
    "/admin/categories/new", "/admin/zones", "/admin/zones/new", "/admin/zones/{zone}",
    "/admin/zones/{zone}/reissue", "/admin/import/zones", "/admin/import/users", "/labels/",
])
def test_desk_pages_in_chinese_put_no_space_after_a_full_stop(make_hazard, make_user, sign_in, url):
    hazard = make_hazard("assigned")
    staff = make_user(roles=("admin", "supervisor"))
    page = sign_in(staff).get(url.format(hazard=hazard.id, user=staff.id, zone=hazard.zone_id))
    assert page.status_code == 200
    assert _spaced_stops(page.get_data(as_text=True)) == []


def test_the_sign_in_page_puts_no_space_after_a_full_stop(client):
    assert _spaced_stops(client.get("/login").get_data(as_text=True)) == []
