// Embed the shop in another page:
//   <script type="module" src="https://shop.example/storefront/embed.js"></script>
//   <water-shop api="https://shop.example/graphql/" lang="es" portal-token="..."></water-shop>
//
// The app renders into the element's (open) shadow root: the host page's styles
// cannot break the shop and the shop's cannot leak into the host page, while
// labels, landmarks and focus keep working inside the shadow tree. Routing is kept
// in memory: the host page's URL and its fragment belong to the host page.
import { mount } from "./js/app.js";

const STYLESHEET = new URL("./css/storefront.css", import.meta.url).href;
const DEFAULT_API = new URL("/graphql/", import.meta.url).href;

class WaterShopElement extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const shadow = this.attachShadow({ mode: "open" });
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = STYLESHEET;
    const root = document.createElement("div");
    root.className = "ws-app";
    shadow.append(link, root);
    this.app = mount(root, {
      api: this.getAttribute("api") || DEFAULT_API,
      lang: this.getAttribute("lang") || "es",
      routing: "memory",
      portalToken: this.getAttribute("portal-token") || "",
      langTarget: this,
    });
  }
}

if (!customElements.get("water-shop")) {
  customElements.define("water-shop", WaterShopElement);
}
