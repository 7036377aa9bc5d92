"""Collection mutations: create, update, delete, and adding, removing or setting the
collection's products, with their inputs and payload."""

from __future__ import annotations

import strawberry
from django.core.exceptions import ValidationError
from strawberry.types import Info

from catalog import models, services
from catalog.api.mutations._common import _data, _fetch, _fetch_many, catalog_errors
from catalog.api.types import CatalogError, CollectionType
from shop.api.context import ShopContext
from shop.api.permissions import require_permission
from shop.api.types import DeleteInput


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


@strawberry.type
class CollectionMutations:
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
