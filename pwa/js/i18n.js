// The field app's words come from the server's Babel catalog (GET /api/v1/i18n), in the user's language.
import { getJSON } from "./api.js";

// The few words the app may need before it has its own (offline on a phone that never kept them): built in,
// so that a failure reads as words, never as a key like "network_error".
const BUILT_IN = {
  zh_CN: { loading: "正在加载…", network_error: "无法连接服务器。请检查信号后重试。",
           error: "出错了：%(message)s" },
  en: { loading: "Loading…", network_error: "No connection to the server. Check the signal and try again.",
        error: "Something went wrong: %(message)s" },
};
// The language last used on this phone, else the browser's: the built-in words speak it.
const guessed = localStorage.getItem("locale") || (navigator.language.startsWith("zh") ? "zh_CN" : "en");
let messages = BUILT_IN[guessed] || BUILT_IN.zh_CN;
export let locale = "zh_CN";
export let languages = { zh_CN: "中文", en: "English" };

/** Load the words for the current language and mark the page's language for screen readers. */
export async function loadMessages() {
  const data = await getJSON("/api/v1/i18n");
  messages = data.messages;
  locale = data.locale;
  languages = data.languages;
  localStorage.setItem("locale", locale);
  document.documentElement.lang = locale === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
}

/** Return the word for a key, with %(name)s placeholders filled; for a count n, its form ("1 photo"). */
export function t(key, vars = {}) {
  // A count of one reads `key_one` where the language has that form (English; Chinese has one form).
  const one = "n" in vars && new Intl.PluralRules(locale.replace("_", "-")).select(Number(vars.n)) === "one";
  const text = (one && messages[`${key}_one`]) || (messages[key] ?? key);
  return text.replace(/%\((\w+)\)[sd]/g, (_, name) => String(vars[name] ?? ""));
}
