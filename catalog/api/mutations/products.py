"""Product mutations: create, update (with specifications) and delete, with their
inputs and payload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _data, _fetch, _fetch_many, catalog_errors
from catalog.api.types import CatalogError, ProductType
from shop.api.mutations import StaffCrud


@strawberry.input(description="One specification: fill the field matching the attribute's type.")
class AttributeValueInput:
    attribute: strawberry.ID
    text: str | None = None
    text_en: str | None = None
    number: Decimal | None = None
    boolean: bool | None = None
    choice: str | None = strawberry.field(default=None, description="A choice slug.")


@strawberry.input
class ProductInput:
    category: strawberry.ID | None = None
    name: str | None = None
    name_en: str | None = None
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    description: str | None = strawberry.field(default=None, description="HTML; sanitised.")
    description_en: str | None = None
    tax_class: models.TaxClass | None = None
    is_published: bool | None = None
    seo_title: str | None = None
    seo_title_en: str | None = None
    seo_description: str | None = None
    seo_description_en: str | None = None
    attributes: list[AttributeValueInput] | None = strawberry.field(
        default=None, description="Replaces every specification of the product."
    )


@strawberry.input
class ProductUpdateInput:
    id: strawberry.ID
    product: ProductInput


@strawberry.type
class ProductPayload:
    product: ProductType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


def _product_data(input: ProductInput) -> dict[str, Any]:
    data = _data(input)
    if "category" in data:
        data["category"] = _fetch(models.Category, "Category", data["category"], "category")
    if "attributes" in data:
        attributes = _fetch_many(
            models.Attribute,
            "Attribute",
            [a.attribute for a in input.attributes or []],
            "attributes",
        )
        data["attributes"] = [
            services.AttributeValueData(
                attribute=attribute,
                text=value.text,
                text_en=value.text_en,
                number=value.number,
                boolean=value.boolean,
                choice=value.choice,
            )
            for attribute, value in zip(attributes, input.attributes or [], strict=True)
        ]
    return data


_products = StaffCrud(
    model=models.Product,
    payload=ProductPayload,
    errors=catalog_errors,
    keyword="product",
    data=_product_data,
)


@strawberry.type
class ProductMutations:
    product_create = _products.create(
        services.product_create,
        input=ProductInput,
        description="Staff: add a product (without variants).",
    )
    product_update = _products.update(
        services.product_update, input=ProductUpdateInput, description="Staff: change a product."
    )
    product_delete = _products.delete(
        services.product_delete,
        description="Staff: delete a product with its variants and images.",
    )
