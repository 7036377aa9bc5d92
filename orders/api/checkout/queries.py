"""The checkout by its token, for whoever may use it."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from orders import selectors
from orders.api.checkout.types import CheckoutType
from shop.api.context import ShopContext
from shop.api.mutations import found_or_none


@strawberry.type
class CheckoutQueries:
    @strawberry.field(
        description="A checkout by its token: anonymous ones for whoever holds the token, "
        "a customer's only for that customer."
    )
    def checkout(self, info: Info[ShopContext, None], token: uuid.UUID) -> CheckoutType | None:
        user = info.context.user
        checkout = found_or_none(lambda: selectors.checkout_for(user, token=token))
        return CheckoutType(checkout=checkout) if checkout else None
