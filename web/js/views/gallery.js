// The gallery: newest first, more on scroll; mine / everyone, mode, favorite and failed filters, and the
// filter bar (tag, model, how made, shape, dates: views/filters.js). The filters live in the URL hash
// (#gallery?scope=all&tag=sky), so a reload or a shared link keeps them.
// Failed generations are hidden unless asked for; each tile shows its prompt on hover and focus;
// edited images carry a mark. galleryTile() is shared with other lists of records (search).

import { h, clear, icon, announce, stylesheet } from "../dom.js";
import { t, tOr, addEnglish } from "../i18n.js";
import { api } from "../api.js";
import { state, editOperations, subscribe } from "../store.js";
import { errorMessage, modeLabel } from "../messages.js";
import { openDetail, openDetailById } from "./detail.js";
import { openChecker } from "./credentials.js";
import { searchPanel } from "./search.js";
import { openCompare } from "./lazy.js";
import { filterBar, filterQuery, filterError, emptyFilters, filtersFromHash, hashParams, hashPath, writeHash } from "./filters.js";
import texts from "../strings/gallery.js";

addEnglish(texts);
await stylesheet("gallery"); // before anything of the view is drawn (no unstyled flash)

const COMPARE_MAX = 4;
const AUTO_PAGES = 5; // pages in a row with nothing to show that are read on without asking

const MODES = ["text", "color", "structure", "sketch", "variation", "style", "style-transfer", "edit"];
const filters = { scope: "mine", mode: "", favorite: false, failed: false };
const barValues = {}; // the filter bar's: tag, model, operation, aspect, createdFrom, createdTo, batchId
const GALLERY_HASH = "#gallery";

/** The gallery's filters as its URL says them ("" when they are the defaults). */
function hashState() {
  return { scope: filters.scope === "all" ? "all" : "", mode: filters.mode, favorite: filters.favorite, ...barValues };
}

/** The filters into the URL, while it is the gallery's (not a detail's #/g/<id> opened over it). */
function filtersToUrl() {
  if (hashPath(location.hash) === GALLERY_HASH) writeHash(GALLERY_HASH, hashState());
}

/** A #gallery URL with a query sets every filter it can say (a shared link means what it says); a
 *  bare #gallery (the navigation) keeps the ones of this session. True when something changed. */
function filtersFromUrl(hash = location.hash) {
  if (hashPath(hash) !== GALLERY_HASH || !hash.includes("?")) return false;
  const q = hashParams(hash);
  const before = JSON.stringify(hashState());
  filters.scope = q.get("scope") === "all" ? "all" : "mine";
  filters.mode = MODES.includes(q.get("mode")) ? q.get("mode") : "";
  filters.favorite = q.get("favorite") === "true";
  for (const key of Object.keys(barValues)) delete barValues[key];
  Object.assign(barValues, filtersFromHash(hash));
  return JSON.stringify(hashState()) !== before;
}

/** The modes this deployment has: its models' modes, and "edit" when it has edit operations. */
function knownModes() {
  const have = new Set((state.models?.imageModels || []).flatMap((m) => m.modes));
  if (editOperations().size) have.add("edit");
  return MODES.filter((m) => have.has(m));
}

/** Whether a record is shown under the current filters (failed ones only on request). */
export function visible(record) {
  return filters.failed || record.status !== "FAILED";
}

/** One gallery tile: the thumbnail, the prompt (on hover and focus), favorite, count and edit marks. */
export function galleryTile(record, { onOpen }) {
  const r = record.request || {};
  const image = record.images?.[0];
  const prompt = r.prompt || r.searchPrompt || r.selectPrompt || modeLabel(record);
  const edited = record.mode === "edit";
  const failed = record.status === "FAILED";
  // A failed one says why (the short form of its reason) and what it was asked to make.
  const statusText = failed ? tOr(`fail.${record.error?.code}`, t("status.FAILED")) : t(`status.${record.status}`);
  let label = t("gallery.item", { prompt: prompt.slice(0, 80), status: statusText });
  if (edited) label += ` — ${t("gallery.edited", { op: modeLabel(record) })}`;
  if (record.images?.length > 1) label += ` — ${t("results.images", { n: record.images.length })}`;
  const media = image
    ? h("img", { src: image.thumbnailUrl, alt: "", loading: "lazy", decoding: "async", width: image.width, height: image.height })
    : h("span", { class: `tile-empty tile-${record.status.toLowerCase()}` }, h("span", {}, statusText),
      failed && prompt ? h("span", { class: "tile-failed-prompt" }, prompt.length > 60 ? `${prompt.slice(0, 59)}…` : prompt) : null);
  const button = h("button", { class: "tile", type: "button", "aria-label": label, on: { click: () => onOpen(record) } },
    media,
    h("span", { class: "tile-prompt", "aria-hidden": "true" }, prompt.length > 140 ? `${prompt.slice(0, 139)}…` : prompt),
    edited ? h("span", { class: "tile-edited", "aria-hidden": "true" }, icon("sparkle"), t("gallery.editedMark")) : null,
    record.favorite ? h("span", { class: "tile-fav", "aria-hidden": "true" }, icon("star")) : null,
    record.images?.length > 1 ? h("span", { class: "tile-count", "aria-hidden": "true" }, `${record.images.length}`) : null);
  return h("li", { dataset: { id: record.id, status: record.status, mode: record.mode } }, button);
}

export function galleryView(root) {
  filtersFromUrl();
  let items = [];
  let cursor = null;
  let done = false;
  let loading = false;
  let generation = 0; // a newer filter change wins over older responses
  let emptyRun = 0; // pages in a row that had nothing to show

  const grid = h("ul", { class: "gallery-grid", "aria-labelledby": "gallery-title", id: "gallery-grid" });
  const status = h("p", { class: "gallery-status", role: "status" });
  const error = h("p", { class: "form-error", role: "alert", id: "gallery-error" });
  const empty = h("div", { id: "gallery-empty" }); // nothing under these filters: which, and "Clear filters"
  const more = h("button", { class: "btn", type: "button", id: "gallery-more", on: { click: () => load() } }, t("gallery.more"));
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });

  const scopeName = "gallery-scope";
  const scope = h("fieldset", { class: "segmented" }, h("legend", { class: "visually-hidden" }, t("gallery.scope")),
    ["mine", "all"].map((value) => h("span", { class: "seg" },
      h("input", { type: "radio", name: scopeName, id: `scope-${value}`, value, checked: filters.scope === value, on: { change: () => { filters.scope = value; reset(); } } }),
      h("label", { for: `scope-${value}` }, t(`gallery.${value}`)))));
  const mode = h("select", { id: "gallery-mode", on: { change: () => { filters.mode = mode.value; reset(); } } },
    h("option", { value: "", selected: !filters.mode }, t("mode.any")),
    knownModes().map((m) => h("option", { value: m, selected: filters.mode === m }, t(`mode.${m}`))));
  const favorite = h("input", { type: "checkbox", id: "gallery-favorite", checked: filters.favorite, on: { change: () => { filters.favorite = favorite.checked; reset(); } } });
  // In an empty result the bar names Mode and Favorites too; "Clear filters" clears them as well.
  const bar = filterBar({ id: "gallery-filters", values: barValues, onChange: () => reset(),
    extra: () => [
      filters.mode ? { name: t("gallery.mode"), value: t(`mode.${filters.mode}`) } : null,
      filters.favorite ? { name: t("gallery.favorites"), value: "" } : null,
    ].filter(Boolean),
    onClear: () => { filters.mode = ""; filters.favorite = false; mode.value = ""; favorite.checked = false; } });

  // Select mode: a tap picks a tile instead of opening it; the picked ones go on a board together, are
  // exported as a ZIP (the boards and export modules load when select mode is first turned on) or,
  // 2-4 of them, are shown side by side in the comparison.
  let selecting = false;
  const picked = new Map(); // id -> record, in the order picked
  const selectCount = h("span", { class: "muted", role: "status", id: "gallery-selected" });
  const compareGo = h("button", { class: "btn btn-primary btn-small", type: "button", id: "compare-go", title: t("compare.selected", { n: 0 }), on: { click: () => openCompare([...picked.values()]) } }, t("compare.go"));
  const selectBar = h("div", { class: "gallery-select-bar", hidden: true });
  const selectButton = h("button", { class: "btn btn-small", type: "button", id: "gallery-select", "aria-pressed": "false", on: { click: () => toggleSelecting() } }, t("gallery.select"));
  // A tile says whether it is picked only in select mode (aria-pressed makes it a toggle there).
  const markPicked = (li) => {
    const on = picked.has(li.dataset.id);
    li.classList.toggle("selected", selecting && on);
    if (selecting) li.querySelector(".tile")?.setAttribute("aria-pressed", String(on));
    else li.querySelector(".tile")?.removeAttribute("aria-pressed");
  };
  const showPicked = () => {
    selectCount.textContent = t("gallery.selected", { n: picked.size });
    compareGo.disabled = picked.size < 2 || picked.size > COMPARE_MAX;
    compareGo.title = t("compare.selected", { n: picked.size });
    grid.querySelectorAll("li[data-id]").forEach(markPicked);
  };
  async function toggleSelecting() {
    selecting = !selecting;
    selectButton.setAttribute("aria-pressed", String(selecting));
    selectButton.textContent = t(selecting ? "compare.selectDone" : "gallery.select");
    picked.clear();
    clear(selectBar);
    selectBar.hidden = !selecting;
    showPicked();
    if (!selecting) return;
    selectBar.append(selectCount, compareGo);
    try {
      const [{ addManyPanel }, { exportPanel }] = await Promise.all([import("./boards.js"), import("./export.js")]);
      const selection = () => (picked.size ? { generationIds: [...picked.keys()] } : null);
      if (selecting) selectBar.append(addManyPanel(() => [...picked.keys()]), exportPanel(selection, { id: "gallery-export" }));
    } catch (e) { error.textContent = errorMessage({ code: "network" }); }
  }
  function pick(record) {
    if (picked.has(record.id)) picked.delete(record.id);
    else if (record.status === "COMPLETE") picked.set(record.id, record);
    showPicked();
  }
  const tile = (record) => {
    const li = galleryTile(record, { onOpen: (r) => (selecting ? pick(r) : openDetail(r, 0, { onChange })) });
    if (selecting) markPicked(li);
    return li;
  };
  const failed = h("input", { type: "checkbox", id: "gallery-failed", checked: filters.failed, on: { change: () => { filters.failed = failed.checked; reset(); } } });

  function onChange(record, { deleted } = {}) {
    const li = grid.querySelector(`li[data-id="${CSS.escape(record.id)}"]`);
    if (deleted || (filters.favorite && !record.favorite) || !visible(record)) {
      items = items.filter((x) => x.id !== record.id);
      li?.remove();
    } else if (li) {
      li.replaceWith(tile(record));
    }
    updateStatus();
  }

  /** A state change pushed on the user's channel (any tab's render or edit): its tile follows it, and a
   *  new record that fits the filters joins the top of the grid (the feed is newest first). */
  function showPushed(record) {
    const index = items.findIndex((x) => x.id === record.id);
    if (index >= 0) {
      items[index] = { ...items[index], ...record };
      const li = grid.querySelector(`li[data-id="${CSS.escape(record.id)}"]`);
      if (!visible(items[index])) li?.remove();
      else if (li) li.replaceWith(tile(items[index]));
      updateStatus();
      return;
    }
    const fits = filters.scope === "mine" ? (!filters.favorite || record.favorite) : record.public;
    const newest = !items.length || (record.createdAt || "") >= (items[0].createdAt || "");
    // Under the bar's filters the server decides what fits (a new image has no tags yet, its shape…).
    if (!fits || !newest || (filters.mode && record.mode !== filters.mode) || Object.keys(barValues).length) return;
    items.unshift(record);
    if (visible(record)) grid.prepend(tile(record));
    updateStatus();
  }

  /** Nothing to show: a sentence that fits the filters in use. */
  function emptyText() {
    const name = filters.mode ? t(`mode.${filters.mode}`) : "";
    if (filters.favorite && name) return t("gallery.noMatch", { mode: name });
    if (filters.favorite) return t("gallery.noFavorites");
    if (name) return t("gallery.noMode", { mode: name, any: t("mode.any") });
    return t("gallery.empty");
  }

  function updateStatus() {
    const shown = items.filter(visible).length;
    const hidden = items.length - shown;
    let text;
    // With the bar's filters on, the empty state names every filter (Mode, Favorites too) and clears them;
    // Mode and Favorites alone keep their own sentences (emptyText).
    const barOn = Object.keys(barValues).length > 0;
    clear(empty);
    if (!shown && done && barOn) empty.append(emptyFilters(bar.described(), () => document.getElementById("gallery-filters-clear")?.click()));
    if (!shown && done) text = barOn ? "" : emptyText();
    else if (done) text = `${t("gallery.count", { n: shown })} · ${t("gallery.end")}`;
    else text = t("gallery.count", { n: shown });
    if (hidden) text += ` · ${t("gallery.hiddenFailed", { n: hidden })}`;
    status.textContent = text;
    more.hidden = done;
  }

  async function load() {
    if (loading || done) return;
    loading = true;
    const mine = generation;
    more.disabled = true;
    more.textContent = t("gallery.loading");
    error.textContent = "";
    grid.setAttribute("aria-busy", "true");
    try {
      const page = await api.gallery({ scope: filters.scope, limit: 24, cursor, mode: filters.mode, favorite: filters.favorite, ...filterQuery(barValues) });
      if (mine !== generation) return;
      const known = new Set(items.map((x) => x.id)); // a pushed record may have joined the top meanwhile
      const fresh = page.items.filter((x) => !known.has(x.id));
      items.push(...fresh);
      const shown = fresh.filter(visible);
      grid.append(...shown.map(tile));
      cursor = page.nextCursor || null;
      done = !cursor;
      updateStatus();
      // Observe again: if the end of the grid is still near the viewport, the next page follows.
      observer.unobserve(sentinel);
      observer.observe(sentinel);
      // A page with nothing to show (hidden failed ones; or, under several filters, none of the rows the
      // server examined matched) and more to read: the next one, a few times, then "Load more" is left.
      emptyRun = shown.length ? 0 : emptyRun + 1;
      if (!shown.length && cursor && emptyRun < AUTO_PAGES) setTimeout(() => load());
    } catch (e) {
      // A filter the server refused says so (its message), where the grid would be.
      if (mine === generation) { error.textContent = filterError(e); status.textContent = ""; more.hidden = true; }
    } finally {
      if (mine === generation) {
        loading = false;
        more.disabled = false;
        more.textContent = t("gallery.more");
        grid.removeAttribute("aria-busy");
      }
    }
  }

  function reset() {
    generation += 1;
    items = [];
    cursor = null;
    done = false;
    loading = false;
    emptyRun = 0;
    clear(grid);
    clear(empty);
    status.textContent = "";
    error.textContent = "";
    filtersToUrl();
    bar.update();
    load().then(() => announce(status.textContent || empty.textContent || error.textContent));
  }

  const search = searchPanel({ scope: () => filters.scope, grid, open: (record, index) => openDetail(record, index, { onChange }) });
  // On a phone the long placeholder is cut off: the short one.
  const box = search.form.querySelector("input[type=search]");
  if (box && matchMedia("(max-width: 560px)").matches) box.placeholder = t("search.placeholderShort");
  root.append(h("section", { class: "gallery", "aria-labelledby": "gallery-title" },
    h("div", { class: "gallery-head" },
      h("h1", { id: "gallery-title" }, t("gallery.title")),
      h("div", { class: "filters" },
        scope,
        h("div", { class: "field inline" }, h("label", { for: "gallery-mode" }, t("gallery.mode")), mode),
        h("div", { class: "check" }, favorite, h("label", { for: "gallery-favorite" }, t("gallery.favorites"))),
        h("div", { class: "check" }, failed, h("label", { for: "gallery-failed" }, t("gallery.showFailed"))),
        selectButton,
        h("button", { class: "btn btn-ghost", type: "button", dataset: { action: "check-image" }, on: { click: () => openChecker({ openGeneration: (id) => openDetailById(id, 0) }) } },
        t("cr.check")))),
    bar.element, search.form, search.results, selectBar, error, grid, empty, sentinel, h("div", { class: "gallery-foot" }, status, more)));

  // Infinite scroll: load the next page when the end of the grid comes near the viewport.
  const observer = new IntersectionObserver((entries) => {
    if (!sentinel.isConnected) { observer.disconnect(); return; }
    if (entries.some((e) => e.isIntersecting) && items.length && !loading) load();
  }, { rootMargin: "400px 0px" });
  observer.observe(sentinel);
  // A detail opened from its link (not from a tile) changes or deletes records too: follow them.
  const unsubscribe = subscribe((what) => {
    if (!grid.isConnected) { unsubscribe(); return; }
    if (what?.deleted) onChange({ id: what.deleted }, { deleted: true });
    else if (what?.changed) onChange(what.changed);
    else if (what?.pushed) showPushed(what.pushed);
  });
  // A link to a filtered gallery followed while the gallery is shown (a tag in the detail, Back to a
  // shared link): its filters apply here; the router does not render the same view again.
  const followUrl = () => {
    if (!grid.isConnected || !filtersFromUrl()) return;
    for (const input of scope.querySelectorAll("input")) input.checked = input.value === filters.scope;
    mode.value = filters.mode;
    favorite.checked = filters.favorite;
    reset();
  };
  window.addEventListener("hashchange", followUrl);
  filtersToUrl();
  load();
  return () => window.removeEventListener("hashchange", followUrl);
}
