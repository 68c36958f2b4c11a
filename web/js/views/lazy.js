// The views the first screen does not need, fetched on first use: the gallery (with its search), the
// image detail (with the edit studio behind it) and the boards. The first load carries sign-in and Create only;
// once a signed-in screen is shown, the rest is fetched while the browser is idle (prefetch), so
// opening them later does not wait for the network.

import { toast } from "../dom.js";
import { t } from "../i18n.js";

const DETAIL_HASH = /^#\/g\/([A-Za-z0-9_-]{1,64})$/;
let detail = null; // the detail module, once loaded

/** The generation id of a #/g/<id> URL, or null. */
export function detailIdFromHash(hash = location.hash) {
  return DETAIL_HASH.exec(hash)?.[1] || null;
}

export const loadGallery = () => import("./gallery.js");
export const loadBoards = () => import("./boards.js");
const loadDetail = () => import("./detail.js").then((module) => (detail = module));

/** The detail module, or null (and a message) when it cannot be fetched. */
async function detailModule() {
  try {
    return await loadDetail();
  } catch {
    toast(t("err.network"), "error");
    return null;
  }
}

export async function openDetail(...args) {
  (await detailModule())?.openDetail(...args);
}

export async function openDetailById(...args) {
  await (await detailModule())?.openDetailById(...args);
}

/** Close the detail if one is open (none can be before its module has loaded). */
export function closeDetail(options) {
  detail?.closeDetail(options);
}

/** Side by side: 2-4 records with their settings diffed (views/compare.js, loaded on first use). */
export async function openCompare(records, options) {
  let module;
  try {
    module = await import("./compare.js");
  } catch {
    toast(t("err.network"), "error");
    return;
  }
  module.openCompare(records, options);
}

/** The results' board picker and select mode (views/result-picks.js, loaded on first use). */
export function resultPicks() {
  return import("./result-picks.js").catch(() => { toast(t("err.network"), "error"); return null; });
}

export function prefetch() {
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 0));
  idle(() => { loadGallery().catch(() => {}); loadDetail().catch(() => {}); loadBoards().catch(() => {}); import("./compare.js").catch(() => {}); import("./result-picks.js").catch(() => {}); });
}
