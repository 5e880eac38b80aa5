// The user's work: hazards to rectify (overdue first, then by deadline) and rechecks to make.
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

/** Fill the home screen's "my tasks" section, or leave it hidden when there is nothing to do. */
export async function fill(section, getJSON) {
  const { tasks, rechecks } = await getJSON("/api/v1/me/tasks");
  if (!tasks.length && !rechecks.length) return;
  section.hidden = false;
  replace(section,
    h("h2", { id: "my-tasks-title" }, t("my_tasks")),
    tasks.length ? h("ul", { class: "hazards", "aria-label": t("to_rectify") }, tasks.map(item)) : null,
    rechecks.length ? [h("h2", {}, t("to_recheck")), h("ul", { class: "hazards" }, rechecks.map(item))] : null);
}
