// Build elements without ever parsing data as HTML: strings become text nodes (textContent), never markup.

/** Make an element: h("p", {class: "x", onclick: fn, "aria-label": "…"}, "text", childNode, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Format an ISO time in the school's time zone (Asia/Shanghai), as the desk does. */
export function localTime(iso, { date = true, time = true } = {}) {
  if (!iso) return "";
  const options = { timeZone: "Asia/Shanghai", hour12: false };
  if (date) Object.assign(options, { year: "numeric", month: "2-digit", day: "2-digit" });
  if (time) Object.assign(options, { hour: "2-digit", minute: "2-digit" });
  return new Intl.DateTimeFormat("zh-CN", options).format(new Date(iso)).replaceAll("/", "-");
}
