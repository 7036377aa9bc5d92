// The shopper's cart: one checkout, remembered by its token.

export function createCart({ api, session }) {
  let checkout = null;
  const listeners = new Set();
  const emit = () => listeners.forEach((fn) => fn(checkout));

  function keep(next) {
    checkout = next || null;
    session.setCheckoutToken(checkout ? checkout.token : "");
    emit();
    return checkout;
  }

  async function refresh() {
    const token = session.checkoutToken();
    if (!token) return keep(null);
    try {
      const data = await api.op("Checkout", { token });
      return keep(data.checkout);
    } catch (error) {
      if (error.code === "NETWORK") throw error;
      return keep(null); // gone (completed, expired) or not ours any more
    }
  }

  /** Add `quantity` of a variant; returns the payload errors ([] when added). */
  async function add(variantId, quantity) {
    const lines = [{ variantId, quantity }];
    const token = session.checkoutToken();
    if (token) {
      const data = await api.op("CheckoutLinesAdd", { input: { token, lines } });
      const payload = data.checkoutLinesAdd;
      const gone = payload.errors.some((e) => e.code === "NOT_FOUND" && (e.field === "token" || !e.field));
      if (!gone) {
        if (payload.checkout) keep(payload.checkout);
        return payload.errors;
      }
    }
    const data = await api.op("CheckoutCreate", { input: { lines } });
    const payload = data.checkoutCreate;
    if (payload.checkout) keep(payload.checkout);
    return payload.errors;
  }

  async function update(lines) {
    const data = await api.op("CheckoutLinesUpdate", {
      input: { token: session.checkoutToken(), lines },
    });
    if (data.checkoutLinesUpdate.checkout) keep(data.checkoutLinesUpdate.checkout);
    return data.checkoutLinesUpdate.errors;
  }

  async function remove(variantIds) {
    const data = await api.op("CheckoutLinesDelete", {
      input: { token: session.checkoutToken(), variantIds },
    });
    if (data.checkoutLinesDelete.checkout) keep(data.checkoutLinesDelete.checkout);
    return data.checkoutLinesDelete.errors;
  }

  /** After signing in: the guest cart becomes the customer's. */
  async function attach() {
    const token = session.checkoutToken();
    if (!token || !session.signedIn()) return;
    try {
      const data = await api.op("CheckoutCustomerAttach", { input: { token } });
      const payload = data.checkoutCustomerAttach;
      keep(payload.errors.length ? null : payload.checkout);
    } catch {
      keep(null);
    }
  }

  return {
    get: () => checkout,
    set: keep,
    clear: () => keep(null),
    count: () => (checkout ? checkout.quantity : 0),
    refresh,
    add,
    update,
    remove,
    attach,
    onChange: (fn) => listeners.add(fn),
  };
}
