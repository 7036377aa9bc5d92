"""Orders as customers and staff see them.

Customers see their own orders (``me.orders``, ``order(id:)``, ``node(id:)``);
guests theirs by the secret token (``orderByToken``); order staff see every
order. Anybody else finds nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from catalog.api.types import ProductVariantType
from orders import models, selectors
from orders.api.common import OrderAddress, TaxLine, money, tax_lines, taxed
from orders.errors import OrderErrorCode
from orders.services.orders import customer_may_cancel
from shop.accounts.selectors import staff_may
from shop.api.context import ShopContext
from shop.api.errors import ShopError
from shop.api.mutations import PayloadErrors
from shop.api.relay import ModelNode
from shop.api.types import MoneyType, TaxedMoneyType
from shop.i18n import localized

if TYPE_CHECKING:
    from billing_bridge.api.types import BillChargeType
    from invoicing.api.types import InvoiceType
    from orders.api.claims.types import ClaimType

strawberry.enum(OrderErrorCode, name="OrderErrorCode")
strawberry.enum(models.Order.Status, name="OrderStatus")
strawberry.enum(selectors.ChargeStatus, name="PaymentStatus")
strawberry.enum(models.OrderEvent.Type, name="OrderEventType")


@strawberry.type
class OrderError(ShopError):
    code: OrderErrorCode


order_errors = PayloadErrors(OrderError, OrderErrorCode)


@strawberry_django.type(models.OrderLine, name="OrderLine")
class OrderLineType(ModelNode):
    sku: str
    quantity: int
    quantity_fulfilled: int
    tax_rate: strawberry.auto

    @strawberry.field(description="The product's name when it was bought.")
    def product_name(self, root: models.OrderLine) -> str:
        return localized(root, "product_name")

    @strawberry.field
    def variant_name(self, root: models.OrderLine) -> str:
        return localized(root, "variant_name")

    @strawberry.field
    def unit_price(self, root: models.OrderLine) -> MoneyType:
        return money(root.unit_price_gross)

    @strawberry.field(description="After the line's discount (promotions, promo code).")
    def total_price(self, root: models.OrderLine) -> TaxedMoneyType:
        return taxed(root.total_gross, root.total_tax)

    @strawberry.field(description="Unit price x quantity, before discounts.")
    def undiscounted_total_price(self, root: models.OrderLine) -> MoneyType:
        return money(root.undiscounted_total_gross)

    @strawberry.field(description="What promotions and the promo code took off the line.")
    def discount(self, root: models.OrderLine) -> MoneyType:
        return money(root.discount_gross)

    @strawberry_django.field(description="The variant, while it still exists and is for sale.")
    def variant(self, root: models.OrderLine) -> ProductVariantType | None:
        return root.variant  # type: ignore[return-value]

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.OrderLine], info: Info, **_kwargs: Any
    ) -> QuerySet[models.OrderLine]:
        return queryset.filter(order__in=selectors.orders_visible_to(info.context.user))


@strawberry.type(description="Units of a line that left in a shipment.")
class FulfillmentLineType:
    line: OrderLineType
    quantity: int


@strawberry_django.type(models.Fulfillment, name="Fulfillment")
class FulfillmentType:
    tracking_number: str
    created_at: datetime

    @strawberry_django.field(prefetch_related=["lines__line"])
    def lines(self, root: models.Fulfillment) -> list[FulfillmentLineType]:
        return [
            FulfillmentLineType(line=row.line, quantity=row.quantity)  # type: ignore[arg-type]
            for row in root.lines.all()
        ]


@strawberry_django.type(models.OrderEvent, name="OrderEvent")
class OrderEventType:
    type: models.OrderEvent.Type
    message: str
    created_at: datetime

    @strawberry_django.field(select_related=["actor"], description="Who did it; null: the shop.")
    def actor_email(self, root: models.OrderEvent) -> str | None:
        return root.actor.email if root.actor else None


def _balance(order: models.Order, info: Info[ShopContext, None]) -> selectors.PaymentBalance:
    """The order's ledger balance, read once per request for the fields showing it
    (the answer is built after the operation's writes)."""
    key = f"payment-balance:{order.pk}"
    memo = info.context.memo
    if key not in memo:
        memo[key] = selectors.payment_balance(order)
    balance: selectors.PaymentBalance = memo[key]
    return balance


@strawberry_django.type(models.Order, name="Order")
class OrderType(ModelNode):
    number: str
    email: str
    status: models.Order.Status
    created_at: datetime
    payment_method: str
    customer_note: str
    fulfillments: list[FulfillmentType] = strawberry_django.field()

    @strawberry_django.field(prefetch_related=["lines"])
    def lines(self, root: models.Order) -> list[OrderLineType]:
        # Whoever may see the order sees its lines. ``OrderLineType.get_queryset``
        # guards lines reached by ID (``node``), which knows nothing of order
        # tokens, so it would hide a guest's lines from ``orderByToken``.
        return list(root.lines.all())  # type: ignore[arg-type]

    @strawberry.field
    def shipping_method_name(self, root: models.Order) -> str:
        return localized(root, "shipping_method_name")

    @strawberry.field(description="The secret for looking the order up without signing in.")
    def token(self, root: models.Order) -> uuid.UUID:
        return root.token

    @strawberry.field
    def payment_status(
        self, root: models.Order, info: Info[ShopContext, None]
    ) -> selectors.ChargeStatus:
        return _balance(root, info).status

    @strawberry.field
    def total_charged(self, root: models.Order, info: Info[ShopContext, None]) -> MoneyType:
        return money(_balance(root, info).charged)

    @strawberry.field
    def total_refunded(self, root: models.Order, info: Info[ShopContext, None]) -> MoneyType:
        return money(_balance(root, info).refunded)

    @strawberry.field
    def shipping_address(self, root: models.Order) -> OrderAddress | None:
        return OrderAddress.from_dict(root.shipping_address)

    @strawberry.field
    def billing_address(self, root: models.Order) -> OrderAddress | None:
        return OrderAddress.from_dict(root.billing_address)

    @strawberry.field(description="Where to collect the order (pickup methods only).")
    def pickup_point(self, root: models.Order) -> OrderPickupPoint | None:
        point = root.pickup_point
        if not point:
            return None
        return OrderPickupPoint(**{name: str(point.get(name, "")) for name in PICKUP_FIELDS})

    @strawberry.field
    def subtotal_price(self, root: models.Order) -> TaxedMoneyType:
        lines_tax = root.total_tax - root.shipping_tax
        return taxed(root.subtotal_gross, lines_tax)

    @strawberry.field
    def shipping_price(self, root: models.Order) -> TaxedMoneyType:
        return taxed(root.shipping_gross, root.shipping_tax)

    @strawberry.field
    def total_price(self, root: models.Order) -> TaxedMoneyType:
        return taxed(root.total_gross, root.total_tax)

    @strawberry.field(description="IVA per rate, each rounded once over the order.")
    def taxes(self, root: models.Order) -> list[TaxLine]:
        return tax_lines(root.tax_by_rate)

    @strawberry.field(description="Promotions and promo code, lines and shipping.")
    def discount(self, root: models.Order) -> MoneyType:
        return money(root.discount_gross)

    @strawberry.field(description="The promo code used, if any.")
    def voucher_code(self, root: models.Order) -> str | None:
        return root.voucher_code or None

    @strawberry.field(
        description="Water-bill orders: the installments on the customer's bills and their state."
    )
    def bill_charges(
        self, root: models.Order
    ) -> list[Annotated[BillChargeType, strawberry.lazy("billing_bridge.api.types")]]:
        if root.payment_method != "water_bill":
            return []  # bill charges hang off water-bill payments only
        # The API layer joins the two apps; the orders domain never imports billing_bridge.
        from billing_bridge.api.types import bill_charges_of

        return bill_charges_of(root)

    @strawberry_django.field(
        prefetch_related=[lambda _info: _invoices_prefetch()],
        description="The order's invoices, oldest first (rectifying ones included).",
    )
    def invoices(
        self, root: models.Order
    ) -> list[Annotated[InvoiceType, strawberry.lazy("invoicing.api.types")]]:
        from invoicing.api.types import order_invoices

        return order_invoices(root)

    @strawberry.field(description="Claims opened on this order.")
    def claims(
        self, root: models.Order
    ) -> list[Annotated[ClaimType, strawberry.lazy("orders.api.claims.types")]]:
        from orders.api.claims.types import order_claims

        return order_claims(root)

    @strawberry.field(description="Whether the customer may still cancel it.")
    def can_cancel(self, root: models.Order) -> bool:
        return customer_may_cancel(root)

    @strawberry_django.field(
        prefetch_related=["events__actor"], description="Staff only: the order's history."
    )
    def events(self, root: models.Order, info: Info[ShopContext, None]) -> list[OrderEventType]:
        if not staff_may(info.context.user, selectors.VIEW_ORDERS):
            return []
        return list(root.events.all())  # type: ignore[arg-type]

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Order], info: Info, **_kwargs: Any
    ) -> QuerySet[models.Order]:
        visible = queryset & selectors.orders_visible_to(info.context.user)
        return selectors.with_payment_sums(visible)


def _invoices_prefetch() -> Any:
    # The API layer joins the two apps, as for bill charges: invoicing reacts to
    # orders, and only the schema that serves both knows of both.
    from invoicing.selectors import order_invoices_prefetch

    return order_invoices_prefetch()


PICKUP_FIELDS = models.PickupPoint.ORDER_FIELDS


@strawberry.type
class OrderPickupPoint:
    name: str
    street_address: str
    postal_code: str
    city: str
    opening_hours: str
