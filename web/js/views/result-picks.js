// The results' own board picker and select mode (issue 22: images are added to boards "from the
// results", compared "from ... the results", exported as "a selection"). Loaded on first use from
// results.js, which stays on the first load; the picker is the boards' own (boards.js), the export
// panel the boards' and gallery's (export.js), the comparison compare.js.

import { h } from "../dom.js";
import { t, addEnglish } from "../i18n.js";
import texts from "../strings/result-picks.js";
import { addManyPanel } from "./boards.js";
import { exportPanel } from "./export.js";
import { openCompare } from "./lazy.js";

addEnglish(texts);

const COMPARE_MIN = 2;
const COMPARE_MAX = 4;
// One board picker at a time on the page: its controls have fixed ids (boards.js boardPicker).
let openBoard = null;
let picking = null; // the select mode while it is on

function closeBoard() {
  openBoard?.remove();
  openBoard = null;
}

/** "Add to board" under one result or a batch grid: the boards' picker for `records` (the finished
 *  ones), in `card`. Pressed again, it closes. */
export function toggleBoard(records, card) {
  const wasHere = openBoard && card.contains(openBoard);
  closeBoard();
  if (wasHere || picking) return; // select mode has its own picker (the buttons are hidden then)
  openBoard = h("div", { class: "result-board" },
    addManyPanel(() => records.filter((r) => r.status === "COMPLETE").map((r) => r.id)),
    h("button", { class: "btn btn-small btn-ghost", type: "button", on: { click: closeBoard } }, t("picks.closeBoard")));
  card.append(openBoard);
  openBoard.querySelector("select")?.focus();
}

/** Select mode on the results list: a tap on a finished result's image picks the result (a batch's
 *  cell picks that model's record) instead of opening it; the bar compares, exports or boards them. */
export function startPicking({ list, button, onEnd }) {
  closeBoard();
  const picked = new Map(); // id -> record, in the order picked
  const count = h("span", { class: "muted", role: "status", id: "results-selected" });
  const compare = h("button", { class: "btn btn-primary btn-small", type: "button", id: "results-compare", on: { click: () => openCompare([...picked.values()]) } }, t("compare.go"));
  const bar = h("div", { class: "gallery-select-bar", id: "results-select-bar" },
    h("p", { class: "muted" }, t("picks.hint")), count, compare,
    addManyPanel(() => [...picked.keys()]),
    exportPanel(() => (picked.size ? { generationIds: [...picked.keys()] } : null), { id: "results-export" }));
  list.before(bar);
  list.classList.add("picking");
  button.setAttribute("aria-pressed", "true");
  button.textContent = t("compare.selectDone");

  const mark = (scope) => {
    for (const li of scope.querySelectorAll("li[data-id]")) {
      const on = picked.has(li.dataset.id);
      li.classList.toggle("selected", on);
      for (const b of li.querySelectorAll(":scope > .thumbs > .thumb, :scope > .thumb")) {
        b.dataset.label ??= b.getAttribute("aria-label"); // "Open image …", put back when select mode ends
        b.setAttribute("aria-label", t("picks.pick", { label: b.dataset.label }));
        b.setAttribute("aria-pressed", String(on));
      }
    }
  };
  const refresh = () => {
    count.textContent = t("gallery.selected", { n: picked.size });
    compare.disabled = picked.size < COMPARE_MIN || picked.size > COMPARE_MAX;
    compare.title = t("compare.selected", { n: picked.size });
    mark(list);
  };

  picking = {
    pick(record) {
      if (picked.has(record.id)) picked.delete(record.id);
      else if (record.status === "COMPLETE") picked.set(record.id, record);
      refresh();
    },
    /** The list was redrawn (a record changed, was dismissed or re-run): a pick whose result is no
     *  longer there finished is dropped, and each card shows whether it is picked. */
    redrawn() {
      for (const id of [...picked.keys()]) {
        if (!list.querySelector(`li[data-id="${CSS.escape(id)}"][data-status="COMPLETE"]`)) picked.delete(id);
      }
      refresh();
    },
    stop() {
      picking = null;
      bar.remove();
      list.classList.remove("picking");
      button.setAttribute("aria-pressed", "false");
      button.textContent = t("gallery.select");
      picked.clear();
      mark(list);
      for (const b of list.querySelectorAll(".thumb[aria-pressed]")) {
        b.removeAttribute("aria-pressed");
        b.setAttribute("aria-label", b.dataset.label);
        delete b.dataset.label;
      }
      onEnd?.();
    },
  };
  refresh();
  return picking;
}
