// Product: media, description, specifications, variants with stock, add to cart.
import { placeholder } from "../components.js";
import { check, h, sanitisedHtml } from "../dom.js";

export async function productPage(ctx) {
  const { product } = await ctx.api.op("Product", { slug: ctx.params.slug, thumbnailSize: "LARGE" });
  if (!product) return [h("h1", {}, ctx.t("notFound.title"))];
  const variants = product.variants;
  const firstAvailable = variants.find((v) => v.isAvailable) || variants[0];

  const quantity = h("input", {
    id: "ws-qty",
    name: "quantity",
    type: "number",
    min: "1",
    value: "1",
    inputmode: "numeric",
    required: true,
  });
  const stockNote = h("p", { class: "stock", id: "ws-stock-note" });
  quantity.setAttribute("aria-describedby", "ws-stock-note");
  const submit = h("button", { type: "submit" }, ctx.t("product.add"));
  const form = h("form", { class: "add-to-cart", "aria-label": ctx.t("product.add") });

  function choose(variant) {
    const available = variant && variant.isAvailable;
    stockNote.textContent = !variant
      ? ""
      : !available
        ? ctx.t("stock.out")
        : variant.quantityAvailable === null || variant.quantityAvailable === undefined
          ? ctx.t("stock.in")
          : ctx.t("stock.count", { count: variant.quantityAvailable });
    stockNote.className = available ? "stock in" : "stock out";
    submit.disabled = !available;
    if (variant && variant.quantityAvailable) quantity.max = String(variant.quantityAvailable);
    else quantity.removeAttribute("max");
  }

  const variantPicker =
    variants.length > 1
      ? h(
          "fieldset",
          { class: "variants" },
          h("legend", {}, ctx.t("product.variant")),
          variants.map((v) => {
            const id = `ws-variant-${v.sku}`;
            return check(
              {
                type: "radio",
                name: "variant",
                id,
                value: v.id,
                checked: v === firstAvailable,
                onchange: () => choose(v),
              },
              [`${v.name} — ${ctx.money(v.price.gross)}`, v.isAvailable ? "" : ` (${ctx.t("stock.out")})`],
            );
          }),
        )
      : h("input", { type: "hidden", name: "variant", value: firstAvailable ? firstAvailable.id : "" });

  form.append(
    variantPicker,
    h("div", { class: "field" }, h("label", { for: "ws-qty" }, ctx.t("product.quantity")), quantity),
    stockNote,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const variantId = new FormData(form).get("variant");
    const count = Number(quantity.value);
    if (!variantId || !Number.isInteger(count) || count < 1) {
      ctx.showError(ctx.t("product.chooseQuantity"));
      quantity.focus();
      return;
    }
    submit.disabled = true;
    try {
      const errors = await ctx.cart.add(variantId, count);
      if (errors.length) {
        ctx.showError(errors.map((e) => e.message).join(" "));
      } else {
        ctx.clearError();
        ctx.announce(ctx.t("cart.added", { name: product.name, count }));
        form.append(added(ctx));
      }
    } catch (error) {
      ctx.showError(ctx.errorMessage(error));
    } finally {
      submit.disabled = false;
    }
  });
  choose(firstAvailable);

  const pricing = firstAvailable && firstAvailable.pricing;
  const price = firstAvailable ? (pricing ? pricing.price.gross : firstAvailable.price.gross) : null;
  // On sale: the price before the promotion, struck through; else a compare-at price.
  const compare = pricing && pricing.onSale ? pricing.priceUndiscounted : firstAvailable && firstAvailable.compareAtPrice;
  const image = product.media[0] || null;
  return [
    product.category
      ? h(
          "nav",
          { class: "breadcrumb", "aria-label": ctx.t("nav.breadcrumb") },
          h(
            "ol",
            {},
            h("li", {}, h("a", { href: "#/" }, ctx.t("nav.home"))),
            [...product.category.ancestors, product.category].map((c) =>
              h("li", {}, h("a", { href: `#/category/${c.slug}` }, c.name)),
            ),
            h("li", { "aria-current": "page" }, product.name),
          ),
        )
      : null,
    h(
      "article",
      { class: "product" },
      h(
        "div",
        { class: "media" },
        image
          ? h("img", {
              src: ctx.media((image.thumbnail || image).url),
              alt: image.alt || "",
              width: "480",
              height: "480",
            })
          : placeholder(),
      ),
      h(
        "div",
        { class: "details" },
        h("h1", {}, product.name),
        h(
          "p",
          { class: "price" },
          compare ? h("del", {}, ctx.money(compare.gross), " ") : null,
          ctx.money(price),
          pricing && pricing.onSale && pricing.promotionName
            ? h("span", { class: "badge sale", "data-testid": "on-sale" }, ` ${pricing.promotionName}`)
            : null,
          " ",
          h("small", {}, ctx.t("totals.vatIncludedShort")),
        ),
        form,
        sanitisedHtml("div", product.description, { class: "description" }),
        specifications(ctx, product.attributes),
      ),
    ),
  ];
}

function added(ctx) {
  const existing = ctx.main.querySelector(".added");
  if (existing) existing.remove();
  return h("p", { class: "added" }, ctx.t("cart.addedShort"), " ", h("a", { href: "#/cart" }, ctx.t("cart.view")));
}

function specifications(ctx, attributes) {
  if (!attributes.length) return null;
  const value = (a) =>
    a.type === "BOOLEAN" ? (a.boolean ? ctx.t("yes") : ctx.t("no")) : `${a.value}${a.unit ? ` ${a.unit}` : ""}`;
  return h(
    "section",
    { "aria-labelledby": "ws-specs" },
    h("h2", { id: "ws-specs" }, ctx.t("product.specifications")),
    h("dl", { class: "specs" }, attributes.map((a) => [h("dt", {}, a.name), h("dd", {}, value(a))])),
  );
}
