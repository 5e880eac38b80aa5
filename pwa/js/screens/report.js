// Report a hazard in a zone: photos, category (big buttons), severity, description, fixed on the spot.
import { h, replace } from "../dom.js";
import { recentScan, scanVisit } from "../context.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { photoPicker } from "../photos.js";
import { limits } from "../rules.js";

function choices(name, legend, options, checked) {
  return h("fieldset", { class: `choices choices-${name}` },
    h("legend", {}, legend),
    options.map(([value, text], i) => h("label", { class: "choice" },
      h("input", { type: "radio", name, value, checked: value === checked, required: i === 0 }),
      h("span", {}, text))));
}

/** Draw the report form for the zone of a QR token. */
export async function show(root, { params, navigate, getJSON }) {
  document.title = `${t("report_hazard")} · ${t("app_name")}`;
  const token = decodeURIComponent(params[0]);
  const [{ zone }, { categories }, rules] = await Promise.all([
    getJSON(`/api/v1/zones/by-token/${encodeURIComponent(token)}`), getJSON("/api/v1/categories"), limits()]);
  const max = rules.photos_max;
  const before = photoPicker({ id: "photos", label: t("take_photo"), max, hint: t("photo_hint", { n: max }) });
  const after = photoPicker({ id: "after-photos", label: t("take_after_photo"), max });
  const afterBox = h("div", { id: "after-box", hidden: true }, after.element);
  const description = h("textarea", { id: "description", name: "description", rows: 3,
                                      maxlength: rules.description_max,
                                      "aria-describedby": "form-error" });
  const error = h("p", { class: "notice notice-error", id: "form-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary big" }, t("submit_report"));
  // Submit and the form's problems in one bar kept in sight (see app.css): the report is sent without scrolling
  // past the description on a phone, and a problem shows where the button was pressed.
  const bar = h("div", { class: "submit-bar" }, error, submit);
  const clientId = crypto.randomUUID();  // made once per report: a resend is recognised, never duplicated

  const form = h("form", { id: "report-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    await Promise.all([before.ready(), after.ready()]);
    const values = new FormData(form);
    const problems = [];
    if (!before.photos().length) problems.push(t("need_photo"));
    if (!values.get("category_id")) problems.push(t("need_category"));
    const fixed = values.get("fixed_on_the_spot") === "1";
    if (fixed && !after.photos().length) problems.push(t("need_after_photo"));
    if (problems.length) {
      error.hidden = false;
      // One problem a line: sentences joined by a space would put a space after each "。" in Chinese.
      replace(error, problems.flatMap((problem, i) => (i ? [h("br"), problem] : [problem])));
      error.focus?.();
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    replace(submit, t("sending"));
    const unsubscribe = outbox.showUploadOn(submit, clientId);
    try {
      const result = await outbox.submit({
        id: clientId, url: "/api/v1/hazards", label: `${t("report_hazard")} · ${zone.name}`,
        fields: {
          client_id: clientId, zone_id: zone.id, category_id: values.get("category_id"),
          severity: values.get("severity"), description: description.value.trim(),
          fixed_on_the_spot: fixed ? "1" : "", device_at: new Date().toISOString(), ...recentScan(),
          visit_client_id: scanVisit(token),
        },
        files: { photos: before.photos(), after_photos: fixed ? after.photos() : [] },
      });
      sessionStorage.setItem("flash", t(result === "sent" ? "reported" : `kept_${result}`));
      await navigate(`/z/${encodeURIComponent(token)}`, { replaceState: true });
    } catch (err) {
      error.hidden = false;
      replace(error, err.code === "network" ? t("network_error") : err.message);
      submit.disabled = false;
      replace(submit, t("submit_report"));
    } finally {
      unsubscribe();
    }
  } },
  h("h2", {}, t("photos")), before.element,
  choices("category_id", t("category"), categories.map((c) => [String(c.id), c.name]), null),
  choices("severity", t("severity"), [["general", t("severity_general")], ["major", t("severity_major")],
                                       ["critical", t("severity_critical")]], "general"),
  h("label", { for: "description" }, t("description_optional")), description,
  h("label", { class: "check" },
    h("input", { type: "checkbox", name: "fixed_on_the_spot", value: "1",
                 onchange: (e) => { afterBox.hidden = !e.target.checked; } }),
    h("span", {}, t("fixed_on_the_spot"))),
  afterBox, bar);
  // The bar sticks to the bottom of the screen while the form is longer than it: a field given focus (a tap, Tab,
  // the keyboard's "next") is scrolled up out from under it, so the bar never covers what is being filled in.
  form.addEventListener("focusin", (event) => {
    if (bar.contains(event.target)) return;
    requestAnimationFrame(() => {
      const hidden = event.target.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
      if (hidden > 0) window.scrollBy({ top: hidden + 8 });
    });
  });

  replace(root,
    h("p", { class: "eyebrow" }, h("a", { href: `/z/${encodeURIComponent(token)}`, "data-nav": true }, zone.name)),
    h("h1", {}, t("report_hazard")),
    form);
}
