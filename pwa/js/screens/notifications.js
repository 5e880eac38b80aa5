// The user's notifications (issue 10: a rectifier learns of a task without opening the desk): newest first, the
// unread ones marked; a tap opens the hazard and marks its notice read. Kept for offline use like the other
// field data (sw.js); marking read needs the network, and without it the notice stays unread until next time.
import { h, localTime, replace } from "../dom.js";
import { t } from "../i18n.js";

// The header's count follows what the server says is unread now (app.js listens).
const told = ({ unread }) => dispatchEvent(new CustomEvent("unread", { detail: unread }));

function item(note, send) {
  return h("li", { class: `hazard${note.read_at ? "" : " unread"}` },
    h("a", { class: "hazard-open", href: `/app/hazards/${note.hazard_id}`, "data-nav": true,
             onclick: () => note.read_at || send("POST", "/api/v1/notifications/read", { ids: [note.id] })
               .then(told).catch(() => {}) },
      note.message, h("br"), h("span", { class: "muted date" }, localTime(note.created_at)),
      note.read_at ? null : h("strong", { class: "badge-overdue" }, t("unread"))));
}

/** Draw the user's notifications (/app/notifications). */
export async function show(root, { getJSON, send, navigate }) {
  document.title = `${t("notifications")} · ${t("app_name")}`;
  const data = await getJSON("/api/v1/notifications");
  told(data);
  const problem = h("p", { class: "field-error", role: "alert" });
  const markAll = h("button", { type: "button", onclick: async () => {
    try {
      told(await send("POST", "/api/v1/notifications/read", { all: true }));
      await navigate("/app/notifications", { replaceState: true });
    } catch (err) {
      replace(problem, err.code === "network" ? t("network_error") : err.message);
    }
  } }, t("mark_all_read"));
  replace(root, h("h1", {}, t("notifications")),
    data.unread ? h("p", {}, markAll) : null, problem,
    data.notifications.length ? h("ul", { class: "hazards" }, data.notifications.map((n) => item(n, send)))
      : h("p", { class: "muted" }, t("no_notifications")));
}
