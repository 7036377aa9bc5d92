"""Collection services: create, update, delete, and setting, adding or removing
the collection's products (kept in order)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Collection, CollectionProduct, Product
from catalog.services._common import _clean_described, _invalid, _save
from shop.accounts.models import User
from shop.catalog_version import record_catalog_change

COLLECTION_FIELDS = (
    "name",
    "name_en",
    "slug",
    "description",
    "description_en",
    "is_published",
    "position",
)


@transaction.atomic
def collection_create(*, actor: User, data: dict[str, Any]) -> Collection:
    """Add a collection (without products); the slug defaults to the slugified name."""
    return _save(Collection(), data, COLLECTION_FIELDS, _clean_described, actor=actor)


@transaction.atomic
def collection_update(*, actor: User, collection: Collection, data: dict[str, Any]) -> Collection:
    return _save(collection, data, COLLECTION_FIELDS, _clean_described, actor=actor)


@transaction.atomic
def collection_delete(*, actor: User, collection: Collection) -> None:
    """Delete a collection; its products stay in the catalogue."""
    record_catalog_change(actor=actor, obj=collection, action="delete")
    collection.delete()


def _lock_entries(collection: Collection, products: Sequence[Product]) -> list[CollectionProduct]:
    """Lock the collection (so concurrent edits queue) and return its entries in order;
    INVALID on ``products`` when a product is listed twice."""
    if len({product.pk for product in products}) != len(products):
        raise _invalid("products", _("List each product only once."))
    Collection.objects.select_for_update().get(pk=collection.pk)
    return list(collection.entries.order_by("position", "pk"))


def _write_entries(actor: User, collection: Collection, product_ids: list[int]) -> None:
    collection.entries.all().delete()
    CollectionProduct.objects.bulk_create(
        CollectionProduct(collection=collection, product_id=pk, position=position)
        for position, pk in enumerate(product_ids, start=1)
    )
    record_catalog_change(actor=actor, obj=collection, action="change", changed=["products"])


@transaction.atomic
def collection_products_set(
    *, actor: User, collection: Collection, products: Sequence[Product]
) -> Collection:
    """Make ``products`` the collection's products, in that order (positions 1..n)."""
    _lock_entries(collection, products)
    _write_entries(actor, collection, [product.pk for product in products])
    return collection


@transaction.atomic
def collection_products_add(
    *, actor: User, collection: Collection, products: Sequence[Product]
) -> Collection:
    """Append ``products`` in the given order; products already there keep their place."""
    current = [entry.product_id for entry in _lock_entries(collection, products)]
    _write_entries(actor, collection, current + [p.pk for p in products if p.pk not in current])
    return collection


@transaction.atomic
def collection_products_remove(
    *, actor: User, collection: Collection, products: Sequence[Product]
) -> Collection:
    """Take ``products`` out of the collection (those not in it are ignored); the rest
    keep their order."""
    removed = {product.pk for product in products}
    current = [entry.product_id for entry in _lock_entries(collection, products)]
    _write_entries(actor, collection, [pk for pk in current if pk not in removed])
    return collection
