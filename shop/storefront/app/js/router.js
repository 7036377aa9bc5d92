// A tiny router. "hash" mode (the page is the app: standalone or in an iframe)
// keeps the route in location.hash, so links and the back button work; "memory"
// mode (the <water-shop> element) leaves the host page's URL alone.
// Links are ordinary <a href="#/path"> in both modes.

function compile(pattern) {
  const names = [];
  const source = pattern.replace(/:([a-zA-Z]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  return { regex: new RegExp(`^${source}$`), names };
}

export function createRouter({ root, mode, routes, onRoute }) {
  const table = routes.map(([pattern, page]) => ({ ...compile(pattern), page }));
  let memoryPath = "/";
  const history = [];

  const current = () => {
    if (mode === "hash") {
      const hash = window.location.hash;
      return hash.startsWith("#/") ? hash.slice(1) : "/";
    }
    return memoryPath;
  };

  function resolve() {
    const path = current();
    const [pathname, search = ""] = path.split("?");
    const query = new URLSearchParams(search);
    for (const route of table) {
      const found = route.regex.exec(pathname);
      if (found) {
        const params = Object.fromEntries(
          route.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]),
        );
        return onRoute({ page: route.page, params, query, path });
      }
    }
    return onRoute({ page: null, params: {}, query, path });
  }

  function navigate(path, { replace = false } = {}) {
    if (mode === "hash") {
      const url = `${window.location.pathname}${window.location.search}#${path}`;
      if (replace) {
        window.history.replaceState(null, "", url);
        resolve();
      } else if (window.location.hash === `#${path}`) {
        resolve();
      } else {
        window.location.hash = path;
      }
    } else {
      if (!replace) history.push(memoryPath);
      memoryPath = path;
      resolve();
    }
  }

  function back() {
    if (mode === "hash") window.history.back();
    else if (history.length) {
      memoryPath = history.pop();
      resolve();
    }
  }

  root.addEventListener("click", (event) => {
    if (mode !== "memory" || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href^='#/']");
    if (!link) return;
    event.preventDefault();
    navigate(link.getAttribute("href").slice(1));
  });
  if (mode === "hash") window.addEventListener("hashchange", resolve);

  return { navigate, back, current, start: resolve };
}
