// Claims: the form (reason, affected lines and quantities, description) and the
// thread of messages with the shop. Signed-in customers use the order's id;
// guests the order's secret token.
import { showPayloadErrors, statusLabel } from "../components.js";
import { busy, field, h } from "../dom.js";

const REASONS = ["DAMAGED", "MISSING_ITEM", "WRONG_ITEM", "NOT_DELIVERED", "BILLING", "OTHER"];

export async function claimForm(ctx) {
  const orderToken = ctx.params.token || null;
  const order = orderToken
    ? (await ctx.api.op("OrderByToken", { token: orderToken })).orderByToken
    : (await ctx.api.op("Order", { id: ctx.params.id })).order;
  if (!order) return [h("h1", {}, ctx.t("order.notFound"))];
  const form = h("form", { novalidate: true, "aria-labelledby": "ws-claim-title" });
  form.append(
    field(ctx.t("claim.reason"), { name: "reason", required: true, value: "DAMAGED" }, {
      control: "select",
      options: REASONS.map((r) => [r, ctx.t(`claimReason.${r}`)]),
    }),
    h(
      "fieldset",
      {},
      h("legend", {}, ctx.t("claim.lines")),
      h("p", { class: "hint" }, ctx.t("claim.linesHint")),
      order.lines.map((line) =>
        field(
          ctx.t("claim.lineQuantity", { name: `${line.productName} (${line.variantName})`, max: line.quantity }),
          { name: `line:${line.id}`, type: "number", min: "0", max: String(line.quantity), value: "0", inputmode: "numeric" },
        ),
      ),
    ),
    field(ctx.t("claim.description"), { name: "description", required: true, rows: "5" }, { control: "textarea" }),
    h("button", { type: "submit" }, ctx.t("claim.submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const lines = [...data.entries()]
      .filter(([name, value]) => name.startsWith("line:") && Number(value) > 0)
      .map(([name, value]) => ({ lineId: name.slice(5), quantity: Number(value) }));
    const input = {
      orderId: orderToken ? null : order.id,
      orderToken,
      reason: data.get("reason"),
      description: String(data.get("description") || "").trim(),
      lines,
    };
    await busy(form, async () => {
      try {
        const payload = (await ctx.api.op("ClaimCreate", { input })).claimCreate;
        if (payload.errors.length) return showPayloadErrors(ctx, payload.errors, form);
        ctx.announce(ctx.t("claim.opened", { number: payload.claim.number }));
        const suffix = orderToken ? `?order=${orderToken}` : "";
        ctx.navigate(`/claims/${encodeURIComponent(payload.claim.id)}${suffix}`);
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    });
  });
  return [
    h("h1", { id: "ws-claim-title" }, ctx.t("claim.newTitle", { number: order.number })),
    h("p", {}, ctx.t("claim.intro")),
    form,
  ];
}

export async function claimThread(ctx) {
  const orderToken = ctx.query.get("order") || null;
  const { claim } = await ctx.api.op("Claim", { id: ctx.params.id, orderToken });
  if (!claim) return [h("h1", {}, ctx.t("claim.notFound"))];
  const thread = h("ol", { class: "thread", "aria-label": ctx.t("claim.messages"), "data-testid": "thread" });
  const renderMessages = (messages) =>
    thread.replaceChildren(
      ...messages.map((m) =>
        h(
          "li",
          { class: m.fromStaff ? "staff" : "customer" },
          h("p", { class: "meta" }, m.fromStaff ? ctx.t("claim.fromShop") : ctx.t("claim.fromYou"), ` · ${ctx.date(m.createdAt)}`),
          h("p", { class: "body" }, m.body),
          m.photos.length
            ? h("p", {}, m.photos.map((p, i) => h("a", { href: ctx.media(p.url) }, ctx.t("claim.photo", { n: i + 1 }), " ")))
            : null,
        ),
      ),
    );
  renderMessages(claim.messages);
  const closed = ["RESOLVED", "REJECTED"].includes(claim.status);
  const form = h("form", { "aria-labelledby": "ws-claim-reply" });
  form.append(
    h("h2", { id: "ws-claim-reply" }, ctx.t("claim.reply")),
    field(ctx.t("claim.message"), { name: "body", required: true, rows: "4" }, { control: "textarea" }),
    h("button", { type: "submit" }, ctx.t("claim.send")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const textarea = form.querySelector("textarea");
    const body = textarea.value.trim();
    if (!body) {
      textarea.setAttribute("aria-invalid", "true");
      ctx.showError(ctx.t("claim.emptyMessage"));
      textarea.focus();
      return;
    }
    await busy(form, async () => {
      try {
        const input = { claimId: claim.id, orderToken, body };
        const payload = (await ctx.api.op("ClaimMessageAdd", { input })).claimMessageAdd;
        if (payload.errors.length) return showPayloadErrors(ctx, payload.errors, form);
        ctx.clearError();
        renderMessages(payload.claim.messages);
        textarea.value = "";
        ctx.announce(ctx.t("claim.sent"));
      } catch (error) {
        ctx.showError(ctx.errorMessage(error));
      }
    });
  });
  return [
    h("h1", {}, ctx.t("claim.title", { number: claim.number })),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, ctx.t("claim.order")),
      h("dd", {}, claim.orderNumber),
      h("dt", {}, ctx.t("order.status")),
      h("dd", { "data-testid": "claim-status" }, statusLabel(ctx, "claimStatus", claim.status)),
      h("dt", {}, ctx.t("claim.reason")),
      h("dd", {}, ctx.t(`claimReason.${claim.reason}`)),
      h("dt", {}, ctx.t("claim.lines")),
      h("dd", {}, claim.lines.map((l) => `${l.quantity} × ${l.orderLine.productName}`).join(", ") || "—"),
      claim.resolution ? [h("dt", {}, ctx.t("claim.resolution")), h("dd", {}, ctx.t(`claimResolution.${claim.resolution}`), claim.refundAmount ? ` (${ctx.money(claim.refundAmount)})` : "")] : null,
    ),
    h("h2", {}, ctx.t("claim.description")),
    h("p", { class: "description" }, claim.description),
    h("h2", {}, ctx.t("claim.messages")),
    claim.messages.length ? null : h("p", {}, ctx.t("claim.noMessages")),
    thread,
    closed ? h("p", {}, ctx.t("claim.closed")) : form,
  ];
}
