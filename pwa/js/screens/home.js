// Home: the way into a zone (scan its label, or type its code), the outbox at a glance, the user's tasks, and
// today's round of zones due for a patrol.
import { h, localTime, replace } from "../dom.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { warmDecoder } from "../qr.js";
import { fill as fillTasks, fillRechecks, homeTasks } from "./tasks.js";

/** Return sentence `key` with its time `iso` in a span kept on one line (a date never breaks across lines). */
export function dated(key, name, iso, options) {
  const mark = "\u0001";
  const [before, after = ""] = t(key, { [name]: mark }).split(mark);
  return [before, h("span", { class: "date" }, localTime(iso, options)), after];
}

/** The form that opens a zone from the code printed under its label (when the label cannot be scanned). */
export function codeForm({ navigate, getJSON, heading }) {
  const error = h("p", { class: "field-error", id: "zone-code-error", role: "alert" });
  const input = h("input", {
    id: "zone-code", name: "code", type: "text", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", enterkeyhint: "go", "aria-describedby": "code-hint zone-code-error", required: true,
  });
  return h("form", {
    class: "card", id: "zone-code-form", novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      const code = input.value.trim();
      replace(error);
      if (!code) {
        replace(error, t("zone_code_required"));
        input.focus();
        return;
      }
      try {
        const { zone } = await getJSON(`/api/v1/zones/by-code/${encodeURIComponent(code)}`);
        await navigate(`/z/${zone.token}`);
      } catch (err) {
        replace(error, err.code === "network" ? t("network_error") : err.message);
        input.focus();
      }
    },
  },
  h("h2", {}, heading),
  h("p", { id: "code-hint", class: "muted" }, t("code_hint")),
  h("label", { for: "zone-code" }, t("zone_code")),
  input, error,
  h("button", { type: "submit", class: "big" }, t("open_zone")));
}

function outboxCard() {
  const card = h("p", { class: "card outbox-glance", id: "outbox-glance", role: "status" });
  let shown = null;
  let placed = false;  // drawn once before it is on screen: only a card that was shown and went is stopped
  const draw = (items, status) => {
    if (document.contains(card)) placed = true;
    else if (placed) return stop();
    const attention = items.filter((i) => i.state === "attention").length;
    // A live region: redrawn (and so announced) only when what it says changes, not at every upload tick.
    // Ready offline: app.js marks it once the worker holds what the field needs with no signal.
    const ready = document.documentElement.dataset.offline === "ready";
    const key = [items.length, attention, status.lastSync, ready].join("|");
    if (key === shown) return;
    shown = key;
    replace(card,
      h("a", { href: "/app/outbox", "data-nav": true, class: attention ? "attention" : "" },
        items.length ? t("outbox_waiting", { n: items.length }) : t("outbox_empty"),
        attention ? [h("br"), t("outbox_attention", { n: attention })] : null),
      h("br"),
      h("span", { class: "muted" }, status.lastSync ? dated("last_sync", "time", status.lastSync) : t("never_synced")),
      // One line before and after the phone is ready, so that the screen does not move when it is.
      "serviceWorker" in navigator
        ? [h("br"), h("span", { class: "muted", id: "offline-ready" }, t(ready ? "offline_ready" : "offline_preparing"))]
        : null);
  };
  const redraw = () => outbox.list().then((items) => draw(items, outbox.status));
  const unsubscribe = outbox.subscribe(draw);
  const stop = () => { unsubscribe(); removeEventListener("offline-ready", redraw); };
  addEventListener("offline-ready", redraw);
  // Filled before it is shown (it is read from the phone, at once): an empty card that grows moves the screen.
  return redraw().then(() => card);
}

const FILL_WAIT_MS = 1500;

function roundItem(zone, { last, done, queued }) {
  const note = done ? t("patrolled_today") : queued ? t("recorded_waiting")
    : last ? dated("last_patrol", "time", last) : t("never_patrolled");
  return h("li", { class: `round-zone${done || queued ? " done" : ""}` },
    h("a", { href: `/z/${zone.token}`, "data-nav": true },
      h("strong", {}, zone.name), zone.key_area ? h("span", { class: "badge-key-small" }, t("key_area")) : null,
      h("br"), h("span", { class: "muted" }, zone.code, " · ", note)));
}

// A district has hundreds of zones (issue 12: the whole round was 8.9 kB at every first load): the server
// sends a page, the most pressing first, and "show more" asks for the next one (offline: the first page, kept).
async function fillRound(section, getJSON) {
  const [round, waiting] = await Promise.all([getJSON("/api/v1/me/today"), outbox.list()]);
  const today = localTime(new Date().toISOString(), { time: false });
  // Offline the next morning the cached list is yesterday's: its "done today" is not today's.
  const stale = round.date !== today;
  const done = stale ? [] : round.done;
  // A round kept by the release before paging has every zone due and no total.
  const { due_total: total = round.due.length } = round;
  if (!total && !done.length) return;
  // Visits and reports made offline today are not on the server's list yet: the phone knows they are done.
  const queued = new Set(waiting.filter((i) => i.fields?.zone_id && i.state === "waiting"
                                        && localTime(i.created_at, { time: false }) === today)
    .map((i) => String(i.fields.zone_id)));
  const recorded = round.due.filter((d) => queued.has(String(d.zone.id)));
  const todo = (due) => due.filter((d) => !queued.has(String(d.zone.id)))
    .map((d) => roundItem(d.zone, { last: d.last_visit_at }));
  const left = total - recorded.length;
  const items = h("ul", { class: "round" }, todo(round.due));
  const count = h("p", { class: "muted", id: "round-count" });
  const problem = h("p", { class: "field-error", role: "alert" });
  let { offset = 0, limit = round.due.length } = round;
  const more = h("button", { type: "button", id: "more-round", onclick: async () => {
    more.disabled = true;
    try {
      const page = await getJSON(`/api/v1/me/today?limit=${limit}&offset=${offset + limit}`);
      ({ offset, limit } = page);
      replace(problem);
      const added = todo(page.due);
      items.append(...added);
      added[0]?.querySelector("a").focus();  // a screen reader goes on from the first zone added
      update(page.due_total);
    } catch (err) {
      replace(problem, err.code === "network" ? t("network_error") : t("error", { message: err.message }));
    } finally {
      more.disabled = false;
    }
  } }, t("show_more"));
  const update = (total) => {
    more.hidden = offset + limit >= total;
    count.textContent = more.hidden ? "" : t("shown_of", { shown: items.children.length, total: left });
  };
  update(total);
  section.hidden = false;
  replace(section,
    h("h2", { id: "round-title" }, t("todays_round", { n: left })),
    stale ? h("p", { class: "muted" }, t("round_as_of", { date: round.date })) : null,
    left ? [items, count, problem, more] : h("p", { class: "notice notice-ok" }, t("round_complete")),
    done.length || recorded.length ? h("details", {},
      h("summary", {}, t("done_today", { n: done.length + recorded.length })),
      h("ul", { class: "round" },
        recorded.map((d) => roundItem(d.zone, { queued: true })),
        done.map((zone) => roundItem(zone, { done: true })))) : null);
}

/** Draw the home screen. */
export async function show(root, { user, navigate, getJSON }) {
  document.title = `${t("home")} · ${t("app_name")}`;
  const desk = user.roles.some((r) => r === "supervisor" || r === "admin")
    ? h("p", {}, h("a", { class: "button", href: "/desk" }, t("desk")))
    : null;
  const tasks = h("section", { id: "my-tasks", "aria-labelledby": "my-tasks-title", hidden: true });
  const rechecks = h("p", { class: "card", id: "rechecks-waiting", hidden: true });
  const round = h("section", { id: "round", "aria-labelledby": "round-title", hidden: true });
  // Each role lands where its work is: a rectifier's tasks and a supervisor's rechecks come before the scan
  // button. Drawn before the screen is shown, they do not push it down while the user looks (layout shift);
  // a slow network is not waited for long: they follow later.
  const filled = Promise.all([
    getJSON(homeTasks(user)).then((work) => { fillTasks(tasks, work); fillRechecks(rechecks, work); }),
    fillRound(round, getJSON).catch(() => {})]);
  const card = await outboxCard();
  await Promise.race([filled.catch(() => {}), new Promise((resolve) => setTimeout(resolve, FILL_WAIT_MS))]);
  replace(root,
    h("h1", {}, t("hello", { name: user.display_name })),
    tasks, rechecks,
    h("a", { class: "button primary big scan-button", id: "scan-link", href: "/app/scan", "data-nav": true },
      t("scan_title")),
    h("p", { id: "scan-hint", class: "muted" }, t("scan_hint")),
    card, round,
    codeForm({ navigate, getJSON, heading: t("type_code_title") }), desk);
  await filled;
  // Phones without a native QR reader get the decoder into the offline cache, after the screen is up.
  (self.requestIdleCallback || setTimeout)(() => warmDecoder());
}
