// Pieces several pages share: product cards, totals, addresses, payload errors.
import { busy, check, formValues, h } from "./dom.js";

const DROP = new URL("../favicon.svg", import.meta.url).href;

/** The shop's drop, decorative (for products without a photo, and the brand). */
export function drop(size = 64) {
  return h("img", { src: DROP, alt: "", width: String(size), height: String(size) });
}

export function placeholder() {
  return h("div", { class: "placeholder" }, drop());
}

export function productCard(ctx, product) {
  const range = product.pricing && product.pricing.priceRange;
  const start = range && range.start.gross;
  const stop = range && range.stop.gross;
  const before = product.pricing && product.pricing.priceRangeUndiscounted;
  const was = before && start && before.start.gross.amount !== start.amount ? before.start.gross : null;
  const amount =
    start && stop && start.amount !== stop.amount
      ? ctx.t("product.from", { price: ctx.money(start) })
      : ctx.money(start);
  // A sale shows the price before it, struck through.
  const price = was ? [h("del", { class: "was" }, ctx.money(was)), " ", h("ins", { class: "sale" }, amount)] : amount;
  const image = product.thumbnail
    ? h("img", {
        src: ctx.media(product.thumbnail.url),
        alt: product.thumbnail.alt || "",
        loading: "lazy",
        width: "240",
        height: "240",
      })
    : placeholder();
  return h(
    "li",
    { class: "card" },
    h(
      "a",
      { href: `#/product/${encodeURIComponent(product.slug)}` },
      image,
      h("h3", {}, product.name),
    ),
    h("p", { class: "price" }, price),
    h(
      "p",
      { class: product.isAvailable ? "stock in" : "stock out" },
      product.isAvailable ? ctx.t("stock.in") : ctx.t("stock.out"),
    ),
  );
}

export function productGrid(ctx, products, label) {
  return h(
    "ul",
    { class: "grid", "aria-label": label || null },
    products.map((p) => productCard(ctx, p)),
  );
}

/**
 * Totals of a checkout or an order: subtotal, shipping, total, then the IVA the
 * total includes -- one line per rate, and their sum only when there are several
 * (with one rate the sum would repeat the same amount).
 */
export function totals(ctx, source) {
  const rows = [
    [ctx.t("totals.subtotal"), ctx.money(source.subtotalPrice.gross)],
    [ctx.t("totals.shipping"), source.shippingMethod || source.shippingMethodName
      ? ctx.money(source.shippingPrice.gross)
      : ctx.t("totals.shippingLater")],
  ];
  const taxes = source.taxes || [];
  const vat = taxes.length === 1
    ? [[ctx.t("totals.vatRateIncluded", { rate: formatRate(taxes[0].rate) }), ctx.money(taxes[0].amount)]]
    : [
        ...taxes.map((tax) => [ctx.t("totals.vatRate", { rate: formatRate(tax.rate) }), ctx.money(tax.amount)]),
        [ctx.t("totals.vatIncluded"), ctx.money(source.totalPrice.tax)],
      ];
  return h(
    "dl",
    { class: "totals", "data-testid": "totals" },
    rows.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
    h("dt", { class: "grand" }, ctx.t("totals.total")),
    h("dd", { class: "grand", "data-testid": "grand-total" }, ctx.money(source.totalPrice.gross)),
    vat.map(([label, value]) => [h("dt", { class: "vat" }, label), h("dd", { class: "vat" }, value)]),
    // The lines and the subtotal are already after it: what the shopper saves.
    source.discount && Number(source.discount.amount) > 0
      ? [h("dt", {}, ctx.t("totals.discount")), h("dd", { "data-testid": "discount" }, ctx.money(source.discount))]
      : null,
  );
}

function formatRate(rate) {
  const value = Number(rate);
  return `${(value <= 1 ? value * 100 : value).toLocaleString()} %`;
}

/** The box to tick to accept a legal text, `text` followed by a link to read it. */
export function consentCheck(ctx, attrs, text, options) {
  const read = h("a", { href: "#/legal", target: "_blank" }, ctx.t("consent.read"));
  return check({ type: "checkbox", value: "1", required: true, ...attrs }, [text, " ", read], options);
}

/**
 * Run `work(values)` when `form` is submitted with valid values, its controls
 * disabled meanwhile; what the API or the network throws is shown to the shopper.
 */
export function whenSubmitted(ctx, form, work) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const values = formValues(form); // before busy(): disabled controls are not submitted
    await busy(form, async () => {
      try {
        await work(values);
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    });
  });
}

export function addressBlock(address) {
  if (!address) return null;
  return h(
    "address",
    {},
    [
      `${address.firstName || ""} ${address.lastName || ""}`.trim(),
      address.streetAddress1,
      `${address.postalCode || ""} ${address.city || ""}`.trim(),
      address.province,
    ]
      .filter(Boolean)
      .map((line) => h("span", { class: "line" }, line)),
  );
}

/** Payload errors as a list in the page's alert region; marks the fields at fault. */
export function showPayloadErrors(ctx, errors, form) {
  if (form) {
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    for (const error of errors) {
      const control = error.field && form.querySelector(`[name="${error.field}"]`);
      if (control) control.setAttribute("aria-invalid", "true");
    }
  }
  ctx.showError(errors.map((e) => e.message).join(" "));
}

export function statusLabel(ctx, kind, value) {
  return h("span", { class: `status status-${String(value).toLowerCase()}` }, ctx.t(`${kind}.${value}`));
}
