// The edit studio, loaded when a detail opens (dynamic import, not on the first load): mask painting
// (inpaint, erase), select by words (search-and-replace, search-and-recolor), remove background,
// outpaint, upscale. Every edit is POST /edits and a new record (docs/models-and-edits.md). Also here:
// the before/after compare and the edit chain of the detail view, and "Use as reference".

import { h, clear, field, uid, announce, toast, stylesheet } from "../dom.js";
import { t, formatMoney, addEnglish } from "../i18n.js";
import { api } from "../api.js";
import { state, model, notify, editOperations, editPrice, submitEdit, saveDraft, setMode, availableModes, REFERENCE_MODES, nearestSize } from "../store.js";
import { errorMessage, modeLabel, serverRules } from "../messages.js";
import { spendLabel } from "../cost.js";
import { downloadName } from "../files.js";
import texts from "../strings/edit.js";

addEnglish(texts);
await stylesheet("edit"); // before anything of the view is drawn (no unstyled flash)

// The tools, in the order shown; each names the operations it offers (one, or a choice).
const TOOLS = [
  ["inpaint", ["inpaint"]],
  ["erase", ["erase"]],
  ["replace", ["search-replace"]],
  ["recolor", ["search-recolor"]],
  ["background", ["remove-background"]],
  ["outpaint", ["outpaint"]],
  ["upscale", ["upscale-fast", "upscale-conservative", "upscale-creative"]],
];
const MASKED = new Set(["inpaint", "erase"]);
const OUTPAINT_MAX = 2000;

/** Output size of an upscale, from the operation's declared scale or output megapixels. */
export function upscaleSize(operation, width, height, op) {
  if (op?.outputMegapixels) {
    const k = Math.sqrt((op.outputMegapixels * 1_048_576) / (width * height));
    return { width: Math.round(width * k), height: Math.round(height * k) };
  }
  const k = op?.scale || (operation === "upscale-fast" ? 4 : 1);
  return { width: width * k, height: height * k };
}

/** Why a source of this size is outside an operation's declared limits, or null. */
export function outsideLimits(op, width, height) {
  const l = op?.inputLimits || op?.limits || {};
  const pixels = width * height;
  if (l.maxAspect && Math.max(width, height) / Math.min(width, height) > l.maxAspect) return t("edit.tooNarrow", { max: l.maxAspect });
  if (l.maxPixels && pixels > l.maxPixels) return t("edit.tooLarge", { max: (l.maxPixels / 1e6).toFixed(1) });
  if (l.minPixels && pixels < l.minPixels) return t("edit.tooSmall", { min: l.minPixels });
  if (l.maxSide && Math.max(width, height) > l.maxSide) return t("edit.tooLargeSide", { max: l.maxSide });
  if (l.minSide && Math.min(width, height) < l.minSide) return t("edit.tooSmallSide", { min: l.minSide });
  return null;
}

// --- mask painting ----------------------------------------------------------------------------
/** A mask drawn over the image: strokes kept as a list (undo/redo replays them), painted at the
 *  image's own pixel size, exported as black (keep) and white (repaint). */
export class MaskPainter {
  constructor(width, height, label) {
    this.width = width;
    this.height = height;
    this.ops = [];
    this.undone = [];
    this.brush = Math.round(Math.max(width, height) / 24);
    this.listeners = new Set();
    this.canvas = h("canvas", { class: "mask-canvas", width, height, role: "img", "aria-label": label });
    this.ctx = this.canvas.getContext("2d");
    this.current = null;
    const c = this.canvas;
    c.addEventListener("pointerdown", (e) => {
      if (e.button !== 0 && e.pointerType === "mouse") return;
      e.preventDefault();
      c.setPointerCapture?.(e.pointerId);
      this.current = { type: "stroke", size: this.brush, points: [this.point(e)] };
      this.ops.push(this.current);
      this.undone = [];
      this.redraw();
    });
    c.addEventListener("pointermove", (e) => {
      if (!this.current) return;
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
      for (const ev of events.length ? events : [e]) this.current.points.push(this.point(ev));
      this.redraw();
    });
    const end = () => {
      if (!this.current) return;
      this.current = null;
      this.changed();
    };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    c.addEventListener("lostpointercapture", end);
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (this.width / r.width), (e.clientY - r.top) * (this.height / r.height)];
  }

  onChange(fn) { this.listeners.add(fn); }
  changed() { for (const fn of this.listeners) fn(this); }
  get empty() { return !this.ops.some((o) => o.type === "stroke" || o.type === "invert") || this.cleared(); }
  cleared() { return this.ops.length > 0 && this.ops[this.ops.length - 1].type === "clear"; }
  get canUndo() { return this.ops.length > 0; }
  get canRedo() { return this.undone.length > 0; }

  act(type) {
    this.ops.push({ type });
    this.undone = [];
    this.redraw();
    this.changed();
  }

  undo() { if (this.ops.length) { this.undone.push(this.ops.pop()); this.redraw(); this.changed(); } }
  redo() { if (this.undone.length) { this.ops.push(this.undone.pop()); this.redraw(); this.changed(); } }

  /** Replay every operation: strokes paint, invert swaps painted and unpainted, clear empties. */
  paint(ctx, color) {
    ctx.clearRect(0, 0, this.width, this.height);
    for (const op of this.ops) {
      if (op.type === "clear") ctx.clearRect(0, 0, this.width, this.height);
      else if (op.type === "invert") {
        ctx.globalCompositeOperation = "xor";
        ctx.fillStyle = color;
        ctx.fillRect(0, 0, this.width, this.height);
        ctx.globalCompositeOperation = "source-over";
      } else {
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        ctx.lineWidth = op.size;
        ctx.lineCap = "round";
        ctx.lineJoin = "round";
        const [first, ...rest] = op.points;
        ctx.beginPath();
        ctx.arc(first[0], first[1], op.size / 2, 0, Math.PI * 2);
        ctx.fill();
        if (rest.length) {
          ctx.beginPath();
          ctx.moveTo(first[0], first[1]);
          for (const [x, y] of rest) ctx.lineTo(x, y);
          ctx.stroke();
        }
      }
    }
  }

  redraw() { this.paint(this.ctx, "rgb(255, 64, 96)"); }

  /** The mask as a PNG file at the image's size: white where painted, black elsewhere. */
  async toFile() {
    const out = document.createElement("canvas");
    out.width = this.width;
    out.height = this.height;
    const ctx = out.getContext("2d");
    this.paint(ctx, "#ffffff");
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = "#000000";
    ctx.fillRect(0, 0, this.width, this.height);
    const blob = await new Promise((resolve) => out.toBlob(resolve, "image/png"));
    return new File([blob], "mask.png", { type: "image/png" });
  }
}

// --- the studio -------------------------------------------------------------------------------
let activeTool = "inpaint";

/** What to say when the API refuses an edit: for a 422, the rule the server named (the image is too
 *  large for that upscale, a value is out of range), not a generic "some settings are not valid". */
export function editErrorMessage(e) {
  if (e?.status === 422 || e?.code === "validation_error") {
    const rules = serverRules(e.details);
    if (rules.length) return t("edit.refused", { rule: rules.join("; ") });
    if (e.message && e.message !== e.code) return t("edit.refused", { rule: e.message });
  }
  return errorMessage(e);
}

/** Open the edit studio in the detail dialog `d` for one image of a record. `onStarted(edit)` gets
 *  the new edit's record once the API has queued it (the detail then follows it in its edit chain). */
export function openStudio(d, record, index, { onStarted }) {
  const slot = d.querySelector("#edit-slot");
  const media = d.querySelector(".detail-media");
  const figure = media?.querySelector(".detail-figure");
  const img = figure?.querySelector("img");
  const image = record.images[index];
  if (!slot || !img) return;
  const editButton = d.querySelector("[data-action=edit]");
  if (slot.childElementCount) { // a second click closes it
    closeStudio();
    return;
  }
  const ops = editOperations();
  const tools = TOOLS.filter(([, names]) => names.some((n) => ops.has(n)));
  if (!tools.some(([name]) => name === activeTool)) activeTool = tools[0]?.[0];
  editButton?.setAttribute("aria-expanded", "true");

  const painter = new MaskPainter(image.width, image.height, t("edit.maskLabel"));
  const maskLayer = h("div", { class: "mask-layer", hidden: true }, painter.canvas);
  figure.classList.add("has-mask");
  figure.append(maskLayer);

  const panel = h("div", { class: "studio-tool" });
  const error = h("p", { class: "form-error", role: "alert", id: "edit-error" });
  const toolName = uid("tool");
  const picker = h("fieldset", { class: "segmented studio-tools", id: "edit-tools" },
    h("legend", {}, t("edit.tool")),
    tools.map(([name]) => h("span", { class: "seg" },
      h("input", { type: "radio", name: toolName, id: `edit-tool-${name}`, value: name, checked: name === activeTool, on: { change: () => { activeTool = name; renderTool(); } } }),
      h("label", { for: `edit-tool-${name}` }, t(`tool.${name}`)))));
  const section = h("section", { class: "studio", "aria-labelledby": "studio-title", id: "studio" },
    h("div", { class: "studio-head" },
      h("h3", { id: "studio-title", class: "sub" }, t("edit.title")),
      h("button", { class: "btn btn-ghost btn-small", type: "button", id: "edit-close", on: { click: () => { closeStudio(); editButton?.focus(); } } }, t("edit.close"))),
    tools.length ? picker : h("p", { class: "notice" }, t("edit.none")),
    panel, error);
  slot.append(section);

  function closeStudio() {
    clear(slot);
    maskLayer.remove();
    figure.classList.remove("has-mask", "mask-off");
    editButton?.setAttribute("aria-expanded", "false");
  }

  function submitButton(operation) {
    const price = editPrice(ops.get(operation));
    const button = h("button", { class: "btn btn-primary", type: "submit", id: "edit-apply" });
    return spendLabel(button, t("edit.apply"), 1, price);
  }

  async function send(button, body) {
    error.textContent = "";
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      const payload = { generationId: record.id, imageIndex: index, ...body };
      if (body.operation === "inpaint" || body.operation === "erase") {
        if (painter.empty) throw Object.assign(new Error("mask"), { code: "mask_empty" });
        payload.maskKey = await api.upload(await painter.toFile());
      }
      const edit = await submitEdit(payload);
      announce(t("edit.started", { op: t(`op.${body.operation}`) }));
      closeStudio();
      onStarted?.(edit);
    } catch (e) {
      error.textContent = e.code === "mask_empty" ? t("edit.needMask") : editErrorMessage(e);
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  const text = (id, label, { required, hint, rows = 2 } = {}) => {
    const control = h("textarea", { id, rows, maxlength: 10000, required: Boolean(required) });
    return { control, wrap: field(label, control, { hint }) };
  };
  const range = (id, label, min, max, step, value) => {
    const out = h("output", { for: id, class: "range-value" }, String(value));
    const input = h("input", { id, type: "range", min, max, step, value, on: { input: () => { out.textContent = input.value; } } });
    return { input, wrap: h("div", { class: "field" }, h("label", { for: id }, label), h("div", { class: "range" }, input, out)) };
  };
  const growMask = (operation) => {
    const r = range("edit-grow", t("edit.growMask"), 0, 20, 1, 5);
    if (ops.get(operation)?.takesGrowMask === false) r.wrap.hidden = true;
    return r;
  };

  function maskTools() {
    const size = h("input", { id: "edit-brush", type: "range", min: 4, max: Math.round(Math.max(image.width, image.height) / 6), step: 1, value: painter.brush,
      on: { input: () => { painter.brush = Number(size.value); sizeOut.textContent = `${size.value} px`; } } });
    const sizeOut = h("output", { for: "edit-brush", class: "range-value" }, `${painter.brush} px`);
    const undo = h("button", { class: "btn btn-small", type: "button", id: "mask-undo", on: { click: () => painter.undo() } }, t("edit.undo"));
    const redo = h("button", { class: "btn btn-small", type: "button", id: "mask-redo", on: { click: () => painter.redo() } }, t("edit.redo"));
    const invert = h("button", { class: "btn btn-small", type: "button", id: "mask-invert", on: { click: () => painter.act("invert") } }, t("edit.invert"));
    const clearBtn = h("button", { class: "btn btn-small", type: "button", id: "mask-clear", on: { click: () => painter.act("clear") } }, t("edit.clear"));
    const maskState = h("p", { class: "hint", id: "mask-state", "aria-live": "polite" });
    const sync = () => {
      undo.disabled = !painter.canUndo;
      redo.disabled = !painter.canRedo;
      clearBtn.disabled = painter.empty;
      maskState.textContent = painter.empty ? t("edit.maskEmpty") : t("edit.maskReady");
    };
    painter.onChange(sync);
    sync();
    return h("div", { class: "mask-tools" },
      h("p", { class: "hint" }, t("edit.maskHint")),
      h("div", { class: "field" }, h("label", { for: "edit-brush" }, t("edit.brush")), h("div", { class: "range" }, size, sizeOut)),
      h("div", { class: "row wrap", role: "group", "aria-label": t("edit.maskActions") }, undo, redo, invert, clearBtn),
      maskState);
  }

  function renderTool() {
    clear(panel);
    error.textContent = "";
    maskLayer.hidden = !MASKED.has(activeTool);
    figure.classList.toggle("mask-off", maskLayer.hidden);
    const names = TOOLS.find(([name]) => name === activeTool)?.[1].filter((n) => ops.has(n)) || [];
    const blocked = names.length === 1 ? outsideLimits(ops.get(names[0]), image.width, image.height) : null;
    if (blocked) { panel.append(h("p", { class: "notice", role: "note" }, blocked)); return; }
    const form = h("form", { class: "stack", novalidate: true });
    panel.append(form);
    const submit = (operation, build) => {
      const button = submitButton(operation);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const body = build();
        if (body) send(button, { operation, ...body });
      });
      return button;
    };
    const need = (control) => {
      if (control.value.trim()) return false;
      error.textContent = t("edit.needText", { field: control.labels?.[0]?.textContent || "" });
      control.focus();
      return true;
    };

    if (activeTool === "inpaint") {
      const prompt = text("edit-prompt", t("edit.inpaintPrompt"), { required: true });
      const grow = growMask("inpaint");
      form.append(maskTools(), prompt.wrap, grow.wrap, submit("inpaint", () => (need(prompt.control) ? null
        : { prompt: prompt.control.value.trim(), growMask: Number(grow.input.value) })));
    } else if (activeTool === "erase") {
      const grow = growMask("erase");
      form.append(maskTools(), grow.wrap, submit("erase", () => ({ growMask: Number(grow.input.value) })));
    } else if (activeTool === "replace") {
      const search = text("edit-search", t("edit.search"), { required: true, rows: 1, hint: t("edit.searchHint") });
      const prompt = text("edit-prompt", t("edit.replaceWith"), { required: true });
      form.append(search.wrap, prompt.wrap, submit("search-replace", () => (need(search.control) || need(prompt.control) ? null
        : { searchPrompt: search.control.value.trim(), prompt: prompt.control.value.trim() })));
    } else if (activeTool === "recolor") {
      const select = text("edit-select", t("edit.select"), { required: true, rows: 1, hint: t("edit.searchHint") });
      const prompt = text("edit-prompt", t("edit.recolorWith"), { required: true });
      form.append(select.wrap, prompt.wrap, submit("search-recolor", () => (need(select.control) || need(prompt.control) ? null
        : { selectPrompt: select.control.value.trim(), prompt: prompt.control.value.trim() })));
    } else if (activeTool === "background") {
      form.append(h("p", { class: "hint" }, t("edit.backgroundHint")), submit("remove-background", () => ({})));
    } else if (activeTool === "outpaint") {
      form.append(...outpaintControls(submit));
    } else if (activeTool === "upscale") {
      form.append(...upscaleControls(names, form));
    }
  }

  function outpaintControls(submit) {
    const values = { left: 0, right: 0, up: 0, down: 0 };
    const preview = h("div", { class: "outpaint-preview", "aria-hidden": "true" });
    const inner = h("img", { src: image.thumbnailUrl, alt: "", class: "outpaint-inner" });
    preview.append(inner);
    const size = h("p", { class: "outpaint-size", id: "outpaint-size", "aria-live": "polite" });
    const clampNote = h("p", { class: "hint outpaint-clamped", id: "outpaint-clamped", "aria-live": "polite" });
    const update = (clamped = false) => {
      const w = image.width + values.left + values.right;
      const hh = image.height + values.up + values.down;
      preview.style.aspectRatio = `${w} / ${hh}`;
      inner.style.left = `${(values.left / w) * 100}%`;
      inner.style.top = `${(values.up / hh) * 100}%`;
      inner.style.width = `${(image.width / w) * 100}%`;
      inner.style.height = `${(image.height / hh) * 100}%`;
      size.textContent = t("edit.newCanvas", { w, h: hh, ow: image.width, oh: image.height });
      clampNote.textContent = clamped ? t("edit.extendClamped", { max: OUTPAINT_MAX }) : "";
    };
    const inputs = ["left", "right", "up", "down"].map((side) => {
      // Beyond the limit the field itself is set to it (not silently another number) and the limit is said.
      const input = h("input", { id: `outpaint-${side}`, type: "number", min: 0, max: OUTPAINT_MAX, step: 64, value: 0, inputmode: "numeric",
        on: { input: () => {
          const typed = Math.round(Number(input.value) || 0);
          values[side] = Math.max(0, Math.min(OUTPAINT_MAX, typed));
          if (typed > OUTPAINT_MAX) input.value = String(OUTPAINT_MAX);
          update(typed > OUTPAINT_MAX);
        }, change: () => { if (input.value !== String(values[side])) input.value = String(values[side]); } } });
      return field(t(`edit.${side}`), input);
    });
    const prompt = text("edit-prompt", t("edit.outpaintPrompt"));
    const c = ops.get("outpaint")?.creativity || { min: 0, max: 1, default: 0.5 };
    const creativity = range("edit-creativity", t("edit.creativity"), c.min, c.max, 0.05, c.default);
    update();
    return [
      h("fieldset", { class: "plain" }, h("legend", {}, t("edit.extend")), h("div", { class: "grid-4" }, inputs), h("p", { class: "hint" }, t("edit.extendHint", { max: OUTPAINT_MAX })), clampNote),
      preview, size, prompt.wrap, creativity.wrap,
      submit("outpaint", () => {
        if (!Object.values(values).some((v) => v > 0)) {
          error.textContent = t("edit.needExtend");
          document.getElementById("outpaint-right")?.focus();
          return null;
        }
        const body = { ...values, creativity: Number(creativity.input.value) };
        if (prompt.control.value.trim()) body.prompt = prompt.control.value.trim();
        return body;
      }),
    ];
  }

  function upscaleControls(names, form) {
    // Only an upscale this image can take is selected; when none can, Apply is off and says why.
    const blockedBy = new Map(names.map((name) => [name, outsideLimits(ops.get(name), image.width, image.height)]));
    let chosen = names.find((name) => !blockedBy.get(name)) || null;
    const group = uid("upscale");
    const prompt = text("edit-prompt", t("edit.upscalePrompt"), { required: true });
    // Start from what the image shows: its prompt, else its caption (the user can rewrite it).
    prompt.control.value = record.request?.prompt || record.annotations?.[index]?.caption || "";
    const creativity = range("edit-creativity", t("edit.creativity"), 0.2, 0.5, 0.05, 0.35);
    const extra = h("div", { class: "stack" }, prompt.wrap, creativity.wrap);
    const choices = h("fieldset", { class: "plain upscale-choices" }, h("legend", {}, t("edit.upscaleChoice")),
      names.map((name) => {
        const op = ops.get(name);
        const out = upscaleSize(name, image.width, image.height, op);
        const blocked = blockedBy.get(name);
        const id = `edit-${name}`;
        return h("div", { class: "choice" },
          h("input", { type: "radio", name: group, id, value: name, checked: name === chosen, disabled: Boolean(blocked), on: { change: () => { chosen = name; sync(); } } }),
          h("label", { for: id },
            h("span", { class: "choice-title" }, t(`op.${name}`)),
            h("span", { class: "choice-meta" }, `${t("edit.upscaleOut", { w: out.width, h: out.height })} · ${formatMoney(editPrice(op))}`),
            h("span", { class: "choice-meta" }, blocked || t(`edit.${name}Hint`))));
      }));
    const none = h("p", { class: "notice", role: "note", id: "upscale-none", hidden: Boolean(chosen) }, t("edit.noUpscale"));
    const sync = () => {
      const op = ops.get(chosen);
      extra.hidden = !chosen || !(op?.takesPrompt ?? chosen !== "upscale-fast");
      if (op?.creativity) Object.assign(creativity.input, { min: op.creativity.min, max: op.creativity.max, value: op.creativity.default });
      const apply = form.querySelector("#edit-apply");
      if (apply) {
        spendLabel(apply, t("edit.apply"), 1, chosen ? editPrice(op) : 0);
        apply.disabled = !chosen;
        if (!chosen) { apply.textContent = t("edit.apply"); apply.setAttribute("aria-describedby", "upscale-none"); }
      }
    };
    const button = submitButton(chosen || names[0]);
    // The operation is the one chosen at submit time.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!chosen) return;
      const op = ops.get(chosen);
      if ((op?.needsPrompt ?? chosen !== "upscale-fast") && !prompt.control.value.trim()) { error.textContent = t("edit.needText", { field: t("edit.upscalePrompt") }); prompt.control.focus(); return; }
      const body = extra.hidden ? {} : { prompt: prompt.control.value.trim(), creativity: Number(creativity.input.value) };
      send(button, { operation: chosen, ...body });
    });
    queueMicrotask(sync);
    return [choices, none, extra, button];
  }

  renderTool();
  section.querySelector(`#edit-tool-${activeTool}`)?.focus();
  announce(t("edit.title"));
}

// --- the detail view's compare and edit chain ----------------------------------------------------
const ANCESTORS = 6; // how far up the chain is read (one request a step)

/** The ancestors of a record, oldest first; whether its own parent is gone (deleted); and, when a step
 *  of the chain is gone, the chain's original if it survives (lineage.rootId names it: without it, a
 *  deleted middle edit would hide the original). */
async function ancestorsOf(record) {
  const chain = [];
  let parentGone = false;
  let missing = null;
  let l = record.lineage || {};
  while (l.parentId && chain.length < ANCESTORS) {
    let parent;
    try {
      parent = await api.generation(l.parentId);
    } catch (error) {
      if (error.code === "not_found") missing = l.parentId;
      if (!chain.length) parentGone = Boolean(missing);
      break;
    }
    chain.unshift(parent);
    l = parent.lineage || {};
  }
  const rootId = record.lineage?.rootId;
  const root = missing && rootId && rootId !== missing ? await api.generation(rootId).catch(() => null) : null;
  return { chain, parentGone, stepGone: Boolean(missing), root };
}

/** For an edit: a before/after slider over the image. For every image: the chain of edits it comes
 *  from (a sequence) and the edits made from it (siblings, a grid). Tells the detail what it found. */
export async function decorateDetail(d, record, index, { open, onFound }) {
  const l = record.lineage || {};
  const [{ chain, parentGone, stepGone, root }, children] = await Promise.all([
    ancestorsOf(record),
    // Only records whose lineage names this one (a server without the parent filter answers with everything).
    api.gallery({ parent: record.id, limit: 24 }).then((p) => p.items.filter((c) => c.lineage?.parentId === record.id)).catch(() => []),
  ]);
  if (!d.open) return;
  const parent = chain[chain.length - 1];
  onFound?.({ children, parentGone: l.source === "edit" && parentGone, originalKept: Boolean(root) });
  if (l.source === "edit" && parent?.images?.length) compare(d, record, parent.images[l.parentImageIndex || 0], record.images[index]);
  const slot = d.querySelector("#chain-slot");
  if (!slot || (!chain.length && !stepGone && !children.length)) return;
  const card = (r, label, { current = false, imageIndex = 0 } = {}) => {
    const img = r.images?.[imageIndex] || r.images?.[0];
    const content = [img ? h("img", { src: img.thumbnailUrl, alt: "" }) : h("span", { class: "chain-empty" }, t(`status.${r.status}`)),
      h("span", { class: "chain-label" }, label)];
    return current
      ? h("div", { class: "chain-card", "aria-current": "true" }, content)
      : h("button", { class: "chain-card", type: "button", title: t("edit.openStep"), on: { click: () => open(r.id, imageIndex, { push: true }) } }, content);
  };
  // Upward: the images this one was made from, in order, then this image.
  if (chain.length || stepGone) {
    const steps = chain.map((r, i) => {
      const child = chain[i + 1] || record;
      const label = i === chain.length - 1 ? t("edit.parent", { op: modeLabel(r) }) : modeLabel(r);
      return h("li", { class: "chain-step" }, card(r, label, { imageIndex: child.lineage?.parentImageIndex || 0 }));
    });
    // A deleted step: above the steps that survive, with the original before it when it survives too.
    const gone = h("li", { class: "chain-step gone" }, h("div", { class: "chain-card" },
      h("span", { class: "chain-empty" }, t(root || !parentGone ? "edit.stepGone" : "edit.parentGone"))));
    if (stepGone) steps.unshift(gone);
    if (root) steps.unshift(h("li", { class: "chain-step" }, card(root, t("edit.original", { op: modeLabel(root) }))));
    slot.append(
      h("h3", { class: "sub", id: "chain-title" }, t("edit.chain")),
      h("ol", { class: "chain", "aria-labelledby": "chain-title" }, steps,
        h("li", { class: "chain-step current" }, card(record, t("edit.thisImage", { op: modeLabel(record) }), { current: true }))));
  }
  // Downward: each edit made from this image, side by side (they are siblings, not a sequence).
  if (children.length) {
    slot.append(
      h("h3", { class: "sub", id: "children-title" }, t("edit.children", { n: children.length })),
      h("ul", { class: "chain-children", "aria-labelledby": "children-title" },
        children.map((c) => h("li", { class: "chain-child" }, card(c, modeLabel(c))))));
  }
}

/** Where the before image lies in the after image, as fractions: the whole of it, or for an outpaint
 *  the original canvas inside the extended one (the edit's request says how far each side grew). */
export function beforePlacement(record, before) {
  const r = record.request || {};
  const operation = record.operation || r.operation || record.lineage?.operation;
  if (operation !== "outpaint") return { left: 0, top: 0, width: 1, height: 1 };
  const [left, right, up, down] = [r.left, r.right, r.up, r.down].map((v) => Math.max(0, Number(v) || 0));
  const w = before.width + left + right;
  const hh = before.height + up + down;
  return { left: left / w, top: up / hh, width: before.width / w, height: before.height / hh };
}

function compare(d, record, before, after) {
  const figure = d.querySelector(".detail-figure");
  if (!figure || figure.querySelector(".compare") || !after) return;
  const afterImg = figure.querySelector("img");
  const place = beforePlacement(record, before);
  const whole = place.width === 1 && place.height === 1;
  const wrap = h("div", { class: "compare" });
  const beforeImg = h("img", { src: before.url, alt: t("edit.before"), class: "compare-before" });
  const pct = (v) => `${(v * 100).toFixed(4)}%`;
  Object.assign(beforeImg.style, { left: pct(place.left), top: pct(place.top), width: pct(place.width), height: pct(place.height) });
  // The before side covers the after exactly; around an outpaint's original, the empty canvas shows.
  const layer = h("div", { class: ["compare-layer", !whole && "compare-canvas"] }, beforeImg);
  const slider = h("input", { type: "range", min: 0, max: 100, value: 50, id: "compare-slider", class: "compare-slider", "aria-label": t("edit.compare"),
    on: { input: () => wrap.style.setProperty("--split", `${slider.value}%`) } });
  wrap.style.setProperty("--split", "50%");
  afterImg.replaceWith(wrap);
  afterImg.classList.add("compare-after");
  wrap.append(afterImg, layer, h("span", { class: "compare-line", "aria-hidden": "true" }),
    h("span", { class: "compare-tag compare-tag-before", "aria-hidden": "true" }, t("edit.before")),
    h("span", { class: "compare-tag compare-tag-after", "aria-hidden": "true" }, t("edit.after")));
  figure.after(h("div", { class: "compare-control" }, slider));
}

// --- use as reference ------------------------------------------------------------------------------
export { nearestSize }; // (it lives in store.js: the composer shows it too)

/** Open Create with this image as the reference; preselect the size nearest its aspect ratio. */
export async function useAsReference(record, index) {
  const image = record.images[index];
  const response = await fetch(image.url);
  if (!response.ok) throw Object.assign(new Error("image"), { code: "not_found" });
  const blob = await response.blob();
  const file = new File([blob], downloadName(record, index), { type: blob.type || "image/png" });
  const imageKey = await api.upload(file);
  const ref = state.reference;
  if (ref.previewUrl) URL.revokeObjectURL(ref.previewUrl);
  Object.assign(ref, { file, previewUrl: URL.createObjectURL(file), imageKey, keywords: "", summary: "", palette: [], prompts: [] });
  const d = state.draft;
  if (!REFERENCE_MODES.includes(d.mode)) setMode(d, REFERENCE_MODES.find((mode) => availableModes().includes(mode)) || d.mode);
  const m = model();
  const size = nearestSize(m, image.width, image.height);
  Object.assign(d, {
    referenceImageKey: imageKey,
    referencePreview: ref.previewUrl,
    referenceSize: { width: image.width, height: image.height },
    width: size.width,
    height: size.height,
    lineage: { source: "reference", referenceImageKey: imageKey, parentId: record.id },
  });
  saveDraft();
  notify("draft");
  notify("reference");
  location.hash = "#create";
  requestAnimationFrame(() => document.dispatchEvent(new CustomEvent("show-panel", { detail: "reference" })));
  toast(t("edit.referenceReady"));
}
