// Export as ZIP: POST /exports with a board or a selection, then poll GET /exports/<id> until the
// worker has assembled the ZIP in storage, and show a download link (a short-lived presigned URL:
// the ZIP never passes through the API). Loaded on first use (boards.js, gallery.js select mode).

import { h, announce } from "../dom.js";
import { t } from "../i18n.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";

// Polling: start quick (a small export takes a second or two), then back off.
const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 5000;
// The most generations one export takes (storage_layout.EXPORT_MAX_ITEMS; the API answers 422 above).
const EXPORT_MAX = 500;

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
    try {
      let job = await api.createExport(body);
      let wait = FIRST_POLL_MS;
      while (job.status === "PENDING" || job.status === "RUNNING") {
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (!button.isConnected) return; // the page was left
        wait = Math.min(wait * 1.5, MAX_POLL_MS);
        job = await api.exportStatus(job.id);
      }
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
      button.disabled = false;
    }
  }

  return h("div", { class: "export-panel", id }, button, status, link);
}
