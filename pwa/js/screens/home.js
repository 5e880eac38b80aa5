// Home: the way into a zone (scan its label, or type its code), and the user's work.
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { fill as fillTasks } from "./tasks.js";

/** Draw the home screen. */
export async function show(root, { user, navigate, getJSON }) {
  const error = h("p", { class: "field-error", id: "zone-code-error", role: "alert" });
  const input = h("input", {
    id: "zone-code", name: "code", type: "text", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", enterkeyhint: "go", "aria-describedby": "scan-hint zone-code-error", required: true,
  });
  const form = h("form", {
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
  h("h2", { id: "scan-title" }, t("scan_title")),
  h("p", { id: "scan-hint", class: "muted" }, t("scan_hint")),
  h("label", { for: "zone-code" }, t("zone_code")),
  input, error,
  h("button", { type: "submit", class: "primary big" }, t("open_zone")));

  const desk = user.roles.some((r) => r === "supervisor" || r === "admin")
    ? h("p", {}, h("a", { class: "button", href: "/desk" }, t("desk")))
    : null;
  const tasks = h("section", { id: "my-tasks", "aria-labelledby": "my-tasks-title", hidden: true });
  replace(root, h("h1", {}, t("hello", { name: user.display_name })), tasks, form, desk);
  await fillTasks(tasks, getJSON);
}
