"""The admin's webhook pages: the list with the delivery log, add and edit, and the test button."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from server.auth.models import ADMIN
from server.auth.permissions import require_role
from server.errors import ServiceError
from server.extensions import db
from server.forms import page, refusal
from server.web import APP_NAME
from server.webhooks import (
    alerts,  # noqa: F401  (connects to the hazard domain's signal)
    services,
)
from server.webhooks.forms import EVENT_LABELS, FORMAT_LABELS, WebhookForm
from server.webhooks.models import STATUSES

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.before_request
def _admins_only():
    require_role(ADMIN)


@bp.context_processor
def _helpers():
    return {"format_labels": FORMAT_LABELS, "event_labels": EVENT_LABELS, "statuses": STATUSES}


@bp.get("/")
def index():
    """List the webhooks and the latest deliveries to all of them."""
    return page("webhooks/index.html", webhooks=services.list_webhooks(), deliveries=services.log())


def _fields(form: WebhookForm) -> dict:
    return {"name": form.name.data, "webhook_format": form.format.data, "url": form.url.data,
            "events": form.events.data, "secret": form.secret.data, "active": form.active.data}


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a webhook."""
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            webhook = services.add_webhook(**_fields(form))
        except ServiceError as exc:
            return page("webhooks/form.html", form, exc.status, webhook=None, problems=refusal(exc, form))
        db.session.commit()
        flash(_("Added the webhook %(name)s.", name=webhook.name), "success")
        return redirect(url_for("webhooks.index"))
    return page("webhooks/form.html", form, webhook=None)


@bp.route("/<int:webhook_id>", methods=["GET", "POST"])
def edit(webhook_id):
    """Change a webhook; read its own delivery log."""
    webhook = services.get_webhook(webhook_id)
    form = WebhookForm(data={"name": webhook.name, "format": webhook.format, "url": webhook.url,
                             "events": webhook.events, "active": webhook.active})
    if form.validate_on_submit():
        try:
            services.update_webhook(webhook, **_fields(form))
        except ServiceError as exc:
            return page("webhooks/form.html", form, exc.status, webhook=webhook, problems=refusal(exc, form),
                        deliveries=services.log(webhook))
        db.session.commit()
        flash(_("Saved the webhook %(name)s.", name=webhook.name), "success")
        return redirect(url_for("webhooks.index"))
    return page("webhooks/form.html", form, webhook=webhook, deliveries=services.log(webhook))


@bp.post("/<int:webhook_id>/test")
def test(webhook_id):
    """Queue a test message for the webhook; the next delivery run sends it (within a minute)."""
    webhook = services.get_webhook(webhook_id)
    services.queue_test(webhook, _("Test message from %(app)s", app=APP_NAME),
                        [_("If you read this in the group chat, the webhook works.")])
    db.session.commit()
    flash(_("A test message is queued for %(name)s; it is sent within a minute. Its result shows in the "
            "log below.", name=webhook.name), "success")
    return redirect(url_for("webhooks.edit", webhook_id=webhook.id))
