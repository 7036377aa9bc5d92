"""Collection mutations: create, update, delete, and adding, removing or setting the
collection's products, with their inputs and payload."""

from __future__ import annotations

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _data, _fetch, _fetch_many, catalog_errors
from catalog.api.types import CatalogError, CollectionType
from shop.accounts.models import User
from shop.api.mutations import mutation
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
    @mutation(CollectionPayload, catalog_errors, permission="catalog.add_collection")
    def collection_create(self, input: CollectionInput, actor: User) -> CollectionPayload:
        collection = services.collection_create(actor=actor, data=_data(input))
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change a collection.")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.change_collection")
    def collection_update(self, input: CollectionUpdateInput, actor: User) -> CollectionPayload:
        collection = _fetch(models.Collection, "Collection", input.id)
        collection = services.collection_update(
            actor=actor, collection=collection, data=_data(input.collection)
        )
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a collection (its products stay).")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.delete_collection")
    def collection_delete(self, input: DeleteInput, actor: User) -> CollectionPayload:
        collection = _fetch(models.Collection, "Collection", input.id)
        services.collection_delete(actor=actor, collection=collection)
        return CollectionPayload()

    @strawberry.mutation(description="Staff: append products to a collection.")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.change_collection")
    def collection_add_products(
        self, input: CollectionProductsInput, actor: User
    ) -> CollectionPayload:
        collection = _fetch(models.Collection, "Collection", input.id)
        products = _fetch_many(models.Product, "Product", input.products, "products")
        services.collection_products_add(actor=actor, collection=collection, products=products)
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: take products out of a collection.")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.change_collection")
    def collection_remove_products(
        self, input: CollectionProductsInput, actor: User
    ) -> CollectionPayload:
        collection = _fetch(models.Collection, "Collection", input.id)
        products = _fetch_many(models.Product, "Product", input.products, "products")
        services.collection_products_remove(actor=actor, collection=collection, products=products)
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: replace a collection's products, in this order.")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.change_collection")
    def collection_set_products(
        self, input: CollectionProductsInput, actor: User
    ) -> CollectionPayload:
        collection = _fetch(models.Collection, "Collection", input.id)
        products = _fetch_many(models.Product, "Product", input.products, "products")
        services.collection_products_set(actor=actor, collection=collection, products=products)
        return CollectionPayload(collection=collection)  # type: ignore[arg-type]
