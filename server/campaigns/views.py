"""Desk pages of special inspections, for supervisors and admins: the list, a new campaign, its progress, its
report (printable, and .xlsx), and the checklist templates. Thin: services.py changes, queries.py reads."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from server import schooltime
from server.auth.models import ADMIN, SUPERVISOR
from server.auth.permissions import require_role
from server.campaigns import forms, queries, reports, services
from server.campaigns.models import TEXT_FIELDS, Campaign, ChecklistTemplate
from server.errors import NotFound, ServiceError
from server.extensions import db
from server.forms import page, refusal
from server.hazards import categories
from server.hazards.filters import page_number
from server.hazards.views import id_url
from server.hazards.wording import STATE_LABELS
from server.web import current_language
from server.zones import services as zone_services

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

# Zones per page of the progress table, as many as the desk's other lists show.
PAGE_SIZE = 50
# Pieces of the streamed report (each a few to a few hundred bytes of HTML) sent together.
REPORT_PIECES = 1000


@bp.before_request
def _supervisors_and_admins():
    require_role(SUPERVISOR, ADMIN)


@bp.context_processor
def _helpers():
    return {"state_words": {key: str(label) for key, label in STATE_LABELS.items()},
            "hazard_url": id_url("hazards.detail", "hazard_id"),  # one url_for for the report's hundreds
            "status_of": lambda c: reports.status(c, schooltime.today()), "locale": current_language(),
            "today": schooltime.today()}


@bp.app_template_global("campaign_line")
def campaign_line(hazard_id: int) -> dict | None:
    """Return the line a hazard's page shows when a campaign's failed item opened it: its text and link."""
    found = queries.link_of(hazard_id)
    if found is None:
        return None
    campaign, item = found
    return {"text": _("Special inspection: %(title)s · %(item)s", title=campaign.title,
                      item=item.texts(current_language())["text"]),
            "url": url_for("campaigns.progress", campaign_id=campaign.id)
            if current_user.has_role(SUPERVISOR, ADMIN) else None}


def _campaign(campaign_id: int) -> Campaign:
    # With its checklist in the same statement: every page of a campaign shows its items.
    campaign = db.session.get(Campaign, campaign_id, options=[joinedload(Campaign.items)])
    if campaign is None:
        raise NotFound()
    return campaign


@bp.get("/")
def index():
    """List the special inspections, the latest first, with how many zones have answered."""
    campaigns = queries.all_campaigns()
    ids = [c.id for c in campaigns]
    return render_template("campaigns/index.html", campaigns=campaigns, answered=queries.answered_counts(ids),
                           zone_counts=queries.zone_counts(ids))


def _campaign_form() -> forms.CampaignForm:
    form = forms.CampaignForm()
    locale = current_language()
    zones = zone_services.list_zones()
    form.template_id.choices = [SelectChoice(t.id, t.display_name(locale)) for t in queries.templates()]
    form.buildings.choices = sorted({z.building for z in zones if z.building})
    form.departments.choices = sorted({z.department for z in zones if z.department})
    form.zones.choices = [SelectChoice(z.id, f"{z.code} {z.name}") for z in zones]
    return form


def _chosen_zones(form: forms.CampaignForm) -> list[int]:
    zones = zone_services.list_zones()
    scope = form.scope.data
    if scope == forms.BUILDINGS:
        return [z.id for z in zones if z.building in set(form.buildings.data or ())]
    if scope == forms.DEPARTMENTS:
        return [z.id for z in zones if z.department in set(form.departments.data or ())]
    if scope == forms.PICKED:
        return list(form.zones.data or ())
    return [z.id for z in zones]


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Make a special inspection: title, days, checklist, zones (all, by building, by department, picked)."""
    form = _campaign_form()
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(current_user._get_current_object(), services.NewCampaign(
                title=form.title.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                zone_ids=_chosen_zones(form), template_id=form.template_id.data))
        except ServiceError as exc:
            return page("campaigns/new.html", form, exc.status, problems=refusal(exc, form))
        db.session.commit()
        flash(_("The special inspection %(title)s is made.", title=campaign.title), "success")
        return redirect(url_for("campaigns.progress", campaign_id=campaign.id))
    if not form.is_submitted():
        form.starts_on.data = form.starts_on.data or schooltime.today()
    return page("campaigns/new.html", form)


@bp.get("/<int:campaign_id>")
def progress(campaign_id):
    """Show a campaign's progress: its figures, per item, and a page of its zones (?page=; not answered first,
    key areas first, then by code) with who answered when, failed items and hazards."""
    number = page_number(request.args)
    shown = queries.progress(_campaign(campaign_id), limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return render_template("campaigns/progress.html", shown=shown, page=number, page_size=PAGE_SIZE,
                           total=shown.zones_total)


@bp.post("/<int:campaign_id>/cancel")
def cancel(campaign_id):
    """Cancel a campaign: answers are refused from now on; those given and their hazards stay."""
    campaign = _campaign(campaign_id)
    try:
        services.cancel_campaign(current_user._get_current_object(), campaign)
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("campaigns.progress", campaign_id=campaign.id))
    db.session.commit()
    flash(_("The special inspection %(title)s is cancelled.", title=campaign.title), "success")
    return redirect(url_for("campaigns.progress", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/report")
def report(campaign_id):
    """The campaign's report, to print on A4 (or save as PDF): every zone, streamed as they are read."""
    shown = queries.progress(_campaign(campaign_id))
    # The session cookie leaves with the headers, before the page is rendered: what the page takes from the
    # session (its CSRF token, the messages to show once) is taken now, so that it is saved.
    generate_csrf()
    get_flashed_messages(with_categories=True)
    # Streamed as Flask's stream_template does (the request, its database session and locale, kept alive while
    # the zones are read), but its pieces go out a thousand at a time (tens of kB), not one small string each:
    # 11,000 for 500 zones, most of the report's time.
    context = {"shown": shown}
    current_app.update_template_context(context)
    stream = current_app.jinja_env.get_template("campaigns/report.html").stream(context)
    stream.enable_buffering(REPORT_PIECES)
    return Response(stream_with_context(stream))


@bp.get("/<int:campaign_id>/report.xlsx")
def report_xlsx(campaign_id):
    """The campaign's report as .xlsx: one sheet per zone row and one per item."""
    return reports.xlsx_response(queries.progress(_campaign(campaign_id)), current_language())


# -- Checklist templates ------------------------------------------------------------------------------------

@bp.get("/templates")
def templates():
    """List the checklist templates."""
    return render_template("campaigns/templates.html", templates=queries.templates())


def _template_form(template: ChecklistTemplate | None) -> forms.TemplateForm:
    data = None
    if template is not None:
        rows = [{**{n: getattr(i, n) for n in TEXT_FIELDS}, "category_id": i.category_id or 0}
                for i in template.items]
        data = {"name": template.name, "name_en": template.name_en,
                "items": rows + [{}] * forms.BLANK_ROWS}
    form = forms.TemplateForm(data=data)
    if template is None and not form.is_submitted():
        for _row in range(forms.BLANK_ROWS):
            form.items.append_entry()
    locale = current_language()
    choices = [SelectChoice(0, _("— none: other —"))] + [SelectChoice(c.id, c.display_name(locale))
                                                          for c in categories.list_categories()]
    for row in form.items:
        row.category_id.choices = choices
    return form


def _lines(form: forms.TemplateForm) -> list[services.TemplateLine]:
    return [services.TemplateLine(**{**row.data, "category_id": row.data["category_id"] or None})
            for row in form.items]


@bp.route("/templates/new", methods=["GET", "POST"])
@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def template_edit(template_id=None):
    """Make or edit a checklist template (a running campaign keeps the items it copied)."""
    template = None
    if template_id is not None:
        template = db.session.get(ChecklistTemplate, template_id)
        if template is None:
            raise NotFound()
    form = _template_form(template)
    if form.validate_on_submit():
        try:
            saved = services.save_template(current_user._get_current_object(), template,
                                           name=form.name.data, name_en=form.name_en.data, lines=_lines(form))
        except ServiceError as exc:
            return page("campaigns/template.html", form, exc.status, checklist=template,
                        problems=refusal(exc, form))
        db.session.commit()
        flash(_("The checklist %(name)s is saved.", name=saved.name), "success")
        return redirect(url_for("campaigns.templates"))
    return page("campaigns/template.html", form, checklist=template)
