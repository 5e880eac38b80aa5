// The outbox screen: what waits on this phone, what is being sent (with its upload progress), what the server
// refused and why. A refused record can be edited and sent again, or discarded after a confirmation.
import { getJSON } from "../api.js";
import { h, localTime, replace } from "../dom.js";
import { locale, t } from "../i18n.js";
import * as idb from "../idb.js";
import * as outbox from "../outbox.js";
import { limits } from "../rules.js";

const REPORT_URL = "/api/v1/hazards";
// The open edit forms, by item: a redraw (another item sent, a progress tick) moves the same form into the new
// row, so what the user is typing stays.
const editing = new Map();

function field(id, label, control) {
  return [h("label", { for: id }, label), control];
}

async function editForm(item, done) {
  const f = item.fields;
  const key = item.id.slice(0, 8);
  const controls = {};
  const parts = [];
  const rules = await limits();
  if (item.url === REPORT_URL) {
    const { categories } = await getJSON("/api/v1/categories").catch(() => ({ categories: [] }));
    controls.category_id = h("select", { id: `edit-${key}-category` },
      categories.map((c) => h("option", { value: String(c.id), selected: String(c.id) === String(f.category_id) }, c.name)));
    controls.severity = h("select", { id: `edit-${key}-severity` },
      ["general", "major", "critical"].map((s) => h("option", { value: s, selected: s === f.severity }, t(`severity_${s}`))));
    controls.description = h("textarea", { id: `edit-${key}-description`, rows: 3,
                                           maxlength: rules.description_max });
    controls.description.value = f.description || "";
    parts.push(field(`edit-${key}-category`, t("category"), controls.category_id),
      field(`edit-${key}-severity`, t("severity"), controls.severity),
      field(`edit-${key}-description`, t("description"), controls.description));
  } else {
    controls.note = h("textarea", { id: `edit-${key}-note`, rows: 2, maxlength: rules.note_max });
    controls.note.value = f.note || "";
    parts.push(field(`edit-${key}-note`, t("note"), controls.note));
    if ("deadline" in f) {
      controls.deadline = h("input", { type: "date", id: `edit-${key}-deadline`, value: f.deadline || "" });
      parts.push(field(`edit-${key}-deadline`, t("proposed_date"), controls.deadline));
    }
  }
  return h("form", { class: "edit-form", onsubmit: async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(Object.entries(controls).map(([name, el]) => [name, el.value.trim()]));
    editing.delete(item.id);
    await outbox.edit(item.id, fields);
    done();
  } },
  parts,
  h("p", { class: "actions" },
    h("button", { type: "submit", class: "primary" }, t("save_and_send")),
    h("button", { type: "button", onclick: () => { editing.delete(item.id); done(); } }, t("cancel"))));
}

// A small picture of each record's first photo, by item: made once from the stored bytes, not at every redraw.
const thumbs = new Map();

function thumbnail(item, what) {
  if (!item.photo_count) return null;
  if (!thumbs.has(item.id)) {
    thumbs.set(item.id, idb.get("outbox-files", item.id).then((stored) => {
      const first = Object.values(stored?.files || {}).flat()[0];
      return first ? URL.createObjectURL(new Blob([first.data], { type: first.type })) : null;
    }).catch(() => null));
  }
  const img = h("img", { class: "outbox-thumb", alt: t("photo_of", { what }), width: 56, height: 56, hidden: true });
  // Shown once decoded: never an empty box, nor a broken image when the stored photo cannot be read.
  thumbs.get(item.id).then((url) => {
    if (!url) return;
    img.src = url;
    img.decode().then(() => { img.hidden = false; }, () => {});
  });
  return img;
}

// What the record is, so that two reports in one zone are told apart: its category and severity.
function what(item, categories) {
  const f = item.fields || {};
  const category = categories.find((c) => String(c.id) === String(f.category_id))?.name;
  return [category, f.severity ? t(`severity_${f.severity}`) : null].filter(Boolean).join(" · ");
}

function row(item, status, { user, redraw, settle, categories }) {
  const sending = status.sending === item.id;
  const state = item.state === "attention" ? t("needs_attention") : sending ? t("sending") : t("waiting");
  const photos = item.photo_count || 0;
  const percent = sending ? outbox.uploadPercent(status, item.id) : null;
  const kind = what(item, categories);
  const li = h("li", { class: `outbox-item state-${sending ? "sending" : item.state}`, "data-id": item.id },
    h("div", { class: "outbox-head" },
      thumbnail(item, kind || item.label),
      h("p", {}, h("strong", {}, item.label), h("br"),
        kind ? [h("span", { class: `outbox-what sev-${item.fields.severity}` }, kind), h("br")] : null,
        h("span", { class: "muted" }, h("span", { class: "date" }, localTime(item.created_at)),
          photos ? [" · ", h("span", { class: "nowrap" }, t("n_photos", { n: photos }))] : null),
        " · ", h("span", { class: "item-state" }, state))),
    sending ? h("progress", { max: 100, value: percent ?? 0, hidden: percent === null,
                              "aria-label": t("upload_progress", { n: `${percent ?? 0}%` }) }) : null,
    item.user && user && item.user.id !== user.id
      ? h("p", { class: "muted" }, t("waits_for_user", { name: item.user.name })) : null,
    item.error ? h("p", { class: "notice notice-error" }, item.error) : null,
    // The server failed on it (5xx): it is tried again by itself, and the records behind it go meanwhile.
    item.state === "waiting" && item.retry_at
      ? h("p", { class: "muted retry-note", "data-at": Date.parse(item.retry_at),
                 "data-reason": item.error_status ? t("server_answered", { status: item.error_status }) : item.error })
      : null);
  if (item.state !== "attention") return li;
  // A visit or a checklist has nothing to correct by hand (an ended campaign, a zone left out): discarded.
  const canEdit = !/^\/api\/v1\/(visits|campaigns\/)/.test(item.url);
  if (editing.has(item.id)) {
    editing.get(item.id).then((form) => {
      li.append(form);
      if (!form.dataset.shown) {
        form.dataset.shown = "1";
        form.querySelector("select, textarea, input")?.focus();
      }
    });
    return li;
  }
  li.append(h("p", { class: "actions" },
    canEdit ? h("button", { type: "button", onclick: () => { editing.set(item.id, editForm(item, settle)); redraw(); } }, t("edit")) : null,
    h("button", { type: "button", onclick: () => outbox.retry(item.id) }, t("retry")),
    h("button", { type: "button", class: "danger", onclick: async () => {
      if (!confirm(t("discard_confirm"))) return;
      await outbox.discard(item.id);
      settle();
    } }, t("discard"))));
  return li;
}

// What the outbox does now: waits for a signal (its tries meanwhile are no news), or tries again by itself at
// a time because the server answered with an error.
function activity(status) {
  if (status.noSignal) return t("outbox_no_signal");
  return status.retryAt && status.reason
    ? { at: status.retryAt, reason: t("server_answered", { status: status.reason }) } : "";
}

// "Retrying in 12 s": counted down each second on the elements that carry a time (data-at) and a reason.
function countDown(root) {
  for (const el of root.querySelectorAll("[data-at]")) {
    const seconds = Math.max(0, Math.ceil((Number(el.dataset.at) - Date.now()) / 1000));
    const text = t("retry_in", { n: seconds, reason: el.dataset.reason });
    if (el.textContent !== text) el.textContent = text;
  }
}

// What a redraw would change, less the upload progress: when only that moves, only the bar is updated, so a
// screen reader is not read the whole list again at every tick.
function shape(items, status) {
  return JSON.stringify(items.map((i) => [i.id, i.state, i.error, i.retry_at, status.sending === i.id,
                                          i.user?.id]));
}

/** Draw the outbox and keep it current while it is on screen. */
export async function show(root, { user } = {}) {
  editing.clear();  // forms left open on an earlier visit belong to rows no longer drawn
  for (const url of thumbs.values()) url.then((u) => u && URL.revokeObjectURL(u));
  thumbs.clear();
  document.title = `${t("outbox")} · ${t("app_name")}`;
  const heading = h("h1", {}, t("outbox"));
  const list = h("ul", { class: "outbox", id: "outbox-list" });
  const summary = h("p", { role: "status", id: "outbox-summary" });
  // Not a live region: its countdown changes every second (the header says "no signal" to screen readers).
  const doing = h("p", { id: "outbox-activity", class: "muted" });
  // Asking to sign in is the app's banner's job, on every screen: not said a second time here.
  // Names of the categories, for the rows (cached for offline use; without them a row still has its label).
  const { categories } = await getJSON("/api/v1/categories").catch(() => ({ categories: [] }));
  const syncNow = h("button", { type: "button", class: "primary big", id: "sync-now", hidden: true,
                                onclick: () => outbox.sendNow() }, t("sync_now"));
  let last = [[], outbox.status];
  let drawn = null;
  function draw(items, status, { force = false } = {}) {
    if (!root.contains(list)) return unsubscribe();
    last = [items, status];
    const attention = items.filter((i) => i.state === "attention").length;
    // Sentences: a space between them in English, none after a Chinese "。".
    const text = [items.length ? t("outbox_waiting", { n: items.length }) : t("outbox_empty"),
                  attention ? t("outbox_attention", { n: attention }) : "",
                  status.lastSync ? t("last_sync", { time: localTime(status.lastSync) }) : ""]
      .filter(Boolean).join(locale === "en" ? " " : "");
    if (summary.textContent !== text) summary.textContent = text;  // a live region: announce changes only
    // "Send now" only when something waits to go (a refused record waits for the user, not the network).
    syncNow.hidden = !items.some((i) => i.state === "waiting");
    const now = activity(status);
    if (typeof now === "string") {
      delete doing.dataset.at;
      doing.textContent = now;
    } else {
      Object.assign(doing.dataset, { at: now.at, reason: now.reason });
    }
    doing.hidden = !now;
    countDown(root);
    // While the user edits a refused record, the list stays as it is (focus and keyboard stay in the form).
    if (editing.size && !force) return;
    const drawing = shape(items, status);
    if (drawing === drawn && !force) {
      for (const item of items) {
        const bar = list.querySelector(`li[data-id="${item.id}"] progress`);
        const percent = outbox.uploadPercent(status, item.id);
        if (bar && percent !== null) {
          bar.hidden = false;
          bar.value = percent;
          bar.setAttribute("aria-label", t("upload_progress", { n: `${percent}%` }));
        }
      }
      return;
    }
    drawn = drawing;
    const redraw = () => draw(...last, { force: true });
    // After a record is saved, cancelled or discarded its row changes: focus goes back to the heading.
    const settle = () => { redraw(); heading.focus(); };
    replace(list, items.map((item) => row(item, status, { user, redraw, settle, categories })));
    countDown(root);
  }
  const unsubscribe = outbox.subscribe(draw);
  const ticker = setInterval(() => (root.contains(list) ? countDown(root) : clearInterval(ticker)), 1000);
  replace(root, heading, summary, doing, syncNow, list);
  draw(await outbox.list(), outbox.status);
}
