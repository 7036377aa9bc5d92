"""Staff collection mutations by a catalogue manager: database, payload, history and errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from strawberry import relay

from catalog.models import Collection, CollectionProduct, Product
from tests.factories import gid
from tests.factories.audit import history
from tests.factories.catalog import ProductFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
CREATE = operation("staff/CollectionCreate")
UPDATE = operation("staff/CollectionUpdate")
DELETE = operation("staff/CollectionDelete")
ADD = operation("staff/CollectionAddProducts")
REMOVE = operation("staff/CollectionRemoveProducts")
SET = operation("staff/CollectionSetProducts")


def snapshot() -> dict[str, Any]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Collection, CollectionProduct, Product, LogEntry)
    }


def entries(collection: Collection) -> list[tuple[str, int]]:
    return list(
        CollectionProduct.objects.filter(collection=collection)
        .order_by("position")
        .values_list("product__slug", "position")
    )


def products_payload(*slugs: str) -> dict[str, Any]:
    return {"totalCount": len(slugs), "edges": [{"node": {"slug": slug}} for slug in slugs]}


@pytest.fixture
def products() -> dict[str, Product]:
    """Four products; "grifo" is unpublished (staff still see it)."""
    return {
        slug: ProductFactory(slug=slug, is_published=slug != "grifo")
        for slug in ("jarra", "filtro", "grifo", "botella")
    }


@pytest.fixture
def summer(products: dict[str, Product]) -> Collection:
    """A collection holding "jarra" then "filtro"."""
    collection = Collection.objects.create(name="Verano", slug="verano")
    for position, slug in enumerate(("jarra", "filtro"), start=1):
        CollectionProduct.objects.create(
            collection=collection, product=products[slug], position=position
        )
    return collection


def _ids(products: dict[str, Product], *slugs: str) -> list[str]:
    return [gid("Product", products[slug].pk) for slug in slugs]


def test_collection_create_sanitises_and_derives_the_slug(gql, manager):
    # when
    body = gql(
        CREATE,
        {
            "input": {
                "name": "Ofertas de Verano",
                "nameEn": "Summer deals",
                "description": "<h2>Calor</h2><iframe src=x></iframe>",
                "isPublished": True,
                "position": 2,
            }
        },
        user=manager,
    )

    # then
    collection = Collection.objects.get()
    assert body == {
        "data": {
            "collectionCreate": {
                "collection": {
                    "id": gid("Collection", collection.pk),
                    "name": "Ofertas de Verano",
                    "slug": "ofertas-de-verano",
                    "description": "<h2>Calor</h2>",
                    "position": 2,
                    "products": products_payload(),
                },
                "errors": [],
            }
        }
    }
    assert Collection.objects.values(
        "name", "name_en", "slug", "description", "description_en", "is_published", "position"
    ).get() == {
        "name": "Ofertas de Verano",
        "name_en": "Summer deals",
        "slug": "ofertas-de-verano",
        "description": "<h2>Calor</h2>",
        "description_en": "",
        "is_published": True,
        "position": 2,
    }
    assert history() == [(manager.pk, "collection", str(collection.pk), ADDITION, "")]


def test_collection_update_changes_only_the_given_fields(gql, manager, summer):
    # when
    body = gql(
        UPDATE,
        {
            "input": {
                "id": gid("Collection", summer.pk),
                "collection": {"descriptionEn": "<p>Hot</p>", "isPublished": True},
            }
        },
        user=manager,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "collectionUpdate": {
                "collection": {
                    "id": gid("Collection", summer.pk),
                    "name": "Verano",
                    "slug": "verano",
                    "description": "<p>Hot</p>",
                    "position": 0,
                    "products": products_payload("jarra", "filtro"),
                },
                "errors": [],
            }
        }
    }
    assert Collection.objects.values_list("name", "description_en", "is_published").get() == (
        "Verano",
        "<p>Hot</p>",
        True,
    )
    assert history() == [
        (manager.pk, "collection", str(summer.pk), CHANGE, "description_en, is_published")
    ]


def test_collection_delete_keeps_its_products(gql, manager, summer, products):
    # when
    body = gql(DELETE, {"input": {"id": gid("Collection", summer.pk)}}, user=manager)

    # then
    assert body == {"data": {"collectionDelete": {"collection": None, "errors": []}}}
    assert (Collection.objects.count(), CollectionProduct.objects.count()) == (0, 0)
    assert Product.objects.count() == 4
    assert history() == [(manager.pk, "collection", str(summer.pk), DELETION, "")]


def test_collection_add_products_appends_new_ones_in_the_given_order(
    gql, manager, summer, products
):
    # when: "jarra" is already in the collection
    body = gql(
        ADD,
        {
            "input": {
                "id": gid("Collection", summer.pk),
                "products": _ids(products, "botella", "jarra", "grifo"),
            }
        },
        user=manager,
    )

    # then
    assert body == {
        "data": {
            "collectionAddProducts": {
                "collection": {
                    "id": gid("Collection", summer.pk),
                    "products": products_payload("jarra", "filtro", "botella", "grifo"),
                },
                "errors": [],
            }
        }
    }
    assert entries(summer) == [("jarra", 1), ("filtro", 2), ("botella", 3), ("grifo", 4)]
    assert history() == [(manager.pk, "collection", str(summer.pk), CHANGE, "products")]


def test_collection_remove_products_keeps_the_order_of_the_rest(gql, manager, summer, products):
    # given
    CollectionProduct.objects.create(collection=summer, product=products["botella"], position=3)

    # when: "grifo" is not in the collection
    body = gql(
        REMOVE,
        {
            "input": {
                "id": gid("Collection", summer.pk),
                "products": _ids(products, "jarra", "grifo"),
            }
        },
        user=manager,
    )

    # then
    assert body == {
        "data": {
            "collectionRemoveProducts": {
                "collection": {
                    "id": gid("Collection", summer.pk),
                    "products": products_payload("filtro", "botella"),
                },
                "errors": [],
            }
        }
    }
    assert entries(summer) == [("filtro", 1), ("botella", 2)]
    assert history() == [(manager.pk, "collection", str(summer.pk), CHANGE, "products")]


def test_collection_set_products_replaces_them_in_order(gql, manager, summer, products):
    # when
    body = gql(
        SET,
        {
            "input": {
                "id": gid("Collection", summer.pk),
                "products": _ids(products, "grifo", "filtro", "botella"),
            }
        },
        user=manager,
    )

    # then
    assert body == {
        "data": {
            "collectionSetProducts": {
                "collection": {
                    "id": gid("Collection", summer.pk),
                    "products": products_payload("grifo", "filtro", "botella"),
                },
                "errors": [],
            }
        }
    }
    assert entries(summer) == [("grifo", 1), ("filtro", 2), ("botella", 3)]
    assert history() == [(manager.pk, "collection", str(summer.pk), CHANGE, "products")]


def test_duplicate_collection_slug_is_refused(gql, manager, summer):
    # given
    before = snapshot()

    # when
    body = gql(CREATE, {"input": {"name": "Verano"}}, user=manager, headers=EN)

    # then
    assert body["data"]["collectionCreate"] == {
        "collection": None,
        "errors": [
            {
                "field": "slug",
                "code": "UNIQUE",
                "message": "Collection with this Slug already exists.",
            }
        ],
    }
    assert snapshot() == before


@pytest.mark.parametrize("document", [ADD, SET])
def test_a_product_listed_twice_is_refused(gql, manager, summer, products, document):
    # given
    before = snapshot()
    mutation = "collectionAddProducts" if document == ADD else "collectionSetProducts"

    # when
    body = gql(
        document,
        {
            "input": {
                "id": gid("Collection", summer.pk),
                "products": _ids(products, "botella", "grifo", "botella"),
            }
        },
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"][mutation] == {
        "collection": None,
        "errors": [
            {"field": "products", "code": "INVALID", "message": "List each product only once."}
        ],
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("document", "mutation"),
    [
        (ADD, "collectionAddProducts"),
        (REMOVE, "collectionRemoveProducts"),
        (SET, "collectionSetProducts"),
    ],
)
@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"id": "bm9wZQ==", "products": []}, "id"),
        ({"id": None, "products": ["bm9wZQ=="]}, "products"),
        ({"id": None, "products": [relay.to_base64("Product", 999_999)]}, "products"),
        ({"id": None, "products": [relay.to_base64("Collection", 1)]}, "products"),
    ],
)
def test_bad_ids_are_not_found(gql, manager, summer, document, mutation, variables, field):
    # given
    if variables["id"] is None:
        variables = {**variables, "id": gid("Collection", summer.pk)}
    before = snapshot()

    # when
    body = gql(document, {"input": variables}, user=manager, headers=EN)

    # then
    assert body["data"][mutation] == {
        "collection": None,
        "errors": [{"field": field, "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert snapshot() == before


@pytest.mark.parametrize(
    ("document", "mutation", "variables"),
    [
        (UPDATE, "collectionUpdate", {"collection": {"name": "X"}}),
        (DELETE, "collectionDelete", {}),
    ],
)
def test_an_unknown_collection_is_not_found(gql, manager, summer, document, mutation, variables):
    # given
    before = snapshot()

    # when
    body = gql(
        document,
        {"input": {"id": gid("Collection", 999_999), **variables}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"][mutation] == {
        "collection": None,
        "errors": [{"field": "id", "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert snapshot() == before


def test_too_many_products_at_once_are_refused(gql, manager, summer):
    # given
    before = snapshot()

    # when
    body = gql(
        SET,
        {"input": {"id": gid("Collection", summer.pk), "products": ["bm9wZQ=="] * 501}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["collectionSetProducts"] == {
        "collection": None,
        "errors": [{"field": "products", "code": "INVALID", "message": "At most 500 at once."}],
    }
    assert snapshot() == before
