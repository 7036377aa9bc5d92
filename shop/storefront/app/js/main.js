// The standalone storefront (and the iframe embedding): the whole page is the app.
import { mount } from "./app.js";

const root = document.getElementById("water-shop");
mount(root, {
  api: new URL("/graphql/", window.location.href).href,
  lang: document.documentElement.lang || "es",
  routing: "hash",
  langTarget: document.documentElement,
});
