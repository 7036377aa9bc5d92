"""Staff: every promotion and voucher, newest first."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
import strawberry_django
from strawberry.types import Info

from discounts import models, selectors
from discounts.api.types import PromotionType, VoucherType
from shop.api.context import ShopContext
from shop.api.permissions import require_permission
from shop.api.relay import ShopConnection


@strawberry.type
class DiscountQueries:
    @strawberry_django.connection(
        ShopConnection[PromotionType],
        description=(
            "Staff with `discounts.view_promotion`, with each promotion's usage and revenue."
        ),
    )
    def promotions(self, info: Info[ShopContext, None]) -> Iterable[models.Promotion]:
        require_permission(info, "discounts.view_promotion")
        return selectors.promotions_with_usage(
            models.Promotion.objects.order_by("-starts_at", "-pk")
        )

    @strawberry_django.connection(
        ShopConnection[VoucherType],
        description="Staff with `discounts.view_voucher`, with each voucher's usage and revenue.",
    )
    def vouchers(self, info: Info[ShopContext, None]) -> Iterable[models.Voucher]:
        require_permission(info, "discounts.view_voucher")
        return selectors.vouchers_with_usage(models.Voucher.objects.order_by("-created_at", "-pk"))
