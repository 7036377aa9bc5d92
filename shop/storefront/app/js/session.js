// What the storefront remembers: the shop's tokens for this browser tab
// (sessionStorage: they end with the tab), the cart's checkout token and the
// language (localStorage). Keys are per API origin, so two shops never mix.

function store(kind) {
  try {
    const storage = window[kind];
    const probe = "__water_shop__";
    storage.setItem(probe, probe);
    storage.removeItem(probe);
    return storage;
  } catch {
    // Storage refused (a sandboxed or third-party frame): keep it in memory.
    const memory = new Map();
    return {
      getItem: (k) => (memory.has(k) ? memory.get(k) : null),
      setItem: (k, v) => memory.set(k, String(v)),
      removeItem: (k) => memory.delete(k),
    };
  }
}

export function createSession(apiUrl) {
  const prefix = `water-shop:${new URL(apiUrl).origin}:`;
  const tab = store("sessionStorage");
  const device = store("localStorage");
  const listeners = new Set();

  const read = () => {
    try {
      return JSON.parse(tab.getItem(`${prefix}auth`) || "null");
    } catch {
      return null;
    }
  };
  const write = (auth) => {
    if (auth) tab.setItem(`${prefix}auth`, JSON.stringify(auth));
    else tab.removeItem(`${prefix}auth`);
    listeners.forEach((fn) => fn());
  };

  return {
    token: () => (read() || {}).token || "",
    refreshToken: () => (read() || {}).refreshToken || "",
    email: () => (read() || {}).email || "",
    signedIn: () => Boolean(read()),
    signIn({ token, refreshToken, email }) {
      write({ token, refreshToken, email });
    },
    updateToken(token) {
      const auth = read();
      if (auth) write({ ...auth, token });
    },
    signOut() {
      // The cart of a customer is theirs: a guest cannot read it.
      if (read()) device.removeItem(`${prefix}checkout`);
      write(null);
    },
    checkoutToken: () => device.getItem(`${prefix}checkout`) || "",
    setCheckoutToken(token) {
      if (token) device.setItem(`${prefix}checkout`, token);
      else device.removeItem(`${prefix}checkout`);
    },
    language: () => device.getItem(`${prefix}lang`) || "",
    setLanguage: (lang) => device.setItem(`${prefix}lang`, lang),
    onChange(fn) {
      listeners.add(fn);
    },
  };
}
