"""GET /api/v1/i18n: the field app's words in the user's language, from the one Babel catalog."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.api import bp
from server.api.conditional import NOT_MODIFIED, revalidated
from server.api.schemas import I18n, LocaleIn, LocaleOut, answer, operation, read_body, utf8_answer
from server.auth import services as users
from server.auth.permissions import role_required
from server.compression import packed_once
from server.errors import ValidationFailed
from server.extensions import db
from server.web import APP_NAME, current_language

# Every word the field app shows; the JS asks t("key"). Placeholders are %(name)s, as in the catalog.
MESSAGES = {
    "app_name": APP_NAME,
    "skip": _l("Skip to content"),
    "loading": _l("Loading…"),
    "hello": _l("Hello, %(name)s"),
    "sign_out": _l("Sign out"),
    "desk": _l("Open the desk"),
    "home": _l("Home"),
    "scan_title": _l("Scan a zone"),
    "scan_hint": _l("Scan the QR label posted in the zone with the phone's camera, or type the zone code "
                    "printed under it."),
    "zone_code": _l("Zone code"),
    "open_zone": _l("Open zone"),
    "zone_code_required": _l("Type the zone code printed on the label."),
    "my_tasks": _l("My tasks"),
    "zone": _l("Zone"),
    "code": _l("Code"),
    "place": _l("Place"),
    "department": _l("Department"),
    "responsible": _l("Responsible person"),
    "call": _l("Call %(name)s"),
    "key_area": _l("Key area"),
    "frequency": _l("Patrol frequency"),
    "freq_daily": _l("Daily"),
    "freq_weekly": _l("Weekly"),
    "freq_custom": _l("Every %(days)s days"),
    "open_hazards": _l("Open hazards here"),
    "no_open_hazards": _l("No open hazards in this zone."),
    "overdue": _l("Overdue"),
    "deadline": _l("Deadline %(date)s"),
    "zone_problem": _l("This zone cannot be opened"),
    "type_code_instead": _l("Type the zone code instead"),
    "patrol_actions": _l("Patrol"),
    "report_hazard": _l("Report a hazard"),
    "no_hazard": _l("No hazard found"),
    "visit_recorded": _l("Recorded: patrol done, no hazard found."),
    "reported": _l("The hazard is reported."),
    "take_photo": _l("Take a photo"),
    "take_after_photo": _l("Photo after rectification"),
    "take_recheck_photo": _l("Recheck photo (optional)"),
    "processing_photos": _l("Preparing the photo…"),
    "photo_hint": _l("One to %(n)s photos that show the hazard."),
    "photo_n": _l("Photo %(n)s"),
    "remove_photo": _l("Remove photo %(n)s"),
    "too_many_photos": _l("At most %(n)s photos."),
    "photo_unreadable": _l("This file is not a photo the phone can read."),
    "photos": _l("Photos"),
    "category": _l("Category"),
    "severity": _l("Severity"),
    "severity_general": _l("General"),
    "severity_major": _l("Major"),
    "severity_critical": _l("Critical"),
    "description": _l("Description"),
    "fixed_on_the_spot": _l("Fixed on the spot (立行立改)"),
    "submit_report": _l("Report"),
    "sending": _l("Sending…"),
    "need_photo": _l("Take at least one photo."),
    "need_category": _l("Choose a category."),
    "need_after_photo": _l("Take a photo after the fix."),
    "need_note": _l("Write what is wrong or why."),
    "need_date": _l("Choose a date."),
    "to_rectify": _l("To rectify"),
    "to_recheck": _l("To recheck"),
    "photos_before": _l("Before"),
    "photos_after": _l("After"),
    "photos_recheck": _l("Recheck"),
    "no_photos": _l("No photos yet."),
    "on_site": _l("On site"),
    "history": _l("History"),
    "note": _l("Note"),
    "deferral_reason": _l("Why it cannot be done in time"),
    "proposed_date": _l("Proposed new deadline"),
    "new_deadline": _l("New deadline (optional)"),
    "deferral_pending": _l("A deferral to %(date)s is waiting for approval."),
    "open_on_desk": _l("Open on the desk"),
    "do_submit": _l("Submit rectification"),
    "do_request_deferral": _l("Ask for a deferral"),
    "do_pass": _l("Recheck passed"),
    "do_fail": _l("Recheck failed"),
    "done_submit": _l("Rectification submitted for recheck."),
    "done_request_deferral": _l("Deferral requested."),
    "done_pass": _l("Recheck passed: the hazard is closed."),
    "done_fail": _l("Recheck failed: sent back for rectification."),
    "outbox": _l("Outbox"),
    "outbox_waiting": _l("%(n)s records wait to be sent."),
    "outbox_empty": _l("Everything is sent."),
    "last_sync": _l("Last sent %(time)s."),
    "sync_now": _l("Send now"),
    "waiting": _l("Waiting"),
    "needs_attention": _l("Needs attention"),
    "retry": _l("Try again"),
    "discard": _l("Discard"),
    "discard_confirm": _l("Discard this record? It has not reached the server and will be lost."),
    "sign_in_to_send": _l("Sign in again to send what waits."),
    "sign_in": _l("Sign in"),
    "kept_waiting": _l("Saved on this phone: it will be sent when there is a connection."),
    "kept_attention": _l("The server refused this record: see the outbox."),
    "new_version": _l("A new version of the app is ready."),
    "reload": _l("Reload"),
    "network_error": _l("No connection to the server. Check the signal and try again."),
    "error": _l("Something went wrong: %(message)s"),
    "scan_starting": _l("Starting the camera…"),
    "scan_camera": _l("Camera view"),
    "scan_from_photo": _l("Read a photo of the label"),
    "scan_not_a_label": _l("This QR code is not one of this school's zone labels. Point the camera at a zone "
                           "label."),
    "scan_decoder_missing": _l("The scanner could not be loaded on this phone (no connection). Type the zone "
                               "code below."),
    "scan_reading_photo": _l("Reading the photo…"),
    "scan_no_code_in_photo": _l("No QR code was found in the photo. Take it again, closer and straight on."),
    "scan_point": _l("Point the camera at the QR label posted in the zone."),
    "scan_camera_refused": _l("The camera is not allowed for this app. Allow it in the browser's settings, "
                              "read a photo of the label, or type the zone code."),
    "scan_no_camera": _l("No camera can be used here. Read a photo of the label or type the zone code."),
    "or_type_code": _l("Or type the zone code"),
    "type_code_title": _l("Type a zone code"),
    "code_hint": _l("The code is printed under the QR code on the label."),
    "outbox_attention": _l("%(n)s need attention."),
    "never_synced": _l("Nothing has been sent from this phone yet."),
    "patrolled_today": _l("Patrolled today"),
    "recorded_waiting": _l("Recorded, waiting to be sent"),
    "last_patrol": _l("Last patrol %(time)s"),
    "never_patrolled": _l("Never patrolled"),
    "todays_round": _l("Due for a patrol today (%(n)s)"),
    "round_complete": _l("Every zone due today has been patrolled."),
    "done_today": _l("Patrolled today (%(n)s)"),
    "close_other_tabs": _l("Close the app's other tabs or windows on this phone: the update of its saved "
                           "records waits for them."),
    "waits_for_user": _l("Recorded by %(name)s: sent when they sign in on this phone."),
    "round_as_of": _l("Offline: this is the list of %(date)s."),
    "save_and_send": _l("Save and send"),
    "cancel": _l("Cancel"),
    "edit": _l("Edit"),
    "upload_progress": _l("Uploading: %(n)s"),
    "sending_percent": _l("Sending… %(n)s"),
    "n_photos": _l("%(n)s photos"),
    "description_optional": _l("Description (optional)"),
    "no_description": _l("No description: see the photos."),
    "action_waiting": _l("%(action)s is saved on this phone and waits to be sent."),
    "action_refused": _l("The server refused %(action)s: correct or discard it in the outbox."),
    "open_outbox": _l("Open the outbox"),
    "no_signal": _l("No signal"),
    "outbox_no_signal": _l("No signal: what waits is sent by itself when the network returns."),
    "retry_in": _l("Retrying in %(n)s s: %(reason)s."),
    "server_answered": _l("the server answered %(status)s"),
    "offline_ready": _l("Ready to work with no signal."),
    "offline_preparing": _l("Getting ready to work with no signal…"),
    "recheck": _l("Recheck"),
    "recheck_result": _l("Recheck result"),
    "result_pass": _l("Passed"),
    "result_fail": _l("Failed"),
    "note_optional": _l("Note (optional)"),
    "fail_note": _l("What is still wrong"),
    "deferral_disclosure": _l("Cannot finish by the deadline? Ask for a deferral"),
    "do_interim_control": _l("Record an interim control"),
    "done_interim_control": _l("Interim control recorded."),
    "interim_kind": _l("What was done"),
    "need_interim_kind": _l("Choose what was done to keep people safe (cordoned off, a warning sign …)."),
    "scan_torch": _l("Torch"),
    "scan_torch_failed": _l("The torch could not be turned on."),
    "signed_out": _l("Not signed in"),
    "menu_for": _l("Menu: %(name)s"),
    "hazards_as_of": _l("No signal: the open hazards as of %(time)s."),
    "hazards_not_kept": _l("No signal: this phone has no list of this zone's open hazards yet."),
    "photo_of": _l("Photo of %(what)s"),
    # A key ending in _one is the word for a count of one where the language has that form (English);
    # the app's t() picks it by Intl.PluralRules, and Chinese, with one form, always reads the key itself.
    "n_photos_one": _l("%(n)s photo"),
    "outbox_waiting_one": _l("%(n)s record waits to be sent."),
    "outbox_attention_one": _l("%(n)s needs attention."),
    "notifications": _l("Notifications"),
    "notifications_unread": _l("Notifications: %(n)s unread"),
    "no_notifications": _l("No notifications yet."),
    "mark_all_read": _l("Mark all as read"),
    "unread": _l("Unread"),
    "rechecks_waiting": _l("%(n)s hazards await your recheck."),
    "rechecks_waiting_one": _l("%(n)s hazard awaits your recheck."),
    "see_list": _l("See the list"),
    "no_tasks": _l("Nothing to rectify or recheck now."),
    "shown_of": _l("%(shown)s of %(total)s shown"),
    "show_more": _l("Show more"),
    # Special inspections (专项检查): the zone page's button and the checklist.
    "special_inspection": _l("Special inspection"),
    "campaign_check": _l("Special inspection: %(title)s"),
    "campaign_answered": _l("Already answered in this zone: another round is welcome."),
    "campaign_not_here": _l("This special inspection is not under way today, or this zone is not in it."),
    "check_pass": _l("Pass"),
    "check_fail": _l("Fail"),
    "check_na": _l("Not applicable"),
    "standard": _l("Standard:"),
    "remedy": _l("What to do:"),
    "need_answer": _l("Choose pass, fail or not applicable."),
    "checklist_problems": _l("%(n)s items are not ready: see the message next to each."),
    "checklist_problems_one": _l("%(n)s item is not ready: see the message next to it."),
    "submit_checklist": _l("Submit the checklist"),
    "checklist_recorded": _l("The checklist is recorded."),
    "hazards_opened": _l("%(n)s hazards will be opened for the failed items."),
    "hazards_opened_one": _l("%(n)s hazard will be opened for the failed item."),
    "no_hazards_opened": _l("No item failed: no hazard will be opened."),
}


@bp.get("/i18n")
@operation({200: (I18n, "Messages by key (placeholders %(name)s)."), 304: NOT_MODIFIED}, errors=(),
           public=True)
@packed_once
@revalidated
def i18n():
    """Return the field app's words in the current language (Chinese unless the user chose English)."""
    from flask import current_app

    return utf8_answer(I18n, {"locale": current_language(), "languages": current_app.config["LANGUAGES"],
                              "messages": {k: str(v) for k, v in MESSAGES.items()}})



@bp.post("/session/locale")
@operation({200: (LocaleOut, "The language now.")}, body=LocaleIn, errors=(400, 401, 422))
@role_required()
def set_locale():
    """Switch the user's language (remembered on the account, as the desk's switch does)."""
    from flask import current_app, session

    locale = read_body(LocaleIn).locale
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(details={"locale": "unknown"})
    session["locale"] = locale
    users.set_locale(current_user._get_current_object(), locale)
    db.session.commit()
    return answer(LocaleOut, {"locale": locale})
