// Orders: the confirmation after checkout, an order's page (signed in, or a
// guest with the order's secret token), and the guest lookup form.
import { addressBlock, showPayloadErrors, statusLabel, totals } from "../components.js";
import { busy, field, h } from "../dom.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLAIMABLE = ["FULFILLED", "PARTIALLY_FULFILLED"];

async function byToken(ctx, token) {
  if (!UUID.test(token)) return null;
  return (await ctx.api.op("OrderByToken", { token })).orderByToken;
}

export async function confirmation(ctx) {
  const order = await byToken(ctx, ctx.params.token);
  if (!order) return notFound(ctx);
  const link = `#/order/${order.token}`;
  return [
    h("h1", {}, ctx.t("confirmation.title", { number: order.number })),
    h("p", { class: "lead" }, ctx.t("confirmation.email", { email: order.email })),
    h(
      "p",
      {},
      ctx.t("confirmation.keepLink"),
      " ",
      h("a", { href: link, "data-testid": "order-link" }, ctx.t("confirmation.orderLink")),
      ". ",
      ctx.t("confirmation.token"),
      " ",
      h("code", { "data-testid": "order-token" }, order.token),
    ),
    orderBody(ctx, order, { guest: true }),
  ];
}

export async function orderDetail(ctx) {
  const guestToken = ctx.params.token || "";
  let order;
  if (guestToken) {
    order = await byToken(ctx, guestToken);
  } else {
    if (!ctx.session.signedIn()) {
      ctx.navigate(`/signin?next=${encodeURIComponent(ctx.path)}`, { replace: true });
      return [];
    }
    order = (await ctx.api.op("Order", { id: ctx.params.id })).order;
  }
  if (!order) return notFound(ctx);
  return [h("h1", {}, ctx.t("order.title", { number: order.number })), orderBody(ctx, order, { guest: Boolean(guestToken) })];
}

function orderBody(ctx, order, { guest }) {
  const base = guest ? `#/order/${order.token}` : `#/orders/${encodeURIComponent(order.id)}`;
  const actions = h("div", { class: "actions" });
  if (CLAIMABLE.includes(order.status)) {
    actions.append(h("a", { class: "button", href: `${base}/claim` }, ctx.t("order.claim")));
  }
  if (order.canCancel) actions.append(cancelForm(ctx, order, guest));
  return h(
    "div",
    { class: "order" },
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, ctx.t("order.date")),
      h("dd", {}, ctx.date(order.createdAt)),
      h("dt", {}, ctx.t("order.status")),
      h("dd", { "data-testid": "order-status" }, statusLabel(ctx, "orderStatus", order.status)),
      h("dt", {}, ctx.t("order.payment")),
      h("dd", {}, statusLabel(ctx, "paymentStatus", order.paymentStatus), ` (${paymentName(ctx, order.paymentMethod)})`),
      h("dt", {}, ctx.t("order.shipping")),
      h("dd", {}, order.shippingMethodName || "—"),
    ),
    actions,
    h(
      "section",
      { "aria-labelledby": "ws-order-lines" },
      h("h2", { id: "ws-order-lines" }, ctx.t("order.lines")),
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [ctx.t("cart.article"), ctx.t("cart.unitPrice"), ctx.t("cart.quantity"), ctx.t("order.vat"), ctx.t("cart.lineTotal")].map(
              (label) => h("th", { scope: "col" }, label),
            ),
          ),
        ),
        h(
          "tbody",
          {},
          order.lines.map((line) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, `${line.productName} `, h("span", { class: "variant" }, line.variantName)),
              h("td", {}, ctx.money(line.unitPrice)),
              h("td", {}, String(line.quantity)),
              h("td", {}, `${Math.round(Number(line.taxRate) * 100)} %`),
              h("td", { class: "amount" }, ctx.money(line.totalPrice.gross)),
            ),
          ),
        ),
      ),
      totals(ctx, order),
    ),
    installments(ctx, order.billCharges),
    h(
      "section",
      { class: "addresses", "aria-labelledby": "ws-order-addresses" },
      h("h2", { id: "ws-order-addresses" }, ctx.t("order.addresses")),
      order.pickupPoint
        ? h(
            "div",
            {},
            h("h3", {}, ctx.t("checkout.pickupPoint")),
            h("p", {}, `${order.pickupPoint.name}, ${order.pickupPoint.streetAddress}, ${order.pickupPoint.postalCode} ${order.pickupPoint.city}`),
            h("p", {}, order.pickupPoint.openingHours),
          )
        : h("div", {}, h("h3", {}, ctx.t("checkout.shippingAddress")), addressBlock(order.shippingAddress)),
      h("div", {}, h("h3", {}, ctx.t("checkout.billingAddress")), addressBlock(order.billingAddress)),
    ),
    order.fulfillments.length
      ? h(
          "section",
          { "aria-labelledby": "ws-order-shipments" },
          h("h2", { id: "ws-order-shipments" }, ctx.t("order.shipments")),
          h(
            "ul",
            {},
            order.fulfillments.map((f) =>
              h("li", {}, ctx.date(f.createdAt), f.trackingNumber ? ` — ${ctx.t("order.tracking")}: ${f.trackingNumber}` : ""),
            ),
          ),
        )
      : null,
  );
}

function paymentName(ctx, method) {
  return ctx.t(`paymentMethod.${String(method).toUpperCase()}`);
}

/** The water-bill installment schedule (the order's bill charges). */
function installments(ctx, charges) {
  if (!charges || !charges.length) return null;
  return h(
    "section",
    { "aria-labelledby": "ws-installments", "data-testid": "installments" },
    h("h2", { id: "ws-installments" }, ctx.t("order.installments")),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [ctx.t("order.installment"), ctx.t("order.amount"), ctx.t("order.billDate"), ctx.t("order.chargeStatus"), ctx.t("order.billNumber"), ctx.t("order.contract")].map(
            (label) => h("th", { scope: "col" }, label),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        charges.map((c) =>
          h(
            "tr",
            {},
            h(
              "th",
              { scope: "row" },
              c.kind === "INSTALLMENT"
                ? ctx.t("order.installmentOf", { n: c.sequence, of: c.installments })
                : ctx.t(`chargeKind.${c.kind}`),
            ),
            h("td", { class: "amount" }, ctx.money(c.amount)),
            h("td", {}, ctx.date(c.billDate)),
            h("td", {}, statusLabel(ctx, "chargeStatus", c.status)),
            h("td", {}, c.billNumber || "—"),
            h("td", {}, c.contractNumber),
          ),
        ),
      ),
    ),
  );
}

function cancelForm(ctx, order, guest) {
  const form = h(
    "form",
    { class: "inline" },
    h("button", { type: "submit", class: "secondary" }, ctx.t("order.cancel")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!window.confirm(ctx.t("order.cancelConfirm"))) return;
    await busy(form, async () => {
      const input = guest ? { token: order.token } : { id: order.id };
      try {
        const payload = (await ctx.api.op("OrderCancel", { input })).orderCancel;
        if (payload.errors.length) return showPayloadErrors(ctx, payload.errors);
        ctx.announce(ctx.t("order.cancelled"));
        ctx.navigate(ctx.path, { replace: true });
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    });
  });
  return form;
}

export async function lookup(ctx) {
  const form = h(
    "form",
    { "aria-labelledby": "ws-lookup-title" },
    field(ctx.t("lookup.token"), { name: "token", required: true, autocomplete: "off", spellcheck: "false" }, { hint: ctx.t("lookup.hint") }),
    h("button", { type: "submit" }, ctx.t("lookup.find")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.querySelector("input[name=token]");
    const token = input.value.trim();
    if (!UUID.test(token)) {
      input.setAttribute("aria-invalid", "true");
      ctx.showError(ctx.t("lookup.invalid"));
      input.focus();
      return;
    }
    ctx.navigate(`/order/${token.toLowerCase()}`);
  });
  return [h("h1", { id: "ws-lookup-title" }, ctx.t("lookup.title")), h("p", {}, ctx.t("lookup.intro")), form];
}

function notFound(ctx) {
  return [h("h1", {}, ctx.t("order.notFound")), h("p", {}, h("a", { href: "#/lookup" }, ctx.t("nav.lookup")))];
}
