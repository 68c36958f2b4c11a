// What to tell the user for an API error or a failed generation: specific, with what to do next.

import { t } from "./i18n.js";

const KNOWN = new Set([
  "content_filtered", "model_throttled", "model_timeout", "model_error", "model_unavailable", "storage_error",
  "reference_invalid", "internal_error", "quota_exceeded", "not_found", "forbidden", "network",
]);

function detailText(details) {
  if (!details) return "";
  const list = Array.isArray(details) ? details : [details];
  return list.map((d) => {
    if (typeof d === "string") return d;
    const field = d.field || (Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body").join(".") : "");
    const rule = d.rule || d.msg || d.message || "";
    return field ? `${field}: ${rule}` : rule;
  }).filter(Boolean).join("; ");
}

/** A sentence for an error code (+ the server's message and details when there is no better one). */
export function errorMessage(error) {
  const code = error?.code || "internal_error";
  let text;
  if (code === "validation_error" || code === "bad_request") text = t("err.validation_error", { details: detailText(error.details) || error.message });
  else if (KNOWN.has(code)) text = t(`err.${code}`);
  else text = t("err.generic", { message: error?.message || code });
  if (error?.retryAfter) text += ` ${t("err.retryAfter", { s: error.retryAfter })}`;
  return text;
}

/** "Text to image", or for an edit its operation ("Erase"). */
export function modeLabel(record) {
  const operation = record.operation || record.request?.operation || record.lineage?.operation;
  return record.mode === "edit" && operation ? t(`op.${operation}`) : t(`mode.${record.mode}`);
}
