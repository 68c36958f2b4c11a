// Application state shared by the views: the model catalogue, the prompt being composed, the
// generations of this session (tracked until they finish, resumed after a reload).

import { api } from "./api.js";
import { isSignedIn, pushToken, user } from "./auth.js";
import { getConfig } from "./config.js";
import { lang } from "./i18n.js";

const PENDING_KEY = "ips.pending";
const RESULTS_KEY = "ips.results";
const DRAFT_KEY = "ips.draft";
// What a reload keeps of the composer (a blob: preview does not survive it).
const DRAFT_FIELDS = ["mode", "prompt", "negativePrompt", "colors", "referenceImageKey", "useReferenceForColor", "controlMode",
  "controlStrength", "similarityStrength", "fidelity", "styleImageKey", "modelId", "width", "height", "count", "quality", "seedFixed", "seed", "cfgScale",
  "public", "lineage", "translation", "referenceSize", "alsoOn"];
const TERMINAL = new Set(["COMPLETE", "FAILED"]);

export const state = {
  models: null, // ModelsResponse
  quota: { used: null }, // images counted against today's quota (null: not known yet)
  draft: null, // the composer's fields
  results: [], // Generation records, newest first
  basic: { text: "", english: "", language: "", notice: "", translated: null },
  ideas: { style: "", keywords: "", prompts: [], selected: new Set() },
  reference: { file: null, previewUrl: null, imageKey: null, keywords: "", summary: "", palette: [], prompts: [] },
};

const listeners = new Set();
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function notify(what) { for (const fn of listeners) fn(what); }

// --- the model catalogue --------------------------------------------------------------------
export async function loadModels() {
  if (!state.models) {
    state.models = await api.models();
    loadQuota();
  }
  if (!state.draft) state.draft = restoreDraft() || defaultDraft();
  return state.models;
}

// --- translation into the composer (one step; the original stays as a chip with undo) ----------
/** Letters outside the Latin script: the prompt is probably not English. */
export function looksNonEnglish(text) {
  return /(?![\p{Script=Latin}])\p{L}/u.test(text || "");
}

/** Translate `text` and put the English into the composer's prompt. */
export async function translateIntoDraft(text) {
  const d = state.draft;
  const result = await api.translate(text.trim());
  // `translated` only when the English differs (the chip claims a translation); `failed` when a non-English text was kept.
  d.translation = { original: text.trim(), language: result.language, previous: d.translation ? d.translation.previous : d.prompt,
    translated: Boolean(result.translated), failed: !result.translated && result.language !== "en" };
  d.prompt = result.english;
  d.lineage = { source: "basic", originalText: text.trim(), originalLanguage: result.language || undefined, english: result.english };
  notify("draft");
  return result;
}

/** Undo a translation: the composer's prompt as it was before. */
export function undoTranslation() {
  const d = state.draft;
  if (!d.translation) return;
  d.prompt = d.translation.previous || "";
  d.translation = null;
  d.lineage = { source: "basic" };
  notify("draft");
}

// --- the composer's draft, kept for this tab's session --------------------------------------
export function saveDraft() {
  if (!state.draft) return;
  const out = {};
  for (const key of DRAFT_FIELDS) if (state.draft[key] !== undefined) out[key] = state.draft[key];
  try { sessionStorage.setItem(DRAFT_KEY, JSON.stringify(out)); } catch { /* storage full or blocked */ }
}

function restoreDraft() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
    return saved && typeof saved === "object" ? { ...defaultDraft(), ...saved, referencePreview: null } : null;
  } catch { return null; }
}

export function clearDraft() { sessionStorage.removeItem(DRAFT_KEY); }

// --- today's quota -------------------------------------------------------------------------------
// GET /models says how many images the caller has left today (UTC); this tab then follows what it
// spends and gets back (countQuota) until the catalogue is read again.
export function loadQuota() {
  const m = state.models;
  if (!m || typeof m.imagesLeftToday !== "number") return;
  state.quota.used = Math.max(0, m.dailyImageQuota - m.imagesLeftToday);
  notify("quota");
}

/** Images left today, or null when not known. */
export function quotaLeft() {
  const limit = state.models?.dailyImageQuota;
  if (typeof limit !== "number" || state.quota.used === null) return null;
  return Math.max(0, limit - state.quota.used);
}

function countQuota(delta) {
  if (state.quota.used === null) return;
  state.quota.used = Math.max(0, state.quota.used + delta);
  notify("quota");
}

// --- what a model allows -------------------------------------------------------------------------
/** The image counts the model allows at this size: 1..maxImages, and, when the model declares
 *  maxPixelsPerRequest, only counts whose pixels (count × width × height) fit inside it. */
export function allowedCounts(m, width, height) {
  const perRequest = m.maxPixelsPerRequest || m.limits?.maxPixelsPerRequest;
  let max = m.maxImages;
  if (perRequest) max = Math.max(1, Math.min(max, Math.floor(perRequest / (width * height))));
  return Array.from({ length: max }, (_, i) => i + 1);
}

/** The edit operations GET /models lists, by name (empty when the deployment has none). */
export function editOperations() {
  const list = state.models?.editOperations || [];
  return new Map(list.map((o) => [o.operation || o.name, o]));
}

/** Price of one image of an edit operation. */
export function editPrice(op) {
  if (!op) return 0;
  if (typeof op.price === "number") return op.price;
  if (typeof op.pricePerImage === "number") return op.pricePerImage;
  return op.pricePerImage?.standard ?? 0;
}

const MODE_ORDER = ["text", "color", "structure", "sketch", "variation", "style", "style-transfer"];
/** Modes that start from a reference image. */
export const REFERENCE_MODES = ["structure", "sketch", "variation", "style", "style-transfer"];

/** Every creation mode some enabled model serves, in a stable order. */
export function availableModes() {
  const have = new Set((state.models?.imageModels || []).flatMap((m) => m.modes));
  return MODE_ORDER.filter((mode) => have.has(mode));
}

/** The model for a mode: the current one when it serves the mode, else the default, else the first. */
export function modelForMode(mode, current = state.draft?.modelId) {
  const list = state.models?.imageModels || [];
  const serving = list.filter((m) => m.modes.includes(mode));
  return serving.find((m) => m.modelId === current) || serving.find((m) => m.default) || serving[0] || model(null);
}

/** Switch the draft to a mode, and to a model that serves it. */
export function setMode(draft, mode) {
  draft.mode = availableModes().includes(mode) ? mode : "text";
  draft.modelId = modelForMode(draft.mode, draft.modelId).modelId;
}

/** The model's size whose aspect ratio is nearest (then whose area is nearest): also the size a
 *  result that takes the reference's shape comes out at (GET /models, shapeFromReference). */
export function nearestSize(m, width, height) {
  const target = Math.log(width / height);
  let best = null;
  for (const s of m.sizes) {
    const score = [Math.abs(Math.log(s.width / s.height) - target), Math.abs(s.width * s.height - width * height)];
    if (!best || score[0] < best.score[0] - 1e-9 || (Math.abs(score[0] - best.score[0]) < 1e-9 && score[1] < best.score[1])) best = { s, score };
  }
  return best.s;
}

export function model(id = state.draft?.modelId) {
  const list = state.models?.imageModels || [];
  return list.find((m) => m.modelId === id) || list.find((m) => m.default) || list[0];
}

export function defaultDraft() {
  const m = model(null);
  const size = m.sizes.find((s) => s.width === 1024 && s.height === 1024) || m.sizes[0];
  return {
    mode: "text",
    prompt: "",
    negativePrompt: "",
    colors: ["#2f4858", "#86bbd8", "#f6ae2d"],
    referenceImageKey: null,
    referencePreview: null,
    useReferenceForColor: false,
    controlMode: "CANNY_EDGE",
    controlStrength: 0.7,
    similarityStrength: 0.7,
    fidelity: 0.5,
    styleImageKey: null,
    modelId: m.modelId,
    width: size.width,
    height: size.height,
    count: 1,
    quality: m.qualities[0],
    seedFixed: false,
    seed: "",
    cfgScale: 6.5,
    public: false,
    lineage: { source: "basic" },
    alsoOn: [], // more models to render the same prompt on (POST /generations/batch)
  };
}

// --- one prompt on several models (POST /generations/batch) ------------------------------------
export const BATCH_MAX_MODELS = 3;

/** The other models that can render the draft as it is set (mode, size, quality, count). */
export function batchCandidates(draft = state.draft) {
  return (state.models?.imageModels || []).filter((m) => m.modelId !== draft.modelId && m.modes.includes(draft.mode)
    && m.sizes.some((s) => s.width === draft.width && s.height === draft.height)
    && m.qualities.includes(draft.quality) && m.maxImages >= draft.count);
}

/** The models the draft renders on: its model, then the chosen others that still fit. */
export function batchModels(draft = state.draft) {
  const fit = new Set(batchCandidates(draft).map((m) => m.modelId));
  draft.alsoOn = (draft.alsoOn || []).filter((id) => fit.has(id)).slice(0, BATCH_MAX_MODELS - 1);
  return [model(draft.modelId), ...draft.alsoOn.map((id) => model(id))];
}

/** The summed price of the draft on every chosen model (shown before spending). */
export function batchEstimate(draft = state.draft) {
  return batchModels(draft).reduce((sum, m) => sum + (m.pricePerImage[draft.quality] ?? m.pricePerImage.standard ?? 0) * draft.count, 0);
}

/** The POST /generations/batch body: what every chosen model takes (no cfg scale or negative prompt
 *  unless all take them); the composer keeps a fixed seed within every model's range. */
export function batchBody(draft = state.draft) {
  const models = batchModels(draft);
  const body = requestBody(draft);
  delete body.modelId;
  body.modelIds = models.map((m) => m.modelId);
  if (!models.every((m) => m.cfgScale)) delete body.cfgScale;
  if (!models.every((m) => m.maxNegativePromptLength !== 0)) delete body.negativePrompt;
  return body;
}

/** Price of a render: pricePerImage[quality] × count. */
/** The price of one image of a stored record's model and quality. */
export function recordPrice(record) {
  const r = record.request || {};
  if (record.mode === "edit") return editPrice(editOperations().get(record.operation || r.operation || record.lineage?.operation));
  const m = model(r.modelId || record.modelId);
  return m.pricePerImage[r.quality] ?? m.pricePerImage.standard ?? 0;
}

export function estimate(draft = state.draft, times = 1) {
  const m = model(draft.modelId);
  const price = m.pricePerImage[draft.quality] ?? m.pricePerImage.standard ?? 0;
  return { price, total: price * draft.count * times };
}

const LINEAGE_KEYS = ["source", "originalText", "originalLanguage", "english", "style", "keywords", "ideaTitle", "referenceImageKey",
  "referenceSummary", "referencePalette", "parentId"];

export function cleanLineage(lineage) {
  const out = {};
  for (const key of LINEAGE_KEYS) if (lineage?.[key] !== undefined && lineage[key] !== null && lineage[key] !== "") out[key] = lineage[key];
  return out;
}

// What each reference mode sends besides the reference (numbers, or an image key).
const MODE_FIELDS = {
  structure: ["controlStrength"], sketch: ["controlStrength"], variation: ["similarityStrength"], style: ["fidelity"],
  "style-transfer": ["styleImageKey"],
};

/** The POST /generations body for the draft (only the fields that apply to its mode). */
export function requestBody(draft = state.draft, overrides = {}) {
  const m = model(draft.modelId);
  const d = { ...draft, ...overrides };
  const body = {
    mode: d.mode,
    prompt: d.prompt.trim(),
    width: d.width,
    height: d.height,
    count: d.count,
    quality: d.quality,
    modelId: d.modelId,
    public: Boolean(d.public),
  };
  if (d.negativePrompt?.trim() && m.maxNegativePromptLength !== 0) body.negativePrompt = d.negativePrompt.trim();
  if (m.cfgScale) body.cfgScale = Number(d.cfgScale);
  if (d.seedFixed && d.seed !== "" && d.seed !== null) body.seed = Number(d.seed);
  if (d.mode === "color") {
    body.colors = d.colors;
    if (d.useReferenceForColor && d.referenceImageKey && m.family === "titan") body.referenceImageKey = d.referenceImageKey;
  }
  if (REFERENCE_MODES.includes(d.mode)) {
    body.referenceImageKey = d.referenceImageKey;
    for (const key of MODE_FIELDS[d.mode]) body[key] = key.endsWith("Key") ? d[key] : Number(d[key]);
    if (d.mode === "structure" && m.family === "titan") body.controlMode = d.controlMode;
  }
  const lineage = cleanLineage({ ...d.lineage, referenceImageKey: body.referenceImageKey || d.lineage?.referenceImageKey });
  if (lineage.originalLanguage === undefined && lineage.source === "ideas") lineage.originalLanguage = lang();
  body.lineage = lineage;
  return body;
}

/** A request that re-runs a stored generation: exactly (same seed) or as a variation (new seed). */
export function rerunBody(record, { sameSeed }) {
  const r = record.request || {};
  const allowed = ["mode", "prompt", "negativePrompt", "colors", "referenceImageKey", "controlMode", "controlStrength",
    "similarityStrength", "fidelity", "styleImageKey", "styleStrength", "compositionFidelity", "changeStrength", "width", "height", "count", "cfgScale", "seed", "quality", "modelId"];
  const body = {};
  for (const key of allowed) if (r[key] !== undefined && r[key] !== null) body[key] = r[key];
  body.mode = body.mode || record.mode;
  body.modelId = body.modelId || record.modelId;
  body.public = Boolean(record.public);
  if (sameSeed) body.seed = record.images?.[0]?.seed ?? r.seed;
  else delete body.seed;
  body.lineage = cleanLineage({ ...record.lineage, source: "rerun", parentId: record.id });
  return body;
}

const EDIT_FIELDS = ["operation", "generationId", "imageIndex", "imageKey", "prompt", "negativePrompt", "maskKey", "searchPrompt",
  "selectPrompt", "left", "right", "up", "down", "creativity", "growMask", "seed"];

/** The POST /edits body that repeats a stored edit. */
export function editRetryBody(record) {
  const r = record.request || {};
  const body = {};
  for (const key of EDIT_FIELDS) if (r[key] !== undefined && r[key] !== null) body[key] = r[key];
  body.operation = body.operation || record.operation || record.lineage?.operation;
  if (!body.generationId && !body.imageKey && record.lineage?.parentId) {
    body.generationId = record.lineage.parentId;
    body.imageIndex = record.lineage.parentImageIndex ?? 0;
  }
  return body;
}

/** The body that sends a stored record again, exactly (same seed) or as a variation (new seed). */
export function againBody(record, { sameSeed }) {
  if (record.mode !== "edit") return rerunBody(record, { sameSeed });
  const body = editRetryBody(record);
  if (sameSeed && record.images?.[0]?.seed !== undefined) body.seed = record.images[0].seed;
  else if (!sameSeed) delete body.seed;
  return body;
}

/** Send a stored record again: a generation through POST /generations, an edit through POST /edits. */
export function resend(record, body) {
  return record.mode === "edit" ? submitEdit(body) : submit(body);
}

/** Put a stored generation's parameters into the composer ("use this prompt"). */
export function draftFromRecord(record) {
  const r = record.request || {};
  const m = model(r.modelId || record.modelId);
  const d = { ...(state.draft || defaultDraft()) };
  Object.assign(d, {
    mode: availableModes().includes(record.mode) ? record.mode : "text",
    prompt: r.prompt || "",
    negativePrompt: r.negativePrompt || "",
    modelId: m.modelId,
    width: r.width || d.width,
    height: r.height || d.height,
    count: r.count || 1,
    quality: m.qualities.includes(r.quality) ? r.quality : m.qualities[0],
    seedFixed: false,
    seed: r.seed ?? "",
    translation: null,
    lineage: cleanLineage({ ...record.lineage, source: "rerun", parentId: record.id }),
  });
  if (r.cfgScale) d.cfgScale = r.cfgScale;
  if (r.colors?.length) d.colors = [...r.colors];
  if (r.referenceImageKey) {
    d.referenceImageKey = r.referenceImageKey;
    d.referencePreview = null;
    d.useReferenceForColor = record.mode === "color";
  }
  if (r.controlMode) d.controlMode = r.controlMode;
  if (r.controlStrength !== undefined && r.controlStrength !== null) d.controlStrength = r.controlStrength;
  if (r.similarityStrength !== undefined && r.similarityStrength !== null) d.similarityStrength = r.similarityStrength;
  state.draft = d;
  notify("draft");
}

// --- generations: submit, poll with backoff, resume after a reload ----------------------------
function savePending() {
  const ids = state.results.filter((r) => !TERMINAL.has(r.status)).map((r) => r.id);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(ids));
  // The finished ones of this tab, so a reload still shows them (ids only; records are refetched).
  sessionStorage.setItem(RESULTS_KEY, JSON.stringify(state.results.slice(0, 12).map((r) => r.id)));
}

function upsert(record) {
  const index = state.results.findIndex((r) => r.id === record.id);
  const before = index >= 0 ? state.results[index].status : null;
  if (record.status === "FAILED" && before && !TERMINAL.has(before)) countQuota(-(record.request?.count || 1)); // given back
  if (index >= 0) state.results[index] = { ...state.results[index], ...record };
  else state.results.unshift(record);
  savePending();
  notify({ record });
}

export function dismiss(id) {
  state.results = state.results.filter((r) => r.id !== id);
  savePending();
  notify("results");
}

export function forgetRecord(id) {
  dismiss(id);
}

export function updateRecord(record) {
  if (state.results.some((r) => r.id === record.id)) upsert(record);
}

// Push first, polling as the fallback. While the user's push channel is live (web/js/push.js, loaded
// after sign-in), a record's RUNNING, COMPLETE and FAILED arrive on it and nothing is fetched; when the
// channel is down or was not live all along since a record was followed, that record is fetched with
// the backoff below. Nothing is said to the user about the channel: polling just takes over.
const polling = new Set();
const wakers = new Map(); // id -> wake the record's wait (an event for it came, or the channel went down)
const push = { live: false, epoch: 0, stop: null, starting: false };
const PUSH_SAFETY_MS = 60_000; // even with the channel live, a record unheard of this long is fetched once

function pause(id, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); wakers.delete(id); resolve(); }
    wakers.set(id, done);
  });
}

function wake(id) { const fn = wakers.get(id); if (fn) fn(); }

async function poll(id) {
  if (polling.has(id)) return;
  polling.add(id);
  let delay = 600;
  let heardSince = push.live ? push.epoch : -1; // the channel epoch this record's events are covered by
  try {
    for (;;) {
      const covered = push.live && heardSince === push.epoch;
      const started = Date.now();
      await pause(id, covered ? PUSH_SAFETY_MS : delay);
      const known = state.results.find((r) => r.id === id);
      if (!known || TERMINAL.has(known.status)) return; // pushed, dismissed or signed out
      if (push.live && heardSince === push.epoch && Date.now() - started < PUSH_SAFETY_MS) continue;
      if (push.live) heardSince = push.epoch; // from now on the channel covers it: one fetch to catch up
      let record;
      try {
        record = await api.generation(id);
      } catch (error) {
        if (error.status === 404) { dismiss(id); return; }
        if (error.status === 401) return; // resumed after signing in again
        delay = Math.min(delay * 2, 10_000);
        continue;
      }
      upsert(record);
      if (TERMINAL.has(record.status)) return;
      delay = Math.min(Math.round(delay * 1.4), 5_000);
    }
  } finally {
    polling.delete(id);
  }
}

// Events for records this tab does not follow (yet): a render can end before the POST's answer is read.
const early = new Map();
const EARLY_KEPT = 50;

export function pushChannel() { return { live: push.live, epoch: push.epoch }; } // for export.js

function pushed(event) {
  if (event?.type === "export" && event.export) { notify({ exportEnded: event.export }); return; }
  if (!event || event.type !== "generation" || !event.generation) return;
  if (!state.results.some((r) => r.id === event.id)) {
    early.set(event.id, event.generation);
    if (early.size > EARLY_KEPT) early.delete(early.keys().next().value);
  } else {
    upsert(event.generation);
    wake(event.id);
  }
  // Views showing it (gallery tile, open detail) follow it too, whichever tab started it.
  notify({ pushed: event.generation });
}

function follow(record) {
  upsert(record);
  const heard = early.get(record.id);
  early.delete(record.id);
  if (heard) upsert(heard); // later than the POST's PENDING
  poll(record.id);
}

/** After sign-in: subscribe to the user's own channel (each tab has its own socket). */
async function startPush() {
  const cfg = getConfig();
  const sub = user().sub;
  if (!cfg.events || !sub || push.starting || (push.stop && push.live)) return;
  stopPush(); // a channel left from an expired session
  push.starting = true;
  try {
    const { connect } = await import("./push.js");
    push.stop = connect({
      events: cfg.events,
      channel: `/${cfg.events.namespace}/${sub}`,
      token: pushToken,
      active: isSignedIn,
      onEvent: pushed,
      onState: (live) => {
        push.live = live;
        if (live) push.epoch += 1;
        for (const fn of [...wakers.values()]) fn(); // re-decide: fetch to catch up, or poll while down
        notify({ pushLive: live }); // export.js re-decides too
        document.documentElement.dataset.push = live ? "live" : "down"; // for tests and diagnostics
      },
    });
  } catch {
    push.stop = null; // polling carries on
  } finally {
    push.starting = false;
  }
}

function stopPush() {
  if (push.stop) push.stop();
  push.stop = null;
  push.live = false;
}

export async function submit(body) {
  const record = await api.generate(body);
  countQuota(body.count || 1);
  follow(record);
  return record;
}

/** One prompt on 2-3 models: one record each (sharing a batchId), followed like generations. */
export async function submitBatch(body) {
  const batch = await api.generateBatch(body);
  countQuota(batch.generations.reduce((n, g) => n + (g.request?.count || 1), 0));
  for (const record of [...batch.generations].reverse()) upsert(record);
  for (const record of batch.generations) poll(record.id);
  return batch;
}

/** An edit (POST /edits): a new record, followed like a generation. */
export async function submitEdit(body) {
  const record = await api.edit(body);
  countQuota(1);
  follow(record);
  return record;
}

/** After sign-in: fetch this tab's results and keep polling the unfinished ones. */
export async function resume() {
  let ids = [];
  try {
    ids = [...new Set([...JSON.parse(sessionStorage.getItem(PENDING_KEY) || "[]"), ...JSON.parse(sessionStorage.getItem(RESULTS_KEY) || "[]")])];
  } catch { ids = []; }
  const known = new Set(state.results.map((r) => r.id));
  startPush();
  const records = await Promise.all(ids.filter((id) => !known.has(id)).map((id) => api.generation(id).catch(() => null)));
  for (const record of records.filter(Boolean).sort((a, b) => a.createdAt.localeCompare(b.createdAt))) upsert(record);
  for (const record of state.results) if (!TERMINAL.has(record.status)) poll(record.id);
}

export function resetSession() {
  stopPush();
  state.results = [];
  state.models = null;
  state.draft = null;
  state.quota.used = null;
  clearDraft();
}

export { TERMINAL };
