// What a button that spends costs: "N × price = total" and the images left today, on the button.

import { h } from "./dom.js";
import { t, formatMoney } from "./i18n.js";
import { quotaLeft, subscribe } from "./store.js";

export function spendText(n, price) {
  const line = t("cost.line", { n, price: formatMoney(price), total: formatMoney(n * price) });
  const left = quotaLeft();
  return left === null ? line : `${line} · ${t("cost.left", { n: left })}`;
}

/** The cost part of a button's label; redrawn when the quota becomes known or changes. */
export function costTag(n, price) {
  return h("span", { class: "btn-cost", dataset: { n, price } }, spendText(n, price));
}

/** Images on different models at different prices: "N images = total" and the images left today. */
export function sumText(n, total) {
  const line = t("cost.sum", { n, total: formatMoney(total) });
  const left = quotaLeft();
  return left === null ? line : `${line} · ${t("cost.left", { n: left })}`;
}

export function sumTag(n, total) {
  return h("span", { class: "btn-cost", dataset: { n, total } }, sumText(n, total));
}

/** Set a spending button's label: the action, then its cost. */
export function spendLabel(button, label, n, price) {
  button.replaceChildren(...[...button.childNodes].filter((c) => c.nodeName === "svg"), label, " ", costTag(n, price));
  return button;
}

subscribe((what) => {
  if (what !== "quota") return;
  for (const tag of document.querySelectorAll(".btn-cost")) tag.textContent = tag.dataset.total !== undefined ? sumText(Number(tag.dataset.n), Number(tag.dataset.total))
    : spendText(Number(tag.dataset.n), Number(tag.dataset.price));
});
