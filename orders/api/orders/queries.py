from __future__ import annotations

import uuid
from collections.abc import Iterable

import strawberry
import strawberry_django
from strawberry.types import Info

from orders import models, selectors
from orders.api.checkout.types import CheckoutType
from orders.api.orders.types import OrderType
from orders.api.shipping.types import ShippingZoneType
from shop.api.context import ShopContext
from shop.api.permissions import require_permission
from shop.api.relay import ShopConnection, decode_id


@strawberry.type
class OrdersQueries:
    @strawberry_django.field(
        description="Staff: every shipping zone, inactive ones too, with rules and methods."
    )
    def shipping_zones(self, info: Info[ShopContext, None]) -> list[ShippingZoneType]:
        require_permission(info, "orders.view_shippingzone")
        return models.ShippingZone.objects.order_by("name", "pk")  # type: ignore[return-value]

    @strawberry.field(
        description="A checkout by its token: anonymous ones for whoever holds the token, "
        "a customer's only for that customer."
    )
    def checkout(self, info: Info[ShopContext, None], token: uuid.UUID) -> CheckoutType | None:
        checkout = selectors.checkout_for(token, info.context.user)
        return CheckoutType(checkout=checkout) if checkout else None

    @strawberry_django.field(description="An order of the signed-in customer (staff: any).")
    def order(self, info: Info[ShopContext, None], id: strawberry.ID) -> OrderType | None:
        pk = decode_id(id, "Order")
        if pk is None:
            return None
        orders = selectors.with_payment_sums(selectors.orders_visible_to(info.context.user))
        return orders.filter(pk=pk).first()  # type: ignore[return-value]

    @strawberry_django.field(
        description="An order by the secret token from its confirmation e-mail (guests)."
    )
    def order_by_token(self, token: uuid.UUID) -> OrderType | None:
        orders = selectors.with_payment_sums(models.Order.objects.all())
        return orders.filter(token=token).first()  # type: ignore[return-value]

    @strawberry_django.connection(
        ShopConnection[OrderType],
        description="Staff: every order, newest first, by status or a number/e-mail search.",
    )
    def orders(
        self,
        info: Info[ShopContext, None],
        status: models.Order.Status | None = None,
        search: str | None = None,
    ) -> Iterable[models.Order]:
        require_permission(info, "orders.view_order")
        orders = models.Order.objects.order_by("-created_at", "-pk")
        if status is not None:
            orders = orders.filter(status=status)
        text = (search or "").strip()[:100]
        if text:
            orders = orders.filter(number__icontains=text) | orders.filter(email__icontains=text)
        return orders
