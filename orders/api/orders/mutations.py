"""Order mutations: customers cancel their own orders before shipping; staff
fulfill, cancel, refund and annotate any order."""

from __future__ import annotations

import uuid
from decimal import Decimal

import strawberry
from strawberry.types import Info

from orders import models, selectors, services
from orders.api.orders.types import OrderError, OrderType, order_errors
from orders.errors import OrderErrorCode
from shop.accounts.models import User
from shop.api.context import ShopContext
from shop.api.inputs import fetch_many
from shop.api.mutations import mutation
from shop.api.relay import decode_id


@strawberry.type
class OrderPayload:
    order: OrderType | None = None
    errors: list[OrderError] = strawberry.field(default_factory=list)


@strawberry.input(description="Name the order by ID (signed in) or by its token (guests).")
class OrderCancelInput:
    id: strawberry.ID | None = None
    token: uuid.UUID | None = None
    reason: str = ""


@strawberry.input
class OrderFulfillLineInput:
    line_id: strawberry.ID
    quantity: int


@strawberry.input
class OrderFulfillInput:
    id: strawberry.ID
    lines: list[OrderFulfillLineInput]
    tracking_number: str = ""
    notify_customer: bool = True


@strawberry.input
class OrderNoteAddInput:
    id: strawberry.ID
    message: str


@strawberry.input
class OrderRefundInput:
    id: strawberry.ID
    amount: Decimal
    idempotency_key: str = strawberry.field(
        description="Chosen by the client per refund; repeating it refunds once."
    )
    reason: str = ""


CHANGE_ORDERS = "orders.change_order"


def _order(
    user: User | None, id: strawberry.ID | None, token: uuid.UUID | None = None
) -> models.Order:
    """The order to act on: by token for whoever holds it, by ID for its customer
    or staff who may change orders (``selectors.order_for``)."""
    pk = decode_id(id, "Order") if id is not None else None
    return selectors.order_for(user, id=pk, token=token, staff_permission=CHANGE_ORDERS)


def _fresh(order: models.Order) -> OrderType:
    return models.Order.objects.get(pk=order.pk)  # type: ignore[return-value]


def _refund_code(row: models.PaymentTransaction) -> OrderErrorCode:
    if row.status == models.PaymentTransaction.Status.FAILED:
        return OrderErrorCode.REFUND_FAILED
    return OrderErrorCode.GATEWAY_UNAVAILABLE  # pending: retry with the same key


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Cancel an order not yet shipped: stock released, payment refunded. "
        "Customers their own (or with the token); staff with `orders.change_order` any."
    )
    @mutation(OrderPayload, order_errors)
    def order_cancel(self, info: Info[ShopContext, None], input: OrderCancelInput) -> OrderPayload:
        user = info.context.user
        order = _order(user, input.id, input.token)
        services.order_cancel(actor=user, order=order, reason=input.reason.strip()[:500])
        return OrderPayload(order=_fresh(order))

    @strawberry.mutation(description="Staff: ship some or all units, with a tracking number.")
    @mutation(OrderPayload, order_errors, permission=CHANGE_ORDERS)
    def order_fulfill(self, input: OrderFulfillInput, actor: User) -> OrderPayload:
        order = _order(actor, input.id)
        lines = fetch_many(
            models.OrderLine,
            "OrderLine",
            [line.line_id for line in input.lines],
            codes=OrderErrorCode,
            field="lines",
        )
        services.order_fulfill(
            actor=actor,
            order=order,
            quantities=[
                (line, given.quantity) for line, given in zip(lines, input.lines, strict=True)
            ],
            tracking_number=input.tracking_number,
            notify=input.notify_customer,
        )
        return OrderPayload(order=_fresh(order))

    @strawberry.mutation(description="Staff: add a note to the order's history.")
    @mutation(OrderPayload, order_errors, permission=CHANGE_ORDERS)
    def order_note_add(self, input: OrderNoteAddInput, actor: User) -> OrderPayload:
        order = _order(actor, input.id)
        services.order_note_add(actor=actor, order=order, message=input.message)
        return OrderPayload(order=_fresh(order))

    @strawberry.mutation(
        description="Staff: refund part or all of what was paid, through the payment method."
    )
    @mutation(OrderPayload, order_errors, permission=CHANGE_ORDERS)
    def order_refund(self, input: OrderRefundInput, actor: User) -> OrderPayload:
        order = _order(actor, input.id)
        rows = services.order_refund(
            actor=actor,
            order=order,
            amount=input.amount,
            idempotency_key=input.idempotency_key.strip()[:60],
            reason=input.reason.strip()[:500],
        )
        errors = [
            OrderError(field=None, code=_refund_code(row), message=row.message)
            for row in rows
            if row.status != models.PaymentTransaction.Status.SUCCESS and row.message
        ]
        return OrderPayload(order=_fresh(order), errors=errors)
