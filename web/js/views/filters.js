// The filter bar of the gallery and of a board's page (issue 22, point 3): tag, model, how an image was
// made (a generation mode or an edit operation), shape, and a date range. They combine with Mine/Everyone
// and Favorites; the active ones show as removable chips with "Clear filters". They live in the URL hash
// (#gallery?tag=sky&model=…, #boards/<id>?aspect=square), so a reload or a shared link keeps them. On a
// phone the bar folds behind one "Filters (n)" button. Loaded with the gallery and the boards (never
// part of the first load), with its own English texts and stylesheet.

import { h, clear, stylesheet } from "../dom.js";
import { t, addEnglish } from "../i18n.js";
import texts from "../strings/filters.js";
import { state, editOperations } from "../store.js";
import { errorMessage, serverRules } from "../messages.js";

addEnglish(texts);

await stylesheet("filters"); // before the bar is drawn (no unstyled flash)

/** The filters of GET /gallery and GET /boards/{id}/items this bar sets (the API's own names). */
export const FILTERS = ["tag", "model", "operation", "aspect", "createdFrom", "createdTo", "batchId"];
const ASPECTS = ["square", "landscape", "portrait"];
const GENERATION_MODES = ["text", "color", "structure", "sketch", "variation", "style", "style-transfer"];
const LABELS = { tag: "filters.tag", model: "filters.model", operation: "filters.operation", aspect: "filters.aspect",
  createdFrom: "filters.from", createdTo: "filters.to", batchId: "filters.batch" };

/** "#gallery?tag=sky" → "#gallery". */
export function hashPath(hash = location.hash) {
  const at = hash.indexOf("?");
  return at < 0 ? hash : hash.slice(0, at);
}

/** The query part of a hash ("#gallery?tag=sky" → tag=sky). */
export function hashParams(hash = location.hash) {
  const at = hash.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
}

/** The bar's filters a hash names (the known ones, non-empty). */
export function filtersFromHash(hash = location.hash) {
  const q = hashParams(hash);
  return Object.fromEntries(FILTERS.map((k) => [k, (q.get(k) || "").trim()]).filter(([, v]) => v));
}

/** The view's state into its URL, without a history entry per change (a reload or a copied link keeps it). */
export function writeHash(path, params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) q.set(key, value === true ? "true" : value);
  const text = q.toString();
  const next = text ? `${path}?${text}` : path;
  if (location.hash !== next) history.replaceState(null, "", next);
}

/** The API query of the bar's filters (empty ones left out). */
export function filterQuery(values) {
  return Object.fromEntries(FILTERS.filter((k) => values[k]).map((k) => [k, values[k]]));
}

/** A tag as the server stores it (trimmed, lowercase, single spaces), so the chip and the URL match it. */
export function tagText(text) {
  return String(text || "").split(/\s+/).filter(Boolean).join(" ").toLowerCase();
}

function modelName(id) {
  return state.models?.imageModels?.find((m) => m.modelId === id)?.name || id;
}

function operationName(value) {
  return GENERATION_MODES.includes(value) ? t(`mode.${value}`) : editOperations().has(value) ? t(`op.${value}`) : value;
}

function valueText(key, value) {
  if (key === "model") return modelName(value);
  if (key === "operation") return operationName(value);
  if (key === "aspect") return ASPECTS.includes(value) ? t(`aspect.${value}`) : value;
  if (key === "batchId") return value.slice(0, 8);
  return value;
}

/** The active filters as [{key, name, value}] in the bar's order. */
export function activeFilters(values) {
  return FILTERS.filter((k) => values[k]).map((k) => ({ key: k, name: t(LABELS[k]), value: valueText(k, values[k]) }));
}

/** What the server said about a filter it refused (400 invalid_filter, 422): its own message, never a
 *  blank grid. Anything else reads as every other error does. */
export function filterError(error) {
  if (error?.status !== 400 && error?.status !== 422) return errorMessage(error);
  // The message says what to fix; a bare one (a code) is helped by the rules of the fields it named.
  const said = error.message && error.message !== error.code ? error.message : serverRules(error.details).join(" ");
  return t(error.code === "invalid_filter" ? "filters.refused" : "filters.invalid", { message: said || error.code });
}

/** A chip's words: "Model: Stable Image Core", or a name alone ("Favorites only"). */
const chipText = (c) => (c.value ? `${c.name}: ${c.value}` : c.name);

/** The empty result under filters: which ones are on, and a button that clears them. */
export function emptyFilters(chips, onClear) {
  const list = chips.map(chipText).join(" · ");
  return h("div", { class: "filter-empty" },
    h("p", {}, t("filters.empty", { list })),
    h("button", { class: "btn btn-small", type: "button", dataset: { action: "clear-filters" }, on: { click: onClear } }, t("filters.clear")));
}

/** The bar. `values` holds the filters (the bar changes it, then calls onChange()); `extra()` lists the
 *  view's own filters that are on ([{name, value}]: a mode, Favorites — controls of their own, so no
 *  chips), named with the bar's in an empty result; "Clear filters" calls onClear() to clear them too.
 *  Returns { element, update(), described() } — update() redraws it from `values`. */
export function filterBar({ id, values, onChange, extra = () => [], onClear = () => {} }) {
  const fieldsId = `${id}-fields`;
  const toggle = h("button", { class: "btn btn-small filter-toggle", type: "button", id: `${id}-toggle`, "aria-expanded": "false", "aria-controls": fieldsId,
    on: { click: () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      fields.classList.toggle("open", open);
    } } });
  const set = (key, value) => {
    const next = key === "tag" ? tagText(value) : value;
    if ((values[key] || "") === next) return;
    if (next) values[key] = next; else delete values[key];
    update();
    onChange();
  };

  const tag = h("input", { type: "text", id: `${id}-tag`, maxlength: "100", autocomplete: "off", enterkeyhint: "search", placeholder: t("filters.tagPlaceholder"),
    on: { change: () => set("tag", tag.value) } });
  const model = h("select", { id: `${id}-model`, on: { change: () => set("model", model.value) } },
    h("option", { value: "" }, t("filters.anyModel")),
    (state.models?.imageModels || []).map((m) => h("option", { value: m.modelId }, m.name)));
  const modes = new Set((state.models?.imageModels || []).flatMap((m) => m.modes));
  const edits = [...editOperations().keys()];
  const operation = h("select", { id: `${id}-operation`, on: { change: () => set("operation", operation.value) } },
    h("option", { value: "" }, t("filters.anyOperation")),
    h("optgroup", { label: t("filters.generated") }, GENERATION_MODES.filter((m) => modes.has(m)).map((m) => h("option", { value: m }, t(`mode.${m}`)))),
    edits.length ? h("optgroup", { label: t("filters.edits") }, edits.map((op) => h("option", { value: op }, t(`op.${op}`)))) : null);
  const aspect = h("select", { id: `${id}-aspect`, on: { change: () => set("aspect", aspect.value) } },
    h("option", { value: "" }, t("filters.anyAspect")), ASPECTS.map((a) => h("option", { value: a }, t(`aspect.${a}`))));
  const from = h("input", { type: "date", id: `${id}-from`, on: { change: () => set("createdFrom", from.value) } });
  const to = h("input", { type: "date", id: `${id}-to`, on: { change: () => set("createdTo", to.value) } });
  const field = (label, control) => h("div", { class: "field filter-field" }, h("label", { for: control.id }, t(label)), control);
  // Enter in the tag box applies it (a form of its own: no page reload, and a phone's keyboard shows "search").
  const tagForm = h("form", { class: "filter-tag", on: { submit: (event) => { event.preventDefault(); set("tag", tag.value); } } }, field("filters.tag", tag));
  const fields = h("div", { class: "filter-fields", id: fieldsId, role: "group", "aria-label": t("filters.title") },
    tagForm, field("filters.model", model), field("filters.operation", operation), field("filters.aspect", aspect),
    field("filters.from", from), field("filters.to", to));

  const chips = h("ul", { class: "filter-chips", id: `${id}-chips`, "aria-label": t("filters.active") });
  const clearAll = h("button", { class: "btn btn-ghost btn-small", type: "button", id: `${id}-clear`, on: { click: () => {
    for (const key of FILTERS) delete values[key];
    onClear();
    update();
    onChange();
  } } }, t("filters.clear"));
  const chipRow = h("div", { class: "filter-chip-row" }, chips, clearAll);

  const chipsNow = () => activeFilters(values).map((c) => ({ ...c, remove: () => set(c.key, "") }));

  // A removed chip's button is gone: focus goes to the next chip, else to the bar.
  const focusAfterRemove = () => (chips.querySelector("button") || (toggle.offsetParent ? toggle : tag)).focus({ preventScroll: true });

  function update() {
    tag.value = values.tag || "";
    model.value = values.model || "";
    operation.value = values.operation || "";
    aspect.value = values.aspect || "";
    from.value = values.createdFrom || "";
    to.value = values.createdTo || "";
    const on = chipsNow();
    toggle.textContent = t("filters.toggle", { n: on.length });
    clear(chips);
    chips.append(...on.map((c) => h("li", { class: "filter-chip" },
      h("span", {}, chipText(c)),
      h("button", { type: "button", class: "chip-clear", "aria-label": t("filters.remove", { filter: chipText(c) }),
        on: { click: () => { c.remove(); focusAfterRemove(); } } }, "×"))));
    chipRow.hidden = !on.length;
  }

  update();
  return { element: h("div", { class: "filter-bar", id }, toggle, fields, chipRow), update, described: () => [...chipsNow(), ...extra()] };
}
