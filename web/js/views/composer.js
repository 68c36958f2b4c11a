// The parameters panel: the final prompt, the mode and every parameter the chosen model supports,
// the estimated cost, and the Render button.

import { h, field, clear, announce, uid, icon } from "../dom.js";
import { t, formatMoney, languageName } from "../i18n.js";
import { state, model, nearestSize, estimate, requestBody, submit, submitBatch, batchBody, batchModels, batchCandidates, batchEstimate, BATCH_MAX_MODELS, allowedCounts, saveDraft, looksNonEnglish, translateIntoDraft, undoTranslation,
  availableModes, setMode, REFERENCE_MODES, defaultDraft } from "../store.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";
import { spendLabel, sumTag } from "../cost.js";
import { IMAGE_TYPES, checkImage } from "../files.js";

// A render being sent (module-wide: the composer is redrawn while a request is in flight). send()
// refuses while it is set, whichever way it was called (button, Ctrl+Enter, "Translate, then render").
let sending = false;

const HEX = /^#[0-9a-f]{6}$/;
const CANVAS_MODES = ["structure", "sketch", "variation"];
const RATIOS = [[1, 1], [5, 4], [4, 3], [3, 2], [16, 9], [9, 5], [2, 1], [21, 9], [12, 5], [4, 1]];

function aspect(width, height) {
  const r = Math.max(width, height) / Math.min(width, height);
  let best = null;
  for (const [a, b] of RATIOS) if (!best || Math.abs(a / b - r) < Math.abs(best[0] / best[1] - r)) best = [a, b];
  const label = Math.abs(best[0] / best[1] - r) < 0.04 ? `${best[0]}:${best[1]}` : `${r.toFixed(2)}:1`;
  if (width === height) return "1:1";
  if (width > height) return label;
  const [x, y] = label.split(":");
  return `${y}:${x}`;
}

function sizeSelect(m, draft, onChange) {
  const groups = { square: [], landscape: [], portrait: [] };
  for (const s of m.sizes) groups[s.width === s.height ? "square" : s.width > s.height ? "landscape" : "portrait"].push(s);
  const select = h("select", { id: "compose-size" });
  for (const [name, sizes] of Object.entries(groups)) {
    if (!sizes.length) continue;
    const group = h("optgroup", { label: t(`size.${name}`) });
    for (const s of sizes.sort((a, b) => b.width * b.height - a.width * a.height)) {
      group.append(h("option", { value: `${s.width}x${s.height}`, selected: s.width === draft.width && s.height === draft.height },
        `${s.width} × ${s.height} · ${aspect(s.width, s.height)}`));
    }
    select.append(group);
  }
  select.addEventListener("change", () => {
    const [w, hgt] = select.value.split("x").map(Number);
    draft.width = w;
    draft.height = hgt;
    onChange();
  });
  return select;
}

function range(id, value, min, max, step, onInput, { loose, close } = {}) {
  const output = h("output", { for: id, class: "range-value" }, Number(value).toFixed(step < 0.1 ? 2 : 1));
  const input = h("input", { id, type: "range", min, max, step, value, on: { input: () => {
    output.textContent = Number(input.value).toFixed(step < 0.1 ? 2 : 1);
    onInput(Number(input.value));
  } } });
  const wrap = h("div", { class: "range" }, input, output);
  if (loose) wrap.append(h("div", { class: "range-ends", "aria-hidden": "true" }, h("span", {}, loose), h("span", {}, close)));
  return { input, wrap };
}

export function composerPanel() {
  const root = h("section", { class: "card composer", id: "composer", "aria-labelledby": "composer-title" });
  render(root);
  return root;
}

/** Entering Color palette right after a reference was described: its palette, not the stock one (unless
 *  the user already chose colors of their own). */
function paletteFromReference(d) {
  const palette = state.reference.palette || [];
  const stock = defaultDraft().colors;
  const untouched = d.colors.length === stock.length && d.colors.every((c, i) => c.toLowerCase() === stock[i].toLowerCase());
  if (palette.length && untouched) d.colors = palette.slice(0, model(d.modelId).maxColors);
}

export function renderComposer() {
  const root = document.getElementById("composer");
  if (!root) return;
  const active = document.activeElement?.id;
  render(root);
  if (active && root.querySelector(`#${CSS.escape(active)}`)) document.getElementById(active).focus({ preventScroll: true });
}

function render(root) {
  clear(root);
  const d = state.draft;
  setMode(d, d.mode);
  const m = model();
  if (!m.qualities.includes(d.quality)) d.quality = m.qualities[0];
  if (!m.sizes.some((s) => s.width === d.width && s.height === d.height)) {
    const fallback = m.sizes.find((s) => s.width === 1024 && s.height === 1024) || m.sizes[0];
    d.width = fallback.width;
    d.height = fallback.height;
  }
  const counts = allowedCounts(m, d.width, d.height);
  d.count = Math.min(d.count, counts.length);
  d.colors = d.colors.slice(0, m.maxColors);
  const error = h("p", { class: "form-error", role: "alert", id: "compose-error" });
  const costOut = h("output", { class: "cost-value", id: "compose-cost", "aria-live": "polite" });
  const updateCost = () => {
    const { price, total } = estimate(d);
    const models = batchModels(d).length;
    // On several models: the summed cost of all of them, before anything is spent.
    costOut.textContent = formatMoney(models > 1 ? batchEstimate(d) : total);
    modelPrice.textContent = t("compose.modelPrice", { price: formatMoney(price) });
    if (!renderButton.disabled) renderLabel(renderButton, d);
  };

  // Mode: a radio group shown as a segmented control, only the model's modes.
  const modeName = uid("mode");
  const modes = h("fieldset", { class: "segmented", id: "compose-modes" },
    h("legend", {}, t("compose.mode")),
    ...availableModes().map((mode) => {
      const id = `compose-mode-${mode}`;
      return h("span", { class: "seg" },
        h("input", { type: "radio", name: modeName, id, value: mode, checked: d.mode === mode, on: { change: () => { setMode(d, mode); if (mode === "color") paletteFromReference(d); renderComposer(); } } }),
        h("label", { for: id }, t(`mode.${mode}`)));
    }));

  const counter = h("span", {});
  const prompt = h("textarea", { id: "compose-prompt", rows: 4, value: d.prompt, on: { input: () => {
    d.prompt = prompt.value;
    updateCounter();
  } } });
  const updateCounter = () => {
    counter.textContent = t("compose.promptHint", { n: d.prompt.length, max: m.maxPromptLength });
    counter.className = d.prompt.length > m.maxPromptLength ? "over" : "";
  };
  updateCounter();
  const promptField = field(t("compose.prompt"), prompt, { hint: counter });
  const chip = d.translation?.translated ? h("div", { class: "translation-chip", role: "group", "aria-label": t("compose.original") },
    h("span", { class: "chip-label" }, t("compose.originalFrom", { lang: languageName(d.translation.language || "und") })),
    h("q", { class: "chip-text", lang: d.translation.language || null }, d.translation.original),
    h("button", { class: "btn btn-ghost btn-small", type: "button", id: "compose-undo-translation", on: { click: () => {
      undoTranslation();
      document.getElementById("compose-prompt")?.focus();
    } } }, t("compose.undoTranslation"))) : null;
  // Not translated: say so (no chip claims a translation); the prompt it replaced can be put back.
  const replaced = d.translation?.previous && d.translation.previous !== d.prompt;
  const translateNotice = d.translation?.failed ? h("div", { class: "notice", role: "note", id: "compose-translate-notice" },
    h("p", {}, t("basic.notTranslated", { lang: languageName(d.translation.language || "und") })),
    replaced ? h("button", { class: "btn btn-ghost btn-small", type: "button", on: { click: () => undoTranslation() } }, t("compose.putBack")) : null) : null;
  const negative = h("textarea", { id: "compose-negative", rows: 2, value: d.negativePrompt, on: { input: () => { d.negativePrompt = negative.value; } } });

  // Mode-specific controls.
  const modeBlock = h("div", { class: "mode-block" });
  const referenceThumb = () => h("div", { class: "ref-chip" },
    d.referencePreview ? h("img", { src: d.referencePreview, alt: "", class: "ref-chip-img" }) : h("span", { class: "ref-chip-img placeholder", "aria-hidden": "true" }),
    h("span", {}, t("compose.reference")));
  const needReference = () => h("div", { class: "notice" },
    h("p", {}, t("compose.noReference")),
    h("button", { class: "btn btn-small", type: "button", on: { click: () => {
      document.dispatchEvent(new CustomEvent("show-panel", { detail: "reference" }));
      document.getElementById("ref-file")?.focus();
    } } }, t("compose.addReference")));

  if (d.mode === "color") {
    const list = h("ul", { class: "palette-editor" });
    // Next to the palette: which color is not a color code, and what to type instead.
    const colorProblem = h("p", { class: "form-error", id: "compose-color-error" });
    const showColorProblem = () => {
      const bad = d.colors.findIndex((c) => !HEX.test(c));
      colorProblem.textContent = bad < 0 ? "" : t("compose.badColor", { n: bad + 1 });
    };
    d.colors.forEach((hex, index) => {
      const n = index + 1;
      const valid = HEX.test(hex);
      const picker = h("input", { type: "color", value: valid ? hex : "#000000", id: `compose-color-${index}`, "aria-label": t("compose.colorPick", { n }) });
      const text = h("input", { type: "text", value: hex, class: "mono hex", maxlength: 7, id: `compose-hex-${index}`, "aria-label": t("compose.colorHex", { n }),
        spellcheck: "false", "aria-invalid": valid ? "false" : "true", "aria-describedby": "compose-color-error" });
      const show = (ok) => { text.setAttribute("aria-invalid", ok ? "false" : "true"); showColorProblem(); };
      picker.addEventListener("input", () => { d.colors[index] = picker.value; text.value = picker.value; show(true); });
      text.addEventListener("input", () => {
        // The draft holds what the field shows, valid or not: validate() stops a render with a bad color
        // (never the previous one, which the user can no longer see).
        const v = text.value.trim().toLowerCase();
        const ok = HEX.test(v);
        d.colors[index] = v;
        show(ok);
        if (ok) picker.value = v;
      });
      list.append(h("li", {}, picker, text, h("button", { class: "btn btn-icon", type: "button", "aria-label": t("compose.removeColor", { hex }), disabled: d.colors.length <= 1, on: { click: () => {
        d.colors.splice(index, 1);
        renderComposer();
        document.getElementById(`compose-hex-${Math.max(0, index - 1)}`)?.focus();
      } } }, "×")));
    });
    modeBlock.append(h("fieldset", { class: "plain" },
      h("legend", {}, t("compose.colors")),
      h("p", { class: "hint" }, t("compose.colorsHint", { max: m.maxColors })),
      list,
      colorProblem,
      h("button", { class: "btn btn-small", type: "button", id: "compose-add-color", disabled: d.colors.length >= m.maxColors, on: { click: () => {
        d.colors.push("#808080");
        renderComposer();
        document.getElementById(`compose-hex-${d.colors.length - 1}`)?.focus();
      } } }, `+ ${t("compose.addColor")}`)));
    showColorProblem();
    if (d.referenceImageKey && m.family === "titan") {
      const use = h("input", { type: "checkbox", id: "compose-use-ref", checked: d.useReferenceForColor, on: { change: () => { d.useReferenceForColor = use.checked; } } });
      modeBlock.append(h("div", { class: "check" }, use, h("label", { for: "compose-use-ref" }, t("compose.useReference"))));
    }
  } else if (REFERENCE_MODES.includes(d.mode)) {
    if (!d.referenceImageKey) modeBlock.append(needReference());
    else {
      modeBlock.append(referenceThumb());
      const strength = (id, label, key, min = 0) => h("div", { class: "field" }, h("label", { for: id }, label),
        range(id, d[key], min, 1, 0.05, (v) => { d[key] = v; }, { loose: t("compose.loose"), close: t("compose.close") }).wrap);
      if (d.mode === "structure" && m.family === "titan") {
        const control = h("select", { id: "compose-control", on: { change: () => { d.controlMode = control.value; } } },
          ["CANNY_EDGE", "SEGMENTATION"].map((c) => h("option", { value: c, selected: d.controlMode === c }, t(`control.${c}`))));
        modeBlock.append(h("div", { class: "grid-2" }, field(t("compose.control"), control),
          strength("compose-control-strength", t("compose.controlStrength"), "controlStrength")));
      } else if (d.mode === "structure" || d.mode === "sketch") {
        modeBlock.append(strength("compose-control-strength", t(d.mode === "sketch" ? "compose.sketchStrength" : "compose.controlStrength"), "controlStrength"));
      } else if (d.mode === "variation") {
        modeBlock.append(strength("compose-similarity", t("compose.similarity"), "similarityStrength", 0.2));
      } else if (d.mode === "style") {
        modeBlock.append(strength("compose-fidelity", t("compose.fidelity"), "fidelity"));
      } else if (d.mode === "style-transfer") {
        modeBlock.append(styleImagePicker(d));
      }
    }
  }

  // Model, size, count, quality.
  const modelSelect = h("select", { id: "compose-model", on: { change: () => {
    d.modelId = modelSelect.value;
    renderComposer();
  } } }, state.models.imageModels.filter((x) => x.modes.includes(d.mode))
    .map((x) => h("option", { value: x.modelId, selected: x.modelId === d.modelId },
      x.checkedLifecycle?.attention ? `⚠ ${x.name} (${t("compose.leavingShort")})` : x.name)));
  // Under the picker (which has a row of its own, so whole names fit): the price of an image.
  const modelPrice = h("span", { class: "model-price", id: "compose-model-price" },
    t("compose.modelPrice", { price: formatMoney(m.pricePerImage[d.quality] ?? m.pricePerImage.standard ?? 0) }));
  const modelNote = leavingNotice(m) || (m.legacy ? `${t("compose.legacy")}: ${m.legacy}` : null);
  const count = h("select", { id: "compose-count", on: { change: () => { d.count = Number(count.value); renderComposer(); } } });
  const fillCounts = () => {
    // On several models, as many images as every one of them makes.
    const allowed = allowedCounts(m, d.width, d.height).filter((n) => batchModels(d).every((x) => n <= x.maxImages));
    d.count = Math.min(d.count, allowed.length);
    count.replaceChildren(...allowed.map((n) => h("option", { value: n, selected: d.count === n }, String(n))));
  };
  fillCounts();
  const quality = h("select", { id: "compose-quality", disabled: m.qualities.length < 2, on: { change: () => { d.quality = quality.value; updateCost(); } } },
    m.qualities.map((q) => h("option", { value: q, selected: d.quality === q }, t(`quality.${q}`))));

  // Seed, cfg scale, visibility.
  const seedFixed = h("input", { type: "checkbox", id: "compose-seed-fixed", checked: d.seedFixed, on: { change: () => {
    d.seedFixed = seedFixed.checked;
    seedValue.disabled = !d.seedFixed;
    if (d.seedFixed && d.seed === "") { d.seed = Math.floor(Math.random() * m.maxSeed); seedValue.value = d.seed; }
    if (d.seedFixed) seedValue.focus();
  } } });
  const seedValue = h("input", { type: "number", id: "compose-seed", min: 0, max: m.maxSeed, step: 1, inputmode: "numeric", value: d.seed, disabled: !d.seedFixed, on: { input: () => { d.seed = seedValue.value; } } });
  const advanced = h("details", { class: "advanced", open: Boolean(d.advancedOpen), on: { toggle: () => { d.advancedOpen = advanced.open; } } },
    h("summary", {}, t("compose.advanced")),
    h("div", { class: "grid-2" },
      h("div", { class: "field" },
        h("span", { class: "label", id: "seed-label" }, t("compose.seed")),
        h("div", { class: "check" }, seedFixed, h("label", { for: "compose-seed-fixed" }, t("compose.seedFixed"))),
        h("label", { for: "compose-seed", class: "visually-hidden" }, t("compose.seedValue")),
        seedValue),
      m.cfgScale ? h("div", { class: "field" },
        h("label", { for: "compose-cfg" }, t("compose.cfg")),
        range("compose-cfg", d.cfgScale, m.cfgScale[0], m.cfgScale[1], 0.1, (v) => { d.cfgScale = v; }).wrap,
        h("p", { class: "hint" }, t("compose.cfgHint"))) : null),
    field(t("compose.negative"), negative, { hint: t("compose.negativeHint") }),
    h("div", { class: "check" },
      h("input", { type: "checkbox", id: "compose-public", checked: d.public, on: { change: (e) => { d.public = e.target.checked; } } }),
      h("label", { for: "compose-public" }, t("compose.public"))));

  const renderButton = h("button", { class: "btn btn-primary btn-render", type: "submit", id: "compose-render", disabled: sending }, t(sending ? "compose.rendering" : "compose.render"));
  const aspectNotice = h("p", { class: "notice", role: "note", id: "compose-aspect", hidden: true });
  const shapeFromReference = (m.shapeFromReference || []).includes(d.mode);
  // What really comes out then: the reference's size, or (GET /models, nearestSizeFromReference) the
  // model's size nearest the reference's aspect (a variation of an 800 × 600 image is 1152 × 896).
  const nearest = (m.nearestSizeFromReference || []).includes(d.mode);
  const ref = d.referenceSize;
  const referenceOut = ref && nearest ? nearestSize(m, ref.width, ref.height) : ref;
  const renderAspectNotice = () => {
    const ref = d.referenceSize;
    // Only where the reference's pixels are the canvas at the chosen size (a style reference has no canvas).
    const uses = ref && d.referenceImageKey && !shapeFromReference
      && (CANVAS_MODES.includes(d.mode) || (d.mode === "color" && d.useReferenceForColor));
    const off = uses && Math.abs(ref.width / ref.height - d.width / d.height) > 0.01;
    aspectNotice.hidden = !off;
    aspectNotice.textContent = off ? t("compose.aspectWarning", { rw: ref.width, rh: ref.height, w: d.width, h: d.height }) : "";
  };
  renderAspectNotice();
  const confirmTranslate = h("div", { class: "notice", id: "compose-translate-first", hidden: true, role: "group", "aria-labelledby": "translate-first-text" },
    h("p", { id: "translate-first-text" }, t("compose.translateFirst")),
    h("div", { class: "row wrap" },
      h("button", { class: "btn btn-primary btn-small", type: "button", id: "compose-translate-yes", on: { click: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          const result = await translateIntoDraft(d.prompt);
          // The composer was redrawn: with the English prompt, or with the text as it was.
          if (result.translated || result.language === "en") send({ asWritten: true });
          else translateFailed(t("compose.translateFailed", { lang: languageName(result.language || "und") }));
        } catch (e) {
          translateFailed(`${errorMessage(e)} ${t("compose.translateFailedNext")}`);
        } finally {
          button.disabled = false;
        }
      } } }, t("compose.translateYes")),
      h("button", { class: "btn btn-small", type: "button", id: "compose-translate-no", on: { click: () => { confirmTranslate.hidden = true; send({ asWritten: true }); } } }, t("compose.translateNo"))));

  let problemShown = false; // compose-error shows what validate() found

  async function send({ asWritten = false } = {}) {
    if (sending) return;
    const current = document.getElementById("compose-render") || renderButton;
    const err = document.getElementById("compose-error") || error;
    err.textContent = "";
    const problem = validate(d, m);
    if (problem) {
      err.textContent = problem.message;
      problemShown = true;
      const target = document.getElementById(problem.focus);
      target?.closest("details")?.setAttribute("open", ""); // the field may be under "More settings"
      target?.focus();
      return;
    }
    // Already tried: the same text could not be translated, so asking again would only fail again.
    const untranslatable = d.translation?.failed && d.translation.original === d.prompt.trim();
    if (!asWritten && !untranslatable && looksNonEnglish(d.prompt)) {
      const box = document.getElementById("compose-translate-first") || confirmTranslate;
      box.hidden = false;
      box.querySelector("#compose-translate-yes")?.focus();
      return;
    }
    sending = true;
    current.disabled = true;
    current.textContent = t("compose.rendering");
    try {
      if (batchModels(d).length > 1) await submitBatch(batchBody(d));
      else await submit(requestBody(d));
      if (!d.seedFixed) d.seed = "";
      document.getElementById("results")?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } catch (e) {
      (document.getElementById("compose-error") || err).textContent = errorMessage(e);
    } finally {
      sending = false;
      const button = document.getElementById("compose-render") || current;
      button.disabled = false;
      renderLabel(button, d);
    }
  }

  const form = h("form", { class: "stack", novalidate: true, on: {
    submit: (event) => { event.preventDefault(); send(); },
    keydown: (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); send(); }
    },
    input: () => {
      saveDraft();
      // The message of a problem the user has just fixed goes (the field's own mark went already).
      if (problemShown && !validate(d, m)) {
        (document.getElementById("compose-error") || error).textContent = "";
        problemShown = false;
      }
    },
    change: () => saveDraft(),
  } },
    modes,
    chip,
    promptField,
    translateNotice,
    modeBlock,
    h("div", { class: "grid-params" },
      field(t("compose.model"), modelSelect, { className: "field-model", hint: modelNote ? [modelPrice, " · ", modelNote] : modelPrice }),
      // Some modes take the reference's shape on this model (GET /models): no size to choose there.
      shapeFromReference
        ? field(t("compose.size"), h("output", { id: "compose-size-reference", class: "size-note" }, d.referenceSize
          ? t(nearest ? "compose.sizeNearestReference" : "compose.sizeFromReference", { w: referenceOut.width, h: referenceOut.height, rw: ref.width, rh: ref.height })
          : t(nearest ? "compose.sizeNearestReferenceAny" : "compose.sizeFromReferenceAny")),
          { hint: t("compose.sizeFromReferenceHint") })
        : field(t("compose.size"), sizeSelect(m, d, () => { fillCounts(); updateCost(); renderAspectNotice(); })),
      field(t("compose.count"), count),
      field(t("compose.quality"), quality)),
    alsoOnPicker(d),
    advanced,
    h("div", { class: "render-bar" },
      h("div", { class: "cost" },
        h("span", { class: "label", id: "cost-label" }, t("compose.cost")),
        costOut,
        h("span", { class: "meta" }, t("compose.quota", { n: state.models.dailyImageQuota }))),
      renderButton),
    h("p", { class: "hint kbd-hint" }, t("compose.shortcut")),
    confirmTranslate,
    aspectNotice,
    error);
  costOut.setAttribute("aria-labelledby", "cost-label");
  updateCost();
  saveDraft();
  root.append(h("h2", { id: "composer-title", class: "panel-title" }, t("compose.title")), form);
}

/** The Render button's label: the action and its cost; on several models, their summed cost. */
function renderLabel(button, d) {
  const models = batchModels(d);
  if (models.length < 2) return spendLabel(button, t("compose.render"), d.count, estimate(d).price);
  const images = d.count * models.length;
  button.replaceChildren(t("compose.renderOn", { n: models.length }), " ", sumTag(images, batchEstimate(d)));
  return button;
}

/** "Also render on": up to two more models for the same prompt and seed (a comparison grid in Results). */
function alsoOnPicker(d) {
  const candidates = batchCandidates(d);
  if (!candidates.length) return null;
  const chosen = new Set(batchModels(d).slice(1).map((m) => m.modelId));
  const boxes = candidates.map((x) => {
    const id = `compose-also-${x.modelId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const box = h("input", { type: "checkbox", id, value: x.modelId, checked: chosen.has(x.modelId),
      disabled: !chosen.has(x.modelId) && chosen.size >= BATCH_MAX_MODELS - 1, on: { change: () => {
        d.alsoOn = box.checked ? [...(d.alsoOn || []), x.modelId] : (d.alsoOn || []).filter((v) => v !== x.modelId);
        renderComposer();
        document.getElementById(id)?.focus();
      } } });
    return h("span", { class: "check" }, box, h("label", { for: id }, `${x.name} · ${formatMoney(x.pricePerImage[d.quality] ?? x.pricePerImage.standard ?? 0)}`));
  });
  return h("fieldset", { class: "plain also-on", id: "compose-also-on" },
    h("legend", {}, t("compose.alsoOn")),
    h("p", { class: "hint" }, t("compose.alsoOnHint", { max: BATCH_MAX_MODELS })),
    h("div", { class: "row wrap" }, boxes));
}

/** The translation asked for before rendering did not happen: say so in the question's place and
 *  offer what is left (render as written, or edit the prompt). */
function translateFailed(message) {
  const box = document.getElementById("compose-translate-first");
  if (!box) return;
  box.hidden = false;
  box.querySelector("#translate-first-text").textContent = message;
  box.querySelector("#compose-translate-yes").hidden = true;
  box.querySelector("#compose-translate-no")?.focus();
  document.getElementById("compose-translate-notice")?.setAttribute("hidden", ""); // the box says it
}

function validate(d, m) {
  if (!d.prompt.trim()) return { message: t("compose.needPrompt"), focus: "compose-prompt" };
  if (d.prompt.length > m.maxPromptLength) return { message: t("compose.promptTooLong", { n: d.prompt.length, max: m.maxPromptLength }), focus: "compose-prompt" };
  if (m.maxNegativePromptLength && d.negativePrompt?.trim() && d.negativePrompt.trim().length > m.maxNegativePromptLength) {
    return { message: t("compose.negativeTooLong", { n: d.negativePrompt.trim().length, max: m.maxNegativePromptLength }), focus: "compose-negative" };
  }
  if (d.mode === "color" && !d.colors.length) return { message: t("compose.needColors"), focus: "compose-add-color" };
  const bad = d.mode === "color" ? d.colors.findIndex((c) => !HEX.test(c)) : -1;
  if (bad >= 0) return { message: t("compose.badColor", { n: bad + 1 }), focus: `compose-hex-${bad}` };
  const maxSeed = Math.min(...batchModels(d).map((x) => x.maxSeed)); // on several models, the seed every one takes
  if (d.seedFixed && !(/^\d+$/.test(String(d.seed).trim()) && Number(d.seed) <= maxSeed)) {
    return { message: t("compose.badSeed", { max: maxSeed }), focus: "compose-seed" };
  }
  if (REFERENCE_MODES.includes(d.mode) && !d.referenceImageKey) return { message: t("compose.noReference"), focus: "ref-file" };
  if (d.mode === "style-transfer" && !d.styleImageKey) return { message: t("compose.needStyleImage"), focus: "compose-style-file" };
  return null;
}

/** style-transfer: the second image, whose style is applied to the reference (uploaded at once). */
// The same drop zone and preview as the reference (not a bare file input).
function styleImagePicker(d) {
  const status = h("p", { class: "hint", id: "compose-style-status", "aria-live": "polite" }, d.styleImageKey ? t("compose.styleReady") : "");
  const input = h("input", { type: "file", id: "compose-style-file", accept: IMAGE_TYPES.join(","), class: "visually-hidden" });
  const preview = h("div", { class: "ref-preview", id: "compose-style-preview" });
  const showPreview = () => {
    clear(preview);
    if (!d.stylePreview) return;
    preview.append(h("img", { src: d.stylePreview, alt: t("compose.stylePreview"), class: "ref-img" }),
      h("div", { class: "ref-file" }, h("button", { class: "btn btn-ghost btn-small", type: "button", on: { click: () => {
        URL.revokeObjectURL(d.stylePreview);
        Object.assign(d, { stylePreview: null, styleImageKey: null });
        status.textContent = "";
        saveDraft();
        showPreview();
        input.focus();
      } } }, t("ref.remove"))));
  };
  const choose = async (chosen) => {
    if (!chosen) return;
    const { file, error } = await checkImage(chosen);
    input.value = "";
    if (error) { status.textContent = error; return; }
    status.textContent = t("ref.uploading");
    try {
      d.styleImageKey = await api.upload(file);
      if (d.stylePreview) URL.revokeObjectURL(d.stylePreview);
      d.stylePreview = URL.createObjectURL(file);
      status.textContent = t("compose.styleReady");
      saveDraft();
      showPreview();
    } catch (e) {
      status.textContent = errorMessage(e);
    }
  };
  input.addEventListener("change", () => choose(input.files[0]));
  const drop = h("label", { class: "dropzone", for: "compose-style-file", on: {
    dragover: (e) => { e.preventDefault(); drop.classList.add("over"); },
    dragleave: () => drop.classList.remove("over"),
    drop: (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files[0]); },
  } }, icon("upload"), h("span", { class: "drop-main" }, t("compose.styleDrop")), h("span", { class: "hint" }, t("ref.rules")));
  showPreview();
  return h("div", { class: "field" }, h("span", { class: "label", id: "compose-style-label" }, t("compose.styleImage")), input, drop, preview, status);
}

export function focusPrompt() {
  const prompt = document.getElementById("compose-prompt");
  if (prompt) { prompt.focus(); prompt.scrollIntoView({ block: "center" }); announce(t("compose.prompt")); }
}

// What the daily lifecycle check found (GET /models checkedLifecycle): a model Bedrock is retiring.
function leavingNotice(model) {
  const life = model.checkedLifecycle;
  if (!life?.attention) return null;
  return life.endOfLife ? t("compose.leaving", { date: life.endOfLife, days: Math.max(0, life.daysLeft ?? 0) })
    : t("compose.leavingNoDate");
}
