// Category listing and search: filters (price, in stock, attributes), sort, more.
import { productCard } from "../components.js";
import { append, check, field, h, sanitisedHtml } from "../dom.js";

const SORTS = {
  relevance: { field: "RANK", direction: "DESC" },
  name: { field: "NAME", direction: "ASC" },
  priceAsc: { field: "PRICE", direction: "ASC" },
  priceDesc: { field: "PRICE", direction: "DESC" },
  newest: { field: "CREATED", direction: "DESC" },
};
const PAGE = 12;

export async function listing(ctx) {
  const q = ctx.query.get("q") || "";
  const slug = ctx.params.slug || "";
  const [categoryData, attributeData, categoriesData] = await Promise.all([
    slug ? ctx.api.op("Category", { slug }) : Promise.resolve({ category: null }),
    ctx.api.op("Attributes"),
    ctx.api.op("Categories"),
  ]);
  const category = categoryData.category;
  if (slug && !category) return [h("h1", {}, ctx.t("notFound.title"))];
  const attributes = attributeData.attributes.filter((a) => ["CHOICE", "BOOLEAN"].includes(a.type));

  const filter = {};
  if (category) filter.categories = [category.id];
  const min = ctx.query.get("min");
  const max = ctx.query.get("max");
  if (min || max) filter.price = { gte: min || null, lte: max || null };
  if (ctx.query.get("stock") === "1") filter.inStock = true;
  const attributeFilters = [];
  for (const a of attributes) {
    if (a.type === "CHOICE") {
      const values = ctx.query.getAll(`a.${a.slug}`);
      if (values.length) attributeFilters.push({ slug: a.slug, values });
    } else if (ctx.query.get(`a.${a.slug}`) === "1") {
      attributeFilters.push({ slug: a.slug, boolean: true });
    }
  }
  if (attributeFilters.length) filter.attributes = attributeFilters;
  const sortKey = ctx.query.get("sort") || (q ? "relevance" : "name");
  const variables = {
    first: PAGE,
    filter,
    search: q || null,
    sortBy: SORTS[sortKey] || SORTS.name,
  };

  const title = category ? category.name : q ? ctx.t("search.results", { q }) : ctx.t("nav.catalogue");
  const results = h("ul", { class: "grid", "aria-label": ctx.t("listing.results") });
  const count = h("p", { class: "count", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, ctx.t("listing.more"));
  let after = null;
  async function load() {
    const { products } = await ctx.api.op("ProductList", { ...variables, after });
    results.append(...products.edges.map((e) => productCard(ctx, e.node)));
    count.textContent = ctx.t("listing.count", { count: products.totalCount });
    after = products.pageInfo.endCursor;
    more.hidden = !products.pageInfo.hasNextPage;
  }
  more.addEventListener("click", async () => {
    const before = results.children.length;
    await load();
    const first = results.children[before];
    if (first) first.querySelector("a").focus();
  });
  await load();

  return [
    category ? breadcrumb(ctx, category) : null,
    h("h1", {}, title),
    category && category.description ? sanitisedHtml("div", category.description, { class: "lead" }) : null,
    categoryLinks(ctx, category ? category.children : categoriesData.categories),
    h(
      "div",
      { class: "listing" },
      filterForm(ctx, { q, min, max, sortKey, attributes }),
      h("section", { "aria-label": ctx.t("listing.results") }, count, results, more),
    ),
  ];
}

function breadcrumb(ctx, category) {
  const trail = [...(category.ancestors || [])];
  return h(
    "nav",
    { "aria-label": ctx.t("nav.breadcrumb"), class: "breadcrumb" },
    h(
      "ol",
      {},
      h("li", {}, h("a", { href: "#/" }, ctx.t("nav.home"))),
      trail.map((c) => h("li", {}, h("a", { href: `#/category/${c.slug}` }, c.name))),
      h("li", { "aria-current": "page" }, category.name),
    ),
  );
}

function categoryLinks(ctx, categories) {
  if (!categories || !categories.length) return null;
  return h(
    "nav",
    { class: "categories", "aria-label": ctx.t("nav.categories") },
    h(
      "ul",
      {},
      categories.map((c) => h("li", {}, h("a", { href: `#/category/${c.slug}` }, c.name))),
    ),
  );
}

function filterForm(ctx, { q, min, max, sortKey, attributes }) {
  const form = h("form", { class: "filters", "aria-label": ctx.t("listing.filters") });
  const sortOptions = Object.keys(SORTS)
    .filter((key) => key !== "relevance" || q)
    .map((key) => [key, ctx.t(`sort.${key}`)]);
  append(
    form,
    h("h2", {}, ctx.t("listing.filters")),
    q ? h("input", { type: "hidden", name: "q", value: q }) : null,
    field(ctx.t("listing.sort"), { name: "sort", value: sortKey }, { control: "select", options: sortOptions }),
    h(
      "fieldset",
      {},
      h("legend", {}, ctx.t("listing.price")),
      field(ctx.t("listing.min"), { name: "min", type: "number", min: "0", step: "0.01", value: min || "" }),
      field(ctx.t("listing.max"), { name: "max", type: "number", min: "0", step: "0.01", value: max || "" }),
    ),
    check(
      { type: "checkbox", id: "ws-stock", name: "stock", value: "1", checked: ctx.query.get("stock") === "1" },
      ctx.t("listing.inStock"),
    ),
    attributes.map((a) => attributeFilter(ctx, a)),
    h("button", { type: "submit" }, ctx.t("listing.apply")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form).entries()) if (value) params.append(name, value);
    const base = ctx.path.split("?")[0];
    ctx.navigate(`${base}?${params}`);
  });
  return form;
}

function attributeFilter(ctx, attribute) {
  const name = `a.${attribute.slug}`;
  const chosen = ctx.query.getAll(name);
  if (attribute.type === "BOOLEAN") {
    const id = `ws-attr-${attribute.slug}`;
    return check({ type: "checkbox", id, name, value: "1", checked: chosen.includes("1") }, attribute.name);
  }
  return h(
    "fieldset",
    {},
    h("legend", {}, attribute.name),
    attribute.choices.map((choice) => {
      const id = `ws-attr-${attribute.slug}-${choice.slug}`;
      const checked = chosen.includes(choice.slug);
      return check({ type: "checkbox", id, name, value: choice.slug, checked }, choice.name);
    }),
  );
}
