// Frequently asked questions and the legal pages (content from the shop).
import { h, sanitisedHtml } from "../dom.js";

export async function faq(ctx) {
  const { shop } = await ctx.api.op("Faq", { category: null });
  const groups = shop.faqCategories
    .map((category) => ({ category, entries: shop.faq.filter((e) => e.category.id === category.id) }))
    .filter((g) => g.entries.length);
  const uncategorised = shop.faq.filter((e) => !shop.faqCategories.some((c) => c.id === e.category.id));
  const entry = (e) =>
    h("details", { class: "faq" }, h("summary", {}, e.question), sanitisedHtml("div", e.answer));
  return [
    h("h1", {}, ctx.t("faq.title")),
    groups.map((g) =>
      h(
        "section",
        { "aria-labelledby": `faq-${g.category.id}` },
        h("h2", { id: `faq-${g.category.id}` }, g.category.name),
        g.entries.map(entry),
      ),
    ),
    uncategorised.map(entry),
  ];
}

export async function legal(ctx) {
  const { shop } = await ctx.api.op("LegalPages");
  return [
    h("h1", {}, ctx.t("legal.title")),
    shop.legal.map((page) =>
      h(
        "section",
        { "aria-labelledby": `legal-${page.kind}` },
        h("h2", { id: `legal-${page.kind}` }, page.title),
        sanitisedHtml("div", page.body),
        h("p", { class: "hint" }, ctx.t("legal.updated", { date: ctx.date(page.updatedAt) })),
      ),
    ),
  ];
}
