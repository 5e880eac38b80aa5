"""The campaign start alert: a group-chat message through the webhook outbox, in the school's language.

Written in the transaction that marks the campaign announced (its creation, or the daily pass), so it goes out
once per campaign: the outbox's key is the campaign.
"""

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from server.webhooks.models import CAMPAIGN_START
from server.webhooks.services import enqueue


def announce_start(campaign, now: datetime) -> int:
    """Queue the "campaign_start" message of a campaign that is active now; return how many were queued."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = str(_l("Special inspection starts: %(title)s", title=campaign.title))
        lines = [str(_l("%(start)s to %(end)s, %(n)d zones, %(items)d items to check",
                        start=campaign.starts_on, end=campaign.ends_on, n=len(campaign.zones),
                        items=len(campaign.items))),
                 f"{current_app.config['PUBLIC_BASE_URL']}/campaigns/{campaign.id}"]
    return enqueue(CAMPAIGN_START, f"campaign:{campaign.id}", title, lines, now=now)
