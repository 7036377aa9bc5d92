"""Staff mutations for the catalogue. Each checks a permission, decodes the IDs of
its input, then calls one service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar, cast

import strawberry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models as db_models
from django.utils.translation import gettext as _
from strawberry.file_uploads import Upload
from strawberry.types import Info

from catalog import models, services
from catalog.api.types import (
    CatalogError,
    CategoryType,
    CollectionType,
    ProductMediaType,
    ProductType,
    ProductVariantType,
    StockType,
    WarehouseType,
)
from catalog.errors import CatalogErrorCode
from shop.api.context import ShopContext
from shop.api.errors import payload_errors
from shop.api.permissions import require_permission
from shop.api.relay import decode_id
from shop.api.types import DeleteInput

ModelT = TypeVar("ModelT", bound=db_models.Model)
# Lists of IDs arrive in variables, which the request's token limit does not count.
MAX_IDS = 500


def catalog_errors(exc: ValidationError) -> list[CatalogError]:
    return payload_errors(exc, CatalogError, CatalogErrorCode, CatalogErrorCode.INVALID)


def _not_found(field: str) -> ValidationError:
    return ValidationError(
        {field: ValidationError(_("Not found."), code=CatalogErrorCode.NOT_FOUND)}
    )


def _fetch(model: type[ModelT], type_name: str, id: str, field: str = "id") -> ModelT:
    """The object a global ID names; NOT_FOUND on ``field`` otherwise."""
    pk = decode_id(id, type_name)
    obj = model._default_manager.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise _not_found(field)
    return obj


def _fetch_many(
    model: type[ModelT], type_name: str, ids: list[strawberry.ID], field: str
) -> list[ModelT]:
    """The objects the global IDs name, in their order; NOT_FOUND on ``field`` if any is unknown."""
    if len(ids) > MAX_IDS:
        raise ValidationError(
            {
                field: ValidationError(
                    _("At most %(count)d at once.") % {"count": MAX_IDS},
                    code=CatalogErrorCode.INVALID,
                )
            }
        )
    pks = [decode_id(id, type_name) for id in ids]
    found = model._default_manager.in_bulk([pk for pk in pks if pk is not None])
    if any(pk not in found for pk in pks):
        raise _not_found(field)
    return [found[pk] for pk in pks if pk is not None]


def _data(input: Any, *, clearable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the client gave. ``null`` means "unchanged", except for the
    ``clearable`` fields, where it clears the value."""
    return {
        name: value.value if hasattr(value, "value") else value
        for name, value in vars(input).items()
        if value is not strawberry.UNSET and (value is not None or name in clearable)
    }


# Inputs and payloads.


@strawberry.input
class CategoryInput:
    parent: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="null makes it a top-level category."
    )
    name: str | None = None
    name_en: str | None = None
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    description: str | None = strawberry.field(default=None, description="HTML; sanitised.")
    description_en: str | None = None
    position: int | None = None
    is_published: bool | None = None


@strawberry.input
class CategoryUpdateInput:
    id: strawberry.ID
    category: CategoryInput


@strawberry.type
class CategoryPayload:
    category: CategoryType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


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


@strawberry.input
class CollectionInput:
    name: str | None = None
    name_en: str | None = None
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    description: str | None = strawberry.field(default=None, description="HTML; sanitised.")
    description_en: str | None = None
    is_published: bool | None = None
    position: int | None = None


@strawberry.input
class CollectionUpdateInput:
    id: strawberry.ID
    collection: CollectionInput


@strawberry.input
class CollectionProductsInput:
    id: strawberry.ID
    products: list[strawberry.ID]


@strawberry.type
class CollectionPayload:
    collection: CollectionType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.input(description="Sent as a GraphQL multipart request.")
class ProductMediaCreateInput:
    product: strawberry.ID
    image: Upload = strawberry.field(description="A JPEG, PNG or WEBP image.")
    alt: str = ""
    alt_en: str = ""


@strawberry.type
class ProductMediaPayload:
    media: ProductMediaType | None = None
    product: ProductType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.input
class ProductMediaReorderInput:
    product: strawberry.ID
    media: list[strawberry.ID] = strawberry.field(description="Every image, in the new order.")


@strawberry.type
class ProductMediaReorderPayload:
    product: ProductType | None = None
    media: list[ProductMediaType] = strawberry.field(default_factory=list)
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.input
class StockUpdateInput:
    variant: strawberry.ID
    warehouse: strawberry.ID
    quantity: int


@strawberry.type
class StockUpdatePayload:
    stock: StockType | None = None
    variant: ProductVariantType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


@strawberry.input
class WarehouseInput:
    name: str | None = None
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    city: str | None = None
    postal_code: str | None = None


@strawberry.input
class WarehouseUpdateInput:
    id: strawberry.ID
    warehouse: WarehouseInput


@strawberry.type
class WarehousePayload:
    warehouse: WarehouseType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


def _category_data(input: CategoryInput) -> dict[str, Any]:
    data = _data(input, clearable=("parent",))
    if data.get("parent") is not None:
        data["parent"] = _fetch(models.Category, "Category", data["parent"], "parent")
    return data


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


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(description="Staff: add a category.")
    def category_create(
        self, info: Info[ShopContext, None], input: CategoryInput
    ) -> CategoryPayload:
        actor = require_permission(info, "catalog.add_category")
        try:
            category = services.category_create(actor=actor, data=_category_data(input))
        except ValidationError as exc:
            return CategoryPayload(errors=catalog_errors(exc))
        return CategoryPayload(category=category)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change or move a category.")
    def category_update(
        self, info: Info[ShopContext, None], input: CategoryUpdateInput
    ) -> CategoryPayload:
        actor = require_permission(info, "catalog.change_category")
        try:
            category = _fetch(models.Category, "Category", input.id)
            category = services.category_update(
                actor=actor, category=category, data=_category_data(input.category)
            )
        except ValidationError as exc:
            return CategoryPayload(errors=catalog_errors(exc))
        return CategoryPayload(category=category)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a category without products or children.")
    def category_delete(self, info: Info[ShopContext, None], input: DeleteInput) -> CategoryPayload:
        actor = require_permission(info, "catalog.delete_category")
        try:
            category = _fetch(models.Category, "Category", input.id)
            services.category_delete(actor=actor, category=category)
        except ValidationError as exc:
            return CategoryPayload(errors=catalog_errors(exc))
        return CategoryPayload()

    @strawberry.mutation(description="Staff: add a product (without variants).")
    def product_create(self, info: Info[ShopContext, None], input: ProductInput) -> ProductPayload:
        actor = require_permission(info, "catalog.add_product")
        try:
            product = services.product_create(actor=actor, data=_product_data(input))
        except ValidationError as exc:
            return ProductPayload(errors=catalog_errors(exc))
        return ProductPayload(product=product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a product.")
    def product_update(
        self, info: Info[ShopContext, None], input: ProductUpdateInput
    ) -> ProductPayload:
        actor = require_permission(info, "catalog.change_product")
        try:
            product = _fetch(models.Product, "Product", input.id)
            product = services.product_update(
                actor=actor, product=product, data=_product_data(input.product)
            )
        except ValidationError as exc:
            return ProductPayload(errors=catalog_errors(exc))
        return ProductPayload(product=product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a product with its variants and images.")
    def product_delete(self, info: Info[ShopContext, None], input: DeleteInput) -> ProductPayload:
        actor = require_permission(info, "catalog.delete_product")
        try:
            product = _fetch(models.Product, "Product", input.id)
            services.product_delete(actor=actor, product=product)
        except ValidationError as exc:
            return ProductPayload(errors=catalog_errors(exc))
        return ProductPayload()

    @strawberry.mutation(description="Staff: add a variant to a product.")
    def product_variant_create(
        self, info: Info[ShopContext, None], input: ProductVariantCreateInput
    ) -> ProductVariantPayload:
        actor = require_permission(info, "catalog.add_productvariant")
        try:
            product = _fetch(models.Product, "Product", input.product, "product")
            variant = services.variant_create(
                actor=actor,
                product=product,
                data=_data(input.variant, clearable=("compare_at_price",)),
            )
        except ValidationError as exc:
            return ProductVariantPayload(errors=catalog_errors(exc))
        return ProductVariantPayload(variant=variant, product=product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a variant.")
    def product_variant_update(
        self, info: Info[ShopContext, None], input: ProductVariantUpdateInput
    ) -> ProductVariantPayload:
        actor = require_permission(info, "catalog.change_productvariant")
        try:
            variant = _fetch(models.ProductVariant, "ProductVariant", input.id)
            variant = services.variant_update(
                actor=actor,
                variant=variant,
                data=_data(input.variant, clearable=("compare_at_price",)),
            )
        except ValidationError as exc:
            return ProductVariantPayload(errors=catalog_errors(exc))
        return ProductVariantPayload(variant=variant, product=variant.product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a variant and its stock.")
    def product_variant_delete(
        self, info: Info[ShopContext, None], input: DeleteInput
    ) -> ProductVariantPayload:
        actor = require_permission(info, "catalog.delete_productvariant")
        try:
            variant = _fetch(models.ProductVariant, "ProductVariant", input.id)
            services.variant_delete(actor=actor, variant=variant)
        except ValidationError as exc:
            return ProductVariantPayload(errors=catalog_errors(exc))
        return ProductVariantPayload(product=variant.product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: add a collection.")
    def collection_create(
        self, info: Info[ShopContext, None], input: CollectionInput
    ) -> CollectionPayload:
        actor = require_permission(info, "catalog.add_collection")
        try:
            collection = services.collection_create(actor=actor, data=_data(input))
        except ValidationError as exc:
            return CollectionPayload(errors=catalog_errors(exc))
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a collection.")
    def collection_update(
        self, info: Info[ShopContext, None], input: CollectionUpdateInput
    ) -> CollectionPayload:
        actor = require_permission(info, "catalog.change_collection")
        try:
            collection = _fetch(models.Collection, "Collection", input.id)
            collection = services.collection_update(
                actor=actor, collection=collection, data=_data(input.collection)
            )
        except ValidationError as exc:
            return CollectionPayload(errors=catalog_errors(exc))
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a collection (its products stay).")
    def collection_delete(
        self, info: Info[ShopContext, None], input: DeleteInput
    ) -> CollectionPayload:
        actor = require_permission(info, "catalog.delete_collection")
        try:
            collection = _fetch(models.Collection, "Collection", input.id)
            services.collection_delete(actor=actor, collection=collection)
        except ValidationError as exc:
            return CollectionPayload(errors=catalog_errors(exc))
        return CollectionPayload()

    @strawberry.mutation(description="Staff: append products to a collection.")
    def collection_add_products(
        self, info: Info[ShopContext, None], input: CollectionProductsInput
    ) -> CollectionPayload:
        actor = require_permission(info, "catalog.change_collection")
        try:
            collection = _fetch(models.Collection, "Collection", input.id)
            products = _fetch_many(models.Product, "Product", input.products, "products")
            services.collection_products_add(actor=actor, collection=collection, products=products)
        except ValidationError as exc:
            return CollectionPayload(errors=catalog_errors(exc))
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: take products out of a collection.")
    def collection_remove_products(
        self, info: Info[ShopContext, None], input: CollectionProductsInput
    ) -> CollectionPayload:
        actor = require_permission(info, "catalog.change_collection")
        try:
            collection = _fetch(models.Collection, "Collection", input.id)
            products = _fetch_many(models.Product, "Product", input.products, "products")
            services.collection_products_remove(
                actor=actor, collection=collection, products=products
            )
        except ValidationError as exc:
            return CollectionPayload(errors=catalog_errors(exc))
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: replace a collection's products, in this order.")
    def collection_set_products(
        self, info: Info[ShopContext, None], input: CollectionProductsInput
    ) -> CollectionPayload:
        actor = require_permission(info, "catalog.change_collection")
        try:
            collection = _fetch(models.Collection, "Collection", input.id)
            products = _fetch_many(models.Product, "Product", input.products, "products")
            services.collection_products_set(actor=actor, collection=collection, products=products)
        except ValidationError as exc:
            return CollectionPayload(errors=catalog_errors(exc))
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: upload a product image (multipart request).")
    def product_media_create(
        self, info: Info[ShopContext, None], input: ProductMediaCreateInput
    ) -> ProductMediaPayload:
        actor = require_permission(info, "catalog.add_productmedia")
        try:
            product = _fetch(models.Product, "Product", input.product, "product")
            if not isinstance(input.image, UploadedFile):
                raise ValidationError(
                    {
                        "image": ValidationError(
                            _("Send the image as a file of a multipart request."),
                            code=CatalogErrorCode.INVALID_IMAGE,
                        )
                    }
                )
            media = services.product_media_create(
                actor=actor,
                product=product,
                upload=cast(UploadedFile, input.image),
                alt=input.alt,
                alt_en=input.alt_en,
            )
        except ValidationError as exc:
            return ProductMediaPayload(errors=catalog_errors(exc))
        return ProductMediaPayload(media=media, product=product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: put a product's images in a new order.")
    def product_media_reorder(
        self, info: Info[ShopContext, None], input: ProductMediaReorderInput
    ) -> ProductMediaReorderPayload:
        actor = require_permission(info, "catalog.change_productmedia")
        try:
            product = _fetch(models.Product, "Product", input.product, "product")
            listed = _fetch_many(models.ProductMedia, "ProductMedia", input.media, "media")
            media = services.product_media_reorder(
                actor=actor, product=product, media_ids=[item.pk for item in listed]
            )
        except ValidationError as exc:
            return ProductMediaReorderPayload(errors=catalog_errors(exc))
        return ProductMediaReorderPayload(product=product, media=media)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a product image and its files.")
    def product_media_delete(
        self, info: Info[ShopContext, None], input: DeleteInput
    ) -> ProductMediaPayload:
        actor = require_permission(info, "catalog.delete_productmedia")
        try:
            media = _fetch(models.ProductMedia, "ProductMedia", input.id)
            services.product_media_delete(actor=actor, media=media)
        except ValidationError as exc:
            return ProductMediaPayload(errors=catalog_errors(exc))
        return ProductMediaPayload(product=media.product)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: set the units of a variant in a warehouse.")
    def stock_update(
        self, info: Info[ShopContext, None], input: StockUpdateInput
    ) -> StockUpdatePayload:
        actor = require_permission(info, "catalog.change_stock")
        try:
            variant = _fetch(models.ProductVariant, "ProductVariant", input.variant, "variant")
            warehouse = _fetch(models.Warehouse, "Warehouse", input.warehouse, "warehouse")
            stock = services.stock_update(
                actor=actor, variant=variant, warehouse=warehouse, quantity=input.quantity
            )
        except ValidationError as exc:
            return StockUpdatePayload(errors=catalog_errors(exc))
        return StockUpdatePayload(stock=stock, variant=variant)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: add a warehouse.")
    def warehouse_create(
        self, info: Info[ShopContext, None], input: WarehouseInput
    ) -> WarehousePayload:
        actor = require_permission(info, "catalog.add_warehouse")
        try:
            warehouse = services.warehouse_create(actor=actor, data=_data(input))
        except ValidationError as exc:
            return WarehousePayload(errors=catalog_errors(exc))
        return WarehousePayload(warehouse=warehouse)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a warehouse.")
    def warehouse_update(
        self, info: Info[ShopContext, None], input: WarehouseUpdateInput
    ) -> WarehousePayload:
        actor = require_permission(info, "catalog.change_warehouse")
        try:
            warehouse = _fetch(models.Warehouse, "Warehouse", input.id)
            warehouse = services.warehouse_update(
                actor=actor, warehouse=warehouse, data=_data(input.warehouse)
            )
        except ValidationError as exc:
            return WarehousePayload(errors=catalog_errors(exc))
        return WarehousePayload(warehouse=warehouse)  # type: ignore[arg-type]
