// Results of this session: progress while a generation runs (queued → rendering → done), the
// images as they complete, a specific message for each failure.

import { h, clear, announce } from "../dom.js";
import { t, formatMoney } from "../i18n.js";
import { state, subscribe, dismiss, draftFromRecord, rerunBody, editRetryBody, resend, recordPrice, TERMINAL } from "../store.js";
import { spendLabel } from "../cost.js";
import { modeLabel } from "../messages.js";
import { errorMessage } from "../messages.js";
import { openDetail, openCompare, resultPicks } from "./lazy.js";
import { focusPrompt } from "./composer.js";

const STEPS = ["PENDING", "RUNNING", "COMPLETE"];
const lastStatus = new Map();
let picks = null; // select mode (views/result-picks.js): a tap on an image picks its record
const choose = (record, index) => (picks ? picks.pick(record) : openDetail(record, index));
const boardButton = (records) => h("button", { class: "btn btn-small", type: "button", dataset: { action: "board" },
  on: { click: async (e) => { const card = e.currentTarget.closest("li"); (await resultPicks())?.toggleBoard(records, card); } } }, t("boards.addTo"));

function shorten(text, n = 80) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function stepper(status) {
  const failed = status === "FAILED";
  const index = failed ? 2 : STEPS.indexOf(status);
  return h("ol", { class: "steps", "aria-hidden": "true" }, STEPS.map((step, i) => h("li", {
    class: [i < index && "done", i === index && (failed ? "failed" : "current")],
  }, t(`status.${failed && i === 2 ? "FAILED" : step}`))));
}

/** The images' real sizes once they exist (a reference mode or an edit can differ from the request),
 *  the requested size before. */
function sizeText(record) {
  const made = (record.images || []).filter((i) => i.width && i.height).map((i) => `${i.width}×${i.height}`);
  if (made.length) return [...new Set(made)].join(", ");
  const r = record.request || {};
  return r.width ? `${r.width}×${r.height}` : null;
}

function card(record) {
  const r = record.request || {};
  const prompt = r.prompt || r.searchPrompt || r.selectPrompt || modeLabel(record);
  const running = !TERMINAL.has(record.status);
  const head = h("div", { class: "result-head" },
    h("span", { class: `pill pill-${record.status.toLowerCase()}` }, t(`status.${record.status}`)),
    h("span", { class: "meta" }, [modeLabel(record), sizeText(record)].filter(Boolean).join(" · ")),
    // Signed Content Credentials (C2PA): the detail's panel says what they hold (credentials.js).
    record.contentCredentials?.signed ? h("span", { class: "cr-badge" }, h("span", { class: "cr-mark", "aria-hidden": "true" }, "cr"), t("cr.title")) : null,
    h("button", { class: "btn btn-icon btn-ghost", type: "button", "aria-label": `${t("results.dismiss")}: ${shorten(prompt, 40)}`, on: { click: () => dismiss(record.id) } }, "×"));
  const body = [head, h("p", { class: "result-prompt" }, shorten(prompt, 200)), stepper(record.status)];
  if (running) {
    body.push(h("progress", { class: "progress", "aria-label": `${t("results.progress")}: ${t(`status.${record.status}`)}` }));
    const count = r.count || 1;
    body.push(h("div", { class: "thumbs" }, Array.from({ length: count }, () => {
      const ph = h("div", { class: "thumb placeholder shimmer", "aria-hidden": "true" });
      ph.style.aspectRatio = `${r.width || 1} / ${r.height || 1}`;
      return ph;
    })));
  } else if (record.status === "COMPLETE") {
    body.push(h("div", { class: "thumbs" }, record.images.map((image, index) => {
      const img = h("img", { src: image.thumbnailUrl, alt: "", width: image.width, height: image.height, loading: "lazy", decoding: "async" });
      return h("button", { class: "thumb", type: "button", "aria-label": t("results.open", { n: index + 1, prompt: shorten(prompt, 60) }), on: { click: () => choose(record, index) } }, img);
    })), boardButton([record]));
  } else {
    const code = record.error?.code || "internal_error";
    const actions = h("div", { class: "row wrap" });
    if (code === "content_filtered" || code === "reference_invalid") {
      actions.append(h("button", { class: "btn btn-small", type: "button", on: { click: () => { draftFromRecord(record); focusPrompt(); } } }, t("results.edit")));
    } else {
      actions.append(retryButton(record));
    }
    body.push(h("div", { class: "failure", dataset: { code } },
      h("p", { class: "failure-text" }, errorMessage({ code, message: record.error?.message })),
      actions));
  }
  return h("li", { class: ["result", `result-${record.status.toLowerCase()}`], id: `result-${record.id}`, dataset: { id: record.id, status: record.status } }, body);
}

// A batch's cells in one order that survives a reload (records come back one by one).
const byModel = (a, b) => a.modelId.localeCompare(b.modelId);

function modelName(id) {
  return state.models?.imageModels?.find((m) => m.modelId === id)?.name || id;
}

/** How long a finished record took, from queued to done ("12 s"); null while it runs. */
export function renderTime(record) {
  if (!TERMINAL.has(record.status)) return null;
  const seconds = (Date.parse(record.updatedAt) - Date.parse(record.createdAt)) / 1000;
  return Number.isFinite(seconds) ? t("batch.seconds", { n: Math.max(0, seconds).toFixed(1) }) : null;
}

/** One model's cell of a batch: its name, status, image, cost and time. */
function batchCell(record) {
  const done = record.status === "COMPLETE";
  const image = record.images?.[0];
  const r = record.request || {};
  let media;
  if (done && image) {
    media = h("button", { class: "thumb", type: "button", "aria-label": t("results.open", { n: 1, prompt: modelName(record.modelId) }), on: { click: () => choose(record, 0) } },
      h("img", { src: image.thumbnailUrl, alt: "", width: image.width, height: image.height, loading: "lazy", decoding: "async" }));
  } else if (record.status === "FAILED") {
    media = h("p", { class: "failure-text" }, errorMessage({ code: record.error?.code || "internal_error", message: record.error?.message }));
  } else {
    media = h("div", { class: "thumb placeholder shimmer", "aria-hidden": "true" });
    media.style.aspectRatio = `${r.width || 1} / ${r.height || 1}`;
  }
  const time = renderTime(record);
  return h("li", { class: ["batch-cell", `result-${record.status.toLowerCase()}`], id: `result-${record.id}`, dataset: { id: record.id, status: record.status, model: record.modelId } },
    h("div", { class: "result-head" },
      h("span", { class: "batch-model" }, modelName(record.modelId)),
      h("span", { class: `pill pill-${record.status.toLowerCase()}` }, t(`status.${record.status}`))),
    media,
    h("dl", { class: "batch-facts" },
      h("dt", {}, t("batch.cost")), h("dd", { class: "batch-cost" }, formatMoney(record.estimatedCost || 0)),
      h("dt", {}, t("batch.time")), h("dd", { class: "batch-time" }, time || "…"),
      h("dt", {}, t("batch.seed")), h("dd", {}, String(r.seed ?? "—"))));
}

/** A batch (one prompt on several models): a comparison grid, one cell per model. */
function batchCard(records) {
  const batchId = records[0].batchId;
  const prompt = records[0].request?.prompt || "";
  const total = records.reduce((sum, r) => sum + (r.estimatedCost || 0), 0);
  const complete = records.filter((r) => r.status === "COMPLETE" && r.images?.length);
  const grid = h("ul", { class: "batch-grid", "aria-label": t("batch.grid") }, records.map(batchCell));
  grid.style.setProperty("--cells", String(records.length)); // CSSOM, not a style attribute (the CSP)
  return h("li", { class: ["result", "result-batch"], id: `batch-${batchId}`, dataset: { batch: batchId } },
    h("div", { class: "result-head" },
      h("span", { class: "meta" }, t("batch.title", { n: records.length, total: formatMoney(total) })),
      h("button", { class: "btn btn-icon btn-ghost", type: "button", "aria-label": `${t("results.dismiss")}: ${shorten(prompt, 40)}`,
        on: { click: () => records.forEach((r) => dismiss(r.id)) } }, "×")),
    h("p", { class: "result-prompt" }, shorten(prompt, 200)),
    grid,
    h("div", { class: "row wrap batch-actions" },
      complete.length >= 2 ? h("button", { class: "btn btn-small", type: "button", id: `compare-${batchId}`, on: { click: () => openCompare(complete) } }, t("compare.open", { n: complete.length })) : null,
      complete.length ? boardButton(complete) : null,
      // GET /gallery?batchId=: the batch's records, to filter, put on a board or export.
      h("a", { class: "btn btn-small", href: `#gallery?${new URLSearchParams({ batchId })}`, id: `batch-gallery-${batchId}` }, t("batch.showInGallery"))));
}

/** The results in order, a batch's records gathered into one entry where its first one stands. */
function entries() {
  const seen = new Set();
  const out = [];
  for (const record of state.results) {
    if (!record.batchId) { out.push(record); continue; }
    if (seen.has(record.batchId)) continue;
    seen.add(record.batchId);
    out.push(state.results.filter((r) => r.batchId === record.batchId).sort(byModel));
  }
  return out;
}

/** "Try again" with its cost; after a timeout, "Try with fewer images" (half as many) instead. */
export function retryButton(record, { onSent } = {}) {
  const body = record.mode === "edit" ? editRetryBody(record) : rerunBody(record, { sameSeed: true });
  const count = body.count || 1;
  const fewer = record.error?.code === "model_timeout" && count > 1;
  if (fewer) body.count = Math.max(1, Math.floor(count / 2));
  const button = h("button", { class: "btn btn-small", type: "button", dataset: { action: fewer ? "fewer" : "retry" }, on: { click: async () => {
    button.disabled = true;
    try { await resend(record, body); onSent?.(); } catch (e) { announce(errorMessage(e)); } finally { button.disabled = false; }
  } } });
  return spendLabel(button, fewer ? t("results.fewer", { n: body.count }) : t("results.retry"), body.count || 1, recordPrice(record));
}

export function resultsPanel() {
  const list = h("ul", { class: "results-list", "aria-labelledby": "results-title" });
  const empty = h("p", { class: "empty" }, t("results.empty"));
  const select = h("button", { class: "btn btn-small btn-ghost", type: "button", id: "results-select", "aria-pressed": "false", on: { click: async () => {
    if (picks) { picks.stop(); return; }
    picks = (await resultPicks())?.startPicking({ list, button: select, onEnd: () => { picks = null; } }) || null;
  } } }, t("gallery.select"));
  const root = h("section", { class: "results", id: "results", "aria-labelledby": "results-title" },
    h("div", { class: "row" }, h("h2", { id: "results-title", class: "panel-title" }, t("results.title")), select), empty, list);

  function renderAll() {
    clear(list);
    empty.hidden = state.results.length > 0;
    select.hidden = !empty.hidden;
    for (const record of state.results) lastStatus.set(record.id, record.status);
    for (const entry of entries()) list.append(Array.isArray(entry) ? batchCard(entry) : card(entry));
    picks?.redrawn();
  }

  function update(record) {
    const current = state.results.find((r) => r.id === record.id) || record;
    const batch = current.batchId ? state.results.filter((r) => r.batchId === current.batchId) : null;
    const existing = batch ? document.getElementById(`batch-${current.batchId}`) : document.getElementById(`result-${record.id}`);
    const next = batch ? batchCard(batch.sort(byModel)) : card(current);
    if (existing) {
      // Keep keyboard focus on the same control, and an open board picker, when the card is redrawn.
      const focused = existing.contains(document.activeElement);
      const board = existing.querySelector(".result-board");
      existing.replaceWith(next);
      if (board) next.append(board);
      if (focused) next.querySelector("button")?.focus();
    } else {
      list.prepend(next);
    }
    empty.hidden = state.results.length > 0;
    select.hidden = !empty.hidden;
    picks?.redrawn();
    if (lastStatus.get(record.id) !== current.status) {
      lastStatus.set(record.id, current.status);
      const prompt = shorten(current.request?.prompt || "", 60);
      let message = t("results.announce", { status: t(`status.${current.status}`), prompt });
      if (current.status === "COMPLETE") message += `. ${t("results.images", { n: current.images.length })}`;
      if (current.status === "FAILED") message += `. ${errorMessage(current.error || {})}`;
      announce(message);
    }
  }

  renderAll();
  const unsubscribe = subscribe((what) => {
    if (!root.isConnected) { unsubscribe(); return; }
    if (what === "results") renderAll();
    else if (what?.record) update(what.record);
  });
  return root;
}
