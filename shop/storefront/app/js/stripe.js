// Stripe card payments. Stripe.js cannot be bundled: it is loaded from Stripe,
// and only when the shop's answer carries a publishable key (a Stripe card
// payment was started). With no key configured nothing is ever requested from Stripe.
import { h } from "./dom.js";

const STRIPE_JS = "https://js.stripe.com/v3/";
let loading = null;

function loadStripeJs() {
  loading ||= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = STRIPE_JS;
    script.onload = () => resolve(window.Stripe);
    script.onerror = () => {
      loading = null;
      reject(new Error("Stripe.js"));
    };
    document.head.append(script);
  });
  return loading;
}

export const isStripeSession = (clientData) =>
  Boolean(clientData && clientData.clientSecret && clientData.publishableKey);

/**
 * Show Stripe's payment form in `container` and resolve once the shopper has
 * confirmed the payment with Stripe (the shop then checks it with Stripe itself).
 */
export async function confirmWithStripe(ctx, clientData, container) {
  const Stripe = await loadStripeJs();
  const stripe = Stripe(clientData.publishableKey, { locale: ctx.lang });
  const elements = stripe.elements({ clientSecret: clientData.clientSecret });
  const mountPoint = h("div", { class: "stripe-element" });
  const pay = h("button", { type: "button" }, ctx.t("checkout.confirmCard"));
  container.replaceChildren(h("h3", {}, ctx.t("checkout.cardDetails")), mountPoint, pay);
  elements.create("payment").mount(mountPoint);
  return new Promise((resolve) => {
    pay.addEventListener("click", async () => {
      pay.disabled = true;
      const { error } = await stripe.confirmPayment({ elements, redirect: "if_required" });
      pay.disabled = false;
      if (error) {
        ctx.showError(error.message || ctx.t("error.generic"));
        return;
      }
      container.replaceChildren();
      resolve();
    });
  });
}
