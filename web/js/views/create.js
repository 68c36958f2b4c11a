// The Create view: the three prompt sources side by side (tabs on a phone), the parameters panel
// and the results of this session.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { basicPanel, ideasPanel, referencePanel } from "./sources.js";
import { composerPanel } from "./composer.js";
import { resultsPanel } from "./results.js";

const PHONE = "(max-width: 879px)";
let activePanel = "basic";

export function createView(root) {
  const panels = { basic: basicPanel(), ideas: ideasPanel(), reference: referencePanel() };
  const names = Object.keys(panels);
  const tabs = names.map((name) => h("button", {
    type: "button", role: "tab", id: `tab-${name}`, "aria-controls": `panel-${name}`, class: "tab",
    on: { click: () => select(name), keydown: onKey },
  }, t(`tab.${name}`)));
  const tablist = h("div", { class: "tablist", role: "tablist", "aria-label": t("create.sources") }, tabs);
  const media = matchMedia(PHONE);

  function apply() {
    const phone = media.matches;
    tablist.hidden = !phone;
    names.forEach((name, i) => {
      const panel = panels[name];
      const on = name === activePanel;
      tabs[i].setAttribute("aria-selected", String(on));
      tabs[i].tabIndex = on ? 0 : -1;
      if (phone) {
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", `tab-${name}`);
        panel.hidden = !on;
      } else {
        panel.removeAttribute("role");
        panel.setAttribute("aria-labelledby", `panel-${name}-title`);
        panel.hidden = false;
      }
    });
  }

  function select(name, focus = false) {
    activePanel = name;
    apply();
    if (focus) document.getElementById(`tab-${name}`).focus();
  }

  function onKey(event) {
    const i = names.indexOf(activePanel);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: names.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(names[(next + names.length) % names.length], true);
  }

  const onShow = (event) => { if (panels[event.detail]) select(event.detail); };
  document.addEventListener("show-panel", onShow);
  media.addEventListener("change", apply);

  root.append(
    h("h1", { class: "visually-hidden" }, t("create.title")),
    h("div", { class: "sources-wrap" }, tablist, h("div", { class: "sources" }, names.map((n) => panels[n]))),
    h("div", { class: "workbench" }, composerPanel(), resultsPanel()),
  );
  apply();
  return () => {
    document.removeEventListener("show-panel", onShow);
    media.removeEventListener("change", apply);
  };
}
