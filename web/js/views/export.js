// Export as ZIP: POST /exports with a board or a selection, then wait until the worker has assembled
// the ZIP in storage, and show a download link (a short-lived presigned URL: the ZIP never passes
// through the API). Loaded on first use (boards.js, gallery.js select mode, the results' select mode).
//
// Push first, polling as the fallback, by the rule store.js follows for generations: while the user's
// channel is live (and was since the export was asked for), its end comes on it with the link and
// nothing is fetched; when the channel is down, or came back since, GET /exports/<id> is polled (one
// fetch to catch up, then the channel again). Even with the channel live, an export unheard of for a
// minute is fetched once.

import { h, announce, stylesheet } from "../dom.js";
import { t, addEnglish } from "../i18n.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";
import { pushChannel, subscribe } from "../store.js";
import texts from "../strings/export.js";
import boardsTexts from "../strings/boards.js"; // boards.notFound: a board deleted meanwhile

addEnglish(texts);
addEnglish(boardsTexts);
await stylesheet("boards"); // .export-panel: the button, its status and the download link in one spaced row

// Polling: start quick (a small export takes a second or two), then back off.
const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 5000;
const PUSH_SAFETY_MS = 60_000;
// The most generations one export takes (storage_layout.EXPORT_MAX_ITEMS; the API answers 422 above).
const EXPORT_MAX = 500;
const ACTIVE = new Set(["PENDING", "RUNNING"]);

/** Follows the pushed ends of exports from now on: ended(job, stillWanted) resolves with the finished
 *  export (or null when the page was left). Opened before the POST, so an end pushed before its answer
 *  is read is not missed. */
function exportWatch() {
  const heard = new Map();
  let wake = null;
  const off = subscribe((what) => {
    if (what?.exportEnded) heard.set(what.exportEnded.id, what.exportEnded);
    if ((what?.exportEnded || what?.pushLive !== undefined) && wake) wake();
  });
  const pause = (ms) => new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); wake = null; resolve(); }
    wake = done;
  });

  async function ended(job, stillWanted, channelSince) {
    let delay = FIRST_POLL_MS;
    let heardSince = channelSince; // the channel epoch this export's end is covered by (-1: none)
    while (ACTIVE.has(job.status)) {
      if (heard.has(job.id)) return heard.get(job.id);
      const channel = pushChannel();
      const covered = channel.live && heardSince === channel.epoch;
      const started = Date.now();
      await pause(covered ? PUSH_SAFETY_MS : delay);
      if (!stillWanted()) return null;
      if (heard.has(job.id)) return heard.get(job.id);
      const now = pushChannel();
      if (now.live && heardSince === now.epoch && Date.now() - started < PUSH_SAFETY_MS) continue;
      if (now.live) heardSince = now.epoch; // from now on the channel covers it: one fetch to catch up
      else delay = Math.min(delay * 1.5, MAX_POLL_MS);
      job = await api.exportStatus(job.id);
    }
    return job;
  }

  return { ended, close: off };
}

/** A button that exports what `request()` returns ({boardId} or {generationIds}), with its status line. */
export function exportPanel(request, { id = "export" } = {}) {
  const status = h("span", { class: "muted export-status", role: "status", id: `${id}-status` });
  const link = h("a", { class: "btn btn-small", id: `${id}-download`, hidden: true, download: "" }, t("export.download"));
  const button = h("button", { class: "btn btn-small", type: "button", id: `${id}-button`, on: { click: () => start() } }, t("export.button"));

  async function start() {
    const body = request();
    if (!body) { status.textContent = t("export.pickFirst"); return; }
    if (body.generationIds?.length > EXPORT_MAX) { status.textContent = t("export.tooMany", { n: EXPORT_MAX }); return; }
    button.disabled = true;
    link.hidden = true;
    status.textContent = t("export.pending");
    const watch = exportWatch();
    const channel = pushChannel();
    try {
      const job = await watch.ended(await api.createExport(body), () => button.isConnected,
        channel.live ? channel.epoch : -1);
      if (!job) return; // the page was left
      if (job.status === "COMPLETE") {
        link.href = job.downloadUrl;
        link.hidden = false;
        status.textContent = job.imageCount === 1 ? t("export.readyOne") : t("export.ready", { n: job.imageCount });
      } else {
        status.textContent = t("export.failed", { message: job.error?.message || "" });
      }
      announce(status.textContent);
    } catch (e) {
      status.textContent = e.code === "board_not_found" ? t("boards.notFound") : errorMessage(e);
    } finally {
      watch.close();
      button.disabled = false;
    }
  }

  return h("div", { class: "export-panel", id }, button, status, link);
}
