// Small DOM helpers: no framework, no innerHTML for anything but the API's
// sanitised HTML fields.

/** h("a", { href: "#/", class: "x", onclick: fn }, "text", child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name in el && typeof value !== "string") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  if (tag === "table") stackable(el);
  return el;
}

const CELL_ROLES = { TD: "cell", TH: "rowheader" };

/**
 * Let a table become stacked rows on a narrow screen (the CSS does it): each
 * body cell carries its column's heading as `data-label`, and the table keeps
 * its roles explicitly, as a browser drops them once a table is not displayed
 * as one.
 */
export function stackable(table) {
  const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  table.setAttribute("role", "table");
  table.querySelectorAll("thead, tbody, tfoot").forEach((group) => group.setAttribute("role", "rowgroup"));
  table.querySelectorAll("thead th").forEach((th) => th.setAttribute("role", "columnheader"));
  for (const row of table.querySelectorAll("tr")) {
    row.setAttribute("role", "row");
    if (row.parentElement && row.parentElement.tagName === "THEAD") continue;
    [...row.children].forEach((cell, index) => {
      cell.setAttribute("role", CELL_ROLES[cell.tagName] || "cell");
      if (headings[index]) cell.dataset.label = headings[index];
    });
  }
}

/** Append children to `el`: nested arrays are flattened; null, undefined and false skipped. */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replace `el`'s children (same rules as `append`). */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}

/** An element holding HTML the API has already sanitised (descriptions, FAQ answers). */
export function sanitisedHtml(tag, markup, attrs = {}) {
  const el = h(tag, attrs);
  el.innerHTML = markup || "";
  return el;
}

let idCounter = 0;
export function uid(prefix = "ws") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field. `input` attrs go to the control; returns the wrapper. */
export function field(label, attrs = {}, { hint = "", control = "input", options = [] } = {}) {
  const id = attrs.id || uid("f");
  const hintId = hint ? `${id}-hint` : null;
  const common = { ...attrs, id, "aria-describedby": hintId };
  let el;
  if (control === "select") {
    el = h(
      "select",
      common,
      options.map(([value, text]) => h("option", { value, selected: value === attrs.value }, text)),
    );
  } else if (control === "textarea") {
    el = h("textarea", common);
    el.value = attrs.value || "";
  } else {
    el = h("input", { type: "text", ...common });
  }
  return h(
    "div",
    { class: "field" },
    // Optional fields say so in their label; the rest are required.
    h("label", { for: id }, label),
    el,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
  );
}

/** A password field: the current one, or a `fresh` one (8 characters at least, as the shop requires). */
export function passwordField(label, name, { fresh = false, hint = "" } = {}) {
  const kind = fresh ? { autocomplete: "new-password", minlength: "8" } : { autocomplete: "current-password" };
  return field(label, { name, type: "password", required: true, ...kind }, { hint });
}

/** A checkbox or radio button (`attrs`, with an `id`) and its `label`, in a row. */
export function check(attrs, label, { rowClass = "check" } = {}) {
  return h("div", { class: rowClass }, h("input", attrs), h("label", { for: attrs.id }, label));
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** Disable a form's controls while `work` runs. */
export async function busy(form, work) {
  const controls = [...form.querySelectorAll("button, input, select, textarea")];
  const enabled = controls.filter((c) => !c.disabled);
  enabled.forEach((c) => (c.disabled = true));
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    enabled.forEach((c) => (c.disabled = false));
    form.removeAttribute("aria-busy");
  }
}
