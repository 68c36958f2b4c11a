// The API client: JSON bodies in camelCase (functions/studio/bodies/), the access token as a
// Bearer header, errors as {"error": {"code", "message", "details"}}.

import { getConfig } from "./config.js";
import { accessToken, refresh, sessionExpired } from "./auth.js";

export class ApiError extends Error {
  constructor(status, code, message, details = null, retryAfter = null) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

async function call(method, path, body, { headers = {}, retried = false } = {}) {
  const cfg = getConfig();
  const token = await accessToken();
  let response;
  try {
    response = await fetch(`${cfg.apiBase}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, "network", "network");
  }
  if (response.status === 401) {
    if (!retried) {
      try {
        await refresh();
        return call(method, path, body, { headers, retried: true });
      } catch { /* fall through */ }
    }
    sessionExpired();
    throw new ApiError(401, "unauthorized", "unauthorized");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data?.error && typeof data.error === "object" ? data.error : { code: `http_${response.status}`, message: data?.message || response.statusText };
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw new ApiError(response.status, error.code, error.message, error.details, retryAfter);
  }
  return data;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") q.set(key, value);
  const s = q.toString();
  return s ? `?${s}` : "";
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** One submission that spends quota. A network failure is retried once with the same
 *  Idempotency-Key, so a request that did reach the API is not queued twice. */
async function once(path, body, key) {
  try {
    return await call("POST", path, body, { headers: { "Idempotency-Key": key } });
  } catch (error) {
    if (error.status !== 0) throw error;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return call("POST", path, body, { headers: { "Idempotency-Key": key } });
  }
}

export const api = {
  models: () => call("GET", "/models"),
  translate: (text) => call("POST", "/translate", { text }),
  suggest: (body) => call("POST", "/suggest", body),
  describe: (body) => call("POST", "/describe", body),
  generate: (body, key = uuid()) => once("/generations", body, key),
  generateBatch: (body, key = uuid()) => once("/generations/batch", body, key),
  edit: (body, key = uuid()) => once("/edits", body, key),
  generation: (id) => call("GET", `/generations/${encodeURIComponent(id)}`),
  patch: (id, body) => call("PATCH", `/generations/${encodeURIComponent(id)}`, body),
  remove: (id) => call("DELETE", `/generations/${encodeURIComponent(id)}`),
  verify: (imageKey) => call("POST", "/credentials/verify", { imageKey }),
  search: ({ q, like, imageIndex, scope = "mine", limit = 24 } = {}) =>
    call("GET", `/gallery/search${query({ q, like, imageIndex, scope, limit })}`),
  gallery: ({ scope = "mine", limit = 24, cursor, mode, favorite, parent, ...filters } = {}) =>
    call("GET", `/gallery${query({ scope, limit, cursor, mode, parent, favorite: favorite ? "true" : undefined, ...filters })}`),
  boards: ({ scope = "mine", limit = 50, cursor } = {}) => call("GET", `/boards${query({ scope, limit, cursor })}`),
  createBoard: (body) => call("POST", "/boards", body),
  updateBoard: (id, body) => call("PATCH", `/boards/${encodeURIComponent(id)}`, body),
  deleteBoard: (id) => call("DELETE", `/boards/${encodeURIComponent(id)}`),
  boardItems: (id, { limit = 48, cursor, ...filters } = {}) => call("GET", `/boards/${encodeURIComponent(id)}/items${query({ limit, cursor, ...filters })}`),
  addToBoard: (id, generationId) => call("PUT", `/boards/${encodeURIComponent(id)}/items/${encodeURIComponent(generationId)}`),
  changeBoardItems: (id, body) => call("POST", `/boards/${encodeURIComponent(id)}/items/batch`, body),
  createExport: (body) => call("POST", "/exports", body),
  exportStatus: (id) => call("GET", `/exports/${encodeURIComponent(id)}`),
  removeFromBoard: (id, generationId) => call("DELETE", `/boards/${encodeURIComponent(id)}/items/${encodeURIComponent(generationId)}`),

  /** Presigned POST: ask for the form, then post its fields and the file (last) to S3. */
  async upload(file) {
    const form = await call("POST", "/uploads", { contentType: file.type, size: file.size });
    if (form.maxBytes && file.size > form.maxBytes) throw new ApiError(413, "payload_too_large", "too large");
    const data = new FormData();
    for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
    data.append("file", file);
    let response;
    try {
      response = await fetch(form.url, { method: "POST", body: data });
    } catch {
      throw new ApiError(0, "network", "network");
    }
    if (!response.ok) throw new ApiError(response.status, "upload_failed", `upload failed (HTTP ${response.status})`);
    return form.imageKey;
  },
};

export { uuid };
