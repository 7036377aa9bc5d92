// The customer's data rights: download their data (accountDataExport) and
// delete their account (accountRequestDeletion e-mails a link to
// #/account/delete?token=..., where accountDelete confirms it).
import { showPayloadErrors } from "../components.js";
import { busy, h } from "../dom.js";

/** The link's token: in the page's query (?token=, as the e-mail builds it) or the route's. */
function deletionToken(ctx) {
  return ctx.query.get("token") || new URLSearchParams(window.location.search).get("token") || "";
}

function forgetToken() {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("token")) return;
  url.searchParams.delete("token");
  window.history.replaceState(null, "", url.href);
}

function download(fileName, data) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The "My data" section of the account page. */
export function privacySection(ctx) {
  const notice = h("p", { "data-testid": "privacy-notice", role: "status" });
  const exportButton = h("button", { type: "button", class: "secondary" }, ctx.t("privacy.export"));
  const section = h("section", { "aria-labelledby": "ws-my-data" });
  exportButton.addEventListener("click", () =>
    busy(section, async () => {
      try {
        const payload = (await ctx.api.op("AccountDataExport")).accountDataExport;
        if (payload.errors.length) return showPayloadErrors(ctx, payload.errors);
        download(payload.fileName, payload.data);
        notice.textContent = ctx.t("privacy.exported", { file: payload.fileName });
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    }),
  );
  const deleteButton = h("button", { type: "button" }, ctx.t("privacy.requestDeletion"));
  deleteButton.addEventListener("click", () =>
    busy(section, async () => {
      const redirectUrl = `${window.location.origin}${window.location.pathname}#/account/delete`;
      try {
        const payload = (await ctx.api.op("AccountRequestDeletion", { redirectUrl })).accountRequestDeletion;
        if (payload.errors.length) return showPayloadErrors(ctx, payload.errors);
        notice.textContent = ctx.t("privacy.deletionMailed", { email: ctx.session.email() });
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    }),
  );
  section.append(
    h("h2", { id: "ws-my-data" }, ctx.t("privacy.title")),
    h("p", {}, ctx.t("privacy.exportHelp")),
    h("p", {}, exportButton),
    h("p", {}, ctx.t("privacy.deletionHelp")),
    h("p", {}, deleteButton),
    notice,
  );
  return section;
}

/** #/account/delete?token=...: the page the e-mailed link opens. */
export async function accountDeletePage(ctx) {
  const token = deletionToken(ctx);
  if (!token) {
    return [h("h1", {}, ctx.t("privacy.deleteTitle")), h("p", { class: "alert" }, ctx.t("privacy.noToken"))];
  }
  if (!ctx.session.signedIn()) {
    ctx.navigate("/signin?next=/account/delete", { replace: true });
    return [];
  }
  const confirm = h("button", { type: "submit" }, ctx.t("privacy.confirmDeletion"));
  const form = h("form", { "aria-labelledby": "ws-delete" }, confirm);
  const page = h(
    "div",
    {},
    h("h1", { id: "ws-delete" }, ctx.t("privacy.deleteTitle")),
    h("p", {}, ctx.t("privacy.deleteWarning", { email: ctx.session.email() })),
    h("p", {}, ctx.t("privacy.deleteKept")),
    form,
    h("p", {}, h("a", { href: "#/account" }, ctx.t("privacy.keepAccount"))),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        const payload = (await ctx.api.op("AccountDelete", { token })).accountDelete;
        if (payload.errors.length || !payload.deleted) return showPayloadErrors(ctx, payload.errors, form);
        forgetToken();
        ctx.session.signOut();
        ctx.cart.clear();
        page.replaceChildren(
          h("h1", { id: "ws-delete" }, ctx.t("privacy.deletedTitle")),
          h("p", { "data-testid": "account-deleted" }, ctx.t("privacy.deleted")),
          h("p", {}, h("a", { href: "#/" }, ctx.t("nav.home"))),
        );
        ctx.announce(ctx.t("privacy.deletedTitle"));
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    });
  });
  return [page];
}
