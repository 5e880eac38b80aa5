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

const TASKS = "/api/v1/me/tasks";

/** Return what home asks of the user's tasks: a rectifier's first page (home lists it), else the counts. */
export function homeTasks(user) {
  // A supervisor's home shows the rechecks as a count: one of each list carries both totals (issue 12: 50
  // rechecks were 2.8 kB of a district supervisor's first load); /app/tasks asks for the list when opened.
  return user.roles.includes("rectifier") ? TASKS : `${TASKS}?limit=1`;
}

const list = (hazards, label) => h("ul", { class: "hazards", "aria-label": label }, hazards.map(item));

/** Fill the home screen's "my tasks" section with the hazards to rectify, or leave it hidden. */
export function fill(section, { tasks, tasks_total: total }) {
  if (!tasks.length) return;
  section.hidden = false;
  // More than a page: say how many in all, and lead to the list that shows the rest.
  const rest = tasks.length < total
    ? h("p", {}, t("shown_of", { shown: tasks.length, total }), " ", h("a", { href: "/app/tasks", "data-nav": true },
      t("see_list")))
    : null;
  replace(section, h("h2", { id: "my-tasks-title" }, t("my_tasks")), list(tasks, t("to_rectify")), rest);
}

/** Fill the home screen's card that counts the rechecks awaiting the user (with the way to their list). */
export function fillRechecks(card, { rechecks_total: total }) {
  if (!total) return;
  card.hidden = false;
  replace(card, t("rechecks_waiting", { n: total }), h("br"),  // all of them, not the first page's
    h("a", { href: "/app/tasks", "data-nav": true }, t("see_list")));
}

// One of the screen's two lists, with its count ("50 of 120 shown") when it is longer than what is shown.
function section(id, title) {
  const count = h("p", { class: "muted", id: `${id}-count` });
  const items = h("ul", { class: "hazards", "aria-labelledby": id });
  const part = h("section", { hidden: true }, h("h2", { id }, title), count, items);
  return { part, items, add(hazards, total) {
    items.append(...hazards.map(item));
    part.hidden = !total;
    const shown = items.children.length;
    count.textContent = shown < total ? t("shown_of", { shown, total }) : "";
    return hazards.length ? items.children[shown - hazards.length] : null;
  } };
}

/** Draw the user's tasks and rechecks (/app/tasks): a page of each, and more pages on asking. */
export async function show(root, { getJSON }) {
  document.title = `${t("my_tasks")} · ${t("app_name")}`;
  // The first page is the one a rectifier's home asks for (the worker keeps it for offline use; a supervisor's
  // once this screen was opened); the API pages both lists with one limit and offset (issue 12: a supervisor's
  // 1,500 rechecks were 1.49 MB at every app open).
  const first = await getJSON(TASKS);
  const rectify = section("to-rectify", t("to_rectify"));
  const recheck = section("to-recheck", t("to_recheck"));
  const problem = h("p", { class: "field-error", role: "alert" });
  let { offset, limit } = first;
  const more = h("button", { type: "button", id: "more-tasks", onclick: async () => {
    more.disabled = true;
    try {
      const page = await getJSON(`${TASKS}?limit=${limit}&offset=${offset + limit}`);
      ({ offset, limit } = page);
      replace(problem);
      const firstNew = [rectify.add(page.tasks, page.tasks_total), recheck.add(page.rechecks, page.rechecks_total)]
        .find(Boolean);
      firstNew?.querySelector("a").focus();  // a screen reader goes on from the first item added
      update(page);
    } catch (err) {
      replace(problem, err.code === "network" ? t("network_error") : t("error", { message: err.message }));
    } finally {
      more.disabled = false;
    }
  } }, t("show_more"));
  const update = (page) => {
    more.hidden = offset + limit >= Math.max(page.tasks_total, page.rechecks_total);
  };
  rectify.add(first.tasks, first.tasks_total);
  recheck.add(first.rechecks, first.rechecks_total);
  update(first);
  replace(root, h("h1", {}, t("my_tasks")), rectify.part, recheck.part,
    first.tasks_total || first.rechecks_total ? null : h("p", { class: "muted" }, t("no_tasks")),
    problem, more);
}
