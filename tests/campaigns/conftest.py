"""Fixtures for special inspections: a checklist template with known items, campaigns made by the service."""

from datetime import timedelta

import pytest

from server.extensions import db
from tests.conftest import detach

# The test checklist: (group, category code or None, text); the third item has no category ("other").
ITEMS = [("消防", "fire", "灭火器压力正常"), ("用电", "electricity", "配电箱上锁"),
         ("其他", None, "通道畅通")]


@pytest.fixture
def make_template(app, make_user):
    """Make the test checklist template (committed); return its id."""

    def make(items=ITEMS, name="测试检查表"):
        from server.auth.models import User
        from server.campaigns import services
        from server.hazards.models import Category

        admin = make_user(roles=("admin",))
        with app.app_context():
            codes = dict(db.session.execute(db.select(Category.code, Category.id)).all())
            lines = [services.TemplateLine(group=g, text=t, text_en=f"EN {t}", standard="标准", remedy="处置",
                                           category_id=codes.get(c)) for g, c, t in items]
            template = services.save_template(db.session.get(User, admin.id), None, name=name, name_en="",
                                              lines=lines)
            db.session.commit()
            return template.id

    return make


@pytest.fixture
def make_campaign(app, make_user, make_template):
    """Make a campaign over `zones` (committed), active today unless `start`/`days` say otherwise; detached,
    with `.item_ids` in checklist order."""

    def make(zones, *, start=0, days=3, title="国庆节前安全专项检查", template_id=None):
        from server import schooltime
        from server.auth.models import User
        from server.campaigns import services
        from server.campaigns.models import Campaign

        supervisor = make_user(roles=("supervisor",))
        template_id = template_id or make_template()
        with app.app_context():
            today = schooltime.today()
            first = today + timedelta(days=start)
            # A campaign in the past cannot be made by the service (its last day has passed): make it
            # current, then move its dates, as time would.
            last = first + timedelta(days=days - 1)
            made = services.create_campaign(db.session.get(User, supervisor.id), services.NewCampaign(
                title=title, starts_on=max(first, today), ends_on=max(last, today),
                zone_ids=[z.id for z in zones], template_id=template_id))
            made.starts_on, made.ends_on = first, last
            db.session.commit()
            campaign = db.session.get(Campaign, made.id)
            item_ids = [i.id for i in campaign.items]
            campaign = detach(campaign)
        campaign.item_ids = item_ids
        return campaign

    return make
