// Compare: 2-4 images side by side with their settings diffed (prompt words added and removed,
// model, seed, size, mode, edit operation). Loaded on first use (views/lazy.js); its styles too.
// On a phone the columns become full-width pages that scroll-snap: swipe between them.

import { h, clear, stylesheet } from "../dom.js";
import { t, formatMoney, addEnglish } from "../i18n.js";
import texts from "../strings/compare.js";
import { state } from "../store.js";
import { modeLabel } from "../messages.js";

addEnglish(texts);
await stylesheet("compare"); // before anything of the view is drawn (no unstyled flash)

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 4;
let dialog = null;
let opener = null; // what had focus before the dialog opened

/** The words of a prompt, for a diff ("a red, tall house" -> ["a", "red,", "tall", "house"]). */
function words(text) {
  return (text || "").split(/\s+/).filter(Boolean);
}

/** Word diff of `other` against `base` (longest common subsequence): [{word, kind: same|added|removed}]. */
export function diffWords(base, other) {
  const a = words(base);
  const b = words(other);
  const key = (w) => w.toLowerCase().replace(/[.,;:!?]+$/, "");
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i][j] = key(a[i]) === key(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (key(a[i]) === key(b[j])) { out.push({ word: b[j], kind: "same" }); i += 1; j += 1; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) { out.push({ word: a[i], kind: "removed" }); i += 1; }
    else { out.push({ word: b[j], kind: "added" }); j += 1; }
  }
  while (i < a.length) out.push({ word: a[i++], kind: "removed" });
  while (j < b.length) out.push({ word: b[j++], kind: "added" });
  return out;
}

function modelName(id) {
  return state.models?.imageModels?.find((m) => m.modelId === id)?.name || id;
}

function promptOf(record) {
  const r = record.request || {};
  return r.prompt || r.searchPrompt || r.selectPrompt || "";
}

/** The settings compared, each a label and a way to read it from a record. */
const SETTINGS = [
  ["compare.model", (r) => modelName(r.modelId)],
  ["compare.seed", (r) => String(r.images?.[0]?.seed ?? r.request?.seed ?? "—")],
  ["compare.size", (r) => (r.images?.[0] ? `${r.images[0].width}×${r.images[0].height}` : `${r.request?.width}×${r.request?.height}`)],
  ["compare.mode", (r) => (r.mode === "edit" ? t("mode.edit") : modeLabel(r))],
  ["compare.operation", (r) => (r.mode === "edit" ? modeLabel(r) : "—")],
  ["compare.negative", (r) => r.request?.negativePrompt || "—"],
  ["compare.cost", (r) => formatMoney(r.estimatedCost || 0)],
];

function promptBlock(record, base) {
  const p = h("p", { class: "compare-prompt" });
  if (record === base) { p.textContent = promptOf(record); return h("div", {}, p, h("p", { class: "hint compare-diff-count" }, t("compare.basePrompt"))); }
  const parts = diffWords(promptOf(base), promptOf(record));
  for (const [index, part] of parts.entries()) {
    if (index) p.append(" ");
    if (part.kind === "same") p.append(part.word);
    else p.append(h(part.kind === "added" ? "ins" : "del", { title: t(`compare.${part.kind}`) }, part.word));
  }
  const added = parts.filter((x) => x.kind === "added").length;
  const removed = parts.filter((x) => x.kind === "removed").length;
  return h("div", {}, p, h("p", { class: "hint compare-diff-count" }, added || removed ? t("compare.words", { added, removed }) : t("compare.samePrompt")));
}

function column(record, index, records) {
  const base = records[0];
  const image = record.images?.[0];
  const rows = SETTINGS.map(([label, read]) => {
    const value = read(record);
    const differs = records.some((other) => read(other) !== value);
    return [h("dt", {}, t(label)), h("dd", { class: differs ? "differs" : null, dataset: { setting: label.split(".")[1] } }, value)];
  });
  return h("li", { class: "compare-col", dataset: { id: record.id }, "aria-label": t("compare.column", { n: index + 1, total: records.length }) },
    h("p", { class: "compare-base" }, index === 0 ? t("compare.base") : t("compare.column", { n: index + 1, total: records.length })),
    image ? h("img", { src: image.url, alt: t("compare.image", { n: index + 1, model: modelName(record.modelId) }), width: image.width, height: image.height, decoding: "async" })
      : h("div", { class: "compare-missing" }, t(`status.${record.status}`)),
    promptBlock(record, base),
    h("dl", { class: "compare-settings" }, rows.flat()));
}

/** Open the comparison of 2-4 records (the first is the base the others are diffed against). */
export function openCompare(records) {
  const chosen = records.slice(0, COMPARE_MAX);
  if (chosen.length < COMPARE_MIN) return;
  if (!dialog) {
    dialog = h("dialog", { class: "compare", "aria-labelledby": "compare-title" });
    dialog.addEventListener("close", () => {
      clear(dialog);
      if (opener?.isConnected) opener.focus(); // back to the button that opened it
    });
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    document.body.append(dialog);
  }
  clear(dialog);
  if (!dialog.open) opener = document.activeElement;
  const strip = h("ol", { class: "compare-strip", id: "compare-strip", tabindex: "0" }, chosen.map((r, i) => column(r, i, chosen)));
  strip.style.setProperty("--cols", String(chosen.length)); // CSSOM, not a style attribute (the CSP)
  const position = h("p", { class: "compare-position", "aria-live": "polite", id: "compare-position" }, t("compare.column", { n: 1, total: chosen.length }));
  const go = (step) => {
    const width = strip.clientWidth || 1;
    const now = Math.round(strip.scrollLeft / width);
    strip.scrollTo({ left: Math.max(0, Math.min(chosen.length - 1, now + step)) * width, behavior: "smooth" });
  };
  // On a phone one column shows at a time: say which, as the user swipes.
  strip.addEventListener("scroll", () => {
    const n = Math.round(strip.scrollLeft / (strip.clientWidth || 1)) + 1;
    position.textContent = t("compare.column", { n: Math.min(n, chosen.length), total: chosen.length });
  }, { passive: true });
  strip.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { event.preventDefault(); go(1); }
    if (event.key === "ArrowLeft") { event.preventDefault(); go(-1); }
  });
  dialog.append(h("div", { class: "compare-inner" },
    h("div", { class: "compare-header" },
      h("h2", { id: "compare-title" }, t("compare.title", { n: chosen.length })),
      h("button", { class: "btn btn-ghost", type: "button", id: "compare-close", on: { click: () => dialog.close() } }, t("compare.close"))),
    h("p", { class: "hint compare-legend" }, h("ins", {}, t("compare.added")), " ", h("del", {}, t("compare.removed")), " ", t("compare.legend")),
    strip,
    h("div", { class: "compare-nav" },
      h("button", { class: "btn btn-small", type: "button", id: "compare-prev", "aria-label": t("compare.prev"), on: { click: () => go(-1) } }, "‹"),
      position,
      h("button", { class: "btn btn-small", type: "button", id: "compare-next", "aria-label": t("compare.next"), on: { click: () => go(1) } }, "›"))));
  if (!dialog.open) dialog.showModal();
  dialog.querySelector("#compare-close").focus();
}
