// The tags of one image in the detail (issue 22, point 2): each a link to the gallery filtered by it.
// Its owner removes one (×) or adds one (Enter or Add) through PATCH /generations/{id} (removeTags /
// addTags); a tag the server refuses (422: its rule) says why in place. Others see the tags read-only.
// Loaded with the detail (itself loaded on first use), with the filter bar's texts and stylesheet.

import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { api } from "../api.js";
import { errorMessage } from "../messages.js";
import { tagText } from "./filters.js";

/** The gallery filtered by this tag: your images, or (an image someone shared) everyone's. */
export function tagHref(tag, mine) {
  const q = new URLSearchParams(mine ? { tag } : { scope: "all", tag });
  return `#gallery?${q}`;
}

/** The tags block. `onSaved(record)` runs after an edit with the record the server returned. */
export function tagsBlock(record, { mine, onSaved }) {
  const block = h("section", { class: "tags-block", "aria-labelledby": "tags-title" });
  const error = h("p", { class: "form-error tag-error", role: "alert", id: "tag-error" });
  let busy = false;

  async function change(body, done) {
    if (busy) return;
    busy = true;
    error.textContent = "";
    try {
      const updated = await api.patch(record.id, body);
      record.tags = updated.tags || [];
      onSaved?.(updated);
      draw();
      announce(done);
      return true;
    } catch (e) {
      error.textContent = e.status === 422 || e.status === 400 ? t("tags.refused", { message: e.message || e.code }) : errorMessage(e);
      return false;
    } finally { busy = false; }
  }

  function draw() {
    const had = block.contains(document.activeElement) ? document.activeElement.id || "tag-new" : null;
    clear(block);
    const tags = record.tags || [];
    const list = tags.length
      ? h("ul", { class: "tag-chips tag-edit-chips", id: "tag-list", "aria-label": t("tags.list") }, tags.map((tag) => h("li", { class: "tag-item", dataset: { tag } },
        h("a", { class: "tag-link", href: tagHref(tag, mine), "aria-label": t("tags.link", { tag }) }, tag),
        mine ? h("button", { type: "button", class: "chip-clear", "aria-label": t("tags.remove", { tag }),
          on: { click: () => change({ removeTags: [tag] }, t("tags.removed", { tag })) } }, "×") : null)))
      : h("p", { class: "muted", id: "tag-list" }, t("tags.none"));
    block.append(h("h3", { class: "sub", id: "tags-title" }, t("tags.title")), list);
    if (mine) {
      const input = h("input", { type: "text", id: "tag-new", maxlength: "60", autocomplete: "off", enterkeyhint: "done", "aria-describedby": "tag-error" });
      const form = h("form", { class: "tag-add", on: { submit: async (event) => {
        event.preventDefault();
        const tag = tagText(input.value);
        if (!tag) { input.focus(); return; }
        if (await change({ addTags: [tag] }, t("tags.added", { tag }))) block.querySelector("#tag-new")?.focus();
        else input.focus();
      } } },
      h("label", { for: "tag-new", class: "visually-hidden" }, t("tags.new")),
      input,
      h("button", { class: "btn btn-small", type: "submit", id: "tag-add" }, t("tags.add")));
      input.placeholder = t("tags.new");
      block.append(form);
    }
    block.append(error);
    // After an edit, focus stays where the user was (the removed chip's button is gone: the input).
    if (had) (block.querySelector(`#${CSS.escape(had)}`) || block.querySelector("#tag-new"))?.focus();
  }

  draw();
  return block;
}
