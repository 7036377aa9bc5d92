"""Administration of orders: a list with payment status, a read-only order page
with its lines, shipments, payments (and their ledger) and history, and the
actions staff take on an order -- ship, cancel, refund, add a note.

Frozen order data is never edited here: the order page is read-only for
everyone, and each action is a small form under the order's URL that calls one
service from :mod:`orders.services`. Actions need the ``orders.change_order``
permission; a service's ``ValidationError`` is shown as an error message and
changes nothing. Every action is written to the admin history with
:func:`shop.audit.record_change`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import linebreaksbr
from django.utils import formats
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admin_ui.common import ObjectAction, ObjectActionsAdmin, ReadOnlyInline
from admin_ui.order_forms import (
    CancelForm,
    FulfillForm,
    NoteForm,
    RefundForm,
)
from admin_ui.order_forms import (
    euros as _euros,
)
from orders import services
from orders.models import (
    Fulfillment,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentTransaction,
)
from orders.selectors import ChargeStatus, payment_balance, with_payment_sums

Status = Order.Status

PAYMENT_STATUS_LABELS = {
    ChargeStatus.NOT_CHARGED: _("Not charged"),
    ChargeStatus.PARTIALLY_CHARGED: _("Partially charged"),
    ChargeStatus.FULLY_CHARGED: _("Paid"),
    ChargeStatus.PARTIALLY_REFUNDED: _("Partially refunded"),
    ChargeStatus.FULLY_REFUNDED: _("Refunded"),
}


def _lines(*lines: str | None) -> SafeString:
    """The non-empty ``lines``, escaped, one per line."""
    return linebreaksbr("\n".join(line for line in lines if line))


def _place(place: dict[str, str]) -> str:
    """``41004 Sevilla``, with the province when it is not the city's name."""
    text = " ".join(filter(None, (place.get("postal_code"), place.get("city"))))
    province = place.get("province")
    return f"{text} ({province})" if province and province != place.get("city") else text


def _address(address: dict[str, str] | None) -> SafeString | str:
    if not address:
        return "-"
    return _lines(
        " ".join(filter(None, (address.get("first_name"), address.get("last_name")))),
        address.get("company_name"),
        address.get("street_address_1"),
        address.get("street_address_2"),
        _place(address),
        address.get("phone"),
    )


# Read-only inlines


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "product_name",
        "variant_name",
        "sku",
        "quantity",
        "quantity_fulfilled",
        "unit_price_gross",
        "tax_rate",
        "total_gross",
    )
    readonly_fields = fields


class FulfillmentInline(ReadOnlyInline):
    model = Fulfillment
    fields = ("created_at", "shipped_lines", "tracking_number", "created_by")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Fulfillment]:
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .prefetch_related("lines__line")
        )

    @admin.display(description=_("items"))
    def shipped_lines(self, fulfillment: Fulfillment) -> SafeString:
        return _lines(
            *(
                f"{row.quantity} \N{MULTIPLICATION SIGN} {row.line.product_name} ({row.line.sku})"
                for row in fulfillment.lines.all()
            )
        )


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("created_at", "method", "amount", "status", "psp_reference", "ledger")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        ledger = PaymentTransaction.objects.select_related("actor").order_by("pk")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("transactions", queryset=ledger))
        )

    @admin.display(description=_("ledger"))
    def ledger(self, payment: Payment) -> SafeString | str:
        """Every charge and refund of the payment, oldest first, one per line."""
        return _lines(
            *(
                " · ".join(
                    (
                        formats.date_format(row.created_at, "SHORT_DATETIME_FORMAT"),
                        row.get_kind_display(),
                        row.get_status_display(),
                        _euros(row.amount),
                        row.actor.email if row.actor else "-",
                        row.message or row.psp_reference or "-",
                    )
                )
                for row in payment.transactions.all()
            )
        )


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "type", "actor", "message", "details")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderEvent]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("details"))
    def details(self, event: OrderEvent) -> str:
        return ", ".join(f"{key}: {value}" for key, value in event.data.items())


# Action forms


# Orders


@admin.register(Order)
class OrderAdmin(ObjectActionsAdmin):
    action_template = "admin_ui/orders/action.html"
    action_form_kwarg = "order"
    object_actions = (
        ObjectAction(
            "fulfill",
            FulfillForm,
            title=_("Ship items of order %(number)s"),
            submit=_("Ship"),
        ),
        ObjectAction(
            "cancel",
            CancelForm,
            title=_("Cancel order %(number)s"),
            submit=_("Yes, cancel the order"),
            intro=_(
                "The order's stock is released and everything that was paid is refunded "
                "through the payment method used. This cannot be undone."
            ),
        ),
        ObjectAction(
            "note",
            NoteForm,
            title=_("Add a note to order %(number)s"),
            submit=_("Add note"),
            intro=_("Notes are for staff: the customer does not see them."),
        ),
        ObjectAction(
            "refund",
            RefundForm,
            title=_("Refund order %(number)s"),
            submit=_("Refund"),
            intro=_("The amount is returned through the payment method the order was paid with."),
        ),
    )
    actions = None
    list_display = (
        "number",
        "created_at",
        "email",
        "status",
        "payment_status",
        "total",
        "disputed_at",
    )
    list_filter = ("status", "payment_method", ("disputed_at", admin.EmptyFieldListFilter))
    search_fields = ("number", "email")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "created_at",
                    "status",
                    "payment_status",
                    "disputed_at",
                    "email",
                    "user",
                    "language_code",
                    "payment_method",
                )
            },
        ),
        (
            _("Delivery"),
            {
                "fields": (
                    "shipping_method_name",
                    "delivery_address",
                    "billing",
                    "customer_note",
                )
            },
        ),
        (
            _("Amounts (IVA included)"),
            {
                "fields": (
                    "subtotal_gross",
                    "shipping_gross",
                    "tax_summary",
                    "total",
                    "refundable",
                )
            },
        ),
    )
    inlines = (OrderLineInline, FulfillmentInline, PaymentInline, OrderEventInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return with_payment_sums(super().get_queryset(request))

    # Columns and fields

    @admin.display(description=_("payment"))
    def payment_status(self, order: Order) -> str:
        return str(PAYMENT_STATUS_LABELS[payment_balance(order).status])

    @admin.display(description=_("total"), ordering="total_gross")
    def total(self, order: Order) -> str:
        return _euros(order.total_gross)

    @admin.display(description=_("refundable"))
    def refundable(self, order: Order) -> str:
        return _euros(payment_balance(order).refundable)

    @admin.display(description=_("IVA"))
    def tax_summary(self, order: Order) -> str:
        rates = sorted(order.tax_by_rate.items(), key=lambda item: Decimal(item[0]))
        parts = [
            f"{formats.number_format((Decimal(rate) * 100).normalize())} %: {_euros(Decimal(tax))}"
            for rate, tax in rates
        ]
        return " · ".join(parts) or _euros(order.total_tax)

    @admin.display(description=_("delivery"))
    def delivery_address(self, order: Order) -> SafeString | str:
        point = order.pickup_point
        if point:
            return _lines(
                gettext("Pickup at:"),
                point.get("name"),
                point.get("street_address"),
                _place(point),
                point.get("opening_hours"),
            )
        return _address(order.shipping_address)

    @admin.display(description=_("billing address"))
    def billing(self, order: Order) -> SafeString | str:
        return _address(order.billing_address)

    # Pages

    def action_context(self, obj: Order) -> dict[str, Any]:
        return {"balance": payment_balance(obj)}

    def object_tools(self, request: HttpRequest, order: Order) -> list[tuple[str, str | Promise]]:
        if not self.may_act(request):
            return []
        allowed = services.TRANSITIONS[Status(order.status)]
        return [
            (self.action_url(name, order), label)
            for name, label, shown in (
                (
                    "fulfill",
                    _("Ship items"),
                    bool(allowed & {Status.PARTIALLY_FULFILLED, Status.FULFILLED}),
                ),
                ("cancel", _("Cancel order"), Status.CANCELLED in allowed),
                ("refund", _("Refund"), payment_balance(order).refundable > 0),
                ("note", _("Add note"), True),
            )
            if shown
        ]

    def _fulfill(self, request: HttpRequest, order: Order, form: FulfillForm) -> str:
        quantities = form.quantities()
        fulfillment = services.order_fulfill(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            quantities=quantities,
            tracking_number=form.cleaned_data["tracking_number"],
        )
        shipped = ", ".join(
            f"{quantity} \N{MULTIPLICATION SIGN} {line.sku}" for line, quantity in quantities
        )
        messages.success(request, gettext("The items were marked as shipped."))
        if fulfillment.tracking_number:
            return gettext("Shipped %(lines)s, tracking number %(tracking)s.") % {
                "lines": shipped,
                "tracking": fulfillment.tracking_number,
            }
        return gettext("Shipped %(lines)s.") % {"lines": shipped}

    def _cancel(self, request: HttpRequest, order: Order, form: CancelForm) -> str:
        reason = form.cleaned_data["reason"]
        services.order_cancel(actor=request.user, order=order, reason=reason)  # type: ignore[arg-type]
        messages.success(request, gettext("The order was cancelled."))
        return gettext("Cancelled: %(reason)s") % {"reason": reason}

    def _note(self, request: HttpRequest, order: Order, form: NoteForm) -> str:
        services.order_note_add(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            message=form.cleaned_data["message"],
        )
        messages.success(request, gettext("The note was added."))
        return gettext("Note added.")

    def _refund(self, request: HttpRequest, order: Order, form: RefundForm) -> str | None:
        """Refund once per form: a resubmitted form finds its rows already there
        (and settles those the provider did not answer)."""
        earlier = dict(
            PaymentTransaction.objects.filter(
                payment__order=order, kind=PaymentTransaction.Kind.REFUND
            ).values_list("pk", "status")
        )
        rows = services.order_refund(
            actor=request.user,  # type: ignore[arg-type]
            order=order,
            amount=form.cleaned_data["amount"],
            idempotency_key=str(form.cleaned_data["idempotency_key"]),
            reason=form.cleaned_data["reason"],
        )
        new = [row for row in rows if earlier.get(row.pk) != row.status]
        if not new and all(row.psp_reference for row in rows):
            messages.warning(
                request, gettext("This refund was already made: nothing more was refunded.")
            )
            return None
        refused = [row for row in new if row.status == PaymentTransaction.Status.FAILED]
        unanswered = [row for row in rows if not row.psp_reference and row not in refused]
        done = sum((row.amount for row in new if row not in refused + unanswered), Decimal(0))
        for row in unanswered:
            messages.warning(
                request,
                gettext(
                    "The payment provider did not answer: the refund of %(amount)s is pending "
                    "(it counts as refunded). Send this form again to settle it."
                )
                % {"amount": _euros(row.amount)},
            )
        for row in refused:
            messages.error(
                request,
                gettext("The payment provider refused to refund %(amount)s: %(reason)s")
                % {"amount": _euros(row.amount), "reason": row.message or "-"},
            )
        if done:
            messages.success(request, gettext("Refunded %(amount)s.") % {"amount": _euros(done)})
        summary = gettext(
            "Refund of %(amount)s: %(done)s refunded, %(refused)s refused (%(reason)s)."
        )
        return summary % {
            "amount": _euros(form.cleaned_data["amount"]),
            "done": _euros(done),
            "refused": _euros(sum((row.amount for row in refused), Decimal(0))),
            "reason": form.cleaned_data["reason"],
        }
