// UI text in English and Korean. The language follows the browser and can be switched;
// the choice is remembered in localStorage (a preference, not a secret). English is here (and the
// fallback for any key); another language's table is fetched when it is chosen (locales/<code>.js).

const STRINGS = {
  en: {
    "app.name": "Image Prompt Studio",
    "app.tagline": "Write the prompt together, then render it.",
    "nav.create": "Create",
    "nav.gallery": "Gallery",
    "nav.boards": "Boards",
    "nav.main": "Main",
    "skip": "Skip to content",
    "lang.label": "Language",
    "signout": "Sign out",

    "signin.title": "Sign in",
    "signin.lead": "Describe an image in your own words, borrow ideas, or start from a reference. Every result keeps the story of how it was made.",
    "signin.email": "Email",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.busy": "Signing in…",
    "signin.hosted": "Continue to sign in",
    "signin.hostedHint": "You will sign in on the secure Amazon Cognito page and come back here.",
    "signin.localHint": "Local environment: use the demo user printed by make local.",
    "signin.bad": "The email or password is not right. Check both and try again.",
    "signin.failed": "Could not sign in: {message}",
    "signin.expired": "Your session ended. Sign in again; your work in progress is kept.",
    "signin.redirecting": "Completing sign-in…",

    "create.title": "Create",
    "create.sources": "Start from",
    "tab.basic": "Your words",
    "tab.ideas": "Ideas",
    "tab.reference": "Reference",
    "basic.title": "Your words",
    "basic.lead": "Describe the image in any language. You will see the English prompt before anything is rendered.",
    "basic.text": "What should the image show?",
    "basic.placeholder": "e.g. a lighthouse in the fog at dawn (any language)",
    "basic.translate": "Translate to English",
    "basic.busy": "Translating…",
    "basic.use": "Use this prompt",

    "ideas.title": "Ideas",
    "ideas.lead": "Give a style and a few keywords; get prompts to pick from.",
    "ideas.style": "Style or mood",
    "ideas.stylePlaceholder": "e.g. moody watercolor",
    "ideas.keywords": "Keywords",
    "ideas.keywordsPlaceholder": "e.g. lighthouse, storm, gulls",
    "ideas.suggest": "Suggest prompts",
    "ideas.busy": "Thinking…",
    "ideas.use": "Use",
    "ideas.renderSelected": "Render selected ({n})",
    "ideas.prompt": "Prompt",
    "ideas.negative": "Avoid",
    "compose.styleDrop": "Drop the style image here or choose a file",
    "compose.stylePreview": "Preview of the style image",
    "ideas.using": "In the composer: “{title}”.",
    "ideas.showAll": "Show all ideas ({n})",

    "ref.title": "Reference image",
    "ref.lead": "Start from a picture: keep its mood, palette, structure or overall look.",
    "ref.drop": "Drop an image here or choose a file",
    "ref.rules": "PNG, JPEG or WebP, up to 10 MB.",
    "ref.badType": "That file is not a PNG, JPEG or WebP image. Choose another file.",
    "ref.tooBig": "The image is {size} MB; the limit is 10 MB. Choose a smaller image or export it at a lower resolution.",
    "ref.empty": "The file is empty. Choose another file.",
    "ref.keywords": "Keywords (optional)",
    "ref.keywordsPlaceholder": "e.g. poster, night",
    "ref.describe": "Upload and describe",
    "ref.uploading": "Uploading…",
    "ref.describing": "Reading the image…",
    "ref.preview": "Preview of the reference image",
    "ref.summary": "What the model sees",
    "ref.palette": "Palette",
    "ref.usePalette": "Use palette",
    "ref.useStructure": "Keep structure",
    "ref.useVariation": "Make variations",
    "ref.keeps": "Keeps the {axis}",
    "ref.remove": "Remove image",
    "ref.small": "This image is {w} × {h} px. Structure and variation need at least 320 px on each side; the palette and prompts still work.",

    "compose.title": "Prompt and parameters",
    "compose.prompt": "Prompt (English)",
    "compose.promptHint": "{n} / {max} characters",
    "compose.negative": "Negative prompt",
    "compose.negativeHint": "What to keep out of the image.",
    "compose.mode": "Mode",
    "mode.text": "Text to image",
    "mode.color": "Color palette",
    "mode.structure": "Structure",
    "mode.variation": "Variation",
    "mode.any": "All modes",
    "compose.model": "Model",
    "compose.legacy": "Legacy model",
    "compose.leavingShort": "leaving",
    "compose.leaving": "Bedrock is retiring this model: it stops working on {date} ({days} days left). Choose another model.",
    "compose.leavingNoDate": "Bedrock lists this model as legacy. Choose another model.",
    "compose.size": "Size",
    "size.square": "Square",
    "size.landscape": "Landscape",
    "size.portrait": "Portrait",
    "compose.count": "Images",
    "compose.quality": "Quality",
    "quality.standard": "Standard",
    "quality.premium": "Premium",
    "compose.seed": "Seed",
    "compose.seedFixed": "Fixed seed",
    "compose.seedValue": "Seed value",
    "compose.cfg": "Prompt strength (cfg scale)",
    "compose.cfgHint": "Higher follows the prompt more literally.",
    "compose.colors": "Palette",
    "compose.colorsHint": "Up to {max} colors.",
    "compose.addColor": "Add color",
    "compose.removeColor": "Remove color {hex}",
    "compose.colorHex": "Color {n} hex",
    "compose.colorPick": "Color {n}",
    "compose.reference": "Reference",
    "compose.noReference": "This mode needs a reference image. Add one under “Reference image”.",
    "compose.addReference": "Add a reference image",
    "compose.useReference": "Also guide with the reference image",
    "compose.control": "Follow",
    "control.CANNY_EDGE": "Edges (line drawing)",
    "control.SEGMENTATION": "Shapes (regions)",
    "compose.controlStrength": "How close to stay to the structure",
    "compose.similarity": "How close to stay to the reference",
    "compose.loose": "Loose",
    "compose.close": "Close",
    "compose.public": "Show in everyone’s gallery",
    "compose.cost": "Estimated cost",
    "compose.quota": "Daily limit: {n} images",
    "compose.render": "Render",
    "compose.rendering": "Sending…",
    "compose.advanced": "More settings",
    "compose.needPrompt": "Write a prompt first, or pick one from the panels above.",
    "compose.needColors": "Add at least one color for palette mode.",
    "compose.promptTooLong": "The prompt is {n} characters; this model accepts {max}. Shorten it.",

    "results.title": "Results",
    "results.empty": "Rendered images appear here. Nothing is lost if you reload the page.",
    "boards.addTo": "Add to board",
    "gallery.select": "Select",
    "status.PENDING": "Queued",
    "status.RUNNING": "Rendering",
    "status.COMPLETE": "Done",
    "status.FAILED": "Failed",
    "results.progress": "Progress of generation",
    "results.announce": "{status}: {prompt}",
    "results.images": "{n} images ready",
    "results.edit": "Edit the prompt",
    "results.retry": "Try again",
    "results.dismiss": "Dismiss",
    "results.open": "Open image {n} of “{prompt}”",

    "err.content_filtered": "The model’s content filter blocked this. Remove or reword anything violent, sexual, hateful or trademarked (brand names, famous characters) in the prompt — or use a different reference image — then render again.",
    "err.model_throttled": "The image model is busy right now. Wait a minute and try again; nothing was charged.",
    "err.model_timeout": "The image model took too long to answer. Try again in a moment, or ask for fewer or smaller images.",
    "err.model_error": "The image model returned an error. Try again; if it keeps failing, change the prompt or the size.",
    "err.model_unavailable": "The image model cannot be reached right now. Try again in a few minutes.",
    "err.storage_error": "The image was made but could not be saved. Try again.",
    "err.reference_invalid": "The reference image could not be used. Upload it again as a PNG, JPEG or WebP image under 10 MB.",
    "err.internal_error": "Something went wrong on our side. Try again.",
    "err.quota_exceeded": "You reached today’s image limit. Try again tomorrow.",
    "err.validation_error": "Some settings are not valid. Check them and try again.",
    "err.not_found": "That item no longer exists.",
    "err.forbidden": "You are not allowed to do that.",
    "err.network": "The service cannot be reached. Check your connection and try again.",
    "err.retryAfter": "You can try again in about {time}.",
    "err.generic": "Something went wrong: {message}",

    "err.board_not_found": "This board is not there (deleted, or not shared with you).",
    "err.board_read_only": "This board is shared with you read-only: only its owner can change it.",
    "err.board_full": "This board is full. Make another board.",

    "basic.done": "Translated into the prompt below.",
    "basic.hint": "Translating puts the English into the prompt; your words stay visible there, with undo.",
    "basic.notTranslated": "This environment could not translate the {lang} text, so it was kept as written. Rewrite the prompt in English, or render it as it is.",
    "compose.original": "Your original words",
    "compose.originalFrom": "Translated from {lang}:",
    "compose.undoTranslation": "Undo translation",
    "compose.translateFirst": "This prompt is not in English, and image models follow English best. Translate it first?",
    "compose.translateYes": "Translate, then render",
    "compose.translateNo": "Render as written",
    "compose.shortcut": "Ctrl+Enter (⌘+Enter on a Mac) renders.",
    "compose.aspectWarning": "The reference is {rw} × {rh}; the chosen size {w} × {h} has another shape, so the reference will be cropped or squashed to fit. Pick a size with the same shape to keep all of it.",
    "cost.line": "{n} × {price} = {total}",
    "cost.left": "{n} left today",
    "compose.renderOn": "Render on {n} models",
    "compose.alsoOn": "Also render on",
    "compose.alsoOnHint": "The same prompt and seed on up to {max} models, side by side in Results. Each image counts against your quota.",
    "cost.sum": "{n} images = {total}",
    "batch.title": "Same prompt on {n} models · {total}",
    "batch.grid": "Each model's result",
    "batch.cost": "Cost",
    "batch.time": "Time",
    "batch.seed": "Seed",
    "batch.showInGallery": "Show in gallery",
    "batch.seconds": "{n} s",
    "compare.open": "Compare {n} side by side",
    "results.fewer": "Try with fewer images ({n})",
    "mode.sketch": "Sketch",
    "mode.style": "Style",
    "mode.style-transfer": "Style transfer",
    "mode.edit": "Edits",
    "axis.mood": "mood",
    "axis.texture": "texture",
    "axis.composition": "composition",
    "axis.palette": "palette",
    "axis.lighting": "lighting",
    "op.inpaint": "Inpaint",
    "op.erase": "Erase",
    "op.search-replace": "Search and replace",
    "op.search-recolor": "Search and recolor",
    "op.remove-background": "Remove background",
    "op.outpaint": "Outpaint",
    "op.upscale-fast": "Fast upscale",
    "op.upscale-conservative": "Conservative upscale",
    "op.upscale-creative": "Creative upscale",
    "compose.sketchStrength": "How closely to follow the sketch",
    "compose.fidelity": "How closely to follow the reference's style",
    "compose.styleImage": "Style image (its look is applied to the reference)",
    "compose.styleReady": "Style image uploaded.",
    "compose.needStyleImage": "Style transfer needs a style image: choose one under the reference.",
    "ref.useStyle": "Use its style",
    "compose.translateFailed": "The {lang} text could not be translated, so nothing was rendered. Render it as written, or rewrite the prompt in English and press Render.",
    "compose.translateFailedNext": "Nothing was rendered. Render the text as written, or rewrite the prompt in English.",
    "compose.badColor": "Color {n} is not a color code. Type # and six hex digits, e.g. #1e90ff.",
    "compose.badSeed": "The seed must be a whole number from 0 to {max}. Change it, or untick “Fixed seed”.",
    "err.too_large": "The file is too large: the limit is 10 MB. Choose a smaller image or export it at a lower resolution.",
    "err.badImage": "The image could not be used — {rule}. Choose another image, or crop or resize it.",
    "err.invalidField": "“{field}” is not accepted: {rule}. Change it and try again.",
    "basic.needText": "First write what the image should show, in any language.",
    "basic.alreadyEnglish": "The text is already in English; it is in the prompt below.",
    "ideas.needKeywords": "First write a few keywords, e.g. lighthouse, storm, gulls.",
    "ideas.selectFirst": "Select a prompt to render",
    "field.limitReached": "That is the limit; anything longer is cut off.",
    "compose.putBack": "Put back the previous prompt",
    "err.quotaReached": "You reached today’s image limit.",
    "compose.sizeFromReference": "{w} × {h}, as the reference",
    "compose.modelPrice": "{price} an image",
    "compose.sizeNearestReference": "{w} × {h}: the model's size nearest the reference's shape ({rw} × {rh})",
    "compose.sizeNearestReferenceAny": "The model's size nearest the reference's shape",
    "compose.sizeFromReferenceAny": "As the reference",
    "compose.sizeFromReferenceHint": "This mode keeps the reference's shape.",
    "compose.negativeTooLong": "The negative prompt is {n} characters; this model accepts {max}. Shorten it.",
    "app.retry": "Try again",
    "cr.title": "Content Credentials",
    "cr.other": "{action}",
  },
};

export const LANGUAGES = [["en", "English"], ["ko", "한국어"]];
const TABLES = { ko: () => import("./locales/ko.js") };
const KEY = "ips.lang";
const listeners = new Set();

function known(code) { return LANGUAGES.some(([c]) => c === code); }

function initial() {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved && known(saved)) return saved;
  } catch { /* storage may be blocked */ }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (known(base)) return base;
  }
  return "en";
}

/** The language's table, fetched once; English (the fallback) when it cannot be fetched. */
async function table(code) {
  if (!STRINGS[code]) {
    try {
      STRINGS[code] = (await TABLES[code]()).default;
    } catch (error) {
      console.warn(`could not load the ${code} texts`, error);
      return false;
    }
  }
  return true;
}

let current = initial();
// Started as this module loads, beside the other modules: the first screen waits for it (languageReady).
const starting = table(current).then((ok) => { if (!ok) current = "en"; document.documentElement.lang = current; });

/** Resolves when the starting language's texts are here; call before the first render. */
export function languageReady() { return starting; }

export function lang() { return current; }

export async function setLang(next) {
  if (!known(next) || next === current || !(await table(next))) return;
  current = next;
  try { localStorage.setItem(KEY, next); } catch { /* ignore */ }
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) { listeners.add(fn); }

/** A lazily loaded view's English texts (web/js/strings/<view>.js), merged into the fallback table when
 *  its module loads: they are not part of the first load. Korean stays whole in locales/ko.js. */
export function addEnglish(texts) {
  Object.assign(STRINGS.en, texts);
}

/** t("key", {var: value}) → the text in the current language (English as the fallback). */
export function t(key, vars) {
  let text = STRINGS[current]?.[key] ?? STRINGS.en[key] ?? key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

/** A text that counts: "<key>.one", "<key>.other"… chosen by the language's plural rules (Korean has
 *  one form), with {n} filled in; the plain key when the language has no plural forms for it. */
export function tn(key, n, vars = {}) {
  let form = "other";
  try { form = new Intl.PluralRules(current).select(n); } catch { /* other */ }
  const table = STRINGS[current] || {};
  const pick = [`${key}.${form}`, `${key}.other`, key].find((k) => k in table)
    || [`${key}.${form}`, `${key}.other`, key].find((k) => k in STRINGS.en);
  return t(pick, { n, ...vars });
}

/** The text for a key that may not exist (a value from the server): the fallback when it does not. */
export function tOr(key, fallback) {
  return key in STRINGS.en ? t(key) : fallback;
}

export function languageName(tag) {
  try {
    return new Intl.DisplayNames([current], { type: "language" }).of(tag) || tag;
  } catch {
    return tag;
  }
}

export function formatMoney(usd) {
  const digits = usd < 0.1 ? 3 : 2;
  return new Intl.NumberFormat(current, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: digits }).format(usd);
}

/** A wait in seconds as a person says it: "45 seconds", "12 minutes", "4 hours" (rounded). */
export function formatWait(seconds) {
  const [value, unit] = seconds < 90 ? [Math.max(1, Math.round(seconds)), "second"]
    : seconds < 90 * 60 ? [Math.round(seconds / 60), "minute"] : [Math.round(seconds / 3600), "hour"];
  try {
    return new Intl.NumberFormat(current, { style: "unit", unit, unitDisplay: "long" }).format(value);
  } catch {
    return `${value} ${unit}s`;
  }
}

export function formatDate(iso) {
  try {
    return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  } catch {
    return iso;
  }
}
