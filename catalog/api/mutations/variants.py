"""Product variant mutations: create, update and delete, with their inputs and payload."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _data, _fetch, catalog_errors
from catalog.api.types import CatalogError, ProductType, ProductVariantType
from shop.accounts.models import User
from shop.api.mutations import mutation
from shop.api.types import DeleteInput


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


@strawberry.type
class ProductVariantMutations:
    @strawberry.mutation(description="Staff: add a variant to a product.")
    @mutation(ProductVariantPayload, catalog_errors, permission="catalog.add_productvariant")
    def product_variant_create(
        self, input: ProductVariantCreateInput, actor: User
    ) -> ProductVariantPayload:
        product = _fetch(models.Product, "Product", input.product, "product")
        variant = services.variant_create(
            actor=actor,
            product=product,
            data=_data(input.variant, clearable=("compare_at_price",)),
        )
        return ProductVariantPayload(variant=variant, product=product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a variant.")
    @mutation(ProductVariantPayload, catalog_errors, permission="catalog.change_productvariant")
    def product_variant_update(
        self, input: ProductVariantUpdateInput, actor: User
    ) -> ProductVariantPayload:
        variant = _fetch(models.ProductVariant, "ProductVariant", input.id)
        variant = services.variant_update(
            actor=actor,
            variant=variant,
            data=_data(input.variant, clearable=("compare_at_price",)),
        )
        return ProductVariantPayload(variant=variant, product=variant.product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a variant and its stock.")
    @mutation(ProductVariantPayload, catalog_errors, permission="catalog.delete_productvariant")
    def product_variant_delete(self, input: DeleteInput, actor: User) -> ProductVariantPayload:
        variant = _fetch(models.ProductVariant, "ProductVariant", input.id)
        services.variant_delete(actor=actor, variant=variant)
        return ProductVariantPayload(product=variant.product)  # type: ignore[arg-type]
