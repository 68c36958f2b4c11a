// The detail dialog: the full image, every parameter, the lineage, and the actions
// (re-run exactly, vary, use this prompt, favorite, download, delete with confirmation).

import { h, clear, icon, announce, toast } from "../dom.js";
import { t, formatDate, formatMoney, languageName } from "../i18n.js";
import { api } from "../api.js";
import { submit, rerunBody, draftFromRecord, updateRecord, forgetRecord, state } from "../store.js";
import { errorMessage } from "../messages.js";
import { annotationsBlock, moreLikeThisButton } from "./search.js";

let dialog = null;
let opener = null;
let openId = null;

function ensureDialog() {
  if (dialog) return dialog;
  dialog = h("dialog", { class: "detail", "aria-labelledby": "detail-title" });
  dialog.addEventListener("close", () => {
    clear(dialog);
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
  return h("dl", { class: "params" }, rows.filter(([, v]) => v !== undefined && v !== null && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function lineageList(record) {
  const l = record.lineage || {};
  const r = record.request || {};
  const items = [];
  if (l.originalText) items.push([t("lineage.original", { lang: l.originalLanguage ? languageName(l.originalLanguage) : "?" }), l.originalText]);
  if (l.english && l.english !== l.originalText) items.push([t("lineage.english"), l.english]);
  if (l.source === "ideas" || (l.ideaTitle && !l.referenceImageKey)) items.push([t("ideas.title"), t("lineage.ideas", { title: l.ideaTitle || "", style: l.style || "—", keywords: l.keywords || "" })]);
  if (l.referenceImageKey) items.push([t("lineage.reference"), [l.ideaTitle, l.keywords].filter(Boolean).join(" · ") || l.referenceImageKey.split("/").pop()]);
  if (l.parentId) items.push([t("lineage.parent"), l.parentId]);
  if (!items.length && l.source === "api") items.push([t("lineage.api"), ""]);
  items.push([t("lineage.final"), l.finalPrompt || r.prompt || ""]);
  const seed = record.images?.[0]?.seed ?? r.seed;
  if (seed !== undefined && seed !== null) items.push([t("lineage.seed", { seed }), ""]);
  return h("ol", { class: "lineage" }, items.map(([label, text]) => h("li", {}, h("span", { class: "lineage-label" }, label), text ? h("span", { class: "lineage-text" }, text) : null)));
}

export function openDetail(record, index = 0, { onChange } = {}) {
  const d = ensureDialog();
  if (!d.open) opener = document.activeElement;
  openId = record.id;
  render(d, record, index, onChange);
  if (!d.open) d.showModal();
  d.querySelector(".detail-close")?.focus();
}

function render(d, record, index, onChange) {
  clear(d);
  const r = record.request || {};
  const image = record.images?.[index];
  const status = h("p", { class: "form-error", role: "alert" });

  const figure = image
    ? h("figure", { class: "detail-figure" }, (() => {
      const img = h("img", { src: image.url, alt: r.prompt || "", width: image.width, height: image.height });
      return img;
    })())
    : h("div", { class: "detail-figure empty-figure" }, record.error ? h("p", { class: "failure-text" }, errorMessage(record.error)) : t(`status.${record.status}`));

  const picker = record.images?.length > 1 ? h("div", { class: "detail-picker", role: "group", "aria-label": t("detail.image", { n: "" }).trim() },
    record.images.map((img, i) => h("button", { type: "button", class: "thumb mini", "aria-pressed": String(i === index), "aria-label": t("detail.showImage", { n: i + 1 }),
      on: { click: () => { render(d, record, i, onChange); d.querySelectorAll(".detail-picker button")[i]?.focus(); } } },
    h("img", { src: img.thumbnailUrl, alt: "" })))) : null;

  const busy = async (button, fn) => {
    status.textContent = "";
    button.disabled = true;
    try { await fn(); } catch (e) { status.textContent = errorMessage(e); } finally { button.disabled = false; }
  };

  const rerun = h("button", { class: "btn btn-primary", type: "button", on: { click: () => busy(rerun, async () => {
    await submit(rerunBody(record, { sameSeed: true }));
    d.close();
    toast(t("detail.rerunStarted"));
    location.hash = "#create";
  }) } }, icon("rerun"), t("detail.rerun"));
  const vary = h("button", { class: "btn", type: "button", on: { click: () => busy(vary, async () => {
    await submit(rerunBody(record, { sameSeed: false }));
    d.close();
    toast(t("detail.rerunStarted"));
    location.hash = "#create";
  }) } }, icon("dice"), t("detail.vary"));
  const use = h("button", { class: "btn", type: "button", on: { click: () => {
    draftFromRecord(record);
    d.close();
    location.hash = "#create";
    setTimeout(() => document.getElementById("compose-prompt")?.focus(), 50);
  } } }, icon("edit"), t("detail.use"));
  const favorite = h("button", { class: ["btn", record.favorite && "is-on"], type: "button", "aria-pressed": String(Boolean(record.favorite)), on: { click: () => busy(favorite, async () => {
    const updated = await api.patch(record.id, { favorite: !record.favorite });
    Object.assign(record, updated);
    favorite.setAttribute("aria-pressed", String(Boolean(record.favorite)));
    favorite.classList.toggle("is-on", Boolean(record.favorite));
    updateRecord(record);
    onChange?.(record);
  }) } }, icon("star"), t("detail.favorite"));
  const share = h("button", { class: ["btn", record.public && "is-on-share"], type: "button", "aria-pressed": String(Boolean(record.public)), on: { click: () => busy(share, async () => {
    const updated = await api.patch(record.id, { public: !record.public });
    Object.assign(record, updated);
    share.setAttribute("aria-pressed", String(Boolean(record.public)));
    share.classList.toggle("is-on-share", Boolean(record.public));
    updateRecord(record);
    onChange?.(record);
    render(d, record, index, onChange);
    d.querySelector("[data-action=share]")?.focus();
  }) } }, icon("share"), t("detail.share"));
  share.dataset.action = "share";
  const download = image ? h("a", { class: "btn", href: image.url, download: `${record.id}-${index + 1}.png` }, icon("download"), t("detail.download")) : null;

  const confirmBox = h("div", { class: "confirm", hidden: true, role: "group", "aria-labelledby": "confirm-text" },
    h("p", { id: "confirm-text" }, t("detail.confirm")));
  const cancel = h("button", { class: "btn", type: "button", on: { click: () => { confirmBox.hidden = true; del.focus(); } } }, t("detail.cancel"));
  const yes = h("button", { class: "btn btn-danger", type: "button", on: { click: () => busy(yes, async () => {
    await api.remove(record.id);
    forgetRecord(record.id);
    onChange?.(record, { deleted: true });
    d.close();
    toast(t("detail.deleted"));
    announce(t("detail.deleted"));
  }) } }, t("detail.confirmYes"));
  confirmBox.append(h("div", { class: "row" }, yes, cancel));
  const del = h("button", { class: "btn btn-ghost btn-danger-text", type: "button", on: { click: () => { confirmBox.hidden = false; cancel.focus(); } } }, icon("trash"), t("detail.delete"));

  const m = state.models?.imageModels.find((x) => x.modelId === record.modelId);
  const params = dl([
    [t("detail.status"), t(`status.${record.status}`)],
    [t("detail.mode"), t(`mode.${record.mode}`)],
    [t("detail.model"), m?.name || record.modelId],
    [t("detail.size"), r.width ? `${r.width} × ${r.height}` : null],
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
    [t("detail.cost"), formatMoney(record.estimatedCost || 0)],
  ]);

  d.append(h("div", { class: "detail-inner" },
    h("header", { class: "detail-header" },
      h("h2", { id: "detail-title" }, t("detail.title")),
      h("button", { class: "btn btn-icon btn-ghost detail-close", type: "button", "aria-label": t("detail.close"), on: { click: () => d.close() } }, icon("close"))),
    h("div", { class: "detail-body" },
      h("div", { class: "detail-media" }, figure, picker),
      h("div", { class: "detail-info" },
        h("h3", { class: "sub" }, t("detail.prompt")),
        h("p", { class: "prompt-text" }, r.prompt || ""),
        r.negativePrompt ? [h("h3", { class: "sub" }, t("detail.negative")), h("p", { class: "prompt-text muted" }, r.negativePrompt)] : null,
        h("div", { class: "actions" }, record.mine !== false ? [rerun, vary] : null, use, moreLikeThisButton(record, index, { onRun: () => d.close() }), record.mine !== false ? [favorite, share] : null, download, record.mine !== false ? del : null),
        confirmBox,
        status,
        annotationsBlock(record, index, { onTag: () => d.close() }),
        h("h3", { class: "sub" }, t("detail.lineage")),
        lineageList(record),
        h("h3", { class: "sub" }, t("detail.parameters")),
        params))));
}

export function closeDetail() {
  if (dialog?.open) dialog.close();
}

