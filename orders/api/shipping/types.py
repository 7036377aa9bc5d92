"""Shipping as staff see it: zones, their postal-code rules, methods and pickup points.

Zones and methods are visible to staff holding the matching view permission only
(``node(id:)`` finds nothing for anybody else); active pickup points are public,
since storefronts show customers where they can collect an order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from orders import models
from orders.errors import ShippingErrorCode
from shop.accounts.selectors import staff_may
from shop.api.errors import ShopError
from shop.api.mutations import PayloadErrors
from shop.api.relay import ModelNode
from shop.api.types import MoneyType
from shop.i18n import localized
from shop.money import Money

strawberry.enum(ShippingErrorCode, name="ShippingErrorCode")
strawberry.enum(models.ShippingMethod.Kind, name="ShippingMethodKind")
strawberry.enum(models.PostalCodeRule.Inclusion, name="PostalCodeRuleInclusion")


@strawberry.type
class ShippingError(ShopError):
    code: ShippingErrorCode


shipping_errors = PayloadErrors(ShippingError, ShippingErrorCode)


def _money(amount: Decimal | None) -> MoneyType | None:
    return None if amount is None else MoneyType.from_money(Money(amount))


@strawberry_django.type(models.PickupPoint, name="PickupPoint")
class PickupPointType(ModelNode):
    name: str
    street_address: str
    postal_code: str
    city: str
    is_active: bool

    @strawberry.field
    def opening_hours(self, root: models.PickupPoint) -> str:
        return localized(root, "opening_hours")

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.PickupPoint], info: Info, **_kwargs: Any
    ) -> QuerySet[models.PickupPoint]:
        if staff_may(info.context.user, "orders.view_pickuppoint"):
            return queryset
        return queryset.filter(is_active=True)


@strawberry_django.type(models.ShippingMethod, name="ShippingMethod")
class ShippingMethodType(ModelNode):
    kind: models.ShippingMethod.Kind
    min_weight_grams: int | None
    max_weight_grams: int | None
    delivery_days_min: int
    delivery_days_max: int
    pickup_points: list[PickupPointType] = strawberry_django.field(
        description="Where a pickup method's orders can be collected."
    )
    is_active: bool
    position: int

    @strawberry.field
    def name(self, root: models.ShippingMethod) -> str:
        return localized(root, "name")

    @strawberry.field(description="Gross (IVA included).")
    def price(self, root: models.ShippingMethod) -> MoneyType:
        return MoneyType.from_money(Money(root.price))

    @strawberry.field(description="Gross order subtotal from which the method applies.")
    def min_order_value(self, root: models.ShippingMethod) -> MoneyType | None:
        return _money(root.min_order_value)

    @strawberry.field(description="Gross order subtotal up to which the method applies.")
    def max_order_value(self, root: models.ShippingMethod) -> MoneyType | None:
        return _money(root.max_order_value)

    @strawberry.field(description="Gross order subtotal from which shipping is free.")
    def free_above(self, root: models.ShippingMethod) -> MoneyType | None:
        return _money(root.free_above)

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.ShippingMethod], info: Info, **_kwargs: Any
    ) -> QuerySet[models.ShippingMethod]:
        if staff_may(info.context.user, "orders.view_shippingmethod"):
            return queryset
        return queryset.none()


@strawberry_django.type(
    models.PostalCodeRule,
    name="PostalCodeRule",
    description="A postal-code prefix, or an inclusive range between two postal codes.",
)
class PostalCodeRuleType:
    inclusion: models.PostalCodeRule.Inclusion

    @strawberry.field(description="1 to 5 digits; null for a range.")
    def prefix(self, root: models.PostalCodeRule) -> str | None:
        return root.prefix or None

    @strawberry.field(description="First postal code of a range; null for a prefix.")
    def start(self, root: models.PostalCodeRule) -> str | None:
        return root.start or None

    @strawberry.field(description="Last postal code of a range; null for a prefix.")
    def end(self, root: models.PostalCodeRule) -> str | None:
        return root.end or None


@strawberry_django.type(models.ShippingZone, name="ShippingZone")
class ShippingZoneType(ModelNode):
    name: str
    countries: list[str] = strawberry_django.field(description="ISO 3166-1 alpha-2 codes.")
    is_active: bool
    rules: list[PostalCodeRuleType] = strawberry_django.field(
        description="With include rules, a postal code must match one; it must match no "
        "exclude rule. No rules: the whole of the countries."
    )
    methods: list[ShippingMethodType] = strawberry_django.field(description="In display order.")

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.ShippingZone], info: Info, **_kwargs: Any
    ) -> QuerySet[models.ShippingZone]:
        if staff_may(info.context.user, "orders.view_shippingzone"):
            return queryset
        return queryset.none()
