"""Promo codes on checkouts (Saleor's ``checkoutAddPromoCode`` and
``checkoutRemovePromoCode``), and the staff's promotions and vouchers."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from catalog.models import Category, Collection, Product, ProductVariant
from discounts import models, services
from discounts.api.types import DiscountError, PromotionType, VoucherType, discount_errors
from discounts.errors import DiscountErrorCode
from orders import selectors as order_selectors
from orders.api.checkout.mutations import CheckoutPayload
from orders.api.checkout.types import CheckoutType, checkout_errors
from shop.accounts.models import User
from shop.api.context import ShopContext
from shop.api.inputs import fetch, fetch_many
from shop.api.mutations import mutation


@strawberry.input
class CheckoutAddPromoCodeInput:
    token: uuid.UUID
    promo_code: str


@strawberry.input
class CheckoutRemovePromoCodeInput:
    token: uuid.UUID
    promo_code: str | None = strawberry.field(
        default=None, description="Ignored: a checkout carries one code at most."
    )


@strawberry.input(description="Leave a field out to keep it; a target list replaces the old.")
class PromotionInput:
    name: str | None = None
    name_en: str | None = None
    value_type: models.ValueType | None = None
    value: Decimal | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    is_active: bool | None = None
    products: list[strawberry.ID] | None = None
    variants: list[strawberry.ID] | None = None
    categories: list[strawberry.ID] | None = None
    collections: list[strawberry.ID] | None = None


@strawberry.input(description="Leave a field out to keep it; a target list replaces the old.")
class VoucherInput:
    name: str | None = None
    scope: models.Voucher.Scope | None = None
    value_type: models.ValueType | None = None
    value: Decimal | None = None
    min_order_value: Decimal | None = None
    min_quantity: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    is_active: bool | None = None
    usage_limit: int | None = None
    usage_limit_per_customer: int | None = None
    products: list[strawberry.ID] | None = None
    categories: list[strawberry.ID] | None = None
    collections: list[strawberry.ID] | None = None


@strawberry.input
class VoucherCreateInput:
    voucher: VoucherInput
    code: str | None = strawberry.field(default=None, description="A shared code, e.g. AGUA10.")


@strawberry.input
class VoucherCodesGenerateInput:
    id: strawberry.ID
    count: int
    prefix: str | None = None


@strawberry.type
class PromotionPayload:
    promotion: PromotionType | None = None
    errors: list[DiscountError] = strawberry.field(default_factory=list)


@strawberry.type
class VoucherPayload:
    voucher: VoucherType | None = None
    errors: list[DiscountError] = strawberry.field(default_factory=list)


@strawberry.type
class VoucherCodesGeneratePayload:
    codes: list[str] = strawberry.field(default_factory=list)
    errors: list[DiscountError] = strawberry.field(default_factory=list)


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[DiscountError] = strawberry.field(default_factory=list)


TARGETS: dict[str, tuple[type[Any], str]] = {
    "products": (Product, "Product"),
    "variants": (ProductVariant, "ProductVariant"),
    "categories": (Category, "Category"),
    "collections": (Collection, "Collection"),
}


def _data(input: PromotionInput | VoucherInput) -> dict[str, Any]:
    """The fields given (None: left out), targets fetched from their global IDs."""
    data: dict[str, Any] = {}
    for name, value in vars(input).items():
        if value is None:
            continue
        if name in TARGETS:
            model, type_name = TARGETS[name]
            field = to_camel_case(name)
            value = fetch_many(model, type_name, value, codes=DiscountErrorCode, field=field)
        elif hasattr(value, "value"):
            value = value.value
        data[name] = value
    return data


def _checkout(info: Info[ShopContext, None], token: uuid.UUID) -> Any:
    return order_selectors.checkout_for(info.context.user, token=token)


@strawberry.type
class DiscountMutations:
    @strawberry.mutation(
        description=(
            "Put a promo code on the checkout (replacing any other). Refused on `promoCode` "
            "with the reason: VOUCHER_INVALID, VOUCHER_EXPIRED, VOUCHER_NOT_YET_VALID, "
            "VOUCHER_USED_UP, VOUCHER_MINIMUM_NOT_REACHED, VOUCHER_NOT_APPLICABLE."
        )
    )
    @mutation(CheckoutPayload, checkout_errors, not_found="token")
    def checkout_add_promo_code(
        self, info: Info[ShopContext, None], input: CheckoutAddPromoCodeInput
    ) -> CheckoutPayload:
        checkout = services.checkout_promo_code_add(
            checkout=_checkout(info, input.token), promo_code=input.promo_code
        )
        return CheckoutPayload(checkout=CheckoutType(checkout=checkout))

    @strawberry.mutation(description="Take the promo code off the checkout.")
    @mutation(CheckoutPayload, checkout_errors, not_found="token")
    def checkout_remove_promo_code(
        self, info: Info[ShopContext, None], input: CheckoutRemovePromoCodeInput
    ) -> CheckoutPayload:
        checkout = services.checkout_promo_code_remove(checkout=_checkout(info, input.token))
        return CheckoutPayload(checkout=CheckoutType(checkout=checkout))

    @strawberry.mutation(description="Staff: add a promotion (an automatic sale).")
    @mutation(PromotionPayload, discount_errors, permission="discounts.add_promotion")
    def promotion_create(self, input: PromotionInput, actor: User) -> PromotionPayload:
        promotion = services.promotion_create(actor=actor, data=_data(input))
        return PromotionPayload(promotion=promotion)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a promotion.")
    @mutation(PromotionPayload, discount_errors, permission="discounts.change_promotion")
    def promotion_update(
        self, id: strawberry.ID, input: PromotionInput, actor: User
    ) -> PromotionPayload:
        promotion = fetch(models.Promotion, "Promotion", id, codes=DiscountErrorCode)
        promotion = services.promotion_update(actor=actor, promotion=promotion, data=_data(input))
        return PromotionPayload(promotion=promotion)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a promotion.")
    @mutation(DeletePayload, discount_errors, permission="discounts.delete_promotion")
    def promotion_delete(self, id: strawberry.ID, actor: User) -> DeletePayload:
        promotion = fetch(models.Promotion, "Promotion", id, codes=DiscountErrorCode)
        services.promotion_delete(actor=actor, promotion=promotion)
        return DeletePayload(deleted_id=id)

    @strawberry.mutation(description="Staff: add a voucher, with a shared code if given.")
    @mutation(VoucherPayload, discount_errors, permission="discounts.add_voucher")
    def voucher_create(self, input: VoucherCreateInput, actor: User) -> VoucherPayload:
        voucher = services.voucher_create(
            actor=actor, data=_data(input.voucher), code=input.code or ""
        )
        return VoucherPayload(voucher=voucher)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a voucher.")
    @mutation(VoucherPayload, discount_errors, permission="discounts.change_voucher")
    def voucher_update(self, id: strawberry.ID, input: VoucherInput, actor: User) -> VoucherPayload:
        voucher = fetch(models.Voucher, "Voucher", id, codes=DiscountErrorCode)
        voucher = services.voucher_update(actor=actor, voucher=voucher, data=_data(input))
        return VoucherPayload(voucher=voucher)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a voucher never used (IN_USE otherwise).")
    @mutation(DeletePayload, discount_errors, permission="discounts.delete_voucher")
    def voucher_delete(self, id: strawberry.ID, actor: User) -> DeletePayload:
        voucher = fetch(models.Voucher, "Voucher", id, codes=DiscountErrorCode)
        services.voucher_delete(actor=actor, voucher=voucher)
        return DeletePayload(deleted_id=id)

    @strawberry.mutation(description="Staff: generate single-use codes for a voucher.")
    @mutation(VoucherCodesGeneratePayload, discount_errors, permission="discounts.add_voucher")
    def voucher_codes_generate(
        self, input: VoucherCodesGenerateInput, actor: User
    ) -> VoucherCodesGeneratePayload:
        voucher = fetch(models.Voucher, "Voucher", input.id, codes=DiscountErrorCode)
        codes = services.voucher_codes_generate(
            actor=actor, voucher=voucher, count=input.count, prefix=input.prefix or ""
        )
        return VoucherCodesGeneratePayload(codes=[code.code for code in codes])
