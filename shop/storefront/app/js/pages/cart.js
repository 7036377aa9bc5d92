// Cart: lines (change quantity, remove), totals with IVA, on to checkout.
import { showPayloadErrors, totals } from "../components.js";
import { busy, h, replace } from "../dom.js";

const LINE_PROBLEMS = ["INSUFFICIENT_STOCK", "PRODUCT_UNAVAILABLE", "INVALID_QUANTITY", "TOO_MANY_LINES"];

export async function cartPage(ctx) {
  const checkout = await ctx.cart.refresh();
  const heading = h("h1", {}, ctx.t("cart.title"));
  if (!checkout || !checkout.lines.length) {
    return [heading, h("p", {}, ctx.t("cart.empty")), h("p", {}, h("a", { href: "#/search" }, ctx.t("cart.browse")))];
  }
  const content = h("div", { class: "cart" });
  render(ctx, content, checkout);
  return [heading, content];
}

function render(ctx, content, checkout) {
  if (!checkout.lines.length) {
    content.replaceChildren(h("p", {}, ctx.t("cart.empty")));
    return;
  }
  const form = h("form", { class: "cart-lines", "aria-label": ctx.t("cart.title") });
  const rows = checkout.lines.map((line) => {
    const id = `ws-line-${line.variant.sku}`;
    return h(
      "tr",
      {},
      h(
        "th",
        { scope: "row" },
        h("a", { href: `#/product/${line.product.slug}` }, line.product.name),
        h("span", { class: "variant" }, ` ${line.variant.name}`),
      ),
      h(
        "td",
        {},
        line.saleUnitPrice && line.saleUnitPrice.amount !== line.unitPrice.amount
          ? [h("del", {}, ctx.money(line.unitPrice)), " ", h("ins", {}, ctx.money(line.saleUnitPrice))]
          : ctx.money(line.unitPrice),
      ),
      h(
        "td",
        {},
        h("label", { for: id, class: "visually-hidden" }, ctx.t("cart.quantityOf", { name: line.product.name })),
        h("input", {
          id,
          type: "number",
          min: "0",
          max: line.quantityAvailable ? String(line.quantityAvailable) : null,
          value: String(line.quantity),
          name: line.variant.id,
          class: "qty",
          dataset: { quantity: String(line.quantity) },
        }),
      ),
      h("td", { class: "amount" }, ctx.money(line.totalPrice.gross)),
      h(
        "td",
        {},
        h(
          "button",
          {
            type: "button",
            class: "link",
            onclick: () => remove(ctx, content, form, line),
          },
          ctx.t("cart.remove"),
          h("span", { class: "visually-hidden" }, ` ${line.product.name}`),
        ),
      ),
    );
  });
  form.append(
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, ctx.t("cart.title")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [ctx.t("cart.article"), ctx.t("cart.unitPrice"), ctx.t("cart.quantity"), ctx.t("cart.lineTotal"), ""].map(
            (label) => h("th", { scope: "col" }, label),
          ),
        ),
      ),
      h("tbody", {}, rows),
    ),
    h("button", { type: "submit", class: "secondary" }, ctx.t("cart.update")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update(ctx, content, form);
  });
  // The cart shows what is wrong with its lines; addresses and the rest come at checkout.
  const lineProblems = checkout.problems.filter((p) => LINE_PROBLEMS.includes(p.code));
  const problems = lineProblems.length
    ? h("ul", { class: "problems alert" }, lineProblems.map((p) => h("li", {}, p.message)))
    : null;
  replace(
    content,
    form,
    problems,
    h(
      "section",
      { class: "summary", "aria-labelledby": "ws-cart-totals" },
      h("h2", { id: "ws-cart-totals" }, ctx.t("totals.title")),
      promoForm(ctx, content, checkout),
      totals(ctx, checkout),
      h("a", { class: "button", href: "#/checkout", "data-testid": "to-checkout" }, ctx.t("cart.checkout")),
    ),
  );
}

async function update(ctx, content, form) {
  const changed = [...form.querySelectorAll("input.qty")].filter((i) => i.value !== i.dataset.quantity);
  if (!changed.length) return;
  const toDelete = changed.filter((i) => Number(i.value) <= 0).map((i) => i.name);
  const lines = changed
    .filter((i) => Number(i.value) > 0)
    .map((i) => ({ variantId: i.name, quantity: Number(i.value) }));
  await busy(form, async () => {
    try {
      let errors = [];
      if (lines.length) errors = await ctx.cart.update(lines);
      if (!errors.length && toDelete.length) errors = await ctx.cart.remove(toDelete);
      if (errors.length) {
        showPayloadErrors(ctx, errors);
        return;
      }
      ctx.clearError();
      ctx.announce(ctx.t("cart.updated", { total: ctx.money(ctx.cart.get().totalPrice.gross) }));
    } catch (error) {
      ctx.showError(ctx.errorMessage(error));
    }
  });
  render(ctx, content, ctx.cart.get());
  const first = content.querySelector("input.qty");
  if (first) first.focus();
}

async function remove(ctx, content, form, line) {
  await busy(form, async () => {
    try {
      const errors = await ctx.cart.remove([line.variant.id]);
      if (errors.length) return showPayloadErrors(ctx, errors);
      ctx.clearError();
      ctx.announce(ctx.t("cart.removed", { name: line.product.name }));
    } catch (error) {
      ctx.showError(ctx.errorMessage(error));
    }
  });
  const checkout = ctx.cart.get();
  render(ctx, content, checkout || { lines: [] });
  const next = content.querySelector("input.qty") || ctx.main.querySelector("h1");
  if (next) next.focus();
}

/** The promo code: a field to apply one, or the one applied with a way to take it off. */
function promoForm(ctx, content, checkout) {
  const token = checkout.token;
  const problem = (checkout.problems || []).find((p) => p.field === "promoCode");
  async function run(name, input) {
    const data = await ctx.api.op(name, { input: { token, ...input } });
    const payload = data[name.charAt(0).toLowerCase() + name.slice(1)];
    if (payload.errors.length) return payload.errors;
    ctx.cart.set(payload.checkout);
    render(ctx, content, payload.checkout);
    return [];
  }
  if (checkout.voucherCode) {
    return h(
      "p",
      { class: "promo", "data-testid": "promo-applied" },
      ctx.t("cart.promoApplied", { code: checkout.voucherCode }),
      " ",
      h("button", { type: "button", class: "link", onclick: () => run("CheckoutRemovePromoCode", {}) }, ctx.t("cart.promoRemove")),
      problem ? h("span", { class: "alert" }, ` ${problem.message}`) : null,
    );
  }
  const input = h("input", { id: "ws-promo", name: "promoCode", autocomplete: "off", "data-testid": "promo-code" });
  const error = h("p", { class: "field-error", id: "ws-promo-error", role: "alert" });
  const form = h(
    "form",
    { class: "promo" },
    h("label", { for: "ws-promo" }, ctx.t("cart.promoCode")),
    input,
    h("button", { type: "submit", class: "secondary" }, ctx.t("cart.promoApply")),
    error,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    busy(form, async () => {
      try {
        const errors = await run("CheckoutAddPromoCode", { promoCode: input.value });
        if (errors.length) {
          error.textContent = errors.map((e) => e.message).join(" ");
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", "ws-promo-error");
        }
      } catch (failure) {
        ctx.showError(ctx.errorMessage(failure));
      }
    });
  });
  return form;
}
