// Results of this session: progress while a generation runs (queued → rendering → done), the
// images as they complete, a specific message for each failure.

import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { state, subscribe, dismiss, draftFromRecord, rerunBody, editRetryBody, resend, recordPrice, TERMINAL } from "../store.js";
import { spendLabel } from "../cost.js";
import { modeLabel } from "../messages.js";
import { errorMessage } from "../messages.js";
import { openDetail } from "./lazy.js";
import { focusPrompt } from "./composer.js";

const STEPS = ["PENDING", "RUNNING", "COMPLETE"];
const lastStatus = new Map();

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
      return h("button", { class: "thumb", type: "button", "aria-label": t("results.open", { n: index + 1, prompt: shorten(prompt, 60) }), on: { click: () => openDetail(record, index) } }, img);
    })));
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
  const root = h("section", { class: "results", id: "results", "aria-labelledby": "results-title" },
    h("h2", { id: "results-title", class: "panel-title" }, t("results.title")), empty, list);

  function renderAll() {
    clear(list);
    empty.hidden = state.results.length > 0;
    for (const record of state.results) {
      lastStatus.set(record.id, record.status);
      list.append(card(record));
    }
  }

  function update(record) {
    const current = state.results.find((r) => r.id === record.id) || record;
    const existing = document.getElementById(`result-${record.id}`);
    const next = card(current);
    if (existing) {
      // Keep keyboard focus on the same control when the card is redrawn.
      const focused = existing.contains(document.activeElement);
      existing.replaceWith(next);
      if (focused) next.querySelector("button")?.focus();
    } else {
      list.prepend(next);
    }
    empty.hidden = state.results.length > 0;
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
