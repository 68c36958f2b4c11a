// The three ways to a prompt: your words (translated), ideas (style + keywords), a reference image.

import { h, field, uid, announce, clear, icon } from "../dom.js";
import { t, tOr, lang, languageName } from "../i18n.js";
import { api } from "../api.js";
import { state, notify, subscribe, submit, requestBody, translateIntoDraft, estimate, setMode, availableModes, model } from "../store.js";
import { spendLabel } from "../cost.js";
import { errorMessage } from "../messages.js";
import { IMAGE_TYPES, checkImage } from "../files.js";

/** "n / max characters" under a text field with a maxlength, and a message once the limit is reached
 *  (the browser cuts a longer paste there without a word). */
function lengthHint(input, max) {
  const hint = h("span", {});
  const update = () => {
    const n = input.value.length;
    hint.textContent = n >= max ? `${t("compose.promptHint", { n, max })}. ${t("field.limitReached", { max })}` : t("compose.promptHint", { n, max });
    hint.className = n >= max ? "over" : "";
  };
  input.addEventListener("input", update);
  update();
  return hint;
}

/** Put a prompt (and more) into the composer, then bring the composer into view. */
export function useInComposer(patch) {
  Object.assign(state.draft, { translation: null }, patch);
  setMode(state.draft, state.draft.mode);
  notify("draft");
  announce(t("basic.use"));
  focusComposerPrompt();
}

function focusComposerPrompt() {
  requestAnimationFrame(() => {
    const prompt = document.getElementById("compose-prompt");
    if (prompt) {
      prompt.scrollIntoView({ block: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
      prompt.focus({ preventScroll: true });
    }
  });
}

function busyButton(button, busyLabel) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = busyLabel;
  return () => {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  };
}

function panel(id, title, lead, ...body) {
  return h("section", { class: "card source", id: `panel-${id}`, "aria-labelledby": `panel-${id}-title`, dataset: { panel: id } },
    h("h2", { id: `panel-${id}-title`, class: "panel-title" }, title),
    h("p", { class: "panel-lead" }, lead),
    ...body);
}

/** A panel's message outlives its cause no longer: once a render starts (from this panel or any other),
 *  the "first write…" or a failed request here is history, so the message goes. */
function clearedByARender(error) {
  const seen = new Set(state.results.map((r) => r.id));
  const off = subscribe((what) => {
    const id = what?.record?.id;
    if (!id || seen.has(id)) return;
    seen.add(id);
    if (!error.isConnected) { off(); return; }
    error.textContent = "";
  });
  return error;
}

const BASIC_MAX = 2000; // TranslateRequest.text (functions/studio/bodies/prompts.py)
const KEYWORDS_MAX = 500; // SuggestRequest.keywords and .style

// --- Basic: any language → English, straight into the composer (the original stays as a chip) -------
export function basicPanel() {
  const s = state.basic;
  const error = clearedByARender(h("p", { class: "form-error", role: "alert" }));
  const text = h("textarea", { id: "basic-text", rows: 4, maxlength: BASIC_MAX, placeholder: t("basic.placeholder"), value: s.text,
    on: { input: () => { s.text = text.value; error.textContent = ""; } } });
  const translate = h("button", { class: "btn btn-primary", type: "submit" }, t("basic.translate"));

  const form = h("form", { class: "stack", on: { submit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!s.text.trim()) { error.textContent = t("basic.needText"); text.focus(); return; }
    const done = busyButton(translate, t("basic.busy"));
    try {
      const result = await translateIntoDraft(s.text);
      announce(result.translated ? t("basic.done") : result.language === "en" ? t("basic.alreadyEnglish")
        : t("basic.notTranslated", { lang: languageName(result.language) }));
      focusComposerPrompt();
    } catch (e) {
      error.textContent = errorMessage(e);
    } finally {
      done();
    }
  } } }, field(t("basic.text"), text, { hint: h("span", {}, t("basic.hint"), h("br"), lengthHint(text, BASIC_MAX)) }), h("div", { class: "row" }, translate), error);

  return panel("basic", t("basic.title"), t("basic.lead"), form);
}

// --- Ideas: style + keywords → prompt cards; pick one or several --------------------------------------
export function ideasPanel() {
  const s = state.ideas;
  const error = clearedByARender(h("p", { class: "form-error", role: "alert" }));
  const style = h("input", { id: "ideas-style", type: "text", maxlength: KEYWORDS_MAX, placeholder: t("ideas.stylePlaceholder"), value: s.style, on: { input: () => { s.style = style.value; } } });
  const keywords = h("input", { id: "ideas-keywords", type: "text", maxlength: KEYWORDS_MAX, "aria-required": "true", placeholder: t("ideas.keywordsPlaceholder"), value: s.keywords, on: { input: () => { s.keywords = keywords.value; error.textContent = ""; } } });
  const suggest = h("button", { class: "btn", type: "submit" }, t("ideas.suggest"));
  const list = h("div", { class: "idea-list" });

  function lineageFor(idea) {
    return { source: "ideas", style: s.style.trim() || undefined, keywords: s.keywords.trim(), ideaTitle: idea.title, originalLanguage: lang() };
  }

  function renderList() {
    clear(list);
    if (!s.prompts.length) return;
    // Once an idea is in the composer, the list folds to one line (it made the column very tall and
    // pushed the composer and results off screen); "Show all ideas" opens it again.
    if (s.chosen) {
      const more = h("button", { class: "btn btn-small", type: "button", id: "ideas-show-all", on: { click: () => {
        s.chosen = null;
        renderList();
        list.querySelector("input[type=checkbox]")?.focus();
      } } }, t("ideas.showAll", { n: s.prompts.length }));
      list.append(h("div", { class: "row wrap idea-chosen" }, h("p", { class: "hint" }, t("ideas.using", { title: s.chosen })), more));
      return;
    }
    const renderSelected = h("button", { class: "btn btn-primary", type: "button", disabled: s.selected.size === 0 });
    const updateCount = () => {
      const images = s.selected.size * state.draft.count;
      if (images) spendLabel(renderSelected, t("ideas.renderSelected", { n: s.selected.size }), images, estimate(state.draft).price);
      else renderSelected.textContent = t("ideas.selectFirst");
      renderSelected.disabled = s.selected.size === 0;
    };
    const cards = s.prompts.map((idea, index) => {
      const checkId = uid("idea");
      const check = h("input", { type: "checkbox", id: checkId, checked: s.selected.has(index), on: { change: () => {
        if (check.checked) s.selected.add(index); else s.selected.delete(index);
        card.classList.toggle("selected", check.checked);
        updateCount();
      } } });
      const prompt = h("textarea", { rows: 3, "aria-label": `${t("ideas.prompt")}: ${idea.title}`, value: idea.prompt, on: { input: () => { idea.prompt = prompt.value; } } });
      const negative = h("textarea", { rows: 2, "aria-label": `${t("ideas.negative")}: ${idea.title}`, value: idea.negativePrompt, on: { input: () => { idea.negativePrompt = negative.value; } } });
      const card = h("article", { class: ["idea", s.selected.has(index) && "selected"], "aria-labelledby": `${checkId}-title` },
        h("div", { class: "idea-head" },
          check,
          h("label", { for: checkId, id: `${checkId}-title`, class: "idea-title" }, idea.title)),
        h("p", { class: "gloss" }, idea.gloss),
        prompt,
        h("details", {}, h("summary", {}, t("ideas.negative")), negative),
        h("div", { class: "row end" }, h("button", { class: "btn btn-small", type: "button", "aria-label": `${t("ideas.use")}: ${idea.title}`, on: { click: () => {
          useInComposer({ prompt: idea.prompt, negativePrompt: idea.negativePrompt, lineage: lineageFor(idea) });
          s.chosen = idea.title;
          renderList();
        } } }, t("ideas.use"))));
      return card;
    });
    const renderError = h("p", { class: "form-error", role: "alert" });
    renderSelected.addEventListener("click", async () => {
      renderError.textContent = "";
      const chosen = [...s.selected].sort().map((i) => s.prompts[i]);
      const done = busyButton(renderSelected, t("compose.rendering"));
      try {
        for (const idea of chosen) {
          await submit(requestBody(state.draft, { prompt: idea.prompt, negativePrompt: idea.negativePrompt, lineage: lineageFor(idea) }));
        }
        document.getElementById("results")?.scrollIntoView({ block: "start" });
      } catch (e) {
        renderError.textContent = errorMessage(e);
      } finally {
        done();
        updateCount();
      }
    });
    updateCount();
    list.append(...cards, h("div", { class: "row end" }, renderSelected), renderError);
  }

  const form = h("form", { class: "stack", novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!s.keywords.trim()) { error.textContent = t("ideas.needKeywords"); keywords.focus(); return; }
    const done = busyButton(suggest, t("ideas.busy"));
    try {
      const result = await api.suggest({ style: s.style.trim(), keywords: s.keywords.trim(), count: 3, language: lang() });
      s.prompts = result.prompts.map((p) => ({ ...p }));
      s.chosen = null;
      s.selected = new Set();
      renderList();
      announce(result.prompts.map((p) => p.title).join(", "));
      list.querySelector("input[type=checkbox]")?.focus();
    } catch (e) {
      error.textContent = errorMessage(e);
    } finally {
      done();
    }
  } } },
    field(t("ideas.style"), style, { hint: lengthHint(style, KEYWORDS_MAX) }),
    field(t("ideas.keywords"), keywords, { hint: lengthHint(keywords, KEYWORDS_MAX) }),
    h("div", { class: "row" }, suggest),
    error);

  renderList();
  return panel("ideas", t("ideas.title"), t("ideas.lead"), form, list);
}

// --- Reference image: validate, preview, upload, describe; use palette / structure / variation ----------
export function referencePanel() {
  const s = state.reference;
  const error = h("p", { class: "form-error", role: "alert" });
  const input = h("input", { id: "ref-file", type: "file", accept: IMAGE_TYPES.join(","), class: "visually-hidden" });
  const preview = h("div", { class: "ref-preview" });
  const keywords = h("input", { id: "ref-keywords", type: "text", maxlength: 500, placeholder: t("ref.keywordsPlaceholder"), value: s.keywords, on: { input: () => { s.keywords = keywords.value; } } });
  const describe = h("button", { class: "btn", type: "submit", disabled: !s.file && !s.imageKey });
  describe.textContent = t("ref.describe");
  const output = h("div", { class: "ref-output" });

  async function choose(chosen) {
    error.textContent = "";
    if (!chosen) return;
    // By its first bytes, not its name: a text file renamed .png never gets uploaded or previewed.
    const { file, error: problem } = await checkImage(chosen);
    if (problem) { error.textContent = problem; input.value = ""; return; }
    if (s.previewUrl) URL.revokeObjectURL(s.previewUrl);
    Object.assign(s, { file, previewUrl: URL.createObjectURL(file), imageKey: null, size: null, summary: "", palette: [], prompts: [] });
    renderPreview();
    renderOutput();
    describe.disabled = false;
    // Its size: the composer warns when the chosen size has another shape; the image models refuse
    // references under 320 px a side: say so now, not after rendering.
    const probe = new Image();
    probe.onload = () => {
      if (s.file !== file) return;
      s.size = { width: probe.naturalWidth, height: probe.naturalHeight };
      if (Math.min(probe.naturalWidth, probe.naturalHeight) < 320) {
        preview.append(h("p", { class: "notice", role: "note" }, t("ref.small", { w: probe.naturalWidth, h: probe.naturalHeight })));
      }
    };
    probe.onerror = () => {
      if (s.file !== file) return;
      error.textContent = t("ref.badType");
      removeImage();
    };
    probe.src = s.previewUrl;
  }

  function removeImage() {
    if (s.previewUrl) URL.revokeObjectURL(s.previewUrl);
    Object.assign(s, { file: null, previewUrl: null, imageKey: null, size: null, summary: "", palette: [], prompts: [] });
    input.value = "";
    describe.disabled = true;
    renderPreview();
    renderOutput();
  }

  function renderPreview() {
    clear(preview);
    if (!s.previewUrl) return;
    preview.append(
      h("img", { src: s.previewUrl, alt: t("ref.preview"), class: "ref-img" }),
      h("div", { class: "ref-file" },
        h("span", { class: "meta" }, s.file ? `${s.file.name} · ${(s.file.size / 1024).toFixed(0)} KB` : ""),
        h("button", { class: "btn btn-ghost btn-small", type: "button", on: { click: () => { removeImage(); input.focus(); } } }, t("ref.remove"))),
    );
  }

  const drop = h("label", { class: "dropzone", on: {
    dragover: (e) => { e.preventDefault(); drop.classList.add("over"); },
    dragleave: () => drop.classList.remove("over"),
    drop: (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files[0]); },
  } }, input, icon("upload"), h("span", { class: "drop-main" }, t("ref.drop")), h("span", { class: "hint" }, t("ref.rules")));
  input.addEventListener("change", () => choose(input.files[0]));

  function referencePatch(extra) {
    return {
      referenceImageKey: s.imageKey,
      referencePreview: s.previewUrl,
      // Measured when chosen here; kept from "Use as reference" (edit.js sets it on the draft).
      referenceSize: s.size || (state.draft.referenceImageKey === s.imageKey ? state.draft.referenceSize : null),
      lineage: { source: "reference", referenceImageKey: s.imageKey, keywords: s.keywords.trim() || undefined,
        referenceSummary: s.summary ? s.summary.slice(0, 2000) : undefined, referencePalette: s.palette.length ? s.palette.slice(0, 10) : undefined, ...extra },
    };
  }

  function renderOutput() {
    clear(output);
    if (!s.summary && !s.prompts.length) return;
    const m = model();
    const firstPrompt = s.prompts[0];
    const fill = (axisPreferred) => {
      if (state.draft.prompt.trim()) return {};
      const p = s.prompts.find((x) => x.axis === axisPreferred) || firstPrompt;
      return p ? { prompt: p.prompt, negativePrompt: p.negativePrompt } : {};
    };
    const actions = [
      ["color", t("ref.usePalette"), () => useInComposer({ ...referencePatch({}), ...fill("mood"), mode: "color", colors: s.palette.slice(0, m.maxColors), useReferenceForColor: false })],
      ["structure", t("ref.useStructure"), () => useInComposer({ ...referencePatch({}), ...fill("composition"), mode: "structure" })],
      ["variation", t("ref.useVariation"), () => useInComposer({ ...referencePatch({}), ...fill("mood"), mode: "variation" })],
      ["style", t("ref.useStyle"), () => useInComposer({ ...referencePatch({}), ...fill("texture"), mode: "style" })],
    ].filter(([mode]) => availableModes().includes(mode));
    output.append(
      h("h3", { class: "sub" }, t("ref.summary")),
      h("p", { class: "summary" }, s.summary),
      h("h3", { class: "sub" }, t("ref.palette")),
      h("ul", { class: "swatches", "aria-label": t("ref.palette") }, s.palette.map((hex) => {
        const sw = h("span", { class: "swatch", "aria-hidden": "true" });
        sw.style.backgroundColor = hex;
        return h("li", {}, sw, h("span", { class: "mono" }, hex));
      })),
      h("div", { class: "row wrap" }, actions.map(([, label, fn]) => h("button", { class: "btn btn-small", type: "button", on: { click: fn } }, label))),
      ...s.prompts.map((p) => h("article", { class: "idea" },
        h("div", { class: "idea-head" }, h("h3", { class: "idea-title" }, p.title), h("span", { class: "tag" }, t("ref.keeps", { axis: tOr(`axis.${p.axis}`, p.axis) }))),
        h("p", { class: "prompt-text", title: p.prompt }, p.prompt),
        h("div", { class: "row end" }, h("button", { class: "btn btn-small", type: "button", "aria-label": `${t("ideas.use")}: ${p.title}`, on: { click: () => {
          useInComposer({ ...referencePatch({ ideaTitle: p.title }), prompt: p.prompt, negativePrompt: p.negativePrompt });
        } } }, t("ideas.use"))))),
    );
  }

  const form = h("form", { class: "stack", on: { submit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!s.file && !s.imageKey) { input.focus(); return; }
    const label = describe.textContent;
    describe.disabled = true;
    describe.setAttribute("aria-busy", "true");
    try {
      if (!s.imageKey) {
        describe.textContent = t("ref.uploading");
        s.imageKey = await api.upload(s.file);
      }
      describe.textContent = t("ref.describing");
      const result = await api.describe({ imageKey: s.imageKey, keywords: s.keywords.trim(), count: 3, language: lang() });
      Object.assign(s, { summary: result.summary, palette: result.palette, prompts: result.prompts });
      renderOutput();
      announce(result.summary);
    } catch (e) {
      error.textContent = errorMessage(e);
    } finally {
      describe.disabled = false;
      describe.removeAttribute("aria-busy");
      describe.textContent = label;
    }
  } } },
    drop, preview,
    field(t("ref.keywords"), keywords),
    h("div", { class: "row" }, describe),
    error);

  renderPreview();
  renderOutput();
  const root = panel("reference", t("ref.title"), t("ref.lead"), form, output);
  // "Use as reference" on an image sets the reference from elsewhere.
  const unsubscribe = subscribe((what) => {
    if (!root.isConnected) { unsubscribe(); return; }
    if (what !== "reference") return;
    describe.disabled = !s.file && !s.imageKey;
    renderPreview();
    renderOutput();
  });
  return root;
}
