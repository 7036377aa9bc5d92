// Home: the sections the shop's administrators configured (ShopHome).
import { productGrid } from "../components.js";
import { h, sanitisedHtml } from "../dom.js";

export async function home(ctx) {
  const { shop } = await ctx.api.op("ShopHome");
  const sections = await Promise.all(shop.homePage.sections.map((s) => section(ctx, s)));
  return [h("h1", {}, shop.name), ...sections.filter(Boolean)];
}

async function section(ctx, s) {
  const headingId = `home-${s.id}`;
  const wrap = (className, ...children) =>
    h(
      "section",
      { class: `home-section ${className}`, "aria-labelledby": headingId },
      h("h2", { id: headingId }, s.title),
      ...children,
    );
  switch (s.__typename) {
    case "HeroSection":
      return wrap(
        "hero",
        s.image ? h("img", { src: ctx.media(s.image.url), alt: s.image.alt || "" }) : null,
        sanitisedHtml("div", s.text),
        s.linkUrl ? h("a", { class: "button", href: s.linkUrl }, ctx.t("home.heroLink")) : null,
      );
    case "FeaturedCollectionSection": {
      const { collection } = await ctx.api.op("Collection", { slug: s.collectionSlug, first: 8 });
      if (!collection) return null;
      return wrap(
        "featured",
        productGrid(ctx, collection.products.edges.map((e) => e.node), s.title),
      );
    }
    case "FeaturedProductsSection": {
      const found = await Promise.all(
        s.productSlugs.map((slug) =>
          ctx.api.op("Product", { slug, thumbnailSize: "MEDIUM" }).then((d) => d.product),
        ),
      );
      return wrap("featured", productGrid(ctx, found.filter(Boolean), s.title));
    }
    case "RichTextSection":
      return wrap("rich-text", sanitisedHtml("div", s.text));
    default:
      return null;
  }
}
