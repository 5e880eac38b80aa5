"""Import every domain's models, so the metadata (and Alembic) sees all tables."""

from server.auth.models import FailedSignIn, User, UserRole  # noqa: F401
from server.campaigns.models import (  # noqa: F401
    Campaign,
    CampaignAnswer,
    CampaignItem,
    CampaignZone,
    ChecklistTemplate,
    ItemResult,
    TemplateItem,
)
from server.hazards.models import Category, Hazard, HazardEvent, Photo  # noqa: F401
from server.ledger.models import Notice  # noqa: F401
from server.notifications.models import Notification  # noqa: F401
from server.patrols.models import PatrolVisit  # noqa: F401
from server.webhooks.models import Webhook, WebhookDelivery  # noqa: F401
from server.zones.models import RetiredToken, Zone  # noqa: F401
