// Getting back into an account and keeping its address true: "forgot password"
// (requestPasswordReset), choosing a new password from the e-mailed link
// (setPassword), confirming the address (accountConfirm), confirming a new
// address (confirmEmailChange), and the account page's password and e-mail forms.
import { showPayloadErrors, whenSubmitted } from "../components.js";
import { field, h, passwordField } from "../dom.js";

// The links e-mailed lead back to this storefront's own pages.
const STOREFRONT = new URL("../../", import.meta.url).href; // this file is js/pages/recovery.js
export const pageUrl = (route) => `${STOREFRONT}#/${route}`;

const done = (text) => h("p", { class: "added", role: "status" }, text);

export async function forgotPassword(ctx) {
  const result = h("div", {});
  const form = h(
    "form",
    { "aria-labelledby": "ws-forgot" },
    field(ctx.t("account.email"), {
      name: "email",
      type: "email",
      required: true,
      autocomplete: "username",
      value: ctx.query.get("email") || "",
    }),
    h("button", { type: "submit" }, ctx.t("recovery.send")),
  );
  whenSubmitted(ctx, form, async ({ email }) => {
    const input = { email, redirectUrl: pageUrl("reset-password") };
    const payload = (await ctx.api.op("RequestPasswordReset", { input })).requestPasswordReset;
    if (payload.errors.length) return showPayloadErrors(ctx, payload.errors, form);
    ctx.clearError();
    // The same words whether or not the address has an account.
    result.replaceChildren(done(ctx.t("recovery.sent", { email })));
    form.hidden = true;
  });
  return [
    h("h1", { id: "ws-forgot" }, ctx.t("recovery.forgotTitle")),
    h("p", {}, ctx.t("recovery.forgotIntro")),
    form,
    result,
    h("p", {}, h("a", { href: "#/signin" }, ctx.t("account.signInTitle"))),
  ];
}

export async function resetPassword(ctx) {
  const email = ctx.query.get("email") || "";
  const token = ctx.query.get("token") || "";
  if (!email || !token) return linkBroken(ctx);
  const form = h(
    "form",
    { "aria-labelledby": "ws-reset" },
    h("p", {}, ctx.t("recovery.resetFor", { email })),
    passwordField(ctx.t("recovery.newPassword"), "password", { fresh: true, hint: ctx.t("account.passwordHint") }),
    h("button", { type: "submit" }, ctx.t("recovery.save")),
  );
  whenSubmitted(ctx, form, async ({ password }) => {
    const payload = (await ctx.api.op("SetPassword", { input: { email, token, password } })).setPassword;
    if (payload.errors.length || !payload.token) return showPayloadErrors(ctx, payload.errors, form);
    ctx.session.signIn({ token: payload.token, refreshToken: payload.refreshToken, email: payload.user.email });
    await ctx.cart.attach();
    ctx.announce(ctx.t("recovery.passwordSaved"));
    ctx.navigate("/account?welcome=password");
  });
  return [h("h1", { id: "ws-reset" }, ctx.t("recovery.resetTitle")), form];
}

export async function confirmAccount(ctx) {
  const email = ctx.query.get("email") || "";
  const token = ctx.query.get("token") || "";
  if (!email || !token) return linkBroken(ctx);
  const payload = (await ctx.api.op("AccountConfirm", { input: { email, token } })).accountConfirm;
  if (payload.errors.length) return failed(ctx, "recovery.confirmTitle", payload.errors);
  return [
    h("h1", {}, ctx.t("recovery.confirmTitle")),
    done(ctx.t("recovery.confirmed", { email })),
    h(
      "p",
      {},
      ctx.session.signedIn()
        ? h("a", { href: "#/account" }, ctx.t("nav.account"))
        : h("a", { href: `#/signin?next=/account` }, ctx.t("account.signInTitle")),
    ),
  ];
}

export async function confirmEmailChange(ctx) {
  const token = ctx.query.get("token") || "";
  if (!token) return linkBroken(ctx);
  const payload = (await ctx.api.op("ConfirmEmailChange", { input: { token } })).confirmEmailChange;
  if (payload.errors.length) return failed(ctx, "recovery.emailChangeTitle", payload.errors);
  if (payload.user && ctx.session.signedIn()) {
    ctx.session.signIn({ token: ctx.session.token(), refreshToken: ctx.session.refreshToken(), email: payload.user.email });
  }
  return [
    h("h1", {}, ctx.t("recovery.emailChangeTitle")),
    done(ctx.t("recovery.emailChanged")),
    h("p", {}, h("a", { href: "#/account" }, ctx.t("nav.account"))),
  ];
}

function linkBroken(ctx) {
  return [
    h("h1", {}, ctx.t("recovery.linkTitle")),
    h("p", { class: "alert" }, ctx.t("recovery.linkBroken")),
    h("p", {}, h("a", { href: "#/forgot-password" }, ctx.t("recovery.forgotTitle"))),
  ];
}

function failed(ctx, title, errors) {
  return [
    h("h1", {}, ctx.t(title)),
    h("p", { class: "alert" }, errors.map((e) => e.message).join(" ")),
    h("p", {}, h("a", { href: "#/account" }, ctx.t("nav.account"))),
  ];
}

/** The account page's sections: the address (with its confirmation), e-mail change, password. */
export function accountSecurity(ctx, me) {
  const confirmation = me.isConfirmed
    ? h("p", { "data-testid": "confirmed" }, ctx.t("recovery.isConfirmed"))
    : h(
        "p",
        { "data-testid": "unconfirmed" },
        ctx.t("recovery.notConfirmed"),
        " ",
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: async (event) => {
              const button = event.currentTarget;
              button.disabled = true;
              try {
                const input = { redirectUrl: pageUrl("confirm") };
                const payload = (await ctx.api.op("SendConfirmationEmail", { input })).sendConfirmationEmail;
                if (payload.errors.length) return showPayloadErrors(ctx, payload.errors, null);
                button.replaceWith(done(ctx.t("recovery.confirmationSent", { email: me.email })));
              } catch (error) {
                ctx.showError(ctx.errorMessage(error));
              } finally {
                button.disabled = false;
              }
            },
          },
          ctx.t("recovery.resend"),
        ),
      );

  const emailResult = h("div", {});
  const emailForm = h(
    "form",
    { "aria-labelledby": "ws-email-change" },
    field(ctx.t("recovery.newEmail"), { name: "newEmail", type: "email", required: true, autocomplete: "email" }),
    passwordField(ctx.t("recovery.currentPassword"), "password"),
    h("button", { type: "submit" }, ctx.t("recovery.changeEmail")),
  );
  whenSubmitted(ctx, emailForm, async (values) => {
    const input = { ...values, redirectUrl: pageUrl("email-change") };
    const payload = (await ctx.api.op("RequestEmailChange", { input })).requestEmailChange;
    if (payload.errors.length) return showPayloadErrors(ctx, payload.errors, emailForm);
    ctx.clearError();
    emailForm.reset();
    emailResult.replaceChildren(done(ctx.t("recovery.emailChangeSent", { email: values.newEmail })));
  });

  const passwordResult = h("div", {});
  const passwordForm = h(
    "form",
    { "aria-labelledby": "ws-password-change" },
    passwordField(ctx.t("recovery.currentPassword"), "oldPassword"),
    passwordField(ctx.t("recovery.newPassword"), "newPassword", {
      fresh: true,
      hint: ctx.t("recovery.passwordChangeHint"),
    }),
    h("button", { type: "submit" }, ctx.t("recovery.save")),
  );
  whenSubmitted(ctx, passwordForm, async (values) => {
    const payload = (await ctx.api.op("PasswordChange", { input: values })).passwordChange;
    if (payload.errors.length || !payload.token) return showPayloadErrors(ctx, payload.errors, passwordForm);
    ctx.clearError();
    // Every earlier token is refused now: carry on with the new ones.
    ctx.session.signIn({ token: payload.token, refreshToken: payload.refreshToken, email: payload.user.email });
    passwordForm.reset();
    passwordResult.replaceChildren(done(ctx.t("recovery.passwordSaved")));
  });

  const portal = me.isPortalCustomer;
  return h(
    "section",
    { "aria-labelledby": "ws-my-email" },
    h("h2", { id: "ws-my-email" }, ctx.t("recovery.emailTitle")),
    h("p", {}, h("strong", {}, me.email)),
    confirmation,
    portal
      ? h("p", {}, ctx.t("recovery.portalManaged"))
      : [
          h("h3", { id: "ws-email-change" }, ctx.t("recovery.changeEmail")),
          emailForm,
          emailResult,
          h("h3", { id: "ws-password-change" }, ctx.t("recovery.passwordTitle")),
          passwordForm,
          passwordResult,
        ],
  );
}
