"""Order mutations: customers cancel their own orders before shipping; staff
fulfil, cancel, refund and annotate any order."""

from __future__ import annotations

import uuid
from decimal import Decimal

import strawberry
from django.core.exceptions import ValidationError
from strawberry.types import Info

from orders import models, services
from orders.api.orders.types import OrderError, OrderType
from orders.errors import OrderErrorCode
from shop.api.context import ShopContext
from shop.api.errors import payload_errors
from shop.api.inputs import fetch, fetch_many, not_found
from shop.api.permissions import require_permission


def order_errors(exc: ValidationError) -> list[OrderError]:
    return payload_errors(exc, OrderError, OrderErrorCode, OrderErrorCode.INVALID)


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


def _own_order(info: Info[ShopContext, None], input: OrderCancelInput) -> models.Order:
    """The order to cancel: by token for anybody holding it; by ID for its owner or
    staff who may change orders. NOT_FOUND otherwise."""
    user = info.context.user
    order = None
    if input.token is not None:
        order = models.Order.objects.filter(token=input.token).first()
    elif input.id is not None and user is not None:
        found = fetch(models.Order, "Order", input.id, codes=OrderErrorCode)
        may_change = user.is_staff and user.has_perm("orders.change_order")
        order = found if found.user_id == user.pk or may_change else None
    if order is None:
        raise not_found("id", OrderErrorCode)
    return order


def _staff_order(info: Info[ShopContext, None], id: strawberry.ID) -> models.Order:
    return fetch(models.Order, "Order", id, codes=OrderErrorCode)


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
    def order_cancel(self, info: Info[ShopContext, None], input: OrderCancelInput) -> OrderPayload:
        user = info.context.user
        try:
            order = _own_order(info, input)
            services.order_cancel(actor=user, order=order, reason=input.reason.strip()[:500])
        except ValidationError as exc:
            return OrderPayload(errors=order_errors(exc))
        return OrderPayload(order=_fresh(order))

    @strawberry.mutation(description="Staff: ship some or all units, with a tracking number.")
    def order_fulfill(
        self, info: Info[ShopContext, None], input: OrderFulfillInput
    ) -> OrderPayload:
        actor = require_permission(info, "orders.change_order")
        try:
            order = _staff_order(info, input.id)
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
        except ValidationError as exc:
            return OrderPayload(errors=order_errors(exc))
        return OrderPayload(order=_fresh(order))

    @strawberry.mutation(description="Staff: add a note to the order's history.")
    def order_note_add(
        self, info: Info[ShopContext, None], input: OrderNoteAddInput
    ) -> OrderPayload:
        actor = require_permission(info, "orders.change_order")
        try:
            order = _staff_order(info, input.id)
            services.order_note_add(actor=actor, order=order, message=input.message)
        except ValidationError as exc:
            return OrderPayload(errors=order_errors(exc))
        return OrderPayload(order=_fresh(order))

    @strawberry.mutation(
        description="Staff: refund part or all of what was paid, through the payment method."
    )
    def order_refund(self, info: Info[ShopContext, None], input: OrderRefundInput) -> OrderPayload:
        actor = require_permission(info, "orders.change_order")
        try:
            order = _staff_order(info, input.id)
            rows = services.order_refund(
                actor=actor,
                order=order,
                amount=input.amount,
                idempotency_key=input.idempotency_key.strip()[:60],
                reason=input.reason.strip()[:500],
            )
        except ValidationError as exc:
            return OrderPayload(errors=order_errors(exc))
        errors = [
            OrderError(field=None, code=_refund_code(row), message=row.message)
            for row in rows
            if row.status != models.PaymentTransaction.Status.SUCCESS and row.message
        ]
        return OrderPayload(order=_fresh(order), errors=errors)
