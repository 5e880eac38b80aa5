// The zone page (/z/<token>): where a QR label leads. The zone's facts and its open hazards.
import { getJSON } from "../api.js";
import { h, localTime, replace } from "../dom.js";
import { recentScan, rememberScan } from "../context.js";
import * as outbox from "../outbox.js";
import { t } from "../i18n.js";
import { dated } from "./home.js";

// A copy older than this (by the server's Date header) was kept for offline use: the phone says as of when.
const STALE_MS = 2 * 60_000;

function frequency(zone) {
  if (zone.frequency === "daily") return t("freq_daily");
  if (zone.frequency === "weekly") return t("freq_weekly");
  return t("freq_custom", { days: zone.frequency_days });
}

function fact(term, ...value) {
  return [h("dt", {}, term), h("dd", {}, ...value)];
}

/** Return the warning block of a hazard's interim controls (临时措施), "⚠ 已设警戒 · 14:20 张三", or null. */
export function interimBlock(controls) {
  if (!controls?.length) return null;
  const today = localTime(new Date().toISOString(), { time: false });
  return h("ul", { class: "notice interim" }, controls.map((c) => h("li", {},
    h("span", { "aria-hidden": "true" }, "⚠ "), h("strong", {}, c.kind_label), " · ",
    h("time", { datetime: c.at }, localTime(c.at, { date: localTime(c.at, { time: false }) !== today })), " ",
    c.by?.name || "", c.note ? `: ${c.note}` : "")));
}

// Each open hazard opens its page when tapped (a patrol checks what is already known before reporting again);
// what keeps people safe meanwhile stands beside it, outside the link, so nobody walks into it.
function hazardItem(hazard) {
  return h("li", { class: `hazard${hazard.overdue ? " overdue" : ""}` }, interimBlock(hazard.interim_controls),
    h("a", { class: "hazard-open", href: `/app/hazards/${hazard.id}`, "data-nav": true },
    h("p", { class: "hazard-head" },
      h("span", { class: `sev sev-${hazard.severity}` }, hazard.severity_label), " · ",
      h("strong", {}, hazard.category?.name || ""), " · ",
      h("span", {}, hazard.state_label),
      hazard.overdue ? h("span", { class: "badge-overdue" }, t("overdue")) : null),
    hazard.description ? h("p", {}, hazard.description) : h("p", { class: "muted" }, t("no_description")),
    hazard.deadline_date ? h("p", { class: "muted" }, t("deadline", { date: hazard.deadline_date })) : null));
}

// The zone's open hazards and when the server listed them: with no signal the service worker answers with the
// copy it kept, and that copy's Date header says how old it is. Null when there is no network and no copy.
async function openHazards(zoneId) {
  let response;
  try {
    response = await fetch(`/api/v1/zones/${zoneId}/hazards?open=1`,
                           { headers: { Accept: "application/json" }, credentials: "same-origin" });
  } catch {
    return null;
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error?.message || response.statusText);
  const at = Date.parse(response.headers.get("Date") || "") || Date.now();
  const offline = !navigator.onLine || outbox.status.noSignal || Date.now() - at > STALE_MS;
  return { list: data.hazards || [], asOf: offline ? new Date(at).toISOString() : null };
}

// Special inspections are for those who patrol (the server refuses the others, so they are not asked).
const INSPECTORS = ["patrol", "supervisor", "admin"];

let asked = null;  // the last answer asked for (the worker kept it: it saw it, or the page handed it over)

/** Resolve the special inspections active today (kept offline); [] for one who does not patrol. `again`: ask
 * the server anew, else take the answer last asked for, when there is one (the app's start, after a screen). */
export function activeCampaigns(user, { again = true } = {}) {
  if (!user?.roles.some((role) => INSPECTORS.includes(role))) return Promise.resolve([]);
  if (again || !asked) asked = getJSON("/api/v1/campaigns/active").then((data) => data.campaigns);
  return asked;
}

// During a special inspection of this zone, its buttons: drawn by the checklist's code, loaded only then (and
// kept by the worker since the app opened); without it, the page is the same without them.
async function campaignButtons(asking, zone, token) {
  const here = (await asking).filter((c) => c.zone_ids.includes(zone.id));
  if (!here.length) return [];
  return import("./checklist.js").then((checklist) => checklist.campaignButtons(here, zone, token)).catch(() => []);
}

function problem(root, message, navigate) {
  replace(root,
    h("h1", {}, t("zone_problem")),
    h("p", { class: "notice notice-error", role: "alert" }, message),
    h("p", {}, h("a", { class: "button primary big", href: "/app", "data-nav": true }, t("type_code_instead"))));
}

function noHazardButton(zone) {
  const clientId = crypto.randomUUID();
  const status = h("p", { role: "status", class: "visit-status" });
  const button = h("button", { type: "button", class: "big", onclick: async () => {
    button.disabled = true;
    const result = await outbox.submit({
      id: clientId, url: "/api/v1/visits", label: `${t("no_hazard")} · ${zone.name}`,
      fields: { client_id: clientId, zone_id: zone.id, result: "no_hazard", device_at: new Date().toISOString(),
                ...recentScan() },
    });
    replace(status, t(result === "sent" ? "visit_recorded" : `kept_${result}`));
    status.className = `visit-status notice ${result === "attention" ? "notice-error" : "notice-ok"}`;
  } }, t("no_hazard"));
  return [button, status];
}

/** Draw a zone's page from its QR token. */
export async function show(root, { params, navigate, getJSON, opened, user }) {
  const token = decodeURIComponent(params[0]);
  document.title = `${t("zone")} · ${t("app_name")}`;  // until it is loaded: never the previous screen's title
  // Asked beside the zone and drawn with it: a button appearing later would move the one about to be tapped.
  const asking = activeCampaigns(user).catch(() => []);  // none known: the page is the same without
  let zone;
  try {
    ({ zone } = await getJSON(`/api/v1/zones/by-token/${encodeURIComponent(token)}`));
  } catch (err) {
    if (err.status === 404) return problem(root, err.message, navigate);
    throw err;
  }
  // Opening /z/<token> from outside the app is what scanning the label does: remember it ("on site").
  if (opened) rememberScan(token);
  document.title = `${zone.name} · ${t("app_name")}`;
  const person = zone.responsible;
  const place = [zone.building, zone.floor].filter(Boolean).join(" · ");
  const campaigns = h("div", { class: "campaigns" }, await campaignButtons(asking, zone, token));
  const hazards = h("section", { id: "zone-hazards", "aria-labelledby": "zone-hazards-title" },
    h("h2", { id: "zone-hazards-title" }, t("open_hazards")), h("p", { class: "loading" }, t("loading")));
  replace(root,
    h("p", { class: "eyebrow" }, t("zone"), " ", zone.code),
    h("h1", {}, zone.name),
    zone.key_area ? h("p", { class: "badge-key" }, t("key_area")) : null,
    h("dl", { class: "facts card" },
      fact(t("code"), zone.code),
      place ? fact(t("place"), place) : null,
      zone.department ? fact(t("department"), zone.department) : null,
      person ? fact(t("responsible"), person.name,
        person.phone ? [" ", h("a", { href: `tel:${person.phone}`, "aria-label": t("call", { name: person.name }) }, person.phone)] : null) : null,
      fact(t("frequency"), frequency(zone))),
    h("section", { id: "zone-actions", class: "zone-actions", "aria-label": t("patrol_actions") }, campaigns,
      h("a", { class: "button primary big", href: `/z/${encodeURIComponent(token)}/report`, "data-nav": true },
        t("report_hazard")),
      noHazardButton(zone)),
    hazards);
  const title = h("h2", { id: "zone-hazards-title" }, t("open_hazards"));
  try {
    const known = await openHazards(zone.id);
    // No signal is not an error here: the page says what the phone knows, and since when.
    if (!known) return replace(hazards, title, h("p", { class: "muted as-of" }, t("hazards_not_kept")));
    const { list, asOf } = known;
    replace(hazards, title,
      asOf ? h("p", { class: "muted as-of" }, dated("hazards_as_of", "time", asOf)) : null,
      list.length ? h("ul", { class: "hazards" }, list.map(hazardItem)) : h("p", { class: "muted" }, t("no_open_hazards")));
  } catch (err) {
    replace(hazards, title, h("p", { class: "notice notice-error" }, err.message));
  }
}
