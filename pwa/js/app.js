// The field app's entry: load the words and the session, draw the header, route the screen.
import { getJSON, handOver, send, session, signIn } from "./api.js";
import { h, replace } from "./dom.js";
import { languages, loadMessages, locale, t } from "./i18n.js";
import * as hazard from "./screens/hazard.js";
import * as home from "./screens/home.js";
import * as notifications from "./screens/notifications.js";
import * as outboxScreen from "./screens/outbox.js";
import * as outbox from "./outbox.js";
import * as report from "./screens/report.js";
import * as scan from "./screens/scan.js";
import * as tasks from "./screens/tasks.js";
import * as zone from "./screens/zone.js";

// A special inspection's checklist: its module is loaded only during a campaign (see warm()).
const checklist = { show: async (...args) => (await import("./screens/checklist.js")).show(...args) };
const ROUTES = [
  [/^\/app\/?$/, home],
  [/^\/app\/hazards\/(\d+)\/?$/, hazard],
  [/^\/app\/outbox\/?$/, outboxScreen],
  [/^\/app\/scan\/?$/, scan],
  [/^\/app\/tasks\/?$/, tasks],
  [/^\/app\/notifications\/?$/, notifications],
  [/^\/z\/([^/]+)\/report\/?$/, report],
  [/^\/z\/([^/]+)\/campaigns\/(\d+)\/?$/, checklist],
  [/^\/z\/([^/]+)\/?$/, zone],
];

// What the field needs offline: the zone directory (every label opens), categories (the report form), the
// state machine and its limits (rules.js). The service worker keeps each answer it sees.
const FIELD_DATA = ["/api/v1/zones", "/api/v1/categories", "/api/v1/hazards/transitions"];
const UNREAD = "/api/v1/notifications?unread=1&limit=1";  // the header's count: one notice at most
const NOTIFICATIONS = "/api/v1/notifications";
// What opening the app fetched: the session, the words, the home screen's tasks and round, the notifications.
const openingData = (user) => ["/api/v1/session", "/api/v1/i18n", tasks.homeTasks(user), "/api/v1/me/today",
                                NOTIFICATIONS];
const main = document.getElementById("main");
// `signedOut`: the server no longer knows this phone's session (it answered 401, or the session came back empty):
// the header must not go on naming the last person.
const state = { user: null, signedOut: false, signInNeeded: false, firstRoute: true, leave: null, view: null,
                unread: 0, asked: 0 };

/** Go to a path inside the app without reloading. */
export function navigate(path, { replaceState = false } = {}) {
  history[replaceState ? "replaceState" : "pushState"]({}, "", path);
  return route();
}

async function route() {
  // A screen may hand back what to undo when the user leaves it (the scanner stops the camera).
  state.leave?.();
  state.leave = null;
  // Each visit draws into a view of its own: a screen still waiting for its data when the user has gone on (a
  // tap on "outbox" while the report form loads offline) finishes into a view no longer shown, and cannot
  // draw over the screen the user went to.
  const view = h("div", { class: "view" });
  state.view = view;
  const current = () => state.view === view;
  const path = location.pathname;
  const [match, screen] = ROUTES.map(([re, s]) => [path.match(re), s]).find(([m]) => m) || [null, home];
  main.setAttribute("aria-busy", "true");
  replace(main, view);
  replace(view, h("p", { class: "loading" }, t("loading")));
  const flash = sessionStorage.getItem("flash");
  sessionStorage.removeItem("flash");
  try {
    // `opened`: this screen is what the browser opened (a QR label's URL), not an in-app step.
    const opened = state.firstRoute;
    state.firstRoute = false;
    const leave = await screen.show(view, { user: state.user, params: match ? match.slice(1) : [], navigate,
                                            getJSON, send, opened });
    if (typeof leave === "function") {
      if (current()) state.leave = leave;
      else leave();  // left before it was drawn: undo at once
    }
  } catch (err) {
    if (err.status !== 401 && current()) {  // said, and a way on (a hazard gone, a link from an old notice)
      replace(view, h("p", { class: "notice notice-error", role: "alert" },
        err.code === "network" ? t("network_error") : t("error", { message: err.message })),
        path === "/app" ? null : h("p", {}, h("a", { href: "/app", "data-nav": "", class: "button" }, t("home"))));
    }
  } finally {
    if (current()) main.setAttribute("aria-busy", "false");
  }
  if (!current()) return;
  if (flash) main.prepend(h("p", { class: "notice notice-ok", role: "status" }, flash));
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

// The header's count is asked when the app opens and when it comes back to the screen, not at every screen
// (issue 12: a request per tap); the notifications screen and marking read tell it too. An answer overtaken by
// a count told since (marked read) is dropped.
function askUnread() {
  const asked = ++state.asked;
  // A first visit (no worker yet) asks the list itself: the same count, and the list its worker keeps for the
  // notifications screen (one answer, not two; sw.js counts from it with no signal until the count is kept).
  getJSON(navigator.serviceWorker?.controller ? UNREAD : NOTIFICATIONS)
    .then((data) => asked === state.asked && drawUnread(data.unread)).catch(() => {});
}

// The notifications link: a bell, and the unread count in its name as on screen (WCAG 2.5.3).
function drawUnread(n) {
  state.unread = n;
  const link = document.getElementById("notes-link");
  replace(link, n ? h("span", { class: "count" }, String(n)) : null);
  link.setAttribute("aria-label", n ? t("notifications_unread", { n }) : t("notifications"));
}

// One line at 360 px: the "no signal" chip, the notifications, the outbox and a menu named by who is signed in, which holds the
// language and signing out (a <details>: its summary says expanded or not to screen readers by itself).
function drawHeader() {
  const other = locale === "en" ? "zh_CN" : "en";
  const tools = document.getElementById("appbar-tools");
  const who = state.signedOut ? t("signed_out") : state.user.display_name;
  const next = encodeURIComponent(location.pathname + location.search);
  replace(tools,
    // Said at once when the phone loses its network (a live region: announced, not only seen).
    h("span", { id: "signal", class: "no-signal", role: "status" }, outbox.status.noSignal ? t("no_signal") : ""),
    h("a", { href: "/app/notifications", "data-nav": true, class: "notes-link", id: "notes-link" }),
    h("a", { href: "/app/outbox", "data-nav": true, class: "outbox-link", id: "outbox-link" }, t("outbox")),
    h("details", { class: "menu", id: "user-menu" },
      h("summary", { class: `who${state.signedOut ? " who-out" : ""}`, "aria-label": t("menu_for", { name: who }) },
        h("span", { class: "who-name" }, who)),
      h("div", { class: "menu-panel" },
        state.signedOut ? h("a", { class: "menu-item", href: `/login?next=${next}` }, t("sign_in")) : null,
        menuButtons(other))));
  drawUnread(state.unread);
  outbox.list().then((items) => drawOutboxCount(items, outbox.status));
}

function menuButtons(other) {
  return [
    h("button", {
      type: "button", class: "link menu-item", lang: other === "en" ? "en" : "zh-CN",
      onclick: async () => {
        await send("POST", "/api/v1/session/locale", { locale: other });
        await loadMessages();
        drawHeader();
        await route();
      },
    }, languages[other]),
    h("button", {
      type: "button", class: "link menu-item",
      onclick: async () => {
        await send("POST", "/logout", {}).catch(() => {});  // answers with a redirect to the sign-in page
        await caches?.delete("data-v1");  // the next person on this phone must not see this one's data
        location.assign("/login");
      },
    }, t("sign_out")),
  ];
}

// The session ended or came back: the header names the person the server knows, not the last one.
function setSignedOut(out) {
  if (out === state.signedOut) return;
  state.signedOut = out;
  drawHeader();
}

function drawOutboxCount(items, status) {
  // Items wait for a signed-in session: say so wherever the user is (DESIGN.md: 401 keeps the items).
  // A change of the outbox's "sign in needed" says so (the online check may have said it first).
  if (Boolean(status?.signInNeeded) !== state.signInNeeded) {
    state.signInNeeded = Boolean(status?.signInNeeded);
    setSignedOut(state.signInNeeded);
  }
  const banner = document.getElementById("signin-banner");
  if (status?.signInNeeded && !banner) {
    const next = encodeURIComponent(location.pathname + location.search);
    document.body.append(h("p", { id: "signin-banner", class: "notice notice-error update-banner", role: "alert" },
      t("sign_in_to_send"), h("br"), h("a", { class: "button", href: `/login?next=${next}` }, t("sign_in"))));
  } else if (!status?.signInNeeded && banner) {
    banner.remove();
  }
  const signal = document.getElementById("signal");
  if (signal && signal.textContent !== (status.noSignal ? t("no_signal") : "")) {
    signal.textContent = status.noSignal ? t("no_signal") : "";
  }
  const link = document.getElementById("outbox-link");
  if (!link) return;
  const attention = items.filter((i) => i.state === "attention").length;
  replace(link, t("outbox"), items.length ? h("span", { class: `count${attention ? " count-attention" : ""}` },
    String(items.length)) : null);
  link.setAttribute("aria-label", `${t("outbox")}: ${t("outbox_waiting", { n: items.length })}`);
}

async function start() {
  const [, info] = await Promise.all([loadMessages(), session()]);
  if (!info.user) return signIn();
  state.user = info.user;
  outbox.setUser(info.user);
  drawHeader();
  askUnread();
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && askUnread());
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-nav]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    navigate(link.getAttribute("href"));
  });
  addEventListener("popstate", route);
  outbox.subscribe(drawOutboxCount);
  addEventListener("unread", (event) => {
    state.asked += 1;  // newer than any count asked for before
    drawUnread(event.detail);
  });
  // A tap elsewhere or Escape closes the header's menu, as a menu does.
  document.addEventListener("click", (event) => {
    const menu = document.getElementById("user-menu");
    if (menu?.open && !menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener("keydown", (event) => {
    const menu = document.getElementById("user-menu");
    if (event.key !== "Escape" || !menu?.open) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  // Back online after a while: ask who the server knows (the session may have ended meanwhile).
  addEventListener("online", () => session().then((info) => setSignedOut(!info.user)).catch(() => {}));
  // A tab of an older release holds the phone's database open and stops its upgrade: say what to do.
  addEventListener("outbox-blocked", () => {
    if (document.getElementById("db-blocked")) return;
    document.body.append(h("p", { id: "db-blocked", class: "notice notice-error update-banner", role: "alert" },
      t("close_other_tabs")));
  });
  await route();
  if ("serviceWorker" in navigator) {
    const hadController = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.register("/sw.js").catch(() => {});
    // A new version took over: offer to reload (not automatic: a form may be half filled in).
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (!hadController || document.getElementById("new-version")) return;
      document.body.append(h("p", { id: "new-version", class: "notice notice-ok update-banner", role: "status" },
        t("new_version"), h("br"), h("button", { type: "button", onclick: () => location.reload() }, t("reload"))));
    });
    // On a first visit the page starts before its worker, which saw none of its fetches: once it controls the
    // page, it is handed what the page read and fetches the rest, so that the app opens and works with no
    // signal from then on.
    if (!hadController) {
      navigator.serviceWorker.addEventListener("controllerchange", async () => {
        const kept = await handOver(navigator.serviceWorker.controller).catch(() => []);
        warm([...openingData(state.user), ...FIELD_DATA].filter((path) => !kept.includes(path)));
      }, { once: true });
      // A page whose HTML was still on its way when its worker activated was no client for that worker's claim
      // and would stay uncontrolled, never ready offline, until the next visit: once a worker is active and none
      // controls this page, the page asks to be taken over.
      navigator.serviceWorker.ready.then((registration) => {
        if (!navigator.serviceWorker.controller) registration.active?.postMessage("claim");
      }).catch(() => {});
    }
  }
  outbox.start();
  if (navigator.serviceWorker?.controller) warm(FIELD_DATA);
}

// Fetch what the field needs offline through the worker, which keeps each answer; once it has them all, the
// app says it is ready to work with no signal (a patrol may walk into a basement right after signing in).
// During a special inspection its checklist's module is kept too: asked of the worker once it is loaded (a zone
// page may have loaded it before the worker came; the browser's cache then answers). The campaigns a first
// screen (a zone's) asked for serve here, not asked twice.
function warm(paths) {
  const campaigns = zone.activeCampaigns(state.user, { again: false })
    .then((list) => list.length && import("./screens/checklist.js").then((checklist) => fetch(checklist.url)));
  Promise.all([...paths.map((path) => getJSON(path)), campaigns]).then(() => {
    document.documentElement.dataset.offline = "ready";
    dispatchEvent(new Event("offline-ready"));
  }).catch(() => {});
}

start().catch((err) => {
  // "No connection" only when the server could not be reached: a server that answered with an error says so.
  replace(main, h("p", { class: "notice notice-error", role: "alert" },
    err.code === "network" ? t("network_error") : t("error", { message: err.message })));
  console.error(err);
});
