// What to tell the user for an API error or a failed generation: specific, with what to do next.

import { t, formatWait } from "./i18n.js";

const KNOWN = new Set([
  "content_filtered", "model_throttled", "model_timeout", "model_error", "model_unavailable", "storage_error",
  "reference_invalid", "internal_error", "quota_exceeded", "not_found", "forbidden", "network", "too_large",
  "board_not_found", "board_read_only", "board_full",
]);
// The API's name (errors.py) and API Gateway's bare HTTP 413 (api.js) for a body over the limit.
const ALIASES = { payload_too_large: "too_large", http_413: "too_large" };

// A request field, in the words the UI labels it with (the first part of "colors.0", "lineage.x").
const FIELD_LABELS = {
  seed: "compose.seed", prompt: "compose.prompt", negativePrompt: "compose.negative", width: "compose.size", height: "compose.size",
  count: "compose.count", quality: "compose.quality", cfgScale: "compose.cfg", colors: "compose.colors", modelId: "compose.model",
  controlStrength: "compose.controlStrength", similarityStrength: "compose.similarity", fidelity: "compose.fidelity",
  keywords: "ideas.keywords", style: "ideas.style", text: "basic.text",
};
// Fields that name an image (an upload key or a generation): the image itself was not usable.
const IMAGE_FIELDS = new Set(["imageKey", "referenceImageKey", "styleImageKey", "maskKey", "like", "contentType"]);

/** Each field the server named, by its first part ("colors.0" → colors), with its rule. */
function problems(details) {
  const list = Array.isArray(details) ? details : details ? [details] : [];
  return list.map((d) => {
    if (typeof d !== "object" || !d) return null;
    const path = d.field || (Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body").join(".") : "");
    return { name: String(path).split(".")[0], rule: sentence(d.rule || d.msg || "") };
  }).filter((p) => p && p.name);
}

// The server's rule says what to fix ("at most 10000 characters for Stable Image Core"), read mid-sentence.
function sentence(rule) {
  const text = String(rule).trim().replace(/\.$/, "");
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

/** Each rule the server named, as "field: rule" (for a view that has no label for those fields). */
export function serverRules(details) {
  return problems(details).map((p) => `${p.name}: ${p.rule}`);
}

/** A validation error in the user's words: which setting (as the UI labels it) and what to fix. */
function validationMessage(error) {
  const found = problems(error.details);
  if (found.some((p) => p.name === "size")) return t("err.too_large");
  const image = found.find((p) => IMAGE_FIELDS.has(p.name));
  if (image) return t("err.badImage", { rule: image.rule });
  const labelled = found.filter((p) => FIELD_LABELS[p.name]);
  if (labelled.length) return labelled.map((p) => t("err.invalidField", { field: t(FIELD_LABELS[p.name]), rule: p.rule })).join(" ");
  return t("err.validation_error");
}

/** A sentence for an error code (+ the server's message when there is no better one). */
export function errorMessage(error) {
  const raw = error?.code || (error?.status === 413 ? "too_large" : "internal_error");
  const code = ALIASES[raw] || raw;
  let text;
  if (code === "validation_error" || code === "bad_request") text = validationMessage(error);
  else if (code === "quota_exceeded" && error.retryAfter) text = t("err.quotaReached"); // the wait says when, not "tomorrow"
  else if (KNOWN.has(code)) text = t(`err.${code}`);
  else text = t("err.generic", { message: error?.message || code });
  if (error?.retryAfter) text += ` ${t("err.retryAfter", { time: formatWait(error.retryAfter) })}`;
  return text;
}

/** "Text to image", or for an edit its operation ("Erase"). */
export function modeLabel(record) {
  const operation = record.operation || record.request?.operation || record.lineage?.operation;
  return record.mode === "edit" && operation ? t(`op.${operation}`) : t(`mode.${record.mode}`);
}
