"""Desk pages of the hazard loop: the list, the queue of new reports, a hazard with its timeline, deferral
approvals, rechecks. Thin: they read forms (forms.py), call the services and render; every
change goes through services.perform, every record through access.py.
"""

import os
import uuid
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from server import schooltime
from server.auth.models import RECTIFIER, SUPERVISOR
from server.auth.permissions import require_role
from server.auth.services import users_with_role
from server.database import utcnow
from server.errors import NotFound, ServiceError
from server.extensions import db
from server.hazards import access, categories, deadlines, forms, queries, services, states, wording
from server.hazards.cards import read_cards
from server.hazards.filters import HazardFilter, page_number
from server.hazards.models import AFTER, BEFORE
from server.i18n import Words
from server.zones import services as zones

bp = Blueprint("hazards", __name__)

PAGE_SIZE = 50
# A record sent from the field app this long after it was made is shown with the phone's time too.
LATE_SYNC = timedelta(minutes=10)


# A number no path holds otherwise, standing for the id in a URL made once (below 2**63: the id converter's).
_SLOT = 8_642_097_531


def id_url(endpoint: str, key: str):
    """Return a function giving `endpoint`'s URL for an id (`key`): one url_for, then a format string."""
    # url_for walks the URL map's builder (about 25 µs); a page of 50 cards needs some 250 of these.
    return url_for(endpoint, **{key: _SLOT}).replace(str(_SLOT), "{}").format


class IdUrls:
    """An endpoint's URLs by id (id_url), looked up with [] in a template or called."""

    # A template's [] is a plain lookup; a call goes through Jinja's context (checks for what the callable
    # wants passed: about four times the cost of the lookup, on a page that makes some 250 URLs).
    __slots__ = ("_format",)

    def __init__(self, endpoint: str, key: str):
        self._format = id_url(endpoint, key)

    def __getitem__(self, record_id: int) -> str:
        return self._format(record_id)

    __call__ = __getitem__


class Slots(Markup):
    """Markup with %(name)s slots that `%` fills from a dict, escaping as Markup's `%` does, in a third of
    its time."""

    # Markup's `%` wraps the dict and each value it reads in a helper object (about 4.5 µs a fill); a page of
    # 50 cards fills some 300 sentences and forms. Numbers are put in as they are (their text needs no
    # escaping, and %d wants a number); anything else through escape(), which trusts what is markup already.
    __slots__ = ()

    def __mod__(self, values):
        if type(values) is not dict:
            return super().__mod__(values)
        # Markup: the slots' own text is trusted as the caller made it so; the values are escaped here.
        return Markup(str.__mod__(self, {key: value if type(value) in _NUMBERS else escape(value)  # noqa: S704
                                         for key, value in values.items()}))


_NUMBERS = (int, float)


def rectifier_label(person) -> str:
    """Return how a chooser of rectifiers names a person: name · department · company (unless the same)."""
    said = person.display_name
    if person.department:
        said += f" · {person.department}"
    if person.company and person.company != person.department:
        said += f" · {person.company}"
    return said


class _Labels:
    """rectifier_label looked up with [] in a template (a lookup; a call goes through Jinja's context)."""

    __slots__ = ()
    __getitem__ = staticmethod(rectifier_label)


# A person standing for the one each queue card's chooser holds, for the chooser made once with slots.
_SLOT_PERSON = SimpleNamespace(id="%(person_id)s", display_name="%(label)s", department="", company="")


@bp.before_request
def _signed_in():
    require_role()


@bp.context_processor
def _helpers():
    # The words of states, severities and kinds translated once per page and value, not once per card; the
    # URLs of a hazard and its photos made by one url_for each and a format string.
    states_said, severities_said = Words(wording.STATE_LABELS), Words(wording.SEVERITY_LABELS)
    # The cards look words up by [] (one dict lookup), other pages call them (each call through Jinja's
    # context: a few checks more, which a page of 50 cards said some thousand times).
    return {"labels_state": states_said.__getitem__, "state_words": states_said,
            "labels_severity": severities_said.__getitem__, "severity_words": severities_said,
            "labels_action": Words(wording.ACTION_LABELS).__getitem__,
            "kind_labels": Words(wording.PHOTO_KIND_LABELS),
            "overdue_days": deadlines.overdue_days,
            "invalid_kinds": Words(forms.INVALID_KINDS),
            "interim_labels": Words(wording.INTERIM_KIND_LABELS),
            # Markup: our catalog's words, trusted as a template's _() trusts them.
            "phrases": SimpleNamespace(**{key: Slots(word)  # noqa: S704
                                          for key, word in Words(wording.CARD_PHRASES).items()}),
            # A form or link made once for the page with slots each card fills (see queue.html).
            "slots": Slots, "slot_person": _SLOT_PERSON, "rectifier_label": _Labels(),
            "hazard_url": IdUrls("hazards.detail", "hazard_id"),
            "act_url": IdUrls("hazards.act", "hazard_id"),
            "photo_url": IdUrls("api.photo", "photo_id"),
            "thumb_url": IdUrls("api.photo_thumb", "photo_id"),
            # Date pickers start at today (the server refuses past deadlines; this only spares a round trip).
            "school_today": schooltime.local_date(utcnow())}


def compare(photos) -> tuple[list, list]:
    """Split a hazard's photos into the before photos and the after photos of the latest rectification."""
    before = [p for p in photos if p.kind == BEFORE]
    after = [p for p in photos if p.kind == AFTER]
    if after:
        latest = max(p.event_id for p in after)
        after = [p for p in after if p.event_id == latest]
    return before, after


def _cards(hazards, now, rectifiers=None) -> None:
    """Add to each card (cards.Card) what its page shows of it beyond its rows: its days overdue, the actions
    the user may take, its photos and interim controls, and for its forms a client id and, when the page
    offers `rectifiers` to assign to, the assign form's defaults."""
    photos = queries.photos_by_hazard([h.id for h in hazards])
    able = {person.id: person for person in rectifiers} if rectifiers is not None else None
    interim = queries.interim_controls_by_hazard([h for h in hazards if h.has_interim])
    user, memo = current_user._get_current_object(), {}
    # One client id per rendered page and hazard: a double-submitted form is a repeat, not a second action
    # (each form adds its action to it). 128 random bits each, as uuid4's, drawn for the page at once (a
    # uuid4 per card is a system call and an object: 1.8 µs against 0.1).
    random = os.urandom(16 * len(hazards)).hex()
    for number, hazard in enumerate(hazards):
        hazard.late = deadlines.overdue_days(hazard, now)
        hazard.allowed = services.allowed_actions(user, hazard, memo)
        hazard.client_id = random[32 * number:32 * number + 32]
        hazard.before, hazard.after = compare(photos[hazard.id])
        hazard.interim = interim.get(hazard.id, [])
        hazard.default_rectifier, hazard.default_deadline = (
            queries.form_defaults(hazard, states.ASSIGN, now=now, able=able) if able is not None
            else (None, None))


def _render_cards(template, title, hazards, total, *, assigning=False, **context):
    """Render cards (cards.Card); `assigning`: the page assigns new reports (a supervisor's page): its forms'
    defaults and the one list of rectifiers to choose from."""
    rectifiers = users_with_role(RECTIFIER, rows=True) if assigning else None
    now = utcnow()
    _cards(hazards, now, rectifiers)
    # Each category's name said once for the page, not once per card.
    locale = str(get_locale())
    category_names = {h.category_id: h.category.display_name(locale) for h in hazards}
    return render_template(template, title=title, hazards=hazards, total=total, now=now,
                           rectifiers=rectifiers or [], category_names=category_names, **context)


def _paged_cards(template, title, find, status=None, *, assigning=False):
    """Render a page of cards (?page=, PAGE_SIZE each): `find(limit, offset)` gives its hazards and total,
    `status(total)` the line that says how many wait."""
    page = page_number(request.args)
    hazards, total = find(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return _render_cards(template, title, hazards, total, page=page, page_size=PAGE_SIZE,
                         status=status(total) if status else None, assigning=assigning)


@bp.get("/hazards")
def index():
    """List the hazards the user may see, overdue first, with filters and counts."""
    filters = HazardFilter.from_args(request.args)
    page = page_number(request.args)
    hazards, total = queries.list_hazards(current_user, filters=filters, limit=PAGE_SIZE,
                                           offset=(page - 1) * PAGE_SIZE, read=read_cards)
    all_zones = zones.list_zones(include_inactive=True, responsible=False)
    supervisor = current_user.has_role(SUPERVISOR)
    return _render_cards(
        "hazards/list.html", _("Hazards"), hazards, total, counts=queries.hazard_counts(current_user),
        filters=filters, zones=all_zones, buildings=zones.buildings(),
        categories=categories.list_categories(include_inactive=True), states=states.STATES,
        severities=states.SEVERITIES,
        filter_rectifiers=users_with_role(RECTIFIER, rows=True) if supervisor else [],
        page=page, page_size=PAGE_SIZE, month_start=schooltime.local_date(schooltime.month_start()))


def _queue_page():
    require_role(SUPERVISOR)
    return _paged_cards("hazards/queue.html", _("New reports"),
                        lambda limit, offset: queries.list_hazards(current_user, state=states.REPORTED,
                                                                   limit=limit, offset=offset,
                                                                   read=read_cards),
                        lambda total: _("%(n)d new reports wait to be assigned.", n=total), assigning=True)


def _deferrals_page():
    require_role(SUPERVISOR)
    return _paged_cards("hazards/queue.html", _("Deferral requests"),
                        lambda limit, offset: queries.list_hazards(current_user, state=states.ASSIGNED,
                                                                   deferral_pending=True, limit=limit,
                                                                   offset=offset, read=read_cards),
                        lambda total: _("%(n)d deferral requests wait for a decision.", n=total))


def _rechecks_page():
    require_role(SUPERVISOR)
    return _paged_cards("hazards/rechecks.html", _("Awaiting recheck"),
                        lambda limit, offset: queries.rechecks_for(current_user, limit=limit, offset=offset,
                                                                   read=read_cards))


@bp.get("/hazards/queue")
def queue():
    """Show the new reports, each with an assign form (defaults filled) and an invalidate form."""
    return _queue_page()


@bp.get("/hazards/deferrals")
def deferrals():
    """Show the deferral requests waiting for a decision, each with approve and decline forms."""
    return _deferrals_page()


@bp.get("/hazards/rechecks")
def rechecks():
    """Show the hazards awaiting a recheck by this user, before and after photos side by side."""
    return _rechecks_page()


def _detail_page(hazard, *, failed_action=None):
    photos = queries.photos_of(hazard)
    before, after = compare(photos)
    # A pending deferral request is what the supervisor came for: its decision comes first.
    allowed = sorted(services.allowed_actions(current_user, hazard),
                     key=lambda a: a not in (states.APPROVE_DEFERRAL, states.DECLINE_DEFERRAL))
    defaults = {action: queries.form_defaults(hazard, action) for action in allowed}
    rectifiers = users_with_role(RECTIFIER) if current_user.has_role(SUPERVISOR) else []
    # After a refusal the form that failed keeps what was typed in it.
    submitted = request.form if failed_action else {}
    plans = queries.plans_of(hazard)
    # The plan's responsible person is a name; the people of the app are offered as suggestions.
    people = (users_with_role(SUPERVISOR) + rectifiers) if states.PLAN in allowed else []
    return render_template(
        "hazards/detail.html", hazard=hazard, photos=photos, before=before, after=after,
        events=queries.timeline(hazard), allowed=allowed, defaults=defaults, rectifiers=rectifiers,
        client_id=uuid.uuid4().hex, now=utcnow(), failed_action=failed_action, submitted=submitted,
        late_sync=LATE_SYNC, plans=plans, plan_by_event={p.event_id: p for p in plans}, people=people,
        interim=queries.interim_controls_by_hazard([hazard]).get(hazard.id, []))


def zone_panel(user, zone_id: int) -> dict:
    """Return what a zone's desk page shows of its open hazards: the hazards and their interim controls."""
    hazards = queries.zone_hazards(user, zone_id)
    return {"open_hazards": hazards, "interim": queries.interim_controls_by_hazard(hazards),
            "interim_labels": wording.INTERIM_KIND_LABELS, "severity_labels": wording.SEVERITY_LABELS,
            "state_labels": wording.STATE_LABELS}


@bp.get("/hazards/<int:hazard_id>")
def detail(hazard_id):
    """Show one hazard: facts, before/after photos side by side, the allowed actions, the timeline."""
    return _detail_page(access.get_hazard_for(current_user, hazard_id))


# The pages whose forms post to `act`: a refusal is shown on the page the form was on.
_FORM_PAGES = {"/hazards/queue": _queue_page, "/hazards/deferrals": _deferrals_page,
               "/hazards/rechecks": _rechecks_page}


def _back_to(target: str | None, hazard_id: int) -> str:
    parts = urlsplit(target or "")
    if not parts.scheme and not parts.netloc and parts.path in _FORM_PAGES:
        return parts.path
    return url_for("hazards.detail", hazard_id=hazard_id)


@bp.post("/hazards/<int:hazard_id>/act")
def act(hazard_id):
    """Take an action from a desk form; a refusal shows on the page with its status (403/409/422)."""
    back = _back_to(request.form.get("next"), hazard_id)
    try:
        command = forms.command_from(request.form, request.files)
        outcome = services.perform(current_user._get_current_object(), hazard_id, command)
    except NotFound:
        raise  # not the user's to see: the error page, as for any record (404)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        if back in _FORM_PAGES:
            return _FORM_PAGES[back](), exc.status
        hazard = access.get_hazard_for(current_user, hazard_id)
        return _detail_page(hazard, failed_action=request.form.get("action")), exc.status
    label = wording.ACTION_LABELS[outcome.event.action]
    if outcome.created:
        flash(_("Done: %(action)s (hazard #%(id)d).", action=label, id=hazard_id), "success")
    else:
        flash(_("Already done: %(action)s (hazard #%(id)d). The form was sent twice; nothing changed.",
                action=label, id=hazard_id), "info")
    return redirect(back)
