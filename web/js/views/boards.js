// Boards: your named collections of images (#boards), every shared board, one board's page
// (#boards/<id>: its images in the order added, paged, with the filter bar of views/filters.js; its
// filters in the URL: #boards/<id>?tag=sky), and "Add to board" in the detail.
// Loaded on first use (lazy.js), with its stylesheet.

import { h, clear, announce, toast, stylesheet } from "../dom.js";
import { t, addEnglish } from "../i18n.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";
import { galleryTile } from "./gallery.js";
import { openDetail } from "./detail.js";
import { filterBar, filterQuery, filterError, emptyFilters, filtersFromHash, writeHash } from "./filters.js";
import texts from "../strings/boards.js";

addEnglish(texts);
await stylesheet("boards"); // before anything of the view is drawn (no unstyled flash)

const BOARD_HASH = /^#boards\/([A-Za-z0-9_-]{1,64})(?:\?.*)?$/;
const PAGE = 48;
const countText = (n) => (n === 1 ? t("boards.countOne") : t("boards.count", { n }));
let scope = "mine";

/** The board id of a #boards/<id> URL, or null. */
export function boardIdFromHash(hash = location.hash) {
  return BOARD_HASH.exec(hash)?.[1] || null;
}

export function boardsView(root) {
  let shown;
  const render = () => {
    // #boards and #boards/<id> are one route (main.js): moving between them re-renders here. A detail
    // opened over the page (#/g/<id>) and closed again leaves it as it was.
    if (!/^#boards(\/|$)/.test(location.hash) || location.hash === shown) return;
    shown = location.hash;
    clear(root);
    const id = boardIdFromHash();
    if (id) boardPage(root, id, onHash); else boardsList(root);
  };
  // The board page writes its filters into the URL (no hashchange): what is shown follows.
  const onHash = (hash) => { shown = hash; };
  window.addEventListener("hashchange", render);
  shown = location.hash;
  if (boardIdFromHash()) boardPage(root, boardIdFromHash(), onHash); else boardsList(root);
  return () => window.removeEventListener("hashchange", render);
}

function boardCard(board) {
  const cover = board.cover?.thumbnailUrl
    ? h("img", { src: board.cover.thumbnailUrl, alt: "", loading: "lazy" })
    : h("span", { class: "board-cover-empty", "aria-hidden": "true" });
  return h("li", { dataset: { id: board.id } },
    h("a", { class: "board-card", href: `#boards/${board.id}` },
      h("span", { class: "board-cover" }, cover),
      h("span", { class: "board-name" }, board.name),
      h("span", { class: "board-meta" }, countText(board.itemCount),
        board.shared ? ` · ${t("boards.shared")}` : "")));
}

function boardsList(root) {
  const list = h("ul", { class: "boards-grid", id: "boards-grid", "aria-labelledby": "boards-title" });
  const status = h("p", { class: "gallery-status", role: "status" });
  const error = h("p", { class: "form-error", role: "alert" });
  const more = h("button", { class: "btn", type: "button", hidden: true }, t("gallery.more"));
  const name = h("input", { id: "board-name", type: "text", maxlength: 100, required: true, autocomplete: "off" });
  let cursor = null;

  async function load(reset = false) {
    if (reset) { clear(list); cursor = null; }
    error.textContent = "";
    try {
      const page = await api.boards({ scope, cursor });
      list.append(...page.items.map(boardCard));
      cursor = page.nextCursor || null;
      more.hidden = !cursor;
      status.textContent = list.childElementCount ? "" : t(scope === "mine" ? "boards.empty" : "boards.noneShared");
    } catch (e) { error.textContent = errorMessage(e); }
  }
  more.addEventListener("click", () => load());

  const form = h("form", { class: "board-create", on: { submit: async (event) => {
    event.preventDefault();
    if (!name.value.trim()) { name.focus(); return; }
    try {
      const board = await api.createBoard({ name: name.value.trim() });
      name.value = "";
      announce(t("boards.created", { name: board.name }));
      if (scope === "mine") list.prepend(boardCard(board));
      status.textContent = "";
    } catch (e) { error.textContent = errorMessage(e); }
  } } },
  h("div", { class: "field inline" }, h("label", { for: "board-name" }, t("boards.newName")), name),
  h("button", { class: "btn btn-primary", type: "submit", id: "board-create" }, t("boards.create")));

  const scopes = h("fieldset", { class: "segmented" }, h("legend", { class: "visually-hidden" }, t("gallery.scope")),
    ["mine", "all"].map((value) => h("span", { class: "seg" },
      h("input", { type: "radio", name: "boards-scope", id: `boards-scope-${value}`, value, checked: scope === value,
        on: { change: () => { scope = value; load(true); } } }),
      h("label", { for: `boards-scope-${value}` }, t(value === "mine" ? "boards.mine" : "boards.everyone")))));

  root.append(h("section", { class: "boards", "aria-labelledby": "boards-title" },
    h("div", { class: "gallery-head" }, h("h1", { id: "boards-title" }, t("boards.title")), scopes),
    form, error, list, h("div", { class: "gallery-foot" }, status, more)));
  load();
}

function boardPage(root, id, onHash = () => {}) {
  const grid = h("ul", { class: "gallery-grid", id: "board-items", "aria-labelledby": "board-title" });
  const title = h("h1", { id: "board-title" }, t("loading"));
  const tools = h("div", { class: "board-tools" });
  const status = h("p", { class: "gallery-status", role: "status" });
  const error = h("p", { class: "form-error", role: "alert" });
  const more = h("button", { class: "btn", type: "button", hidden: true }, t("gallery.more"));
  let cursor = null;
  let board = null;
  let generation = 0; // a newer filter change wins over older pages
  let emptyRun = 0; // pages in a row with no item
  const empty = h("div", { id: "board-empty" });
  const values = filtersFromHash();
  const bar = filterBar({ id: "board-filters", values, onChange: () => reload() });
  function reload() {
    generation += 1;
    cursor = null;
    emptyRun = 0;
    clear(grid);
    clear(empty);
    error.textContent = "";
    writeHash(`#boards/${id}`, values);
    onHash(location.hash);
    load();
  }
  // "Export ZIP" (mine or shared with me): its module loads when the page opens, not with the app.
  const exportSlot = h("div", { class: "board-export" });
  import("./export.js").then(({ exportPanel }) => exportSlot.append(exportPanel(() => ({ boardId: id }), { id: "board-export" })))
    .catch(() => {});

  const tile = (record) => {
    const li = galleryTile(record, { onOpen: (r) => openDetail(r, 0, { back: `#boards/${id}`, onChange: (changed, { deleted } = {}) => { if (deleted) li.remove(); } }) });
    if (board?.mine) {
      li.append(h("div", { class: "board-item-tools" },
        h("button", { class: "btn btn-small", type: "button", dataset: { action: "cover" }, on: { click: () => run(async () => {
          await api.updateBoard(id, { coverGenerationId: record.id });
          announce(t("boards.coverSet"));
          toast(t("boards.coverSet"));
        }) } }, t("boards.cover")),
        h("button", { class: "btn btn-small", type: "button", "aria-label": t("boards.removeItem"), on: { click: () => run(async () => {
          await api.removeFromBoard(id, record.id);
          li.remove();
          board.itemCount -= 1;
          showHeading();
        }) } }, t("boards.remove"))));
    }
    return li;
  };

  async function run(fn) {
    error.textContent = "";
    try { await fn(); } catch (e) { error.textContent = e.code === "board_not_found" ? t("boards.notFound") : errorMessage(e); }
  }

  function showHeading() {
    title.textContent = board.name;
    status.textContent = `${countText(board.itemCount)}${board.shared ? ` · ${t("boards.shared")}` : ""}`;
    clear(tools);
    if (!board.mine) { tools.append(h("p", { class: "muted" }, t("boards.readOnly"))); return; }
    const rename = h("input", { id: "board-rename", type: "text", maxlength: 100, value: board.name });
    tools.append(
      h("form", { class: "board-create", on: { submit: (event) => { event.preventDefault(); run(async () => {
        board = { ...board, ...(await api.updateBoard(id, { name: rename.value.trim() })) };
        showHeading();
        announce(t("boards.renamed"));
      }); } } },
      h("div", { class: "field inline" }, h("label", { for: "board-rename" }, t("boards.rename")), rename),
      h("button", { class: "btn", type: "submit" }, t("boards.save"))),
      h("div", { class: "check" },
        h("input", { type: "checkbox", id: "board-shared", checked: board.shared, on: { change: (event) => run(async () => {
          board = { ...board, ...(await api.updateBoard(id, { shared: event.target.checked })) };
          showHeading();
          announce(t(board.shared ? "boards.nowShared" : "boards.nowPrivate"));
        }) } }),
        h("label", { for: "board-shared" }, t("boards.share"))),
      h("button", { class: "btn btn-ghost btn-danger-text", type: "button", id: "board-delete", on: { click: () => run(async () => {
        if (!window.confirm(t("boards.confirmDelete", { name: board.name }))) return;
        await api.deleteBoard(id);
        toast(t("boards.deleted"));
        location.hash = "#boards";
      }) } }, t("boards.delete")));
  }

  async function load() {
    const mine = generation;
    error.textContent = "";
    try {
      const page = await api.boardItems(id, { cursor, limit: PAGE, ...filterQuery(values) });
      if (mine !== generation) return;
      board = page.board;
      if (!cursor) showHeading();
      grid.append(...page.items.map(tile));
      cursor = page.nextCursor || null;
      more.hidden = !cursor;
      // Under several filters a page may hold none of the rows the server examined: read on, a few times.
      emptyRun = page.items.length ? 0 : emptyRun + 1;
      if (cursor && !page.items.length && emptyRun < 5) { load(); return; }
      if (!cursor && !grid.childElementCount) {
        const chips = bar.described();
        if (chips.length) empty.append(emptyFilters(chips, () => document.getElementById("board-filters-clear")?.click()));
        else status.textContent = t("boards.emptyBoard");
      }
    } catch (e) {
      if (mine !== generation) return;
      error.textContent = e.code === "board_not_found" ? t("boards.notFound") : filterError(e);
      more.hidden = true;
    }
  }
  more.addEventListener("click", () => load());

  root.append(h("section", { class: "boards", "aria-labelledby": "board-title" },
    h("a", { href: "#boards", class: "back-link" }, t("boards.back")),
    h("div", { class: "gallery-head" }, title, exportSlot), tools, bar.element, error, grid, empty, h("div", { class: "gallery-foot" }, status, more)));
  load();
}

/** "Add to board" in the detail: pick one of your boards (or name a new one) and add the image. */
export function addToBoardPanel(record) {
  return boardPicker(async (boardId) => { await api.addToBoard(boardId, record.id); return 1; });
}

/** "Add to board" for a selection (the gallery's): the images go on in the order given, in one request
 *  for up to 50. `ids()` reads the selection when the button is pressed. */
export function addManyPanel(ids, onDone) {
  return boardPicker(async (boardId) => {
    const chosen = ids();
    let added = 0;
    for (let first = 0; first < chosen.length; first += 50) {
      const result = await api.changeBoardItems(boardId, { add: chosen.slice(first, first + 50) });
      added += result.added.length;
    }
    onDone?.();
    return added;
  });
}

/** One of your boards (or a new one, by name), and an Add button that runs `add(boardId)`. */
function boardPicker(add) {
  const select = h("select", { id: "board-pick" }, h("option", { value: "" }, t("loading")));
  const newName = h("input", { id: "board-pick-new", type: "text", maxlength: 100, placeholder: t("boards.newName"), "aria-label": t("boards.newName") });
  const status = h("p", { class: "muted", role: "status" });
  api.boards({ scope: "mine", limit: 100 }).then((page) => {
    clear(select);
    select.append(h("option", { value: "" }, t("boards.pick")), ...page.items.map((b) => h("option", { value: b.id }, b.name)));
  }).catch((e) => { status.textContent = errorMessage(e); });
  const button = h("button", { class: "btn btn-primary", type: "button", id: "board-pick-add", on: { click: async () => {
    status.textContent = "";
    button.disabled = true;
    try {
      let boardId = select.value;
      let boardName = select.selectedOptions[0]?.textContent;
      if (!boardId && newName.value.trim()) {
        const made = await api.createBoard({ name: newName.value.trim() });
        [boardId, boardName] = [made.id, made.name];
        select.append(h("option", { value: made.id, selected: true }, made.name));
        newName.value = "";
      }
      if (!boardId) { status.textContent = t("boards.pickFirst"); return; }
      const added = await add(boardId);
      status.textContent = added === 1 ? t("boards.added", { name: boardName }) : t("boards.addedMany", { n: added, name: boardName });
    } catch (e) { status.textContent = errorMessage(e); } finally { button.disabled = false; }
  } } }, t("boards.add"));
  return h("div", { class: "board-pick" },
    h("div", { class: "field inline" }, h("label", { for: "board-pick" }, t("boards.addTo")), select), newName, button, status);
}
