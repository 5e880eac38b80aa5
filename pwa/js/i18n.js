// The field app's words come from the server's Babel catalog (GET /api/v1/i18n), in the user's language.
import { getJSON } from "./api.js";

let messages = {};
export let locale = "zh_CN";
export let languages = { zh_CN: "中文", en: "English" };

/** Load the words for the current language and mark the page's language for screen readers. */
export async function loadMessages() {
  const data = await getJSON("/api/v1/i18n");
  messages = data.messages;
  locale = data.locale;
  languages = data.languages;
  document.documentElement.lang = locale === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
}

/** Return the word for a key, with %(name)s placeholders filled. */
export function t(key, vars = {}) {
  const text = messages[key] ?? key;
  return text.replace(/%\((\w+)\)[sd]/g, (_, name) => String(vars[name] ?? ""));
}
