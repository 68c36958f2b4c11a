// Search in the gallery: words in any language, or an image dropped (or chosen) to find ones like it;
// "More like this" and the caption + tag chips in the detail view. Results are ranked by score.
// Hooks: gallery.js mounts searchPanel(); detail.js adds moreLikeThisButton() and annotationsBlock().

import { h, clear, icon, announce, stylesheet } from "../dom.js";
import { t, tn, lang, addEnglish } from "../i18n.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";
import { IMAGE_TYPES, checkImage } from "../files.js";
import texts from "../strings/search.js";

addEnglish(texts);
await stylesheet("search"); // before anything of the view is drawn (no unstyled flash)

const QUERY_MAX = 500;
const LIMIT = 24;
let pending = null; // a search asked for from elsewhere (detail view) before the gallery is shown
let active = null; // the latest panel: { run, shown() } (shown while the gallery is in the page)

/** Search from anywhere: {q} or {like, imageIndex}. Shows the gallery with the results. A detail
 *  opened over the gallery (#/g/<id>) goes back to #gallery when it closes, and the router does not
 *  render the gallery again then: the panel in the page runs the search itself. */
export function runSearch(query) {
  if (active?.shown()) { active.run(query); return; }
  pending = query;
  location.hash = "#gallery";
}

function scorePercent(score) {
  return `${Math.round(Math.max(0, Math.min(1, score)) * 100)}%`;
}

/** The search form and the ranked results; the gallery section gets `is-searching` while they show
 *  (app.css then hides its grid and footer). */
export function searchPanel({ scope, open, grid }) {
  const input = h("input", { type: "search", id: "gallery-search", maxlength: String(QUERY_MAX), autocomplete: "off",
    placeholder: t("search.placeholder"), "aria-describedby": "gallery-search-hint" });
  const file = h("input", { type: "file", accept: IMAGE_TYPES.join(","), class: "visually-hidden", id: "gallery-search-file", tabindex: "-1", "aria-label": t("search.byImage") });
  const byImage = h("button", { type: "button", class: "btn", id: "gallery-search-image", on: { click: () => file.click() } }, icon("upload"), t("search.byImage"));
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: "gallery-search-go" }, t("search.go"));
  // The image a search is by, in the bar: its thumbnail and a clear × (words and an image are not mixed).
  const chip = h("span", { class: "search-chip", id: "search-image-chip", hidden: true });
  let chipUrl = null; // a blob: URL of a dropped file, revoked when the chip goes
  const showChip = (src) => {
    if (chipUrl && chipUrl !== src) URL.revokeObjectURL(chipUrl);
    chipUrl = src?.startsWith("blob:") ? src : null;
    clear(chip);
    chip.hidden = !src;
    if (!src) return;
    chip.append(h("img", { src, alt: "" }), h("span", {}, t("search.chip")),
      h("button", { type: "button", class: "chip-clear", "aria-label": t("search.chipClear"), on: { click: () => { reset(); input.focus(); } } }, "×"));
  };
  const form = h("form", { class: "search-form", role: "search", "aria-label": t("search.label"), on: { submit: (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (q) run({ q }); else reset();
  } } },
  h("label", { for: "gallery-search", class: "visually-hidden" }, t("search.label")),
  chip, input, submit, byImage, file,
  h("p", { class: "hint", id: "gallery-search-hint" }, t("search.hint")));

  const status = h("p", { class: "search-status", role: "status", id: "search-status" });
  const error = h("p", { class: "form-error", role: "alert" });
  const list = h("ol", { class: "gallery-grid search-results", id: "search-results", "aria-labelledby": "search-status" });
  const back = h("button", { type: "button", class: "btn btn-ghost", id: "search-clear", on: { click: () => { reset(); input.focus(); } } }, t("search.clear"));
  const results = h("section", { class: "search-panel", hidden: true, "aria-label": t("search.results") }, h("div", { class: "search-head" }, status, back), error, list);
  let generation = 0;
  const showing = (on) => { results.hidden = !on; grid.closest(".gallery")?.classList.toggle("is-searching", on); };

  async function run(query) {
    const mine = ++generation;
    if (query.q !== undefined) { input.value = query.q; showChip(null); } else { input.value = ""; showChip(query.thumb || chipUrl || null); }
    showing(true);
    error.textContent = "";
    clear(list);
    status.textContent = t("gallery.loading");
    list.setAttribute("aria-busy", "true");
    try {
      const { thumb, ...ask } = query;
      const page = await api.search({ ...ask, scope: scope(), limit: LIMIT });
      if (mine !== generation) return;
      // Never the image searched by (the API leaves it out; an older deployment may not).
      const items = page.items.filter((item) => !(query.like && item.id === query.like && item.imageIndex === (query.imageIndex ?? 0)));
      list.append(...items.map((item, rank) => tile(item, rank)));
      const what = query.q !== undefined ? t("search.forWords", { q: query.q }) : t("search.forImage");
      status.textContent = items.length ? tn("search.count", items.length, { what }) : t("search.none", { what });
      announce(status.textContent);
    } catch (e) {
      if (mine === generation) { error.textContent = errorMessage(e); status.textContent = ""; }
    } finally {
      if (mine === generation) list.removeAttribute("aria-busy");
    }
  }

  function reset() {
    generation += 1;
    input.value = "";
    showChip(null);
    showing(false);
    clear(list);
  }

  function tile(item, rank) {
    const image = item.images?.[item.imageIndex];
    const caption = captionOf(item.annotations?.[item.imageIndex]) || item.request?.prompt || "";
    const label = t("search.item", { rank: rank + 1, score: scorePercent(item.score), caption: caption.slice(0, 80) });
    return h("li", { dataset: { id: item.id, index: String(item.imageIndex) } },
      h("button", { class: "tile", type: "button", "aria-label": label, on: { click: () => open(item, item.imageIndex) } },
        image ? h("img", { src: image.thumbnailUrl, alt: "", loading: "lazy", decoding: "async", width: image.width, height: image.height }) : null,
        h("span", { class: "tile-score", "aria-hidden": "true" }, scorePercent(item.score))));
  }

  async function byFile(chosen) {
    if (!chosen) return;
    const mine = ++generation;
    error.textContent = "";
    clear(list);
    showing(true);
    // Its first bytes and size, before uploading (the same check and limit as the Reference panel).
    const { file, error: problem } = await checkImage(chosen);
    if (mine !== generation) return;
    if (problem) { error.textContent = problem; status.textContent = ""; return; }
    status.textContent = t("search.uploading");
    try {
      showChip(URL.createObjectURL(file));
      const key = await api.upload(file);
      if (mine === generation) await run({ like: key });
    } catch (e) {
      if (mine === generation) { error.textContent = errorMessage(e); status.textContent = ""; }
    }
  }

  file.addEventListener("change", () => { byFile(file.files?.[0]); file.value = ""; });
  // Drop an image anywhere on the form to search by it.
  form.addEventListener("dragover", (event) => { event.preventDefault(); form.classList.add("is-drop"); });
  form.addEventListener("dragleave", () => form.classList.remove("is-drop"));
  form.addEventListener("drop", (event) => { event.preventDefault(); form.classList.remove("is-drop"); byFile(event.dataTransfer?.files?.[0]); });

  active = { run, shown: () => results.isConnected };
  if (pending) { const query = pending; pending = null; setTimeout(() => run(query), 0); }
  return { form, results };
}

function captionOf(annotation) {
  if (!annotation) return "";
  return (annotation.language && lang() !== "en" && annotation.localCaption) || annotation.caption || "";
}

/** The caption and clickable tag chips of one image (nothing until it is indexed). */
export function annotationsBlock(record, index, { onTag } = {}) {
  const annotation = record.annotations?.[index];
  if (!annotation || !(annotation.caption || annotation.tags?.length)) return null;
  const local = annotation.language && lang() !== "en" && annotation.localTags?.length;
  const tags = local ? annotation.localTags : annotation.tags;
  return h("div", { class: "annotations" },
    h("h3", { class: "sub" }, t("search.caption")),
    h("p", { class: "caption-text" }, captionOf(annotation)),
    h("ul", { class: "tag-chips", "aria-label": t("search.tags") }, tags.map((tag) => h("li", {},
      h("button", { type: "button", class: "chip", "aria-label": t("search.byTag", { tag }), on: { click: () => { onTag?.(); runSearch({ q: tag }); } } }, tag)))));
}

/** "More like this" for one image of a completed record. */
export function moreLikeThisButton(record, index, { onRun } = {}) {
  if (record.status !== "COMPLETE" || !record.images?.[index]) return null;
  return h("button", { class: "btn", type: "button", id: "more-like-this", on: { click: () => { onRun?.(); runSearch({ like: record.id, imageIndex: index, thumb: record.images[index].thumbnailUrl }); } } },
    icon("sparkle"), t("search.moreLike"));
}
