// Content Credentials (C2PA): the badge and panel of the detail (what the signed manifest of the image
// says, as the worker read it when it signed), and "Check an image": upload any file and read its
// manifest (POST /credentials/verify). Loaded with the detail and the gallery, never on first load.

import { h, icon, toast, announce, stylesheet } from "../dom.js";
import { t, formatDate, addEnglish } from "../i18n.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";
import texts from "../strings/credentials.js";

addEnglish(texts);
// The checker is a dialog in the detail's frame: both sheets, before anything is drawn (no unstyled flash).
await Promise.all([stylesheet("detail"), stylesheet("credentials")]);

const ACTIONS = { "c2pa.created": "cr.created", "c2pa.opened": "cr.opened", "c2pa.edited": "cr.edited", "c2pa.resized": "cr.resized" };
const SOURCES = { trainedAlgorithmicMedia: "cr.ai", compositeWithTrainedAlgorithmicMedia: "cr.aiPart" };
const STATES = { Trusted: "cr.trusted", Valid: "cr.valid", Invalid: "cr.invalid" };

/** The small badge next to the detail's title: signed or not. */
export function credentialsBadge(credentials) {
  if (!credentials?.signed) return null;
  const invalid = credentials.validationState === "Invalid";
  return h("span", { class: ["badge", "cr-badge", invalid && "cr-invalid"], title: t(STATES[credentials.validationState] || "cr.valid") },
    h("span", { class: "cr-mark", "aria-hidden": "true" }, "cr"), t("cr.title"));
}

function actionLine(action) {
  const parts = [t(ACTIONS[action.action] || "cr.other", { action: action.action })];
  if (action.softwareAgent) parts.push(t("cr.with", { agent: action.softwareAgent }));
  if (SOURCES[action.digitalSourceType]) parts.push(`(${t(SOURCES[action.digitalSourceType])})`);
  return h("li", {}, parts.join(" "));
}

/** What a manifest says, as a list: who signed, when, the actions, the ingredients, the state. */
export function credentialsSummary(credentials) {
  if (!credentials?.signed) return h("p", { class: "hint" }, t("cr.unsigned"));
  const parent = (credentials.ingredients || []).find((i) => i.relationship === "parentOf");
  const inputs = (credentials.ingredients || []).filter((i) => i.relationship !== "parentOf").length;
  return h("div", { class: "cr-summary" },
    h("p", { class: ["cr-state", credentials.validationState === "Invalid" && "form-error"] },
      t(STATES[credentials.validationState] || "cr.invalid")),
    h("dl", { class: "params" },
      credentials.issuer ? [h("dt", {}, t("cr.issuer")), h("dd", {}, credentials.issuer)] : null,
      credentials.signedAt ? [h("dt", {}, t("cr.signedAt")), h("dd", {}, formatDate(credentials.signedAt))] : null,
      credentials.claimGenerator ? [h("dt", {}, t("cr.generator")), h("dd", {}, credentials.claimGenerator)] : null),
    h("ul", { class: "cr-actions" }, (credentials.actions || []).map(actionLine)),
    parent ? h("p", { class: "meta" }, t(parent.hasManifest ? "cr.parentSigned" : "cr.parent")) : null,
    inputs ? h("p", { class: "meta" }, t("cr.inputs", { n: inputs })) : null);
}

/** The detail's panel: closed by default, one line when it opens. */
export function credentialsPanel(record) {
  if (record.status !== "COMPLETE") return null;
  return h("details", { class: "cr-panel" },
    h("summary", {}, t("cr.title")),
    credentialsSummary(record.contentCredentials),
    h("p", { class: "hint" }, t("cr.downloadKeeps")));
}

let dialog = null;

/** "Check an image": a dialog that takes a dropped or chosen file and shows what its manifest says. */
export function openChecker({ openGeneration } = {}) {
  dialog?.remove();
  const result = h("div", { class: "cr-result", "aria-live": "polite" });
  const input = h("input", { type: "file", id: "cr-file", accept: "image/png,image/jpeg,image/webp" });
  const check = async (file) => {
    if (!file) return;
    result.replaceChildren(h("p", { class: "meta" }, t("cr.checking")));
    try {
      const answer = await api.verify(await api.upload(file));
      result.replaceChildren(...verdict(answer, openGeneration));
      announce(answer.hasManifest ? t(STATES[answer.credentials?.validationState] || "cr.invalid") : t("cr.none"));
    } catch (error) {
      result.replaceChildren(h("p", { class: "form-error", role: "alert" }, errorMessage(error)));
    }
  };
  input.addEventListener("change", () => check(input.files?.[0]));
  const drop = h("label", { class: "cr-drop", for: "cr-file" }, icon("upload"), t("cr.drop"));
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("is-over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("is-over"));
  drop.addEventListener("drop", (event) => { event.preventDefault(); drop.classList.remove("is-over"); check(event.dataTransfer?.files?.[0]); });
  dialog = h("dialog", { class: "detail cr-dialog", "aria-labelledby": "cr-title" },
    h("div", { class: "detail-inner" },
      h("header", { class: "detail-header" },
        h("h2", { id: "cr-title" }, t("cr.check")),
        h("button", { class: "btn btn-icon btn-ghost", type: "button", "aria-label": t("detail.close"), on: { click: () => dialog.close() } }, icon("close"))),
      h("p", { class: "hint" }, t("cr.checkHint")), drop, input, result));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

function verdict(answer, openGeneration) {
  if (!answer.hasManifest) return [h("p", { class: "cr-none" }, t("cr.none"))];
  const items = [credentialsSummary(answer.credentials)];
  if (answer.failures?.length) items.push(h("p", { class: "meta mono" }, t("cr.failures", { codes: answer.failures.join(", ") })));
  if (answer.generationId) {
    items.push(h("button", { class: "btn", type: "button", on: { click: () => {
      dialog.close();
      if (openGeneration) openGeneration(answer.generationId);
      else toast(answer.generationId);
    } } }, t("cr.ours")));
  }
  return items;
}
