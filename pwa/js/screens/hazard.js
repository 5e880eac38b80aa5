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
import { interimBlock } from "./zone.js";

const FIELD_ACTIONS = ["submit", "request_deferral", "pass", "fail", "interim_control"];
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

// Hand an action's record to the outbox and redraw the screen with what became of it (sent, or kept on the
// phone); a failure to keep it says why beside the button, which can be pressed again.
async function send(record, done, { button, error, reload, submitting }) {
  button.disabled = true;
  submitting.now = true;  // the form redraws the screen itself when its record is kept or sent
  try {
    const result = await outbox.submit(record);
    sessionStorage.setItem("flash", t(result === "sent" ? done : `kept_${result}`));
    await reload();
  } catch (err) {
    replace(error, err.code === "network" ? t("network_error") : err.message);
    button.disabled = false;
    submitting.now = false;
  }
}

// A recheck is one form: the result (passed or failed) is a choice in it, and the server's rule decides what
// each needs (states.REQUIRED_FIELDS: a failed recheck needs a note); the record sent says "pass" or "fail".
const RECHECK = ["pass", "fail"];
const NEEDS_NOTE = ["request_deferral", "fail"];

function resultChoices(results, onchange) {
  return h("fieldset", { class: "choices choices-result" },
    h("legend", {}, t("recheck_result")),
    results.map((result, i) => h("label", { class: "choice" },
      h("input", { type: "radio", name: "result", value: result, checked: i === 0, onchange }),
      h("span", {}, t(`result_${result}`)))));
}

// One form per field step: "submit" (the rectification), "request_deferral", or "recheck" (pass or fail).
function actionForm(hazard, step, results, { reload, rules, submitting }) {
  const clientId = crypto.randomUUID();
  const id = `act-${step}`;
  const picker = step === "request_deferral" ? null
    : photoPicker({ id: `${id}-photos`, label: t(step === "submit" ? "take_after_photo" : "take_recheck_photo"),
                    max: rules.photos_max });
  const note = h("textarea", { id: `${id}-note`, rows: 2, maxlength: rules.note_max });
  const noteLabel = h("label", { for: `${id}-note` });
  const date = step === "submit" ? null : h("input", { type: "date", id: `${id}-date` });
  const dateBox = date && h("div", {},
    h("label", { for: `${id}-date` }, t(step === "recheck" ? "new_deadline" : "proposed_date")), date);
  const error = h("p", { class: "field-error", role: "alert", id: `${id}-error` });
  const button = h("button", { type: "submit", class: "primary big" });
  const choices = step === "recheck" ? resultChoices(results, () => follow()) : null;
  const action = () => (choices ? choices.querySelector("input:checked").value : step);

  // The note, the deadline and the button follow the recheck's result: a failed one asks what is still wrong.
  function follow() {
    const now = action();
    replace(noteLabel, t({ submit: "note", request_deferral: "deferral_reason", pass: "note_optional",
                           fail: "fail_note" }[now]));
    note.setAttribute("aria-required", String(NEEDS_NOTE.includes(now)));
    if (dateBox) dateBox.hidden = now === "pass";
    replace(button, t(`do_${now}`));
    replace(error);
  }

  const form = h("form", { class: "card action-form", id, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(error);
    const now = action();
    if (picker) await picker.ready();
    if (step === "submit" && !picker.photos().length) return replace(error, t("need_after_photo"));
    if (NEEDS_NOTE.includes(now) && !note.value.trim()) {
      note.focus();
      return replace(error, t("need_note"));
    }
    if (now === "request_deferral" && !date.value) return replace(error, t("need_date"));
    await send({
      id: clientId, url: actionsUrl(hazard.id),
      label: `${t(`do_${now}`)} · #${hazard.id} ${hazard.zone.name}`,
      fields: { action: now, client_id: clientId, seen_state: hazard.state, note: note.value.trim(),
                deadline: now === "pass" ? undefined : date?.value, device_at: new Date().toISOString(),
                ...recentScan() },
      files: { photos: picker ? picker.photos() : [] },
    }, `done_${now}`, { button, error, reload, submitting });
  } },
  h("h2", {}, t(step === "recheck" ? "recheck" : `do_${step}`)),
  choices, picker?.element, noteLabel, note, dateBox, error, button);
  follow();
  return form;
}

// The field forms allowed now: the rectification or the recheck first; a deferral behind a quiet disclosure set
// apart from them, so a hurried tap meant for "submit" cannot ask for one.
function actionForms(hazard, allowed, options) {
  const results = RECHECK.filter((a) => allowed.includes(a));
  return [
    allowed.includes("submit") ? actionForm(hazard, "submit", [], options) : null,
    results.length ? actionForm(hazard, "recheck", results, options) : null,
    allowed.includes("request_deferral")
      ? h("details", { class: "deferral" }, h("summary", {}, t("deferral_disclosure")),
          actionForm(hazard, "request_deferral", [], options))
      : null,
  ];
}

// What keeps people safe while the hazard waits (临时措施): a kind (the server's words for them, kept offline
// with the rules) and a note, needed when the kind is "other". It goes through the outbox like every action.
function interimForm(hazard, kinds, { reload, rules, submitting }) {
  const clientId = crypto.randomUUID();
  const note = h("textarea", { id: "interim-note", rows: 2, maxlength: rules.note_max });
  const error = h("p", { class: "field-error", role: "alert", id: "interim-error" });
  const button = h("button", { type: "submit", class: "primary big" }, t("do_interim_control"));
  const choices = h("fieldset", { class: "choices choices-interim" }, h("legend", {}, t("interim_kind")),
    Object.entries(kinds).map(([kind, label]) => h("label", { class: "choice" },
      h("input", { type: "radio", name: "interim_kind", value: kind }), h("span", {}, label))));
  const form = h("form", { class: "card interim-form", id: "act-interim", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(error);
    const kind = choices.querySelector("input:checked")?.value;
    if (!kind) return replace(error, t("need_interim_kind"));
    if (kind === "other" && !note.value.trim()) {
      note.focus();
      return replace(error, t("need_note"));
    }
    await send({
      id: clientId, url: actionsUrl(hazard.id), label: `${kinds[kind]} · #${hazard.id} ${hazard.zone.name}`,
      fields: { action: "interim_control", client_id: clientId, seen_state: hazard.state, interim_kind: kind,
                note: note.value.trim(), device_at: new Date().toISOString(), ...recentScan() },
    }, "done_interim_control", { button, error, reload, submitting });
  } }, choices, h("label", { for: "interim-note" }, t("note_optional")), note, error, button);
  return h("details", { class: "interim-action" }, h("summary", {}, t("do_interim_control")), form);
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
  const [{ hazard }, rules, queued, machine] = await Promise.all([
    ctx.getJSON(`/api/v1/hazards/${id}`), limits(), outbox.list().then(mine),
    ctx.getJSON("/api/v1/hazards/transitions").catch(() => null)]);
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
    interimBlock(hazard.interim_controls),
    h("div", { class: "sides" }, photoStrip(hazard.photos, "before"), photoStrip(hazard.photos, "after")),
    queued.length ? waitingNote(queued) : [
      actionForms(hazard, allowed, { reload, rules, submitting }),
      allowed.includes("interim_control") && machine
        ? interimForm(hazard, machine.labels.interim_kinds, { reload, rules, submitting }) : null],
    deskOnly.length ? h("p", {}, h("a", { class: "button", href: `/hazards/${hazard.id}` }, t("open_on_desk"))) : null,
    h("h2", {}, t("history")), timeline(hazard.events));
}
