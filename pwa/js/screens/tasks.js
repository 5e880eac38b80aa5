// The user's work: hazards to rectify (overdue first, then by deadline) and rechecks to make. Home shows the
// first in full and the second as a count (issue 10: each role lands where its work is); /app/tasks lists both.
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";

function item(hazard) {
  return h("li", { class: `hazard${hazard.overdue ? " overdue" : ""}` },
    h("a", { href: `/app/hazards/${hazard.id}`, "data-nav": true, class: "hazard-link" },
      hazard.thumb_url ? h("img", { src: hazard.thumb_url, alt: "", loading: "lazy" }) : null,
      h("span", {},
        h("strong", {}, hazard.zone.name), " · ", hazard.category.name,
        hazard.overdue ? h("span", { class: "badge-overdue" }, t("overdue")) : null,
        h("br"), hazard.description || h("span", { class: "muted" }, t("no_description")),
        hazard.deadline_date ? [h("br"), h("span", { class: "muted" }, t("deadline", { date: hazard.deadline_date }))] : null)));
}

const list = (hazards, label) => h("ul", { class: "hazards", "aria-label": label }, hazards.map(item));

/** Fill the home screen's "my tasks" section with the hazards to rectify, or leave it hidden. */
export function fill(section, { tasks }) {
  if (!tasks.length) return;
  section.hidden = false;
  replace(section, h("h2", { id: "my-tasks-title" }, t("my_tasks")), list(tasks, t("to_rectify")));
}

/** Fill the home screen's card that counts the rechecks awaiting the user (with the way to their list). */
export function fillRechecks(card, { rechecks }) {
  if (!rechecks.length) return;
  card.hidden = false;
  replace(card, t("rechecks_waiting", { n: rechecks.length }), h("br"),
    h("a", { href: "/app/tasks", "data-nav": true }, t("see_list")));
}

/** Draw the user's tasks and rechecks (/app/tasks). */
export async function show(root, { getJSON }) {
  document.title = `${t("my_tasks")} · ${t("app_name")}`;
  const { tasks, rechecks } = await getJSON("/api/v1/me/tasks");
  replace(root, h("h1", {}, t("my_tasks")),
    tasks.length ? [h("h2", { id: "to-rectify" }, t("to_rectify")), list(tasks)] : null,
    rechecks.length ? [h("h2", { id: "to-recheck" }, t("to_recheck")), list(rechecks)] : null,
    tasks.length || rechecks.length ? null : h("p", { class: "muted" }, t("no_tasks")));
}
