"""Shipping reads for staff: every zone with its rules and methods."""

from __future__ import annotations

import strawberry
import strawberry_django
from strawberry.types import Info

from orders import models
from orders.api.shipping.types import ShippingZoneType
from shop.api.context import ShopContext
from shop.api.permissions import require_permission


@strawberry.type
class ShippingQueries:
    @strawberry_django.field(
        description="Staff: every shipping zone, inactive ones too, with rules and methods."
    )
    def shipping_zones(self, info: Info[ShopContext, None]) -> list[ShippingZoneType]:
        require_permission(info, "orders.view_shippingzone")
        return models.ShippingZone.objects.order_by("name", "pk")  # type: ignore[return-value]
