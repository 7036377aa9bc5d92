// The shop's GraphQL API, spoken only through the operation documents of
// graphql/operations/storefront/ (served at <storefront>/operations/<Name>.graphql).

export class ApiError extends Error {
  constructor(message, code = "") {
    super(message);
    this.code = code;
  }
}

export function createApi({ endpoint, operationsBase, session, language }) {
  const documents = new Map();

  function documentText(name) {
    if (!documents.has(name)) {
      const loading = fetch(new URL(`${name}.graphql`, operationsBase), {
        credentials: "omit",
      }).then((response) => {
        if (!response.ok) throw new ApiError(`Operation ${name} is not available.`);
        return response.text();
      });
      loading.catch(() => documents.delete(name));
      documents.set(name, loading);
    }
    return documents.get(name);
  }

  async function post(name, variables, token) {
    const headers = {
      "Content-Type": "application/json",
      Accept: "application/json",
      "Accept-Language": language(),
    };
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers,
        credentials: "omit",
        body: JSON.stringify({ query: await documentText(name), variables, operationName: name }),
      });
    } catch {
      throw new ApiError("NETWORK", "NETWORK");
    }
    try {
      return await response.json();
    } catch {
      throw new ApiError("NETWORK", "NETWORK");
    }
  }

  const unauthenticated = (body) =>
    (body.errors || []).some((e) => e.extensions && e.extensions.code === "UNAUTHENTICATED");

  let refreshing = null;
  async function refresh() {
    const refreshToken = session.refreshToken();
    if (!refreshToken) return false;
    refreshing ||= post("TokenRefresh", { input: { refreshToken } }, null)
      .then((body) => {
        const payload = body.data && body.data.tokenRefresh;
        if (payload && payload.token && !payload.errors.length) {
          session.updateToken(payload.token);
          return true;
        }
        return false;
      })
      .finally(() => (refreshing = null));
    return refreshing;
  }

  /** Run the operation `name`; returns `data`, throws ApiError on top-level errors. */
  async function op(name, variables = {}) {
    let body = await post(name, variables, session.token());
    if (unauthenticated(body) && session.token()) {
      if (await refresh()) {
        body = await post(name, variables, session.token());
      } else {
        session.signOut();
        body = await post(name, variables, null);
      }
    }
    if (body.errors && body.errors.length) {
      const [first] = body.errors;
      throw new ApiError(first.message, (first.extensions && first.extensions.code) || "");
    }
    return body.data;
  }

  return { op };
}
