// The sign-in view: a password form against the (emulated) user pool locally, or a button to the
// Cognito managed login page (authorization code + PKCE) in the cloud.

import { h, field } from "../dom.js";
import { t } from "../i18n.js";
import { getConfig } from "../config.js";
import { signInWithPassword, startHostedSignIn } from "../auth.js";

export function signInView(root, { notice } = {}) {
  const cfg = getConfig();
  const status = h("p", { class: "form-error", role: "alert", id: "signin-error" });
  if (notice) status.textContent = notice;

  let form;
  if (cfg.signIn === "hosted") {
    const button = h("button", { class: "btn btn-primary btn-block", type: "button", on: { click: () => {
      button.disabled = true;
      button.textContent = t("signin.redirecting");
      startHostedSignIn().catch((error) => {
        button.disabled = false;
        button.textContent = t("signin.hosted");
        status.textContent = t("signin.failed", { message: error.message });
      });
    } } }, t("signin.hosted"));
    form = h("div", { class: "stack" }, button, h("p", { class: "hint" }, t("signin.hostedHint")), status);
  } else {
    const email = h("input", { type: "email", name: "username", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" });
    const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
    const submit = h("button", { class: "btn btn-primary btn-block", type: "submit" }, t("signin.submit"));
    form = h("form", { class: "stack", novalidate: true, "aria-describedby": "signin-error", on: { submit: async (event) => {
      event.preventDefault();
      status.textContent = "";
      if (!email.value.trim() || !password.value) {
        status.textContent = t("signin.bad");
        (email.value.trim() ? password : email).focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = t("signin.busy");
      try {
        await signInWithPassword(email.value.trim(), password.value);
      } catch (error) {
        const bad = ["NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"].includes(error.code);
        status.textContent = bad ? t("signin.bad") : t("signin.failed", { message: error.message || error.code });
        submit.disabled = false;
        submit.textContent = t("signin.submit");
        password.select();
        password.focus();
      }
    } } },
      field(t("signin.email"), email),
      field(t("signin.password"), password),
      status,
      submit,
      cfg.environment === "local" ? h("p", { class: "hint" }, t("signin.localHint")) : null,
    );
  }

  root.append(h("div", { class: "signin" },
    h("div", { class: "signin-art", "aria-hidden": "true" }, h("div", { class: "art-grid" },
      ...Array.from({ length: 9 }, (_, i) => h("span", { class: `art-tile art-${i}` })))),
    h("section", { class: "signin-card card", "aria-labelledby": "signin-title" },
      h("p", { class: "eyebrow" }, t("app.name")),
      h("h1", { id: "signin-title" }, t("signin.title")),
      h("p", { class: "lead" }, t("signin.lead")),
      form,
    ),
  ));
  const first = root.querySelector("input, .btn-primary");
  if (first) first.focus();
}
