"""Product variant mutations: create, update and delete, with their inputs and payload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _data, catalog_errors
from catalog.api.types import CatalogError, ProductType, ProductVariantType
from shop.api.mutations import Parent, StaffCrud


@strawberry.input
class ProductVariantInput:
    sku: str | None = None
    name: str | None = None
    name_en: str | None = None
    price: Decimal | None = strawberry.field(default=None, description="Gross (IVA included).")
    compare_at_price: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="Above the price; null removes it."
    )
    weight_grams: int | None = None
    track_inventory: bool | None = None
    position: int | None = strawberry.field(default=None, description="Default: after the last.")


@strawberry.input
class ProductVariantCreateInput:
    product: strawberry.ID
    variant: ProductVariantInput


@strawberry.input
class ProductVariantUpdateInput:
    id: strawberry.ID
    variant: ProductVariantInput


@strawberry.type
class ProductVariantPayload:
    variant: ProductVariantType | None = None
    product: ProductType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


def _variant_data(input: ProductVariantInput) -> dict[str, Any]:
    return _data(input, clearable=("compare_at_price",))


_variants = StaffCrud(
    model=models.ProductVariant,
    payload=ProductVariantPayload,
    errors=catalog_errors,
    keyword="variant",
    data=_variant_data,
    parent=Parent(models.Product, "product"),
)


@strawberry.type
class ProductVariantMutations:
    product_variant_create = _variants.create(
        services.variant_create,
        input=ProductVariantCreateInput,
        description="Staff: add a variant to a product.",
    )
    product_variant_update = _variants.update(
        services.variant_update,
        input=ProductVariantUpdateInput,
        description="Staff: change a variant.",
    )
    product_variant_delete = _variants.delete(
        services.variant_delete, description="Staff: delete a variant and its stock."
    )
