// The outbox screen: what waits on this phone, what is being sent, what the server refused and why.
import { h, localTime, replace } from "../dom.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";

function row(item, status) {
  const sending = status.sending === item.id;
  const state = item.state === "attention" ? t("needs_attention") : sending ? t("sending") : t("waiting");
  return h("li", { class: `outbox-item state-${sending ? "sending" : item.state}` },
    h("p", {}, h("strong", {}, item.label), h("br"),
      h("span", { class: "muted" }, localTime(item.created_at)), " · ", h("span", { class: "item-state" }, state)),
    item.error ? h("p", { class: "notice notice-error", role: "alert" }, item.error) : null,
    item.state === "attention" ? h("p", { class: "actions" },
      h("button", { type: "button", onclick: () => outbox.retry(item.id) }, t("retry")),
      h("button", { type: "button", class: "danger", onclick: () => {
        if (confirm(t("discard_confirm"))) outbox.discard(item.id);
      } }, t("discard"))) : null);
}

/** Draw the outbox and keep it current while it is on screen. */
export async function show(root) {
  const list = h("ul", { class: "outbox", id: "outbox-list" });
  const summary = h("p", { role: "status", id: "outbox-summary" });
  const signIn = h("p", { class: "notice notice-error", hidden: true },
    t("sign_in_to_send"), " ", h("a", { href: `/login?next=${encodeURIComponent("/app/outbox")}` }, t("sign_in")));
  function draw(items, status) {
    if (!root.contains(list)) return unsubscribe();
    replace(summary, items.length ? t("outbox_waiting", { n: items.length }) : t("outbox_empty"),
      status.lastSync ? [" ", t("last_sync", { time: localTime(status.lastSync) })] : null);
    signIn.hidden = !status.signInNeeded;
    replace(list, items.map((item) => row(item, status)));
  }
  const unsubscribe = outbox.subscribe(draw);
  replace(root, h("h1", {}, t("outbox")), summary, signIn,
    h("button", { type: "button", class: "primary big", id: "sync-now", onclick: () => outbox.syncSoon() }, t("sync_now")),
    list);
  draw(await outbox.list(), outbox.status);
}
