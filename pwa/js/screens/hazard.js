// One hazard in the field: its photos (before and after side by side), its history, and the field actions
// the user may take now (rectify, ask for a deferral, recheck on site). Desk actions link to the desk. While an
// action on it waits in the outbox, its forms give way to a note that says so: a second tap would queue a
// command the server refuses (the hazard will have moved on by then).
import { h, localTime, replace } from "../dom.js";
import { recentScan } from "../context.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { photoPicker } from "../photos.js";
import { limits } from "../rules.js";

const FIELD_ACTIONS = ["submit", "request_deferral", "pass", "fail"];
const actionsUrl = (id) => `/api/v1/hazards/${id}/actions`;

function photoStrip(photos, kind) {
  const chosen = photos.filter((p) => p.kind === kind);
  return h("figure", { class: `side side-${kind}` },
    h("figcaption", {}, t(`photos_${kind}`)),
    chosen.length ? chosen.map((p, i) => h("a", { href: p.url, target: "_blank" },
      h("img", { src: p.thumb_url, alt: `${t(`photos_${kind}`)} ${i + 1}`, loading: "lazy" })))
      : h("p", { class: "muted" }, t("no_photos")));
}

function timeline(events) {
  return h("ol", { class: "timeline" }, events.map((e) => h("li", {},
    h("p", {}, h("strong", {}, e.action_label), " · ", e.actor?.name || "", " · ", h("time", { datetime: e.at }, localTime(e.at)),
      e.on_site ? h("span", { class: "badge-onsite" }, t("on_site")) : null),
    e.note ? h("p", {}, e.note) : null,
    e.deadline_date && ["assign", "approve_deferral", "fail", "reopen", "request_deferral"].includes(e.action)
      ? h("p", { class: "muted" }, t("deadline", { date: e.deadline_date })) : null)));
}

function actionForm(hazard, action, { reload, rules, submitting }) {
  const clientId = crypto.randomUUID();
  const id = `act-${action}`;
  const needsPhotos = action === "submit";
  const picker = needsPhotos || action === "pass" || action === "fail"
    ? photoPicker({ id: `${id}-photos`, label: needsPhotos ? t("take_after_photo") : t("take_recheck_photo"),
                    max: rules.photos_max })
    : null;
  const note = h("textarea", { id: `${id}-note`, rows: 2, maxlength: rules.note_max });
  const date = action === "request_deferral" || action === "fail"
    ? h("input", { type: "date", id: `${id}-date` }) : null;
  const error = h("p", { class: "field-error", role: "alert", id: `${id}-error` });
  const button = h("button", { type: "submit", class: action === "fail" ? "big" : "primary big" }, t(`do_${action}`));
  const form = h("form", { class: "card action-form", id, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(error);
    if (picker) await picker.ready();
    if (needsPhotos && !picker.photos().length) return replace(error, t("need_after_photo"));
    if (["request_deferral", "fail"].includes(action) && !note.value.trim()) return replace(error, t("need_note"));
    if (action === "request_deferral" && !date.value) return replace(error, t("need_date"));
    button.disabled = true;
    submitting.now = true;  // this form redraws the screen itself when its record is kept or sent
    try {
      const result = await outbox.submit({
        id: clientId, url: actionsUrl(hazard.id),
        label: `${t(`do_${action}`)} · #${hazard.id} ${hazard.zone.name}`,
        fields: { action, client_id: clientId, seen_state: hazard.state, note: note.value.trim(),
                  deadline: date?.value, device_at: new Date().toISOString(), ...recentScan() },
        files: { photos: picker ? picker.photos() : [] },
      });
      sessionStorage.setItem("flash", t(result === "sent" ? `done_${action}` : `kept_${result}`));
      await reload();
    } catch (err) {
      replace(error, err.code === "network" ? t("network_error") : err.message);
      button.disabled = false;
      submitting.now = false;
    }
  } },
  h("h2", {}, t(`do_${action}`)),
  picker?.element,
  h("label", { for: `${id}-note` }, t(action === "request_deferral" ? "deferral_reason" : "note")), note,
  date ? [h("label", { for: `${id}-date` }, t(action === "fail" ? "new_deadline" : "proposed_date")), date] : null,
  error, button);
  return form;
}

// What waits in the outbox for this hazard, in place of its forms: waiting to be sent, or refused.
function waitingNote(items) {
  const refused = items.find((i) => i.state === "attention");
  return h("p", { class: `notice${refused ? " notice-error" : ""}`, id: "action-waiting" },
    t(refused ? "action_refused" : "action_waiting", { action: (refused || items[0]).label }), h("br"),
    h("a", { href: "/app/outbox", "data-nav": true }, t("open_outbox")));
}

/** Draw a hazard the user may see. */
export async function show(root, ctx) {
  const id = Number(ctx.params[0]);
  document.title = `#${id} · ${t("app_name")}`;  // until it is loaded: never the previous screen's title
  const mine = (items) => items.filter((i) => i.url === actionsUrl(id));
  const [{ hazard }, rules, queued] = await Promise.all([ctx.getJSON(`/api/v1/hazards/${id}`), limits(),
                                                         outbox.list().then(mine)]);
  const reload = () => ctx.navigate(`/app/hazards/${id}`, { replaceState: true });
  const submitting = { now: false };
  const allowed = hazard.allowed_actions.filter((a) => FIELD_ACTIONS.includes(a));
  const deskOnly = hazard.allowed_actions.filter((a) => !FIELD_ACTIONS.includes(a));
  const heading = h("h1", {}, hazard.category.name, " · ", hazard.severity_label);
  document.title = `${hazard.category.name} #${id} · ${t("app_name")}`;
  // Redraw when an action on it is sent, refused or discarded (here or in another tab): its state and the
  // actions allowed change with it.
  const drawn = JSON.stringify(queued.map((i) => [i.id, i.state]));
  const stop = outbox.subscribe((items) => {
    if (!root.contains(heading)) return stop();
    if (submitting.now || JSON.stringify(mine(items).map((i) => [i.id, i.state])) === drawn) return;
    stop();
    reload();
  });
  replace(root,
    h("p", { class: "eyebrow" }, hazard.zone.code, " · ", hazard.zone.name),
    heading,
    h("p", { class: `state state-${hazard.state}${hazard.overdue ? " overdue" : ""}` }, hazard.state_label,
      hazard.overdue ? h("span", { class: "badge-overdue" }, t("overdue")) : null),
    hazard.description ? h("p", {}, hazard.description) : h("p", { class: "muted" }, t("no_description")),
    hazard.deadline_date ? h("p", {}, t("deadline", { date: hazard.deadline_date })) : null,
    hazard.deferral ? h("p", { class: "notice" }, t("deferral_pending", { date: hazard.deferral.proposed_date })) : null,
    h("div", { class: "sides" }, photoStrip(hazard.photos, "before"), photoStrip(hazard.photos, "after")),
    queued.length ? waitingNote(queued) : allowed.map((action) => actionForm(hazard, action,
                                                                             { reload, rules, submitting })),
    deskOnly.length ? h("p", {}, h("a", { class: "button", href: `/hazards/${hazard.id}` }, t("open_on_desk"))) : null,
    h("h2", {}, t("history")), timeline(hazard.events));
}
