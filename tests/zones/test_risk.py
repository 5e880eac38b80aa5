"""Risk levels: each proposes a patrol frequency, the admin may set another; shown in words beside colour."""

import pytest

from server.extensions import db
from server.zones import services
from server.zones.models import Zone
from tests.zones.test_pages import _form, _zone

PROPOSED = [("major", "daily", 1), ("significant", "custom", 2), ("general", "weekly", 7),
            ("low", "custom", 14)]


@pytest.mark.parametrize(("level", "frequency", "days"), PROPOSED)
def test_each_level_proposes_its_frequency(app, level, frequency, days):
    with app.app_context():
        zone = services.create_zone("R-1", "配电间", risk_level=level)
        assert (zone.risk_level, zone.frequency, zone.frequency_days) == (level, frequency, days)


def test_a_zone_made_without_a_level_is_general_and_weekly(app):
    with app.app_context():
        zone = services.create_zone("R-2", "走廊")
        assert (zone.risk_level, zone.frequency, zone.frequency_days) == ("general", "weekly", 7)


def test_an_unknown_level_is_refused(app):
    from server.errors import ValidationFailed

    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        services.create_zone("R-3", "走廊", risk_level="extreme")
    assert refused.value.details == {"risk_level": "unknown"}


@pytest.mark.parametrize(("level", "frequency", "frequency_days", "expected"), [
    ("major", "", "", ("major", "daily", 1)),  # as the level proposes
    ("low", "", "", ("low", "custom", 14)),
    ("major", "weekly", "", ("major", "weekly", 7)),  # the admin's own frequency wins
    ("significant", "custom", "5", ("significant", "custom", 5)),
])
def test_the_form_takes_the_proposal_or_the_admins_frequency(app, login_as, level, frequency, frequency_days,
                                                               expected):
    admin = login_as("admin")
    answer = admin.post("/admin/zones/new", data=_form(risk_level=level, frequency=frequency,
                                                      frequency_days=frequency_days))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with app.app_context():
        zone = db.session.scalar(db.select(Zone).where(Zone.code == "JX-1F-E"))
        assert (zone.risk_level, zone.frequency, zone.frequency_days) == expected


def test_a_zone_that_follows_its_level_follows_a_new_level(app, login_as, make_zone):
    admin = login_as("admin")
    zone = make_zone(code="FOLLOW", risk_level="general")
    form = admin.get(f"/admin/zones/{zone.id}").get_data(as_text=True)
    assert '<option selected value="">' in form  # "as its risk level proposes"
    answer = admin.post(f"/admin/zones/{zone.id}",
                        data=_form(code="FOLLOW", risk_level="major", frequency=""))
    assert answer.status_code == 302
    assert (_zone(app, zone.id).frequency, _zone(app, zone.id).frequency_days) == ("daily", 1)


def test_an_unknown_level_in_the_form_is_refused(login_as):
    answer = login_as("admin").post("/admin/zones/new", data=_form(risk_level="extreme"))
    assert answer.status_code == 422


@pytest.mark.parametrize(("level", "words"), [("major", "Major risk"), ("significant", "Significant risk"),
                                              ("general", "General risk"), ("low", "Low risk")])
def test_the_list_shows_the_level_in_words_beside_its_colour(app, make_user, sign_in, make_zone, level,
                                                               words):
    from server.auth.models import User

    admin = make_user(roles=("admin",))
    with app.app_context():  # English: the Chinese words wait in translations/pending/patrols.po
        db.session.get(User, admin.id).locale = "en"
        db.session.commit()
    make_zone(code="LEVEL", risk_level=level)
    page = sign_in(admin).get("/admin/zones").get_data(as_text=True)
    assert f'<span class="risk risk-{level}">{words}</span>' in page
