// The detail dialog: the full image, every parameter, the lineage, and the actions
// (re-run exactly, vary, use this prompt, use as reference, edit, favorite, download, delete with
// confirmation). Each detail has a linkable URL, #/g/<id>. The edit studio, the before/after compare
// and the edit chain live in edit.js, loaded when a detail first opens. This module itself is loaded
// on first use too (lazy.js).

import { h, clear, icon, announce, toast, stylesheet } from "../dom.js";
import { t, tn, formatDate, formatMoney, languageName, addEnglish } from "../i18n.js";
import { api } from "../api.js";
import { againBody, resend, draftFromRecord, updateRecord, forgetRecord, recordPrice, state, editOperations, subscribe, notify } from "../store.js";
import { errorMessage, modeLabel } from "../messages.js";
import { spendLabel } from "../cost.js";
import { downloadName } from "../files.js";
import { retryButton } from "./results.js";
import { annotationsBlock, moreLikeThisButton } from "./search.js";
import { detailIdFromHash } from "./lazy.js";
import { credentialsBadge, credentialsPanel } from "./credentials.js";
import { tagsBlock } from "./tags.js";
import texts from "../strings/detail.js";

addEnglish(texts);
await stylesheet("detail"); // before anything of the view is drawn (no unstyled flash)

let dialog = null;
let opener = null;
let openId = null;
let returnHash = null; // where the URL goes back to when the dialog closes
let keepUrl = false; // the next close leaves the URL alone (closed by signing out)
let decorating = null; // the latest render's edit-chain load (the dialog is aria-busy until it ends)

const loadEditModule = () => import("./edit.js");

// --- edits started from the open detail: followed in its edit chain (the user stays in the image) ---
// edit id → { parentId, record }. When one completes while its image is still open, its result opens
// (with its before/after, and Edit to go on); one that fails says why in place. The composer's results
// list shows them too (the store follows every submission).
const following = new Map();

let current = null; // what the dialog shows: { record, index, onChange }

subscribe((what) => {
  // A state change of the open record, pushed on the user's channel (whichever tab started it) or
  // polled by this tab: the detail shows it at once (a running render's image appears when it completes).
  const changed = what?.pushed || what?.record;
  if (changed && dialog?.open && openId === changed.id && current && current.record.status !== changed.status) {
    render(dialog, { ...current.record, ...changed }, current.index, current.onChange);
  }
  const record = what?.record;
  const entry = record && following.get(record.id);
  if (!entry) return;
  entry.record = { ...entry.record, ...record };
  const shown = dialog?.open && openId === entry.parentId;
  if (entry.record.status === "COMPLETE") {
    following.delete(record.id);
    if (shown) {
      openDetail(entry.record, 0, { push: true });
      announce(t("edit.ready", { op: modeLabel(entry.record) }));
    } else toast(t("edit.readyElsewhere", { op: modeLabel(entry.record) }));
    return;
  }
  if (shown) drawFollowing(dialog, entry.parentId);
});

/** The edits of this image that are still running (or just failed), as the next step of its chain. */
function drawFollowing(d, parentId) {
  const slot = d.querySelector("#edit-progress");
  if (!slot) return;
  clear(slot);
  const mine = [...following.values()].filter((e) => e.parentId === parentId);
  if (!mine.length) return;
  const here = d.querySelector(".detail-figure img")?.getAttribute("src");
  slot.append(
    h("h3", { class: "sub", id: "edit-progress-title" }, t("edit.inProgress")),
    ...mine.map(({ record }) => {
      const failed = record.status === "FAILED";
      const state_ = failed ? errorMessage(record.error || {}) : t(`status.${record.status}`);
      return h("ol", { class: "chain", "aria-labelledby": "edit-progress-title", dataset: { edit: record.id, status: record.status } },
        h("li", { class: "chain-step" }, h("div", { class: "chain-card" }, here ? h("img", { src: here, alt: "" }) : null,
          h("span", { class: "chain-label" }, t("edit.thisImageNow")))),
        h("li", { class: ["chain-step", "current", failed && "gone"] }, h("div", { class: "chain-card pending-card" },
          failed ? h("span", { class: "chain-empty" }, t("status.FAILED")) : h("span", { class: "chain-empty chain-running" }, h("progress", { class: "progress", "aria-label": t("results.progress") })),
          h("span", { class: "chain-label" }, modeLabel(record)),
          h("span", { class: "chain-label", role: "status" }, state_),
          failed ? h("button", { class: "btn btn-small btn-ghost", type: "button", on: { click: () => { following.delete(record.id); drawFollowing(d, parentId); } } }, t("results.dismiss")) : null)));
    }));
}

function ensureDialog() {
  if (dialog) return dialog;
  dialog = h("dialog", { class: "detail", "aria-labelledby": "detail-title" });
  dialog.addEventListener("close", () => {
    clear(dialog);
    // Not history.back(): an action that navigates right after closing (Re-run → #create) must win.
    if (detailIdFromHash() && !keepUrl) history.replaceState(null, "", returnHash || "#gallery");
    keepUrl = false;
    // Back to what opened the dialog; if that tile was redrawn meanwhile, to its replacement.
    const target = opener?.isConnected ? opener
      : document.querySelector(`[data-id="${CSS.escape(openId || "")}"] button`);
    target?.focus();
  });
  // A click on the backdrop (outside the panel) closes the dialog.
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  document.body.append(dialog);
  return dialog;
}

function dl(rows) {
  return h("dl", { class: "params record-params" }, rows.filter(([, v]) => v !== undefined && v !== null && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function lineageList(record) {
  const l = record.lineage || {};
  const r = record.request || {};
  const items = [];
  if (l.originalText) items.push([t("lineage.original", { lang: l.originalLanguage ? languageName(l.originalLanguage) : "?" }), l.originalText]);
  if (l.english && l.english !== l.originalText) items.push([t("lineage.english"), l.english]);
  if (l.source === "ideas" || (l.ideaTitle && !l.referenceImageKey)) items.push([t("ideas.title"), t("lineage.ideas", { title: l.ideaTitle || "", style: l.style || "—", keywords: l.keywords || "" })]);
  if (l.referenceImageKey || record.referenceUrl) items.push([t("lineage.reference"), referenceSummary(record)]);
  if (l.source === "edit") items.push([t("lineage.edit", { op: modeLabel(record) }), ""]);
  else if (l.parentId) items.push([t("lineage.parent"), l.parentId]);
  if (!items.length && l.source === "api") items.push([t("lineage.api"), ""]);
  const finalPrompt = l.finalPrompt || r.prompt || "";
  if (finalPrompt) items.push([t("lineage.final"), finalPrompt]);
  const seed = record.images?.[0]?.seed ?? r.seed;
  if (seed !== undefined && seed !== null) items.push([t("lineage.seed", { seed }), ""]);
  return h("ol", { class: "lineage" }, items.map(([label, text]) => h("li", {}, h("span", { class: "lineage-label" }, label), text ? h("span", { class: "lineage-text" }, text) : null)));
}

/** A reference image in the lineage: its thumbnail, the model's summary of it and its palette. */
function referenceSummary(record) {
  const l = record.lineage || {};
  const known = state.reference.imageKey && state.reference.imageKey === l.referenceImageKey ? state.reference : null;
  const src = record.referenceUrl || known?.previewUrl;
  const summary = l.referenceSummary || known?.summary || "";
  const palette = l.referencePalette || known?.palette || [];
  const words = [l.ideaTitle, l.keywords].filter(Boolean).join(" · ");
  return h("span", { class: "lineage-ref" },
    src ? h("img", { src, alt: t("lineage.referenceAlt"), class: "lineage-ref-img" }) : null,
    h("span", { class: "lineage-ref-text" },
      summary ? h("span", {}, summary) : null,
      words ? h("span", { class: "meta" }, words) : null,
      !summary && !words && !src ? h("span", { class: "meta" }, t("lineage.referenceNoSummary")) : null,
      palette.length ? h("span", { class: "color-row", "aria-label": t("ref.palette") }, palette.map((c) => {
        const sw = h("span", { class: "swatch small", title: c });
        sw.style.backgroundColor = c;
        return sw;
      })) : null));
}

/** `back`: where closing returns when the detail was opened from its own URL (a link, a reload,
 *  Forward): the view on screen under it. */
export function openDetail(record, index = 0, { onChange, push = false, back = "#gallery" } = {}) {
  const d = ensureDialog();
  if (!d.open) {
    opener = document.activeElement;
    returnHash = detailIdFromHash() ? back : (location.hash || "#create");
  }
  openId = record.id;
  const hash = `#/g/${record.id}`;
  if (location.hash !== hash) {
    if (!push && (d.open || detailIdFromHash())) history.replaceState(null, "", hash);
    else history.pushState(null, "", hash);
  }
  render(d, record, index, onChange);
  if (!d.open) d.showModal();
  d.querySelector(".detail-close")?.focus();
}

/** Open #/g/<id> (a shared link, a reload, or a step of an edit chain). When the URL names an id that
 *  cannot be opened, the detail open before it closes and the URL goes back to where it was opened from
 *  (or to `back`, the view on screen). A chain step that fails leaves the open detail as it is. */
export async function openDetailById(id, index = 0, { back = "#gallery", push = false } = {}) {
  try {
    const record = await api.generation(id);
    openDetail(record, index, { push, back });
  } catch (error) {
    toast(errorMessage(error), "error");
    if (detailIdFromHash() !== id) return;
    if (dialog?.open) dialog.close(); // its close handler puts the URL back
    else history.replaceState(null, "", back);
  }
}

function render(d, record, index, onChange) {
  current = { record, index, onChange };
  clear(d);
  const r = record.request || {};
  const image = record.images?.[index];
  const failed = record.status === "FAILED";
  const mine = record.mine !== false;
  const operation = record.operation || r.operation || record.lineage?.operation;
  const status = h("p", { class: "form-error", role: "alert" });
  const rerender = (next = record, i = index) => render(d, next, i, onChange);

  const figure = image
    ? h("figure", { class: ["detail-figure", operation === "remove-background" && "checker"] },
      h("img", { src: image.url, alt: r.prompt || modeLabel(record), width: image.width, height: image.height }))
    : h("div", { class: "detail-figure empty-figure" }, record.error ? h("p", { class: "failure-text" }, errorMessage(record.error)) : t(`status.${record.status}`));

  const picker = record.images?.length > 1 ? h("div", { class: "detail-picker", role: "group", "aria-label": t("detail.image", { n: "" }).trim() },
    record.images.map((img, i) => h("button", { type: "button", class: "thumb mini", "aria-pressed": String(i === index), "aria-label": t("detail.showImage", { n: i + 1 }),
      on: { click: () => { rerender(record, i); d.querySelectorAll(".detail-picker button")[i]?.focus(); } } },
    h("img", { src: img.thumbnailUrl, alt: "" })))) : null;

  const busy = async (button, fn) => {
    status.textContent = "";
    button.disabled = true;
    try { await fn(); } catch (e) { status.textContent = e.code === "source_gone" ? t("detail.sourceGone") : errorMessage(e); } finally { button.disabled = false; }
  };
  const again = (sameSeed, message) => async () => {
    try {
      await resend(record, againBody(record, { sameSeed }));
    } catch (e) { // this record exists (it is open): what is missing is the image it was made from
      throw record.mode === "edit" && e.code === "not_found" ? Object.assign(new Error("source gone"), { code: "source_gone" }) : e;
    }
    d.close();
    toast(message);
    location.hash = "#create";
  };
  const images = record.mode === "edit" ? 1 : (r.count || record.images?.length || 1);
  const price = recordPrice(record);
  const rerun = h("button", { class: "btn btn-primary", type: "button", dataset: { action: "rerun" }, on: { click: () => busy(rerun, again(true, t("detail.rerunStarted"))) } }, icon("rerun"));
  spendLabel(rerun, t("detail.rerun"), images, price);
  const vary = h("button", { class: "btn", type: "button", dataset: { action: "vary" }, on: { click: () => busy(vary, again(false, t("detail.varyStarted"))) } }, icon("dice"));
  spendLabel(vary, t("detail.vary"), images, price);
  const retry = failed && mine ? retryButton(record, { onSent: () => { d.close(); toast(t("detail.rerunStarted")); location.hash = "#create"; } }) : null;
  const use = r.prompt ? h("button", { class: "btn", type: "button", on: { click: () => {
    draftFromRecord(record);
    d.close();
    location.hash = "#create";
    setTimeout(() => document.getElementById("compose-prompt")?.focus(), 50);
  } } }, icon("edit"), t("detail.use")) : null;
  const asReference = image ? h("button", { class: "btn", type: "button", dataset: { action: "reference" }, on: { click: () => busy(asReference, async () => {
    const { useAsReference } = await loadEditModule();
    await useAsReference(record, index);
    d.close();
  }) } }, icon("upload"), t("detail.asReference")) : null;
  const edit = image && mine ? h("button", { class: "btn", type: "button", dataset: { action: "edit" }, "aria-expanded": "false", on: { click: () => busy(edit, async () => {
    const { openStudio } = await loadEditModule();
    openStudio(d, record, index, { onStarted: (started) => {
      if (started.status === "COMPLETE") { openDetail(started, 0, { push: true }); return; }
      following.set(started.id, { parentId: record.id, record: started });
      drawFollowing(d, record.id);
      d.querySelector("#edit-progress")?.scrollIntoView({ block: "nearest" });
      edit.focus();
    } });
  }) } }, icon("sparkle"), t("detail.edit")) : null;
  const favorite = h("button", { class: ["btn", record.favorite && "is-on"], type: "button", "aria-pressed": String(Boolean(record.favorite)), on: { click: () => busy(favorite, async () => {
    const updated = await api.patch(record.id, { favorite: !record.favorite });
    Object.assign(record, updated);
    favorite.setAttribute("aria-pressed", String(Boolean(record.favorite)));
    favorite.classList.toggle("is-on", Boolean(record.favorite));
    favorite.lastChild.textContent = t(record.favorite ? "detail.favoriteOn" : "detail.favorite");
    updateRecord(record);
    if (onChange) onChange(record);
    else notify({ changed: record });
  }) } }, icon("star"), h("span", {}, t(record.favorite ? "detail.favoriteOn" : "detail.favorite")));
  const share = h("button", { class: ["btn", record.public && "is-on-share"], type: "button", "aria-pressed": String(Boolean(record.public)), on: { click: () => busy(share, async () => {
    const updated = await api.patch(record.id, { public: !record.public });
    Object.assign(record, updated);
    updateRecord(record);
    if (onChange) onChange(record);
    else notify({ changed: record });
    rerender();
    d.querySelector("[data-action=share]")?.focus();
  }) } }, icon("share"), t(record.public ? "detail.shareOn" : "detail.shareOff"));
  share.dataset.action = "share";
  const download = image ? h("a", { class: "btn", href: image.url, download: downloadName(record, index) }, icon("download"), t("detail.download")) : null;

  const confirmText = h("p", { id: "confirm-text" }, t("detail.confirm"));
  const confirmBox = h("div", { class: "confirm", hidden: true, role: "group", "aria-labelledby": "confirm-text" }, confirmText);
  const gone = h("p", { class: "hint", id: "source-gone", hidden: true }, t("detail.sourceGone"));
  // What the edit chain found (edit.js): edits made from this image, or an original that was deleted.
  const onFound = ({ children, parentGone, originalKept }) => {
    if (children.length) confirmText.textContent = `${t("detail.confirm")} ${tn("detail.confirmEdits", children.length)}`;
    if (parentGone && mine && !failed) {
      rerun.disabled = true;
      vary.disabled = true;
      if (originalKept) gone.textContent = t("detail.sourceStepGone"); // a step between was deleted
      gone.hidden = false;
    }
  };
  const cancel = h("button", { class: "btn", type: "button", on: { click: () => { confirmBox.hidden = true; del.focus(); } } }, t("detail.cancel"));
  const yes = h("button", { class: "btn btn-danger", type: "button", on: { click: () => busy(yes, async () => {
    await api.remove(record.id);
    forgetRecord(record.id);
    if (onChange) onChange(record, { deleted: true });
    else notify({ deleted: record.id }); // opened from its link: the view behind follows
    d.close();
    toast(t("detail.deleted"));
    announce(t("detail.deleted"));
  }) } }, t("detail.confirmYes"));
  confirmBox.append(h("div", { class: "row" }, yes, cancel));
  const del = h("button", { class: "btn btn-ghost btn-danger-text", type: "button", on: { click: () => { confirmBox.hidden = false; cancel.focus(); } } }, icon("trash"), t("detail.delete"));

  const m = state.models?.imageModels.find((x) => x.modelId === record.modelId)
    || state.models?.editOperations?.find((x) => x.modelId === record.modelId);
  const params = dl([
    [t("detail.status"), t(`status.${record.status}`)],
    [t("detail.mode"), modeLabel(record)],
    [t("detail.model"), m?.name || m?.modelName || record.modelId],
    [t("detail.size"), image ? `${image.width} × ${image.height}` : r.width ? `${r.width} × ${r.height}` : null],
    [t("detail.seed"), image?.seed ?? r.seed],
    [t("detail.quality"), r.quality ? t(`quality.${r.quality}`) : null],
    [t("detail.count"), r.count],
    [t("detail.cfg"), r.cfgScale],
    [t("detail.colors"), r.colors?.length ? h("span", { class: "color-row" }, r.colors.map((c) => {
      const sw = h("span", { class: "swatch small", "aria-hidden": "true" });
      sw.style.backgroundColor = c;
      return h("span", { class: "color-item" }, sw, h("span", { class: "mono" }, c));
    })) : null],
    [t("detail.control"), r.controlMode ? `${t(`control.${r.controlMode}`)} · ${r.controlStrength ?? ""}` : null],
    [t("detail.similarity"), r.similarityStrength],
    [t("detail.visibility"), record.public ? t("detail.public") : t("detail.private")],
    [t("detail.created"), formatDate(record.createdAt)],
    [t("detail.cost"), failed ? null : formatMoney(record.estimatedCost || 0)],
  ]);

  // An edit that takes neither a prompt nor a mask (remove background, fast upscale) has nothing to vary.
  const info = record.mode === "edit" ? editOperations().get(operation) : null;
  const fixed = Boolean(info && !info.takesPrompt && !info.takesMask);
  const actions = failed
    ? [retry, use, mine ? del : null]
    : [mine ? [rerun, fixed ? null : vary] : null, edit, use, asReference, moreLikeThisButton(record, index, { onRun: () => d.close() }),
       mine ? [favorite, share] : null, download, mine ? del : null];
  // Add to board: the boards module (and its panel) load on the first press.
  const boardSlot = h("div", { class: "board-slot" });
  const toBoard = failed ? null : h("button", { class: "btn", type: "button", dataset: { action: "board" }, "aria-expanded": "false", on: { click: () => busy(toBoard, async () => {
    if (boardSlot.childElementCount) { clear(boardSlot); toBoard.setAttribute("aria-expanded", "false"); return; }
    const { addToBoardPanel } = await import("./boards.js").catch(() => Promise.reject({ code: "network" }));
    boardSlot.append(addToBoardPanel(record));
    toBoard.setAttribute("aria-expanded", "true");
  }) } }, t("boards.addTo"));
  if (toBoard) actions.splice(actions.length - 2, 0, toBoard);
  const prompt = r.prompt || r.searchPrompt || r.selectPrompt || "";
  d.append(h("div", { class: "detail-inner" },
    h("header", { class: "detail-header" },
      h("h2", { id: "detail-title" }, t("detail.title"), record.status === "COMPLETE" ? credentialsBadge(record.contentCredentials) : null),
      h("button", { class: "btn btn-icon btn-ghost detail-close", type: "button", "aria-label": t("detail.close"), on: { click: () => d.close() } }, icon("close"))),
    h("div", { class: "detail-body" },
      h("div", { class: "detail-media" }, figure, picker),
      h("div", { class: "detail-info" },
        prompt ? [h("h3", { class: "sub" }, t("detail.prompt")), h("p", { class: "prompt-text" }, prompt)] : null,
        r.negativePrompt ? [h("h3", { class: "sub" }, t("detail.negative")), h("p", { class: "prompt-text muted" }, r.negativePrompt)] : null,
        h("div", { class: "actions" }, actions),
        boardSlot,
        gone,
        confirmBox,
        status,
        h("div", { class: "edit-slot", id: "edit-slot" }),
        h("div", { class: "edit-progress", id: "edit-progress" }),
        failed ? null : tagsBlock(record, { mine, onSaved: (updated) => {
          Object.assign(record, updated);
          updateRecord(record);
          if (onChange) onChange(record);
          else notify({ changed: record });
        } }),
        failed ? null : annotationsBlock(record, index, { onTag: () => d.close() }),
        h("h3", { class: "sub" }, t("detail.lineage")),
        lineageList(record),
        h("div", { class: "chain-slot", id: "chain-slot" }),
        credentialsPanel(record),
        h("h3", { class: "sub" }, t("detail.parameters")),
        params))));
  drawFollowing(d, record.id);
  // The edit chain and, for an edit, the before/after compare (edit.js, loaded on demand).
  // aria-busy until they are in place: assistive technology (and the browser tests) know when the
  // detail has finished loading.
  if (record.status === "COMPLETE") {
    const mine = (decorating = {});
    d.setAttribute("aria-busy", "true");
    loadEditModule()
      .then(({ decorateDetail }) => (openId === record.id && d.open ? decorateDetail(d, record, index, { open: openDetailById, onFound }) : null))
      .catch(() => {})
      .finally(() => { if (decorating === mine) d.removeAttribute("aria-busy"); });
  } else {
    decorating = null;
    d.removeAttribute("aria-busy");
  }
}

/** Close the detail; with keepUrl its #/g/<id> URL stays (signing in again reopens it). */
export function closeDetail({ keepUrl: keep = false } = {}) {
  if (!dialog?.open) return;
  keepUrl = keep;
  dialog.close();
}

