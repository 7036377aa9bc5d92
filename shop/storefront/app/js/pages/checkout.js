// Checkout: e-mail and addresses, then shipping method (delivery or pickup point)
// and payment (card, or the water bill with a contract and 1/2/3/6 installments).
import { addressBlock, consentCheck, showPayloadErrors, totals } from "../components.js";
import { append, busy, check, field, formValues, h, replace } from "../dom.js";
import { confirmWithStripe, isStripeSession } from "../stripe.js";

const ADDRESS_FIELDS = [
  ["firstName", "address.firstName", { required: true, autocomplete: "given-name" }],
  ["lastName", "address.lastName", { required: true, autocomplete: "family-name" }],
  ["streetAddress1", "address.street", { required: true, autocomplete: "address-line1" }],
  ["streetAddress2", "address.street2", { autocomplete: "address-line2" }],
  ["postalCode", "address.postalCode", { required: true, autocomplete: "postal-code", inputmode: "numeric", pattern: "[0-9]{5}" }],
  ["city", "address.city", { required: true, autocomplete: "address-level2" }],
  ["phone", "address.phone", { type: "tel", autocomplete: "tel" }],
];
const INSTALLMENTS = [1, 2, 3, 6];

export async function checkoutPage(ctx) {
  let checkout = await ctx.cart.refresh();
  const heading = h("h1", {}, ctx.t("checkout.title"));
  if (!checkout || !checkout.lines.length) {
    return [heading, h("p", {}, ctx.t("cart.empty")), h("p", {}, h("a", { href: "#/search" }, ctx.t("cart.browse")))];
  }
  // The API requires the terms of sale accepted once the shop publishes them.
  let termsPublished = false;
  try {
    const { shop } = await ctx.api.op("LegalPages");
    termsPublished = shop.legal.some((page) => page.kind === "TERMS_OF_SALE");
  } catch {
    termsPublished = false; // the API's REQUIRED error still names the field
  }
  let contracts = [];
  if (ctx.session.signedIn()) {
    try {
      const data = await ctx.api.op("WaterContracts");
      contracts = (data.me && data.me.waterContracts) || [];
    } catch {
      contracts = [];
    }
  }

  const summary = h("section", { class: "summary", "aria-labelledby": "ws-summary" });
  const addressSection = h("section", { class: "step", "aria-labelledby": "ws-step-address" });
  const deliverySection = h("section", { class: "step", "aria-labelledby": "ws-step-delivery" });

  const update = (next) => {
    checkout = next;
    ctx.cart.set(next);
    renderSummary();
  };

  function renderSummary() {
    summary.replaceChildren(
      h("h2", { id: "ws-summary" }, ctx.t("totals.title")),
      h(
        "ul",
        { class: "summary-lines" },
        checkout.lines.map((line) =>
          h("li", {}, `${line.quantity} × ${line.product.name} (${line.variant.name})`, " ", h("span", { class: "amount" }, ctx.money(line.totalPrice.gross))),
        ),
      ),
      totals(ctx, checkout),
      h("p", {}, h("a", { href: "#/cart" }, ctx.t("checkout.editCart"))),
    );
  }

  function renderAddress() {
    const form = h("form", { novalidate: true, "aria-labelledby": "ws-step-address" });
    const sameBilling = !checkout.billingAddress || sameAddress(checkout.billingAddress, checkout.shippingAddress);
    const billing = h(
      "fieldset",
      { class: "billing", hidden: sameBilling },
      h("legend", {}, ctx.t("checkout.billingAddress")),
      addressFields(ctx, "billing.", checkout.billingAddress, sameBilling),
    );
    const same = h("input", {
      type: "checkbox",
      id: "ws-same-billing",
      name: "sameBilling",
      value: "1",
      checked: sameBilling,
      onchange: () => {
        billing.hidden = same.checked;
        billing.querySelectorAll("input[data-required]").forEach((i) => (i.required = !same.checked));
      },
    });
    form.append(
      field(ctx.t("checkout.email"), {
        name: "email",
        type: "email",
        required: true,
        autocomplete: "email",
        value: checkout.email || ctx.session.email() || "",
      }, { hint: ctx.t("checkout.emailHint") }),
      h(
        "fieldset",
        {},
        h("legend", {}, ctx.t("checkout.shippingAddress")),
        addressFields(ctx, "", checkout.shippingAddress, false),
      ),
      h("div", { class: "check" }, same, h("label", { for: "ws-same-billing" }, ctx.t("checkout.sameBilling"))),
      billing,
      invoiceFieldset(ctx, checkout.billingAddress),
      h("button", { type: "submit" }, ctx.t("checkout.saveAddress")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const values = formValues(form);
      await busy(form, () => saveAddresses(values, form));
    });
    addressSection.replaceChildren(
      h("h2", { id: "ws-step-address", tabindex: "-1" }, ctx.t("checkout.stepAddress")),
      form,
    );
  }

  async function saveAddresses(values, form) {
    const token = checkout.token;
    const shipping = pick(values, "");
    // The tax id and company name go with the billing address, whichever it is.
    const billing = {
      ...(values.sameBilling ? shipping : pick(values, "billing.")),
      taxId: (values.taxId || "").trim(),
      companyName: (values.companyName || "").trim(),
    };
    const steps = [];
    if (values.email !== checkout.email) {
      steps.push(["CheckoutEmailUpdate", "checkoutEmailUpdate", { token, email: values.email }]);
    }
    steps.push(["CheckoutShippingAddressUpdate", "checkoutShippingAddressUpdate", { token, address: shipping }]);
    steps.push(["CheckoutBillingAddressUpdate", "checkoutBillingAddressUpdate", { token, address: billing }]);
    try {
      for (const [operation, name, input] of steps) {
        const data = await ctx.api.op(operation, { input });
        const payload = data[name];
        if (payload.errors.length) {
          const billingStep = name === "checkoutBillingAddressUpdate";
          const prefix = billingStep && !values.sameBilling ? "billing." : "";
          const own = (f) => billingStep && INVOICE_FIELDS.includes(f);
          showPayloadErrors(
            ctx,
            payload.errors.map((e) => ({ ...e, field: e.field && (own(e.field) ? e.field : `${prefix}${e.field}`) })),
            form,
          );
          showFieldErrors(form, billingStep ? payload.errors : []);
          return;
        }
        update(payload.checkout);
      }
    } catch (error) {
      ctx.showError(ctx.errorMessage(error));
      return;
    }
    ctx.clearError();
    showFieldErrors(form, []);
    renderDelivery();
    ctx.announce(ctx.t("checkout.addressSaved"));
    deliverySection.querySelector("h2").focus();
  }

  function renderDelivery() {
    const title = h("h2", { id: "ws-step-delivery", tabindex: "-1" }, ctx.t("checkout.stepDelivery"));
    if (!checkout.shippingAddress) {
      deliverySection.replaceChildren(title, h("p", {}, ctx.t("checkout.addressFirst")));
      return;
    }
    if (!checkout.availableShippingMethods.length) {
      replace(
        deliverySection,
        title,
        addressBlock(checkout.shippingAddress),
        h("p", { class: "alert" }, ctx.t("checkout.noShipping", { code: checkout.shippingAddress.postalCode })),
      );
      return;
    }
    const form = h("form", { novalidate: true, "aria-labelledby": "ws-step-delivery" });
    const payment = h("div", { class: "payment" });
    const stripeArea = h("div", { class: "stripe-area" });
    // Totals change with the shipping method, and with them what may pay: keep
    // the shopper's choices where they still apply.
    const renderPayment = () => {
      const before = new FormData(form);
      payment.replaceChildren(paymentFieldset(ctx, checkout, contracts));
      for (const name of ["payment", "waterContract", "installments"]) {
        const value = before.get(name);
        const control = value && payment.querySelector(`[name="${name}"]`);
        if (!control) continue;
        if (control.type === "radio") {
          const radio = payment.querySelector(`input[name="${name}"][value="${value}"]:not([disabled])`);
          if (radio) {
            radio.checked = true;
            radio.dispatchEvent(new Event("change"));
          }
        } else if ([...control.options].some((o) => o.value === value)) {
          control.value = value;
        }
      }
    };
    const shipping = shippingFieldset(ctx, checkout, async (methodId, pointId) => {
      try {
        const data = await ctx.api.op("CheckoutShippingMethodUpdate", {
          input: { token: checkout.token, shippingMethodId: methodId, pickupPointId: pointId || null },
        });
        const payload = data.checkoutShippingMethodUpdate;
        if (payload.errors.length) return showPayloadErrors(ctx, payload.errors, form);
        ctx.clearError();
        update(payload.checkout);
        renderPayment();
        ctx.announce(ctx.t("checkout.totalNow", { total: ctx.money(checkout.totalPrice.gross) }));
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    });
    renderPayment();
    const submit = h("button", { type: "submit", "data-testid": "place-order" }, ctx.t("checkout.placeOrder"));
    form.append(shipping, payment, termsPublished ? termsCheck(ctx) : null, stripeArea, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const values = formValues(form); // before busy(): disabled controls are not submitted
      await busy(form, () => pay(form, values, stripeArea));
    });
    replace(deliverySection, title, addressBlock(checkout.shippingAddress), form);
  }

  async function pay(form, values, stripeArea) {
    if (!checkout.shippingMethod) {
      ctx.showError(ctx.t("checkout.chooseShipping"));
      form.querySelector("input[name=shippingMethod]").focus();
      return;
    }
    if (!values.payment) {
      ctx.showError(ctx.t("checkout.choosePayment"));
      const first = form.querySelector("input[name=payment]:not([disabled])");
      if (first) first.focus();
      return;
    }
    const acceptTermsOfSale = values.acceptTermsOfSale === "1";
    const input = { token: checkout.token, method: values.payment, acceptTermsOfSale };
    if (values.payment === "WATER_BILL") {
      input.waterContract = values.waterContract || null;
      input.installments = Number(values.installments || 1);
    }
    try {
      const started = (await ctx.api.op("CheckoutPaymentStart", { input })).checkoutPaymentStart;
      if (started.errors.length) return showPayloadErrors(ctx, started.errors, form);
      if (values.payment === "CARD" && isStripeSession(started.payment.clientData)) {
        await confirmWithStripe(ctx, started.payment.clientData, stripeArea);
      }
      const done = (await ctx.api.op("CheckoutComplete", { input: { token: checkout.token, acceptTermsOfSale } }))
        .checkoutComplete;
      if (done.errors.length) return showPayloadErrors(ctx, done.errors, form);
      ctx.cart.clear();
      ctx.navigate(`/confirmation/${done.order.token}`);
    } catch (error) {
      ctx.showError(ctx.errorMessage(error));
    }
  }

  renderSummary();
  renderAddress();
  renderDelivery();
  return [heading, h("div", { class: "checkout" }, h("div", { class: "steps" }, addressSection, deliverySection), summary)];
}

function termsCheck(ctx) {
  return consentCheck(ctx, { id: "ws-accept-terms", name: "acceptTermsOfSale" }, ctx.t("consent.terms"), {
    rowClass: "check terms",
  });
}

function addressFields(ctx, prefix, address, optional) {
  return ADDRESS_FIELDS.map(([name, label, attrs]) =>
    field(ctx.t(label), {
      ...attrs,
      name: `${prefix}${name}`,
      value: (address && address[name]) || "",
      required: attrs.required && !optional,
      dataset: attrs.required ? { required: "1" } : null,
    }),
  );
}

// Optional, on the billing step: with a tax id the order gets a full invoice
// (F1) naming the company (or the person); the API checks the id.
const INVOICE_FIELDS = ["taxId", "companyName"];

function invoiceFieldset(ctx, billing) {
  const error = h("p", { class: "hint field-error", id: "ws-tax-id-error", role: "alert", hidden: true });
  const taxId = field(
    ctx.t("checkout.taxId"),
    { name: "taxId", autocomplete: "off", value: (billing && billing.taxId) || "", "aria-errormessage": "ws-tax-id-error" },
    { hint: ctx.t("checkout.taxIdHint") },
  );
  taxId.append(error);
  return h(
    "fieldset",
    { class: "invoice" },
    h("legend", {}, ctx.t("checkout.invoice")),
    taxId,
    field(ctx.t("checkout.companyName"), {
      name: "companyName",
      autocomplete: "organization",
      value: (billing && billing.companyName) || "",
    }),
  );
}

/** The API's message for the tax id, next to its field (or cleared). */
function showFieldErrors(form, errors) {
  const error = form.querySelector("#ws-tax-id-error");
  if (!error) return;
  const own = errors.filter((e) => e.field === "taxId");
  error.textContent = own.map((e) => e.message).join(" ");
  error.hidden = !own.length;
}

function pick(values, prefix) {
  const address = { country: "ES" };
  for (const [name] of ADDRESS_FIELDS) address[name] = (values[`${prefix}${name}`] || "").trim();
  return address;
}

function sameAddress(a, b) {
  if (!a || !b) return false;
  return ADDRESS_FIELDS.every(([name]) => (a[name] || "") === (b[name] || ""));
}

function shippingFieldset(ctx, checkout, choose) {
  const chosen = checkout.shippingMethod && checkout.shippingMethod.id;
  const pickupArea = h("div", { class: "pickup" });
  function showPoints(method) {
    if (!method || method.kind !== "PICKUP") {
      pickupArea.replaceChildren();
      return null;
    }
    const current = (checkout.pickupPoint && checkout.pickupPoint.id) || method.pickupPoints[0].id;
    const select = field(
      ctx.t("checkout.pickupPoint"),
      { name: "pickupPoint", value: current, onchange: (e) => choose(method.id, e.target.value) },
      {
        control: "select",
        options: method.pickupPoints.map((p) => [p.id, `${p.name} — ${p.streetAddress}, ${p.city} (${p.openingHours})`]),
      },
    );
    pickupArea.replaceChildren(select);
    return current;
  }
  const fieldset = h(
    "fieldset",
    { class: "methods" },
    h("legend", {}, ctx.t("checkout.shippingMethod")),
    checkout.availableShippingMethods.map((method) => {
      const id = `ws-ship-${method.id}`;
      const days =
        method.kind === "PICKUP"
          ? ctx.t("checkout.pickup")
          : ctx.t("checkout.days", { min: method.deliveryDaysMin, max: method.deliveryDaysMax });
      return check(
        {
          type: "radio",
          id,
          name: "shippingMethod",
          value: method.id,
          checked: method.id === chosen,
          onchange: () => choose(method.id, showPoints(method)),
        },
        [`${method.name} — ${ctx.money(method.price)} `, h("small", {}, days)],
      );
    }),
    pickupArea,
  );
  showPoints(checkout.availableShippingMethods.find((m) => m.id === chosen));
  return fieldset;
}

function paymentFieldset(ctx, checkout, contracts) {
  const options = checkout.availablePaymentMethods;
  const firstEligible = options.find((o) => o.eligible);
  const waterBill = h("div", { class: "water-bill", hidden: true });
  const fieldset = h(
    "fieldset",
    { class: "methods" },
    h("legend", {}, ctx.t("checkout.payment")),
    options.map((option) => {
      const id = `ws-pay-${option.code}`;
      const reasonId = `${id}-reason`;
      const choice = check(
        {
          type: "radio",
          id,
          name: "payment",
          value: option.code,
          disabled: !option.eligible,
          checked: option === firstEligible,
          "aria-describedby": option.eligible ? null : reasonId,
          onchange: () => (waterBill.hidden = option.code !== "WATER_BILL"),
        },
        option.name,
      );
      return append(choice, option.eligible ? null : h("p", { class: "reason", id: reasonId }, option.reason));
    }),
    waterBill,
  );
  const eligibleWaterBill = options.some((o) => o.code === "WATER_BILL" && o.eligible);
  if (eligibleWaterBill) {
    const usable = contracts.filter((c) => c.status === "ACTIVE" && !c.hasUnpaidBills);
    waterBill.append(
      field(
        ctx.t("checkout.contract"),
        { name: "waterContract", value: usable.length ? usable[0].number : "" },
        {
          control: "select",
          options: usable.map((c) => [
            c.number,
            ctx.t("checkout.contractOption", {
              number: c.number,
              address: c.supplyAddress,
              credit: ctx.money(c.creditLeft),
            }),
          ]),
        },
      ),
      field(
        ctx.t("checkout.installments"),
        { name: "installments", value: "1" },
        {
          control: "select",
          options: INSTALLMENTS.map((n) => [String(n), ctx.t("checkout.installmentOption", { count: n })]),
          hint: ctx.t("checkout.installmentsHint"),
        },
      ),
    );
    waterBill.hidden = !(firstEligible && firstEligible.code === "WATER_BILL");
  }
  return fieldset;
}
