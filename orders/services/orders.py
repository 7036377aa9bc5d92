"""Order services: placing an order from a paid checkout, the status state
machine, cancellation, fulfillment, notes and refunds.

The fulfillment status moves only through :func:`order_transition`, which checks
``TRANSITIONS`` and records an ``OrderEvent`` with the actor. Customers are
e-mailed after commit, by a task owed through the outbox (``shop.outbox``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import OrderErrorCode as Code
from orders.invoicer import get_invoicer
from orders.models import (
    Checkout,
    CheckoutLine,
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    PaymentTransaction,
    ShippingMethod,
)
from orders.selectors import CheckoutLineView, CheckoutSummary
from orders.services.stock import (
    stock_allocate,
    stock_allocation_plan,
    stock_deallocate,
    stock_fulfill,
)
from shop.accounts.models import User
from shop.outbox.services import outbox_batch, outbox_enqueue
from shop.validation import field_error

Status = Order.Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.UNFULFILLED: frozenset({Status.PARTIALLY_FULFILLED, Status.FULFILLED, Status.CANCELLED}),
    Status.PARTIALLY_FULFILLED: frozenset({Status.PARTIALLY_FULFILLED, Status.FULFILLED}),
    Status.FULFILLED: frozenset(),
    Status.CANCELLED: frozenset(),
}


def order_event(
    order: Order, type: str, actor: User | None, message: str = "", **data: object
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, type=type, actor=actor, message=message, data=data
    )


def _notify(order: Order, kind: str, **extra: object) -> None:
    outbox_enqueue(
        task="orders.tasks.order_email_send", kwargs={"order_id": order.pk, "kind": kind, **extra}
    )


def order_transition(*, order: Order, to: Status, actor: User | None, message: str = "") -> None:
    """Move ``order`` (locked by the caller) to ``to`` if ``TRANSITIONS`` allows it."""
    current = Status(order.status)
    if to not in TRANSITIONS[current]:
        raise field_error(
            "status",
            _("An order cannot go from “%(from)s” to “%(to)s”.")
            % {"from": current.label, "to": to.label},
            Code.CANNOT_CANCEL if to == Status.CANCELLED else Code.INVALID,
        )
    order.status = to
    order.save(update_fields=["status", "updated_at"])
    order_event(order, OrderEvent.Type.STATUS_CHANGED, actor, message, old=current, new=to)


def _address_text(address: dict[str, str] | None) -> dict[str, str] | None:
    return dict(address) if address else None


def order_place(*, summary: CheckoutSummary, payment: Payment, actor: User | None) -> Order:
    """Create the order of a paid checkout, freeze its lines and totals, allocate
    its stock and delete the checkout. Call inside a transaction holding the
    checkout's lock. The invoicer is told in this transaction (see
    ``orders.invoicer``). The promo code's use becomes the order's.

    Refuses before its first write, so a refusal leaves nothing to undo:
    INSUFFICIENT_STOCK from the stock's plan, VOUCHER_USED_UP (on ``promoCode``)
    when the code's limits no longer allow it."""
    from discounts.services import voucher_usage_check, voucher_usage_commit

    checkout: Checkout = summary.checkout
    # Locked in this order: the promotions of the prices, the stock, the voucher.
    promotions = _locked_promotions(summary)
    plan = stock_allocation_plan(
        checkout=checkout, wanted=[(view.variant, view.line.quantity) for view in summary.lines]
    )
    code = voucher_usage_check(summary=summary)
    order = _order_create(summary, payment)  # numbered by the insert (``Order.number``)
    lines = _order_lines_create(order, summary, promotions)
    stock_allocate(
        checkout=checkout,
        lines=[(line, view.variant) for line, view in zip(lines, summary.lines, strict=True)],
        plan=plan,
    )
    voucher_usage_commit(summary=summary, order=order, code=code)
    _payments_move(checkout, payment, order)
    _placed_events(order, payment, actor)
    _checkout_delete(checkout)
    # What the invoicer and the answer read of the new order, as written.
    _prefetched(order, lines=lines, fulfillments=[])
    with outbox_batch():  # the invoicer's messages and the confirmation: one insert
        get_invoicer().order_placed(order, payment)
        _notify(order, "confirmation")
    return order


def _order_create(summary: CheckoutSummary, payment: Payment) -> Order:
    """The order row: the checkout's customer, addresses and shipping, frozen."""
    checkout: Checkout = summary.checkout
    totals = summary.totals
    if summary.shipping is None or totals.shipping is None:
        raise ValueError("A checkout is placed only with a shipping method.")
    method: ShippingMethod = summary.shipping.method
    point = checkout.pickup_point
    return Order.objects.create(
        checkout_token=checkout.token,
        user=checkout.user,
        email=checkout.email,
        language_code=checkout.language_code,
        shipping_address=_address_text(checkout.shipping_address),
        billing_address=_address_text(checkout.billing_address),
        shipping_method=method,
        shipping_method_name=method.name,
        shipping_method_name_en=method.name_en,
        pickup_point=(
            point.order_copy() if point and method.kind == ShippingMethod.Kind.PICKUP else None
        ),
        delivery_days_max=method.delivery_days_max,
        payment_method=payment.method,
        customer_note=checkout.customer_note,
        subtotal_gross=totals.subtotal_gross,
        shipping_gross=totals.shipping.gross,
        shipping_tax=totals.shipping.tax,
        shipping_tax_rate=totals.shipping.tax_rate,
        total_gross=totals.total_gross,
        total_tax=totals.total_tax,
        tax_by_rate={str(rate): str(tax) for rate, tax in totals.tax_by_rate.items()},
        discount_gross=totals.discount,
        voucher_code=(
            summary.promo.code.code
            if summary.promo and summary.promo.code and summary.promo.offer
            else ""
        ),
    )


def _order_lines_create(
    order: Order, summary: CheckoutSummary, promotions: set[int]
) -> list[OrderLine]:
    """The order's lines, frozen from the checkout's priced lines; each links the
    promotion that priced it while that promotion still exists (``promotions``:
    :func:`_locked_promotions`)."""
    return OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant=view.variant,
            product_name=view.product.name,
            product_name_en=view.product.name_en,
            variant_name=view.variant.name,
            variant_name_en=view.variant.name_en,
            sku=view.variant.sku,
            quantity=view.line.quantity,
            unit_price_gross=view.unit_gross,
            tax_rate=view.total.tax_rate,
            total_gross=view.total.gross,
            total_tax=view.total.tax,
            discount_gross=view.total.discount,
            discount_sources=_sources(view, order.voucher_code),
            promotion_id=view.unit.sale.id
            if view.unit.sale and view.unit.sale.id in promotions
            else None,
            promotion_discount_gross=view.unit.discount * view.line.quantity,
        )
        for view in summary.lines
    )


def _placed_events(order: Order, payment: Payment, actor: User | None) -> None:
    events = [
        OrderEvent(
            order=order, type=OrderEvent.Type.PLACED, actor=actor, data={"number": order.number}
        )
    ]
    if payment.status == Payment.Status.CHARGED:
        events.append(
            OrderEvent(
                order=order,
                type=OrderEvent.Type.PAYMENT_CHARGED,
                actor=None,
                data={"amount": str(payment.amount)},
            )
        )
    OrderEvent.objects.bulk_create(events)


def _payments_move(checkout: Checkout, payment: Payment, order: Order) -> None:
    """The placing payment goes to the order; the checkout's other payments let go
    of it (as ``on_delete=SET_NULL`` would when it is deleted): one statement."""
    now = timezone.now()
    Payment.objects.filter(checkout=checkout).update(
        checkout=None,
        order=Case(
            When(pk=payment.pk, then=Value(order.pk)),
            default=F("order"),
            output_field=Payment._meta.get_field("order"),
        ),
        updated_at=Case(
            When(pk=payment.pk, then=Value(now)),
            default=F("updated_at"),
            output_field=Payment._meta.get_field("updated_at"),
        ),
    )
    payment.order, payment.checkout, payment.updated_at = order, None, now


def _checkout_delete(checkout: Checkout) -> None:
    """Delete a placed checkout: its reservations went with the allocation and its
    payments with :func:`_payments_move`; its lines and the row go, without the
    collector's reads."""
    CheckoutLine.objects.filter(checkout=checkout)._raw_delete(CheckoutLine.objects.db)
    Checkout.objects.filter(pk=checkout.pk)._raw_delete(Checkout.objects.db)


def _prefetched(instance: Order, **related: list[Any]) -> None:
    """Give ``instance`` the rows of its ``related`` managers as prefetched."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[name] = queryset


def _locked_promotions(summary: CheckoutSummary) -> set[int]:
    """The promotions of the summary's prices that still exist, locked until the
    order commits: one deleted meanwhile is not linked (its discount stays on
    the line, as it was paid), and none can go while the lines point at it."""
    from discounts.models import Promotion

    ids = {view.unit.sale.id for view in summary.lines if view.unit.sale is not None}
    if not ids:
        return set()
    return set(
        Promotion.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True)
    )


def _sources(view: CheckoutLineView, voucher_code: str) -> list[dict[str, str]]:
    sources = view.discount_sources()
    for source in sources:
        if source["kind"] == "voucher":
            source["name"] = voucher_code
    return sources


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def customer_may_cancel(order: Order) -> bool:
    return order.status == Status.UNFULFILLED


@transaction.atomic
def order_cancel(*, actor: User | None, order: Order, reason: str = "") -> Order:
    """Cancel an order nothing of which has shipped: its stock is released,
    what was paid is refunded (authorisations released) through the payment
    interface and its promo code's use is given back. CANNOT_CANCEL otherwise;
    nothing changes then. A refund the provider refuses is recorded as failed,
    for staff to retry."""
    from discounts.services import voucher_usage_release_for_order
    from orders.services.payments import payment_give_back_all

    order = _locked(order)
    if order.status != Status.UNFULFILLED:
        raise field_error(
            None, _("Only orders not yet shipped can be cancelled."), Code.CANNOT_CANCEL
        )
    order_transition(order=order, to=Status.CANCELLED, actor=actor, message=reason)
    stock_deallocate(lines=order.lines.all())
    voucher_usage_release_for_order(order=order)
    order_event(order, OrderEvent.Type.CANCELLED, actor, reason)
    payment_give_back_all(order=order, actor=actor)
    get_invoicer().order_cancelled(order)
    _notify(order, "cancelled")
    return order


@transaction.atomic
def order_fulfill(
    *,
    actor: User,
    order: Order,
    quantities: Sequence[tuple[OrderLine, int]],
    tracking_number: str = "",
    notify: bool = True,
) -> Fulfillment:
    """Ship some or all units of the order's lines: stock leaves the warehouse,
    the status becomes partially fulfilled or fulfilled. CANNOT_FULFILL for a
    cancelled or finished order; INVALID_QUANTITY beyond what is left to ship."""
    order = _locked(order)
    if order.status not in (Status.UNFULFILLED, Status.PARTIALLY_FULFILLED):
        raise field_error(None, _("This order cannot be shipped."), Code.CANNOT_FULFILL)
    lines = {line.pk: line for line in order.lines.select_for_update()}
    wanted: dict[OrderLine, int] = {}
    for given, quantity in quantities:
        line = lines.get(given.pk)
        if line is None:
            raise field_error("lines", _("The line is not part of this order."), Code.NOT_FOUND)
        wanted[line] = wanted.get(line, 0) + quantity
    if not wanted or any(
        quantity < 1 or quantity > line.quantity_unfulfilled for line, quantity in wanted.items()
    ):
        raise field_error(
            "lines",
            _("Ship at least one unit and no more than is left to ship of each line."),
            Code.INVALID_QUANTITY,
        )
    stock_fulfill(quantities=dict(wanted))
    fulfillment = Fulfillment.objects.create(
        order=order, tracking_number=tracking_number.strip()[:100], created_by=actor
    )
    for line, quantity in wanted.items():
        FulfillmentLine.objects.create(fulfillment=fulfillment, line=line, quantity=quantity)
        line.quantity_fulfilled += quantity
        line.save(update_fields=["quantity_fulfilled"])
    done = all(line.quantity_unfulfilled == 0 for line in lines.values())
    order_transition(
        order=order,
        to=Status.FULFILLED if done else Status.PARTIALLY_FULFILLED,
        actor=actor,
    )
    order_event(
        order,
        OrderEvent.Type.FULFILLED,
        actor,
        tracking_number=fulfillment.tracking_number,
        lines={str(line.pk): quantity for line, quantity in wanted.items()},
    )
    get_invoicer().order_fulfilled(order, fulfillment)
    if notify:
        _notify(order, "shipped", fulfillment_id=fulfillment.pk)
    return fulfillment


@transaction.atomic
def order_note_add(*, actor: User, order: Order, message: str) -> OrderEvent:
    message = message.strip()
    if not message:
        raise field_error("message", _("Write the note."), Code.REQUIRED)
    if len(message) > 2000:
        raise field_error("message", _("A note has at most 2000 characters."), Code.INVALID)
    return order_event(order, OrderEvent.Type.NOTE_ADDED, actor, message)


@transaction.atomic
def order_refund(
    *, actor: User, order: Order, amount: Decimal, idempotency_key: str, reason: str = ""
) -> list[PaymentTransaction]:
    """Refund ``amount`` of what the order was charged, through its payment method.

    One refund per ``idempotency_key`` (a double click refunds once).
    REFUND_EXCEEDS_PAYMENT beyond what was charged minus refunded;
    REFUND_FAILED when the provider refuses (recorded, visible to staff).
    """
    from orders.services.payments import order_payment_refund

    order = _locked(order)
    return order_payment_refund(
        order=order, amount=amount, idempotency_key=idempotency_key, actor=actor, reason=reason
    )
