// A special inspection's checklist in one zone (/z/<token>/campaigns/<id>): every item passed, failed (with a
// photo, the remedy shown) or not applicable, sent through the outbox as one record. Loaded only during a
// campaign: app.js imports it when one is active, and the service worker keeps it for offline use.
import { h, replace } from "../dom.js";
import { recentScan } from "../context.js";
import { locale, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { photoPicker } from "../photos.js";
import { limits } from "../rules.js";
import { activeCampaigns } from "./zone.js";

/** This module's address, as the server stamped it (app.js asks the worker to keep it). */
export const url = import.meta.url;
const RESULTS = ["pass", "fail", "na"];
// An item's note is kept whole by the server up to this length (NOTE_MAX in server/campaigns/schemas.py): a longer
// one would be refused, and a refused checklist can only be discarded.
const NOTE_MAX = 500;

// Sentences joined: a space between them in English, none after a Chinese "。".
const sentences = (...parts) => parts.filter(Boolean).join(locale === "en" ? " " : "");

// How many hazards the failed items open (one each), in words.
const opening = (n) => (n ? t("hazards_opened", { n }) : t("no_hazards_opened"));

// The items grouped by their group, in the checklist's order: [[group, items], …].
function grouped(items) {
  const groups = new Map();
  for (const item of items) groups.set(item.group, [...(groups.get(item.group) || []), item]);
  return [...groups];
}

// What keeps an item's answer from being sent: "need_answer", "need_photo", or null when it can go.
function problemOf(result, photoCount) {
  if (!RESULTS.includes(result)) return "need_answer";
  return result === "fail" && !photoCount ? "need_photo" : null;
}

// One item: its text as the legend of three big choices, the standard; when failed, the remedy, the photos
// and a note. Its problem is said next to it.
function itemBox(item, rules) {
  const key = `item-${item.id}`;
  const error = h("p", { class: "field-error", id: `${key}-error` });
  const photos = photoPicker({ id: `${key}-photos`, label: t("take_photo"), max: rules.photos_max });
  const note = h("textarea", { id: `${key}-note`, rows: 2, maxlength: Math.min(rules.note_max, NOTE_MAX) });
  const failed = h("div", { class: "item-failed", hidden: true },
    item.remedy ? h("p", { class: "remedy" }, h("strong", {}, t("remedy")), " ", item.remedy) : null,
    photos.element,
    h("label", { for: `${key}-note` }, t("note_optional")), note);
  const result = () => fieldset.querySelector("input:checked")?.value;
  const fieldset = h("fieldset", { class: "check-item card", id: key },
    h("legend", {}, item.text),
    item.standard ? h("p", { class: "standard muted" }, h("strong", {}, t("standard")), " ", item.standard) : null,
    h("div", { class: "choices choices-check" }, RESULTS.map((value) => h("label", { class: "choice" },
      h("input", { type: "radio", name: key, value, "aria-describedby": `${key}-error`,
                   onchange: () => { failed.hidden = value !== "fail"; } }),
      h("span", {}, t(`check_${value}`))))),
    error, failed);
  // Once a problem is shown, it goes as soon as the item is put right (a choice, a photo taken).
  const check = async () => {
    if (!error.textContent) return;
    await photos.ready();
    const problem = problemOf(result(), photos.photos().length);
    replace(error, problem ? t(problem) : "");
  };
  fieldset.addEventListener("change", check);
  return {
    element: fieldset,
    ready: photos.ready,
    problem: () => problemOf(result(), photos.photos().length),
    showProblem: (problem) => replace(error, problem ? t(problem) : ""),
    // The first choice, or (failed without a photo) the photo's file input: a label takes no focus.
    focus: () => fieldset.querySelector(result() ? "input[type=file]" : "input").focus(),
    answer: () => ({ item_id: item.id, result: result(),
                     ...(result() === "fail" && note.value.trim() ? { note: note.value.trim() } : {}) }),
    photos: () => (result() === "fail" ? photos.photos() : []),
  };
}

/** Resolve the buttons to this zone's special inspections, each saying when it was answered here already (by
 * anyone, or on this phone and waiting to be sent): a later round is still allowed. */
export async function campaignButtons(campaigns, zone, token) {
  const waiting = await outbox.list();
  return campaigns.map((c) => {
    const url = `/api/v1/campaigns/${c.id}/answers`;
    const kept = waiting.some((item) => item.url === url && item.fields.zone_id === zone.id);
    const done = kept ? t("recorded_waiting") : c.answered_zone_ids.includes(zone.id) ? t("campaign_answered") : "";
    const href = `/z/${encodeURIComponent(token)}/campaigns/${c.id}`;
    return [h("a", { class: "button primary big campaign-button", href, "data-nav": true,
                     "aria-describedby": done ? `campaign-${c.id}-done` : null },
              t("campaign_check", { title: c.title })),
            done ? h("p", { class: "muted campaign-done", id: `campaign-${c.id}-done` }, done) : null];
  });
}

function notActive(root, zone, token) {
  replace(root,
    h("p", { class: "eyebrow" }, h("a", { href: `/z/${encodeURIComponent(token)}`, "data-nav": true }, zone.name)),
    h("h1", {}, t("special_inspection")),
    h("p", { class: "notice notice-error", role: "alert" }, t("campaign_not_here")));
}

/** Draw a special inspection's checklist for the zone of a QR token. */
export async function show(root, { params, navigate, getJSON, user }) {
  const token = decodeURIComponent(params[0]);
  const campaignId = Number(params[1]);
  document.title = `${t("special_inspection")} · ${t("app_name")}`;
  const [{ zone }, campaigns, rules] = await Promise.all([
    getJSON(`/api/v1/zones/by-token/${encodeURIComponent(token)}`), activeCampaigns(user), limits()]);
  const campaign = campaigns.find((c) => c.id === campaignId);
  if (!campaign || !campaign.zone_ids.includes(zone.id)) return notActive(root, zone, token);
  document.title = `${campaign.title} · ${t("app_name")}`;
  const boxes = campaign.items.map((item) => itemBox(item, rules));
  const byItem = new Map(campaign.items.map((item, i) => [item.id, boxes[i]]));
  const error = h("p", { class: "notice notice-error", id: "form-error", role: "alert", hidden: true });
  // How many hazards the failed items will open, said before and after sending.
  const opens = h("p", { class: "muted", id: "hazards-to-open" });
  const count = () => boxes.filter((box) => box.answer().result === "fail").length;
  const submit = h("button", { type: "submit", class: "primary big" }, t("submit_checklist"));
  const clientId = crypto.randomUUID();  // made once per checklist: a resend is recognised, never duplicated

  const form = h("form", { id: "checklist-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    await Promise.all(boxes.map((box) => box.ready()));
    const problems = boxes.map((box) => [box, box.problem()]);
    for (const [box, problem] of problems) box.showProblem(problem);
    const unanswered = problems.filter(([, p]) => p);
    if (unanswered.length) {
      error.hidden = false;
      replace(error, t("checklist_problems", { n: unanswered.length }));
      unanswered[0][0].focus();
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    replace(submit, t("sending"));
    const unsubscribe = outbox.showUploadOn(submit, clientId);
    const scan = recentScan();
    try {
      const result = await outbox.submit({
        id: clientId, url: `/api/v1/campaigns/${campaign.id}/answers`,
        label: `${t("special_inspection")} · ${zone.name}`,
        fields: {
          client_id: clientId, zone_id: zone.id, answered_at: new Date().toISOString(),
          on_site: String(scan.zone_token === token), answers: JSON.stringify(boxes.map((box) => box.answer())),
        },
        files: Object.fromEntries([...byItem].map(([id, box]) => [`photo_${id}`, box.photos()])
          .filter(([, blobs]) => blobs.length)),
      });
      sessionStorage.setItem("flash", sentences(
        t(result === "sent" ? "checklist_recorded" : `kept_${result}`), opening(count())));
      await navigate(`/z/${encodeURIComponent(token)}`, { replaceState: true });
    } catch (err) {
      error.hidden = false;
      replace(error, err.code === "network" ? t("network_error") : err.message);
      submit.disabled = false;
      replace(submit, t("submit_checklist"));
    } finally {
      unsubscribe();
    }
  } },
  grouped(campaign.items).map(([group, items]) => h("section", { class: "check-group" },
    group ? h("h2", {}, group) : null, items.map((item) => byItem.get(item.id).element))),
  h("div", { class: "checklist-submit" }, error, opens, submit));
  const recount = () => replace(opens, opening(count()));
  form.addEventListener("change", recount);
  recount();

  replace(root,
    h("p", { class: "eyebrow" }, h("a", { href: `/z/${encodeURIComponent(token)}`, "data-nav": true }, zone.name)),
    h("h1", {}, campaign.title),
    h("p", { class: "muted" }, t("special_inspection"), " · ", campaign.starts_on, " – ", campaign.ends_on),
    campaign.answered_zone_ids.includes(zone.id) ? h("p", { class: "notice" }, t("campaign_answered")) : null,
    form);
}
