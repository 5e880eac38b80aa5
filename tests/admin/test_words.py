"""The supervisor role reads as a role (安全主管, "Safety supervisor"), not as an office, where it shows."""

import pytest

from server.admin import imports


@pytest.mark.parametrize(("locale", "label", "office"), [
    ("zh_CN", "安全主管", "安全办"),
    ("en", "Safety supervisor", "office"),
])
def test_the_users_page_names_the_supervisor_role_as_a_role(make_user, login_as, locale, label, office):
    make_user(display_name="孙老师", roles=("supervisor", "patrol"))
    admin = login_as("admin")
    with admin.session_transaction() as session:
        session["locale"] = locale
    html = admin.get("/admin/users").get_data(as_text=True)
    assert f'<option value="supervisor">{label}</option>' in html  # the filter by role
    assert label in html.split("孙老师", 1)[1].split("</tr>", 1)[0]  # the user's row
    assert office not in html


def test_the_user_form_offers_the_supervisor_role_by_its_name(login_as):
    html = login_as("admin").get("/admin/users/new").get_data(as_text=True)
    assert 'value="supervisor"' in html and "安全主管" in html and "安全办" not in html


@pytest.mark.parametrize(("cell", "roles"), [
    ("安全主管", ["supervisor"]),
    ("主管、巡查员", ["patrol", "supervisor"]),
    ("supervisor", ["supervisor"]),
    # The role's earlier, office-like names, in spreadsheets made before: still understood.
    ("后勤/安全办", ["supervisor"]),
    ("后勤安全办", ["supervisor"]),
])
def test_an_imported_role_may_be_written_by_its_name_or_its_earlier_one(cell, roles):
    assert imports.parse_roles(cell) == (roles, [])


def test_the_import_page_tells_the_role_by_its_name(login_as):
    html = login_as("admin").get("/admin/import/users").get_data(as_text=True)
    assert "安全主管" in html and "安全办" not in html


def test_a_rectifier_waits_for_a_safety_supervisor(make_hazard, sign_in):
    hazard = make_hazard("awaiting_recheck")
    html = sign_in(hazard.people.rectifier).get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "等待安全主管复查。" in html and "安全办" not in html
