"""Orders: one by ID for whoever may see it, by token for guests; staff list them all."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import strawberry
import strawberry_django
from strawberry.types import Info

from orders import models, selectors
from orders.api.orders.types import OrderType
from shop.api.context import ShopContext
from shop.api.mutations import found_or_none
from shop.api.permissions import require_permission
from shop.api.relay import ShopConnection, decode_id


@strawberry.type
class OrderQueries:
    @strawberry_django.field(description="An order of the signed-in customer (staff: any).")
    def order(self, info: Info[ShopContext, None], id: strawberry.ID) -> OrderType | None:
        user, pk = info.context.user, decode_id(id, "Order")
        order = found_or_none(lambda: selectors.order_for(user, id=pk, payment_sums=True))
        return order  # type: ignore[return-value]

    @strawberry_django.field(
        description="An order by the secret token from its confirmation e-mail (guests)."
    )
    def order_by_token(self, token: uuid.UUID) -> OrderType | None:
        # The token is the credential: whoever signed in (or did not) is beside the point.
        order = found_or_none(lambda: selectors.order_for(None, token=token, payment_sums=True))
        return order  # type: ignore[return-value]

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
        require_permission(info, selectors.VIEW_ORDERS)
        orders = models.Order.objects.order_by("-created_at", "-pk")
        if status is not None:
            orders = orders.filter(status=status)
        text = (search or "").strip()[:100]
        if text:
            orders = orders.filter(number__icontains=text) | orders.filter(email__icontains=text)
        return orders
