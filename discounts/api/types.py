"""Promotions and vouchers as staff see them, with usage and revenue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
import strawberry_django
from strawberry import relay

from discounts import models, selectors
from discounts.errors import DiscountErrorCode
from orders.api.common import money
from shop.api.errors import ShopError
from shop.api.mutations import PayloadErrors
from shop.api.relay import ModelNode
from shop.api.types import MoneyType

strawberry.enum(DiscountErrorCode, name="DiscountErrorCode")
DiscountValueType = strawberry.enum(models.ValueType, name="DiscountValueType")
VoucherScope = strawberry.enum(models.Voucher.Scope, name="VoucherScope")


@strawberry.type
class DiscountError(ShopError):
    code: DiscountErrorCode


discount_errors = PayloadErrors(DiscountError, DiscountErrorCode)


def _ids(manager: Any) -> list[strawberry.ID]:
    """Global IDs of the related rows (prefetched by the staff list)."""
    name = manager.model.__name__  # the API's type names are the models'
    return [strawberry.ID(relay.to_base64(name, row.pk)) for row in manager.all()]


@strawberry.type(description="A promotion's orders and what they brought in.")
class PromotionUsageStats:
    orders: int = strawberry.field(description="Orders (not cancelled) with a line it discounted.")
    discount: MoneyType = strawberry.field(description="What it took off those lines.")
    revenue: MoneyType = strawberry.field(description="Those orders' totals, after discounts.")


@strawberry_django.type(models.Promotion, name="Promotion")
class PromotionType(ModelNode):
    name: str
    name_en: str
    value: Decimal
    starts_at: datetime
    ends_at: datetime | None
    is_active: bool

    @strawberry.field
    def value_type(self, root: models.Promotion) -> models.ValueType:
        return models.ValueType(root.value_type)

    @strawberry.field(description="Global IDs of the products, variants, categories, collections.")
    def targets(self, root: models.Promotion) -> list[strawberry.ID]:
        return [
            *_ids(root.products),
            *_ids(root.variants),
            *_ids(root.categories),
            *_ids(root.collections),
        ]

    @strawberry.field
    def usage(self, root: models.Promotion) -> PromotionUsageStats:
        stats = selectors.promotion_stats(root)
        return PromotionUsageStats(
            orders=stats.orders, discount=money(stats.discount), revenue=money(stats.revenue)
        )


@strawberry.type(description="A voucher's uses and what its orders brought in.")
class VoucherUsageStats:
    uses: int
    reserved: int = strawberry.field(description="Held by checkouts paying now.")
    discount: MoneyType = strawberry.field(description="Given away by the uses.")
    revenue: MoneyType = strawberry.field(description="The orders' totals, after discounts.")


@strawberry_django.type(models.Voucher, name="Voucher")
class VoucherType(ModelNode):
    name: str
    value: Decimal
    min_order_value: Decimal | None
    min_quantity: int | None
    starts_at: datetime
    ends_at: datetime | None
    is_active: bool
    usage_limit: int | None
    usage_limit_per_customer: int | None

    @strawberry.field
    def value_type(self, root: models.Voucher) -> models.ValueType:
        return models.ValueType(root.value_type)

    @strawberry.field
    def scope(self, root: models.Voucher) -> models.Voucher.Scope:
        return models.Voucher.Scope(root.scope)

    @strawberry.field(description="Its shared (not single-use) codes.")
    def codes(self, root: models.Voucher) -> list[str]:
        if hasattr(root, "shared_codes"):  # prefetched by the staff list
            return [code.code for code in root.shared_codes]
        return [code.code for code in root.codes.filter(single_use=False).order_by("pk")]

    @strawberry.field
    def single_use_code_count(self, root: models.Voucher) -> int:
        if hasattr(root, "single_use_codes"):
            return int(root.single_use_codes)
        return root.codes.filter(single_use=True).count()

    @strawberry.field
    def usage(self, root: models.Voucher) -> VoucherUsageStats:
        stats = selectors.voucher_stats(root)
        return VoucherUsageStats(
            uses=stats.uses,
            reserved=stats.reserved,
            discount=money(stats.discount),
            revenue=money(stats.revenue),
        )
