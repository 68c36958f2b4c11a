// Tiny DOM helpers: build elements without innerHTML (no injection, CSP-friendly).

const PROPS = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple", "indeterminate", "open"]);

/** h("button", {class: "btn", on: {click}}, "Label") → HTMLElement. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false && !PROPS.has(key)) continue;
    if (key === "on") for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let counter = 0;
/** A unique id for label/for and aria-* pairs. */
export function uid(prefix = "id") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Announce a message to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById("live");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick so repeated messages are read again.
  setTimeout(() => { region.textContent = message; }, 30);
}

/** A short, dismissible notice at the bottom of the screen. */
export function toast(message, kind = "info") {
  const host = document.getElementById("toasts");
  if (!host) return;
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  host.append(item);
  setTimeout(() => item.classList.add("toast-out"), 4500);
  setTimeout(() => item.remove(), 5000);
}

const sheets = new Map(); // view name → the promise of its stylesheet, added once

/** A lazy view's web/css/<name>.css; resolves once loaded (or failed: unstyled beats unusable). Views await it
 *  at their top, so nothing of them is drawn before their styles apply (no flash of unstyled content). */
export function stylesheet(name) {
  if (!sheets.has(name)) {
    sheets.set(name, new Promise((resolve) => {
      const link = h("link", { rel: "stylesheet", href: new URL(`../css/${name}.css`, import.meta.url).href, dataset: { viewCss: name } });
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", () => { console.warn(`css/${name}.css did not load`); resolve(); }, { once: true });
      document.head.append(link);
    }));
  }
  return sheets.get(name);
}

/** A labelled form field: <div class="field"><label>…</label>control<p hint></p></div>. */
export function field(label, control, { hint, id, className } = {}) {
  const controlId = id || control.id || uid("f");
  control.id = controlId;
  const parts = [h("label", { for: controlId, text: label }), control];
  if (hint) {
    const hintId = `${controlId}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  return h("div", { class: ["field", className] }, parts);
}

export function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", `icon icon-${name}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("viewBox", "0 0 24 24");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name] || "");
  svg.append(path);
  return svg;
}

const ICONS = {
  star: "M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z",
  download: "M12 4v11m0 0l-4.5-4.5M12 15l4.5-4.5M5 19.5h14",
  trash: "M5 7h14M10 7V5h4v2m-7 0l1 12h8l1-12",
  rerun: "M4.5 12a7.5 7.5 0 0 1 13-5.1L19.5 9M19.5 4.5V9H15M19.5 12a7.5 7.5 0 0 1-13 5.1L4.5 15m0 4.5V15H9",
  dice: "M5 5h14v14H5zM9 9h.01M15 15h.01M15 9h.01M9 15h.01",
  edit: "M4 20h4L19 9l-4-4L4 16v4z",
  close: "M6 6l12 12M18 6L6 18",
  upload: "M12 16V5m0 0L7.5 9.5M12 5l4.5 4.5M5 19.5h14",
  share: "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm-9 9h18M12 3c2.5 2.6 3.6 5.6 3.6 9s-1.1 6.4-3.6 9c-2.5-2.6-3.6-5.6-3.6-9S9.5 5.6 12 3z",
  sparkle: "M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z",
};
