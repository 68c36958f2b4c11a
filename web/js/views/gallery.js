// The gallery: newest first, more on scroll; mine / everyone, mode and favorite filters.

import { h, clear, icon, announce } from "../dom.js";
import { t } from "../i18n.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";
import { openDetail } from "./detail.js";
import { searchPanel } from "./search.js";

const MODES = ["text", "color", "structure", "variation"];
const filters = { scope: "mine", mode: "", favorite: false };

export function galleryView(root) {
  let items = [];
  let cursor = null;
  let done = false;
  let loading = false;
  let generation = 0; // a newer filter change wins over older responses

  const grid = h("ul", { class: "gallery-grid", "aria-labelledby": "gallery-title", id: "gallery-grid" });
  const status = h("p", { class: "gallery-status", role: "status" });
  const error = h("p", { class: "form-error", role: "alert" });
  const more = h("button", { class: "btn", type: "button", id: "gallery-more", on: { click: () => load() } }, t("gallery.more"));
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });

  const scopeName = "gallery-scope";
  const scope = h("fieldset", { class: "segmented" }, h("legend", { class: "visually-hidden" }, t("gallery.scope")),
    ["mine", "all"].map((value) => h("span", { class: "seg" },
      h("input", { type: "radio", name: scopeName, id: `scope-${value}`, value, checked: filters.scope === value, on: { change: () => { filters.scope = value; reset(); } } }),
      h("label", { for: `scope-${value}` }, t(`gallery.${value}`)))));
  const mode = h("select", { id: "gallery-mode", on: { change: () => { filters.mode = mode.value; reset(); } } },
    h("option", { value: "", selected: !filters.mode }, t("mode.any")),
    MODES.map((m) => h("option", { value: m, selected: filters.mode === m }, t(`mode.${m}`))));
  const favorite = h("input", { type: "checkbox", id: "gallery-favorite", checked: filters.favorite, on: { change: () => { filters.favorite = favorite.checked; reset(); } } });

  function tile(record) {
    const r = record.request || {};
    const image = record.images?.[0];
    let label = t("gallery.item", { prompt: (r.prompt || "").slice(0, 80), status: t(`status.${record.status}`) });
    if (record.images?.length > 1) label += ` — ${t("results.images", { n: record.images.length })}`;
    const media = image
      ? h("img", { src: image.thumbnailUrl, alt: "", loading: "lazy", decoding: "async", width: image.width, height: image.height })
      : h("span", { class: `tile-empty tile-${record.status.toLowerCase()}` }, t(`status.${record.status}`));
    const button = h("button", { class: "tile", type: "button", "aria-label": label, on: { click: () => openDetail(record, 0, { onChange }) } },
      media,
      record.favorite ? h("span", { class: "tile-fav", "aria-hidden": "true" }, icon("star")) : null,
      record.images?.length > 1 ? h("span", { class: "tile-count", "aria-hidden": "true" }, `${record.images.length}`) : null);
    return h("li", { dataset: { id: record.id } }, button);
  }

  function onChange(record, { deleted } = {}) {
    const li = grid.querySelector(`li[data-id="${CSS.escape(record.id)}"]`);
    if (deleted || (filters.favorite && !record.favorite)) {
      items = items.filter((x) => x.id !== record.id);
      li?.remove();
    } else if (li) {
      li.replaceWith(tile(record));
    }
    updateStatus();
  }

  function updateStatus() {
    if (!items.length && done) status.textContent = t("gallery.empty");
    else if (done) status.textContent = `${t("gallery.count", { n: items.length })} · ${t("gallery.end")}`;
    else status.textContent = t("gallery.count", { n: items.length });
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
      const page = await api.gallery({ scope: filters.scope, limit: 24, cursor, mode: filters.mode, favorite: filters.favorite });
      if (mine !== generation) return;
      items.push(...page.items);
      grid.append(...page.items.map(tile));
      cursor = page.nextCursor || null;
      done = !cursor;
      updateStatus();
      // Observe again: if the end of the grid is still near the viewport, the next page follows.
      observer.unobserve(sentinel);
      observer.observe(sentinel);
    } catch (e) {
      if (mine === generation) error.textContent = errorMessage(e);
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
    clear(grid);
    status.textContent = "";
    load().then(() => announce(status.textContent));
  }

  const search = searchPanel({ scope: () => filters.scope, grid, open: (record, index) => openDetail(record, index, { onChange }) });
  root.append(h("section", { class: "gallery", "aria-labelledby": "gallery-title" },
    h("div", { class: "gallery-head" },
      h("h1", { id: "gallery-title" }, t("gallery.title")),
      h("div", { class: "filters" },
        scope,
        h("div", { class: "field inline" }, h("label", { for: "gallery-mode" }, t("gallery.mode")), mode),
        h("div", { class: "check" }, favorite, h("label", { for: "gallery-favorite" }, t("gallery.favorites"))))),
    search.form, search.results, error, grid, sentinel, h("div", { class: "gallery-foot" }, status, more)));

  // Infinite scroll: load the next page when the end of the grid comes near the viewport.
  const observer = new IntersectionObserver((entries) => {
    if (!sentinel.isConnected) { observer.disconnect(); return; }
    if (entries.some((e) => e.isIntersecting) && items.length && !loading) load();
  }, { rootMargin: "400px 0px" });
  observer.observe(sentinel);
  load();
}
