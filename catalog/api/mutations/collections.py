"""Collection mutations: create, update, delete, and adding, removing or setting the
collection's products, with their inputs and payload."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _fetch, _fetch_many, catalog_errors
from catalog.api.types import CatalogError, CollectionType
from shop.accounts.models import User
from shop.api.mutations import StaffCrud, mutation


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


def _change_products(
    service: Callable[..., models.Collection], input: CollectionProductsInput, actor: User
) -> CollectionPayload:
    """Decode the collection and its products (NOT_FOUND on ``id`` / ``products``) and
    hand them to one of the collection's product services."""
    collection = _fetch(models.Collection, "Collection", input.id)
    products = _fetch_many(models.Product, "Product", input.products, "products")
    service(actor=actor, collection=collection, products=products)
    return CollectionPayload(collection=collection)  # type: ignore[arg-type]


_collections = StaffCrud(
    model=models.Collection, payload=CollectionPayload, errors=catalog_errors, keyword="collection"
)


@strawberry.type
class CollectionMutations:
    collection_create = _collections.create(
        services.collection_create, input=CollectionInput, description="Staff: add a collection."
    )
    collection_update = _collections.update(
        services.collection_update,
        input=CollectionUpdateInput,
        description="Staff: change a collection.",
    )
    collection_delete = _collections.delete(
        services.collection_delete, description="Staff: delete a collection (its products stay)."
    )

    @strawberry.mutation(description="Staff: append products to a collection.")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.change_collection")
    def collection_add_products(
        self, input: CollectionProductsInput, actor: User
    ) -> CollectionPayload:
        return _change_products(services.collection_products_add, input, actor)

    @strawberry.mutation(description="Staff: take products out of a collection.")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.change_collection")
    def collection_remove_products(
        self, input: CollectionProductsInput, actor: User
    ) -> CollectionPayload:
        return _change_products(services.collection_products_remove, input, actor)

    @strawberry.mutation(description="Staff: replace a collection's products, in this order.")
    @mutation(CollectionPayload, catalog_errors, permission="catalog.change_collection")
    def collection_set_products(
        self, input: CollectionProductsInput, actor: User
    ) -> CollectionPayload:
        return _change_products(services.collection_products_set, input, actor)
