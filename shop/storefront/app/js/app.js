// The storefront application: the shell (header, navigation, main, live
// regions, footer), the routes, and the context handed to each page.
import { ApiError, createApi } from "./api.js";
import { createCart } from "./cart.js";
import { drop } from "./components.js";
import { h, replace } from "./dom.js";
import { LANGUAGES, translator } from "./i18n.js";
import { createRouter } from "./router.js";
import { createSession } from "./session.js";
import { account, register, signIn } from "./pages/account.js";
import { cartPage } from "./pages/cart.js";
import { listing } from "./pages/catalog.js";
import { checkoutPage } from "./pages/checkout.js";
import { claimForm, claimThread } from "./pages/claims.js";
import { faq, legal } from "./pages/faq.js";
import { home } from "./pages/home.js";
import { confirmation, lookup, orderDetail } from "./pages/order.js";
import { accountDeletePage } from "./pages/privacy.js";
import { productPage } from "./pages/product.js";
import { confirmAccount, confirmEmailChange, forgotPassword, resetPassword } from "./pages/recovery.js";

const ROUTES = [
  ["/", home],
  ["/category/:slug", listing],
  ["/search", listing],
  ["/product/:slug", productPage],
  ["/cart", cartPage],
  ["/checkout", checkoutPage],
  ["/confirmation/:token", confirmation],
  ["/signin", signIn],
  ["/register", register],
  ["/forgot-password", forgotPassword],
  ["/reset-password", resetPassword],
  ["/confirm", confirmAccount],
  ["/email-change", confirmEmailChange],
  ["/account", account],
  ["/account/delete", accountDeletePage],
  ["/orders/:id", orderDetail],
  ["/orders/:id/claim", claimForm],
  ["/order/:token", orderDetail],
  ["/order/:token/claim", claimForm],
  ["/claims/:id", claimThread],
  ["/lookup", lookup],
  ["/faq", faq],
  ["/legal", legal],
];

/**
 * Render the shop into `root`.
 * options: api (GraphQL endpoint URL), lang ("es" | "en"), routing ("hash" | "memory"),
 * portalToken (a portal-signed token to exchange for the shop's), langTarget (the
 * element whose `lang` attribute follows the chosen language).
 */
export function mount(root, options) {
  const endpoint = new URL(options.api, window.location.href).href;
  const operationsBase = new URL("../operations/", import.meta.url).href;
  const session = createSession(endpoint);
  let lang = pickLanguage(session.language() || options.lang);
  let t = translator(lang);
  const api = createApi({ endpoint, operationsBase, session, language: () => lang });
  const cart = createCart({ api, session });

  const status = h("div", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const alertRegion = h("div", { class: "alert-region", role: "alert" });
  const main = h("main", { id: "ws-main", class: "main", tabindex: "-1" });
  const header = h("header", { class: "site-header" });
  const footer = h("footer", { class: "site-footer" });
  root.replaceChildren(
    h("a", { class: "skip-link", href: "#ws-main", onclick: skipToMain }, ""),
    header,
    alertRegion,
    main,
    footer,
    status,
  );

  function skipToMain(event) {
    event.preventDefault();
    main.focus();
  }

  const ctx = {
    api,
    session,
    cart,
    main,
    get lang() {
      return lang;
    },
    t: (key, params) => t(key, params),
    navigate: (path, opts) => router.navigate(path, opts),
    announce(message) {
      status.textContent = "";
      window.setTimeout(() => (status.textContent = message), 50);
    },
    showError(message, { keep = false } = {}) {
      keepAlert = keep;
      alertRegion.replaceChildren(h("p", { class: "alert" }, message));
    },
    clearError() {
      alertRegion.replaceChildren();
    },
    errorMessage(error) {
      if (error instanceof ApiError && error.code === "NETWORK") return t("error.network");
      return error && error.message ? error.message : t("error.generic");
    },
    media: (url) => (url ? new URL(url, endpoint).href : ""),
    money(value) {
      if (!value) return "";
      const currency = value.currency || "EUR";
      return new Intl.NumberFormat(lang === "en" ? "en-GB" : "es-ES", {
        style: "currency",
        currency,
      }).format(Number(value.amount));
    },
    date(value) {
      if (!value) return "";
      const when = new Date(value.length === 10 ? `${value}T12:00:00` : value);
      return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "es-ES", {
        dateStyle: "medium",
      }).format(when);
    },
    renderHeader,
  };

  let keepAlert = false; // an error raised before the first page (portal sign-in) stays
  let rendering = 0;
  let firstRender = true;
  let lastRoute = null;
  async function onRoute(route) {
    lastRoute = route;
    const mine = ++rendering;
    if (!keepAlert) ctx.clearError();
    keepAlert = false;
    renderHeader();
    main.setAttribute("aria-busy", "true");
    main.replaceChildren(h("p", { class: "loading" }, t("loading")));
    let nodes;
    try {
      nodes = route.page
        ? await route.page({ ...ctx, params: route.params, query: route.query, path: route.path })
        : [h("h1", {}, t("notFound.title")), h("p", {}, h("a", { href: "#/" }, t("nav.home")))];
    } catch (error) {
      nodes = [h("h1", {}, t("error.title")), h("p", { class: "alert" }, ctx.errorMessage(error))];
    }
    if (mine !== rendering) return;
    main.removeAttribute("aria-busy");
    replace(main, nodes);
    const heading = main.querySelector("h1");
    // Focus follows navigation; but an embedded shop (element or frame) must not
    // take the focus from the host page when it first appears.
    const embedded = options.routing === "memory" || window.self !== window.top;
    const moveFocus = !(embedded && firstRender);
    firstRender = false;
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      if (moveFocus) heading.focus({ preventScroll: false });
      const shopName = t("shop.name");
      if (options.routing === "hash") document.title = `${heading.textContent} · ${shopName}`;
    }
  }

  function renderHeader() {
    const signedIn = session.signedIn();
    const count = cart.count();
    header.replaceChildren(
      h(
        "div",
        { class: "brand-row" },
        h("a", { class: "brand", href: "#/" }, drop(28), t("shop.name")),
        h(
          "form",
          { class: "search", role: "search", onsubmit: onSearch },
          h("label", { for: "ws-search", class: "visually-hidden" }, t("search.label")),
          h("input", { id: "ws-search", name: "q", type: "search", placeholder: t("search.placeholder") }),
          h("button", { type: "submit" }, t("search.button")),
        ),
        h(
          "div",
          { class: "languages", role: "group", "aria-label": t("language.label") },
          LANGUAGES.map(([code, name]) =>
            h(
              "button",
              {
                type: "button",
                lang: code,
                "aria-pressed": String(code === lang),
                onclick: () => setLanguage(code),
              },
              name,
            ),
          ),
        ),
      ),
      // On a narrow screen the links fold behind this button (the cart stays in view).
      h(
        "button",
        {
          type: "button",
          class: "menu-toggle secondary",
          "aria-expanded": "false",
          "aria-controls": "ws-nav-links",
          onclick: toggleMenu,
        },
        t("nav.menu"),
      ),
      h(
        "nav",
        { "aria-label": t("nav.label") },
        h(
          "ul",
          { id: "ws-nav-links" },
          h("li", {}, h("a", { href: "#/" }, t("nav.home"))),
          h("li", {}, h("a", { href: "#/search" }, t("nav.catalogue"))),
          h("li", {}, h("a", { href: "#/faq" }, t("nav.faq"))),
          h("li", {}, h("a", { href: "#/lookup" }, t("nav.lookup"))),
          signedIn
            ? h("li", {}, h("a", { href: "#/account" }, t("nav.account")))
            : h("li", {}, h("a", { href: "#/signin" }, t("nav.signIn"))),
          h(
            "li",
            { class: "nav-cart" },
            h(
              "a",
              { href: "#/cart", class: "cart-link", "data-testid": "cart-link" },
              t("nav.cart"),
              " ",
              h("span", { class: "badge" }, String(count)),
              h("span", { class: "visually-hidden" }, ` ${t("cart.items", { count })}`),
            ),
          ),
        ),
      ),
    );
    footer.replaceChildren(
      h(
        "p",
        {},
        h("a", { href: "#/legal" }, t("nav.legal")),
        " · ",
        h("a", { href: "#/faq" }, t("nav.faq")),
        " · ",
        t("footer.vat"),
      ),
    );
    root.querySelector(".skip-link").textContent = t("skip");
  }

  function toggleMenu(event) {
    const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
    event.currentTarget.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  }

  function onSearch(event) {
    event.preventDefault();
    const q = new FormData(event.target).get("q").trim();
    router.navigate(q ? `/search?q=${encodeURIComponent(q)}` : "/search");
  }

  function setLanguage(code) {
    lang = pickLanguage(code);
    t = translator(lang);
    session.setLanguage(lang);
    if (options.langTarget) options.langTarget.setAttribute("lang", lang);
    if (lastRoute) onRoute(lastRoute);
    ctx.announce(t("language.changed"));
  }

  cart.onChange(renderHeader);
  session.onChange(renderHeader);
  if (options.langTarget) options.langTarget.setAttribute("lang", lang);

  const router = createRouter({ root, mode: options.routing, routes: ROUTES, onRoute });
  const portalToken = options.portalToken || takePortalTokenFromFragment(options.routing);
  (portalToken ? portalSignIn(ctx, portalToken) : Promise.resolve()).finally(() => {
    cart.refresh().catch(() => {});
    router.start();
  });
  return { navigate: router.navigate, setLanguage };
}

function pickLanguage(code) {
  const short = String(code || "es").slice(0, 2).toLowerCase();
  return LANGUAGES.some(([c]) => c === short) ? short : "es";
}

/**
 * `#portalToken=...` (the portal opening the shop in a frame): read it, then
 * drop it from the address bar and the history at once, before any request, so
 * the token never lingers in the URL.
 */
function takePortalTokenFromFragment(routing) {
  if (routing !== "hash" || !window.location.hash.startsWith("#portalToken=")) return "";
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get("portalToken") || "";
  window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}#/`);
  return token;
}

/** Exchange the portal's token for the shop's own (the `portalSignIn` mutation). */
async function portalSignIn(ctx, portalToken) {
  try {
    const data = await ctx.api.op("PortalSignIn", { input: { portalToken } });
    const payload = data.portalSignIn;
    if (payload.errors.length || !payload.token) {
      const message = payload.errors.map((e) => e.message).join(" ") || ctx.t("portal.failed");
      ctx.showError(message, { keep: true });
      return;
    }
    ctx.session.signIn({
      token: payload.token,
      refreshToken: payload.refreshToken,
      email: payload.user ? payload.user.email : "",
    });
    await ctx.cart.attach();
  } catch (error) {
    ctx.showError(`${ctx.t("portal.failed")} ${ctx.errorMessage(error)}`, { keep: true });
  }
}
