// Entry point: configuration, sign-in, the shell (header, navigation, language), the router.

import { h, clear, announce } from "./dom.js";
import { t, lang, setLang, onLangChange, languageReady, LANGUAGES } from "./i18n.js";
import { loadConfig } from "./config.js";
import { restoreSession, onAuthChange, isSignedIn, signOut, user } from "./auth.js";
import { loadModels, resume, subscribe, resetSession } from "./store.js";
import { signInView } from "./views/signin.js";
import { createView } from "./views/create.js";
import { renderComposer } from "./views/composer.js";
import { closeDetail, detailIdFromHash, openDetailById, loadGallery, loadBoards, prefetch } from "./views/lazy.js";
import { errorMessage } from "./messages.js";

const main = document.getElementById("main");
const header = document.getElementById("topbar");
// Each route's view, loaded on first use (the gallery is not part of the first load: lazy.js).
const ROUTES = {
  create: async () => createView,
  gallery: async () => (await loadGallery()).galleryView,
  boards: async () => (await loadBoards()).boardsView, // #boards and #boards/<id> (boards.js)
};
let current = null;
let cleanup = null;
let signInNotice = "";
let renders = 0; // the latest show() wins when two overlap (sign-in events during start-up)

function route() {
  if (detailIdFromHash()) return current || "gallery"; // a detail opens over the view it was opened from
  // After "?": the view's filters (views/filters.js).
  const name = location.hash.replace(/^#\/?/, "").replace(/\?.*$/, "").replace(/^boards\/[A-Za-z0-9_-]{1,64}$/, "boards");
  return ROUTES[name] ? name : "create";
}

/** A #/g/<id> URL (shared, reloaded, or the back button) opens that detail. */
function openLinkedDetail() {
  const id = detailIdFromHash();
  if (id) openDetailById(id, 0, { back: `#${current || "gallery"}` });
}

function renderHeader() {
  clear(header);
  if (!isSignedIn()) { header.hidden = true; return; }
  header.hidden = false;
  const here = route();
  // The choice shows the language in use: it stays on the old one if the new texts cannot be fetched.
  const language = h("select", { id: "lang", class: "lang", on: { change: () => setLang(language.value).then(() => { language.value = lang(); }) } },
    LANGUAGES.map(([code, name]) => h("option", { value: code, selected: code === lang() }, name)));
  const who = user().email || user().username || user()["cognito:username"] || "";
  header.append(
    h("a", { class: "brand", href: "#create", "aria-label": t("app.name") }, h("span", { class: "brand-mark", "aria-hidden": "true" }), h("span", { class: "brand-name" }, t("app.name"))),
    h("nav", { class: "nav", "aria-label": t("nav.main") },
      ["create", "gallery", "boards"].map((name) => h("a", { href: `#${name}`, class: "nav-link", "aria-current": name === here ? "page" : null }, t(`nav.${name}`)))),
    h("div", { class: "tools" },
      h("label", { for: "lang", class: "visually-hidden" }, t("lang.label")),
      language,
      who ? h("span", { class: "who", title: who }, who) : null,
      h("button", { class: "btn btn-ghost btn-small", type: "button", id: "signout", on: { click: () => {
        sessionStorage.removeItem("ips.pending");
        sessionStorage.removeItem("ips.results");
        resetSession();
        signOut();
      } } }, t("signout"))),
  );
}

async function show() {
  const mine = ++renders;
  if (cleanup) { cleanup(); cleanup = null; }
  // Signed out: the detail closes too (its URL stays, so signing in again reopens it).
  if (!isSignedIn()) closeDetail({ keepUrl: true });
  else if (!detailIdFromHash()) closeDetail();
  renderHeader();
  clear(main);
  document.getElementById("skip").textContent = t("skip");
  if (!isSignedIn()) {
    document.title = `${t("signin.title")} · ${t("app.name")}`;
    main.className = "page page-signin";
    signInView(main, { notice: signInNotice });
    return;
  }
  const name = route();
  main.className = `page page-${name}`;
  document.title = `${t(`nav.${name}`)} · ${t("app.name")}`;
  let view;
  try {
    [view] = await Promise.all([ROUTES[name]().catch(() => Promise.reject({ code: "network" })), loadModels()]);
  } catch (error) {
    // The view's code or the models could not be fetched: say so, and offer to try again.
    if (mine === renders) {
      main.append(h("p", { class: "form-error", role: "alert" }, errorMessage(error)),
        h("button", { class: "btn", type: "button", on: { click: () => show() } }, t("app.retry")));
    }
    return;
  }
  if (mine !== renders || !isSignedIn()) return;
  cleanup = view(main) || null;
  current = name;
  openLinkedDetail();
  prefetch();
}

function boot() {
  document.getElementById("skip").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  window.addEventListener("hashchange", () => {
    if (detailIdFromHash()) {
      if (!isSignedIn() || !current) return;
      // A link to an image (pasted, shared, Forward) opens it over the gallery, as a reload of that link
      // does: one view behind a linked detail, whichever way it was reached.
      if (current !== "gallery") { current = null; show(); } else openLinkedDetail();
      return;
    }
    closeDetail();
    // An empty or unknown hash is Create (route()): Back and Forward show the page the URL names.
    if (route() !== current || !main.childElementCount) show().then(() => main.focus({ preventScroll: true }));
  });
  window.addEventListener("popstate", () => { if (!detailIdFromHash()) closeDetail(); });
  onLangChange((code) => { show(); announce(LANGUAGES.find(([c]) => c === code)?.[1] || code); });
  subscribe((what) => { if (what === "draft") renderComposer(); });
  onAuthChange((signedIn, reason) => {
    if (signedIn) {
      signInNotice = "";
      show().then(() => resume().catch(() => {}));
    } else {
      signInNotice = reason === "expired" ? t("signin.expired") : "";
      current = null;
      show();
    }
  });
}

async function start() {
  boot();
  await languageReady();
  try {
    await loadConfig();
  } catch (error) {
    clear(main);
    main.append(h("p", { class: "form-error", role: "alert" }, t("err.network")));
    return;
  }
  try {
    const restored = await restoreSession();
    if (restored) {
      await show();
      resume().catch(() => {});
      return;
    }
  } catch (error) {
    signInNotice = t("signin.failed", { message: error.message });
  }
  show();
}

start();
