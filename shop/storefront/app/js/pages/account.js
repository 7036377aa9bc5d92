// Signing in (tokenCreate), registering (accountRegister), and the customer's
// account: orders, water-supply contracts, claims.
import { consentCheck, showPayloadErrors, statusLabel, whenSubmitted } from "../components.js";
import { field, h, passwordField } from "../dom.js";
import { accountSecurity, pageUrl } from "./recovery.js";
import { privacySection } from "./privacy.js";

function safeNext(ctx) {
  const next = ctx.query.get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/account";
}

export async function signIn(ctx) {
  const form = h(
    "form",
    { "aria-labelledby": "ws-signin" },
    field(ctx.t("account.email"), { name: "email", type: "email", required: true, autocomplete: "username" }),
    passwordField(ctx.t("account.password"), "password"),
    h("button", { type: "submit" }, ctx.t("account.signIn")),
  );
  whenSubmitted(ctx, form, async ({ email, password }) => {
    const ok = await tokenCreate(ctx, email, password, form);
    if (ok) ctx.navigate(safeNext(ctx));
  });
  return [
    h("h1", { id: "ws-signin" }, ctx.t("account.signInTitle")),
    form,
    h("p", {}, h("a", { href: "#/forgot-password", "data-testid": "forgot-password" }, ctx.t("recovery.forgotLink"))),
    h("p", {}, ctx.t("account.noAccount"), " ", h("a", { href: "#/register" }, ctx.t("account.register"))),
  ];
}

async function tokenCreate(ctx, email, password, form) {
  const payload = (await ctx.api.op("TokenCreate", { input: { email, password } })).tokenCreate;
  if (payload.errors.length || !payload.token) {
    showPayloadErrors(ctx, payload.errors, form);
    return false;
  }
  ctx.session.signIn({ token: payload.token, refreshToken: payload.refreshToken, email: payload.user.email });
  await ctx.cart.attach();
  ctx.announce(ctx.t("account.signedIn", { email: payload.user.email }));
  return true;
}

export async function register(ctx) {
  const form = h(
    "form",
    { "aria-labelledby": "ws-register" },
    field(ctx.t("address.firstName"), { name: "firstName", autocomplete: "given-name" }),
    field(ctx.t("address.lastName"), { name: "lastName", autocomplete: "family-name" }),
    field(ctx.t("account.email"), { name: "email", type: "email", required: true, autocomplete: "email" }),
    passwordField(ctx.t("account.password"), "password", { fresh: true, hint: ctx.t("account.passwordHint") }),
    consentCheck(ctx, { id: "ws-accept-privacy", name: "acceptPrivacyPolicy" }, ctx.t("consent.privacy")),
    h("button", { type: "submit" }, ctx.t("account.register")),
  );
  whenSubmitted(ctx, form, async (values) => {
    const input = {
      ...values,
      acceptPrivacyPolicy: values.acceptPrivacyPolicy === "1",
      languageCode: ctx.lang.toUpperCase(),
      redirectUrl: pageUrl("confirm"),
    };
    const payload = (await ctx.api.op("AccountRegister", { input })).accountRegister;
    if (payload.errors.length) return showPayloadErrors(ctx, payload.errors, form);
    if (await tokenCreate(ctx, values.email, values.password, form)) ctx.navigate("/account?welcome=registered");
  });
  return [
    h("h1", { id: "ws-register" }, ctx.t("account.registerTitle")),
    form,
    h("p", {}, h("a", { href: "#/signin" }, ctx.t("account.haveAccount"))),
  ];
}

export async function account(ctx) {
  if (!ctx.session.signedIn()) {
    ctx.navigate("/signin?next=/account", { replace: true });
    return [];
  }
  const [meData, ordersData, contractsData, claimsData] = await Promise.all([
    ctx.api.op("Me"),
    ctx.api.op("MyOrders", { first: 20 }),
    ctx.api.op("WaterContracts"),
    ctx.api.op("MyClaims", { first: 20 }),
  ]);
  if (!ordersData.me || !meData.me) {
    ctx.session.signOut();
    ctx.navigate("/signin?next=/account", { replace: true });
    return [];
  }
  const orders = ordersData.me.orders.edges.map((e) => e.node);
  const contracts = contractsData.me.waterContracts;
  const claims = claimsData.me.claims.edges.map((e) => e.node);
  const signOut = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: () => {
        ctx.session.signOut();
        ctx.cart.clear();
        ctx.announce(ctx.t("account.signedOut"));
        ctx.navigate("/");
      },
    },
    ctx.t("account.signOut"),
  );
  return [
    h("h1", {}, ctx.t("account.title")),
    h("p", {}, ctx.t("account.signedInAs", { email: meData.me.email }), " ", signOut),
    ctx.query.get("welcome") === "registered" ? h("p", { class: "added" }, ctx.t("recovery.registered")) : null,
    h(
      "section",
      { "aria-labelledby": "ws-my-orders" },
      h("h2", { id: "ws-my-orders" }, ctx.t("account.orders")),
      orders.length
        ? h(
            "ul",
            { class: "rows", "data-testid": "my-orders" },
            orders.map((o) =>
              h(
                "li",
                {},
                h("a", { href: `#/orders/${encodeURIComponent(o.id)}` }, ctx.t("order.title", { number: o.number })),
                ` · ${ctx.date(o.createdAt)} · ${ctx.money(o.totalPrice.gross)} · `,
                statusLabel(ctx, "orderStatus", o.status),
                " · ",
                statusLabel(ctx, "paymentStatus", o.paymentStatus),
              ),
            ),
          )
        : h("p", {}, ctx.t("account.noOrders")),
    ),
    h(
      "section",
      { "aria-labelledby": "ws-my-contracts" },
      h("h2", { id: "ws-my-contracts" }, ctx.t("account.contracts")),
      contracts.length
        ? h(
            "ul",
            { class: "rows" },
            contracts.map((c) =>
              h(
                "li",
                {},
                h("strong", {}, c.number),
                ` · ${c.supplyAddress} · `,
                statusLabel(ctx, "contractStatus", c.status),
                ` · ${ctx.t("account.creditLeft", { amount: ctx.money(c.creditLeft) })}`,
                c.nextBillDate ? ` · ${ctx.t("account.nextBill", { date: ctx.date(c.nextBillDate) })}` : "",
                c.hasUnpaidBills ? ` · ${ctx.t("account.unpaid")}` : "",
              ),
            ),
          )
        : h("p", {}, ctx.t("account.noContracts")),
    ),
    h(
      "section",
      { "aria-labelledby": "ws-my-claims" },
      h("h2", { id: "ws-my-claims" }, ctx.t("account.claims")),
      claims.length
        ? h(
            "ul",
            { class: "rows" },
            claims.map((c) =>
              h(
                "li",
                {},
                h("a", { href: `#/claims/${encodeURIComponent(c.id)}` }, ctx.t("claim.title", { number: c.number })),
                ` · ${ctx.t("claim.onOrder", { number: c.orderNumber })} · ${ctx.t(`claimReason.${c.reason}`)} · `,
                statusLabel(ctx, "claimStatus", c.status),
              ),
            ),
          )
        : h("p", {}, ctx.t("account.noClaims")),
    ),
    accountSecurity(ctx, meData.me),
    privacySection(ctx),
  ];
}
