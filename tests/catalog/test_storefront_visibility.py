"""Unpublished products, categories and collections are hidden from guests and
customers everywhere, and shown to catalogue staff (``catalog.view_product``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group

from shop.accounts import roles
from shop.accounts.models import User
from tests.catalog.storefront_factories import (
    CollectionFactory,
    catalogue_manager,
    collection_slugs,
    curate,
    customer,
    gid,
    slugs,
)
from tests.factories import StaffFactory
from tests.factories.catalog import CategoryFactory, MediaFactory, ProductFactory, VariantFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

PRODUCT_LIST = operation("storefront/ProductList")
PRODUCT = operation("storefront/Product")
CATEGORIES = operation("storefront/Categories")
CATEGORY = operation("storefront/Category")
COLLECTIONS = operation("storefront/Collections")
COLLECTION = operation("storefront/Collection")
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Product { slug }
    ... on ProductVariant { sku }
    ... on ProductMedia { url alt }
    ... on Category { slug }
    ... on Collection { slug }
  }
}
"""

Viewer = Callable[[], User | None]

OUTSIDERS: dict[str, Viewer] = {
    "guest": lambda: None,
    "customer": customer,
    "staff-without-permission": lambda: StaffFactory(),
    "staff-of-another-role": lambda: _in_group(StaffFactory(), roles.BILLING_OPERATOR),
    "non-staff-with-permission": lambda: StaffFactory(
        is_staff=False, permissions=["catalog.view_product"]
    ),
}
CATALOGUE_STAFF: dict[str, Viewer] = {
    "catalogue-manager": catalogue_manager,
    "staff-with-permission": lambda: StaffFactory(permissions=["catalog.view_product"]),
    "order-manager": lambda: _in_group(StaffFactory(), roles.ORDER_MANAGER),
}

outsiders = pytest.mark.parametrize("viewer", OUTSIDERS.values(), ids=list(OUTSIDERS))
catalogue_staff = pytest.mark.parametrize(
    "viewer", CATALOGUE_STAFF.values(), ids=list(CATALOGUE_STAFF)
)


def _in_group(user: User, group: str) -> User:
    user.groups.add(Group.objects.get(name=group))
    return user


def _draft_and_live():
    live = ProductFactory(name="A publicado", slug="publicado")
    draft = ProductFactory(name="B borrador", slug="borrador", is_published=False)
    return live, draft


# --- products -----------------------------------------------------------------------------


@outsiders
def test_product_list_hides_unpublished_products(gql, viewer):
    _draft_and_live()

    body = gql(PRODUCT_LIST, user=viewer())

    assert body["data"]["products"]["totalCount"] == 1
    assert slugs(body) == ["publicado"]


@catalogue_staff
def test_product_list_shows_unpublished_products_to_catalogue_staff(gql, viewer):
    _draft_and_live()

    body = gql(PRODUCT_LIST, user=viewer())

    assert body["data"]["products"]["totalCount"] == 2
    assert slugs(body) == ["publicado", "borrador"]


@outsiders
def test_an_unpublished_product_is_not_found_by_slug_or_id(gql, viewer):
    _live, draft = _draft_and_live()
    user = viewer()

    by_slug = gql(PRODUCT, {"slug": "borrador"}, user=user)
    by_id = gql(PRODUCT, {"id": gid("Product", draft.pk)}, user=user)
    by_node = gql(NODE, {"id": gid("Product", draft.pk)}, user=user)

    assert by_slug == {"data": {"product": None}}
    assert by_id == {"data": {"product": None}}
    assert by_node == {"data": {"node": None}}


@catalogue_staff
def test_catalogue_staff_find_an_unpublished_product_by_slug_id_and_node(gql, viewer):
    _live, draft = _draft_and_live()
    user = viewer()

    by_slug = gql(PRODUCT, {"slug": "borrador"}, user=user)
    by_id = gql(PRODUCT, {"id": gid("Product", draft.pk)}, user=user)
    by_node = gql(NODE, {"id": gid("Product", draft.pk)}, user=user)

    assert by_slug["data"]["product"]["id"] == gid("Product", draft.pk)
    assert by_id["data"]["product"]["slug"] == "borrador"
    assert by_node == {
        "data": {
            "node": {"__typename": "Product", "id": gid("Product", draft.pk), "slug": "borrador"}
        }
    }


@outsiders
def test_variants_of_an_unpublished_product_are_hidden_from_node(gql, viewer):
    live, draft = _draft_and_live()
    hidden = VariantFactory(product=draft, sku="OCULTA")
    shown = VariantFactory(product=live, sku="VISIBLE")
    user = viewer()

    hidden_body = gql(NODE, {"id": gid("ProductVariant", hidden.pk)}, user=user)
    shown_body = gql(NODE, {"id": gid("ProductVariant", shown.pk)}, user=user)

    assert hidden_body == {"data": {"node": None}}
    assert shown_body == {
        "data": {
            "node": {
                "__typename": "ProductVariant",
                "id": gid("ProductVariant", shown.pk),
                "sku": "VISIBLE",
            }
        }
    }


@catalogue_staff
def test_catalogue_staff_see_variants_of_an_unpublished_product_by_node(gql, viewer):
    _live, draft = _draft_and_live()
    variant = VariantFactory(product=draft, sku="OCULTA")

    body = gql(NODE, {"id": gid("ProductVariant", variant.pk)}, user=viewer())

    assert body == {
        "data": {
            "node": {
                "__typename": "ProductVariant",
                "id": gid("ProductVariant", variant.pk),
                "sku": "OCULTA",
            }
        }
    }


def test_images_of_an_unpublished_product_are_hidden_from_node(gql):
    _live, draft = _draft_and_live()
    media = MediaFactory(product=draft, alt="Lanzamiento secreto")

    body = gql(NODE, {"id": gid("ProductMedia", media.pk)})

    assert body == {"data": {"node": None}}


def test_images_of_a_published_product_are_found_by_node(gql):
    live, _draft = _draft_and_live()
    media = MediaFactory(product=live, alt="Grifo")

    body = gql(NODE, {"id": gid("ProductMedia", media.pk)})

    assert body == {
        "data": {
            "node": {
                "__typename": "ProductMedia",
                "id": gid("ProductMedia", media.pk),
                "url": "/media/products/sample.png",
                "alt": "Grifo",
            }
        }
    }


@outsiders
def test_collection_products_hide_unpublished_products(gql, viewer):
    live, draft = _draft_and_live()
    curate(CollectionFactory(slug="verano"), draft, live)

    body = gql(COLLECTION, {"slug": "verano"}, user=viewer())

    assert body["data"]["collection"]["products"]["totalCount"] == 1
    assert collection_slugs(body) == ["publicado"]


@catalogue_staff
def test_collection_products_show_unpublished_products_to_catalogue_staff(gql, viewer):
    live, draft = _draft_and_live()
    curate(CollectionFactory(slug="verano"), draft, live)

    body = gql(COLLECTION, {"slug": "verano"}, user=viewer())

    assert body["data"]["collection"]["products"]["totalCount"] == 2
    assert collection_slugs(body) == ["borrador", "publicado"]


# --- categories --------------------------------------------------------------------------


def _category_tree():
    """Grifería (published) > Monomandos (published), Ocultos (unpublished) > Secretos."""
    taps = CategoryFactory(name="Grifería", slug="griferia", position=0)
    CategoryFactory(name="Monomandos", slug="monomandos", parent=taps, position=0)
    hidden = CategoryFactory(
        name="Ocultos", slug="ocultos", parent=taps, position=1, is_published=False
    )
    CategoryFactory(name="Secretos", slug="secretos", parent=hidden, position=0)
    CategoryFactory(name="Novedades", slug="novedades", position=1, is_published=False)
    return taps, hidden


def _tree(body) -> list:
    """(slug, children) pairs of the Categories query, recursively."""

    def walk(categories):
        return [(c["slug"], walk(c.get("children", []))) for c in categories]

    return walk(body["data"]["categories"])


@outsiders
def test_category_tree_hides_unpublished_categories_and_what_hangs_from_them(gql, viewer):
    _category_tree()

    body = gql(CATEGORIES, user=viewer())

    assert _tree(body) == [("griferia", [("monomandos", [])])]


@catalogue_staff
def test_category_tree_shows_unpublished_categories_to_catalogue_staff(gql, viewer):
    _category_tree()

    body = gql(CATEGORIES, user=viewer())

    assert _tree(body) == [
        ("griferia", [("monomandos", []), ("ocultos", [("secretos", [])])]),
        ("novedades", []),
    ]


@outsiders
def test_an_unpublished_category_is_not_found_by_slug_id_or_node(gql, viewer):
    _taps, hidden = _category_tree()
    user = viewer()

    by_slug = gql(CATEGORY, {"slug": "ocultos"}, user=user)
    by_id = gql(CATEGORY, {"id": gid("Category", hidden.pk)}, user=user)
    by_node = gql(NODE, {"id": gid("Category", hidden.pk)}, user=user)

    assert by_slug == {"data": {"category": None}}
    assert by_id == {"data": {"category": None}}
    assert by_node == {"data": {"node": None}}


@outsiders
def test_a_published_category_under_an_unpublished_one_shows_no_hidden_ancestor(gql, viewer):
    _category_tree()

    body = gql(CATEGORY, {"slug": "secretos"}, user=viewer())

    category = body["data"]["category"]
    assert (category["slug"], category["parent"], category["ancestors"]) == ("secretos", None, [])


@outsiders
def test_a_published_category_lists_only_its_published_children(gql, viewer):
    _category_tree()

    body = gql(CATEGORY, {"slug": "griferia"}, user=viewer())

    assert [child["slug"] for child in body["data"]["category"]["children"]] == ["monomandos"]


@catalogue_staff
def test_catalogue_staff_find_an_unpublished_category(gql, viewer):
    _taps, hidden = _category_tree()

    body = gql(NODE, {"id": gid("Category", hidden.pk)}, user=viewer())
    by_slug = gql(CATEGORY, {"slug": "secretos"}, user=viewer())

    assert body == {
        "data": {
            "node": {"__typename": "Category", "id": gid("Category", hidden.pk), "slug": "ocultos"}
        }
    }
    assert [a["slug"] for a in by_slug["data"]["category"]["ancestors"]] == ["griferia", "ocultos"]


# --- collections ------------------------------------------------------------------------


def _collections():
    CollectionFactory(slug="verano", position=0)
    return CollectionFactory(slug="rebajas-privadas", position=1, is_published=False)


@outsiders
def test_unpublished_collections_are_hidden_everywhere(gql, viewer):
    hidden = _collections()
    user = viewer()

    listed = gql(COLLECTIONS, user=user)
    by_slug = gql(COLLECTION, {"slug": "rebajas-privadas"}, user=user)
    by_id = gql(COLLECTION, {"id": gid("Collection", hidden.pk)}, user=user)
    by_node = gql(NODE, {"id": gid("Collection", hidden.pk)}, user=user)

    assert [c["slug"] for c in listed["data"]["collections"]] == ["verano"]
    assert by_slug == {"data": {"collection": None}}
    assert by_id == {"data": {"collection": None}}
    assert by_node == {"data": {"node": None}}


@catalogue_staff
def test_catalogue_staff_see_unpublished_collections(gql, viewer):
    hidden = _collections()
    user = viewer()

    listed = gql(COLLECTIONS, user=user)
    by_slug = gql(COLLECTION, {"slug": "rebajas-privadas"}, user=user)
    by_node = gql(NODE, {"id": gid("Collection", hidden.pk)}, user=user)

    assert [c["slug"] for c in listed["data"]["collections"]] == ["verano", "rebajas-privadas"]
    assert by_slug["data"]["collection"]["id"] == gid("Collection", hidden.pk)
    assert by_node == {
        "data": {
            "node": {
                "__typename": "Collection",
                "id": gid("Collection", hidden.pk),
                "slug": "rebajas-privadas",
            }
        }
    }


def test_products_of_an_unpublished_category_are_hidden_from_guests(gql):
    hidden = CategoryFactory(is_published=False)
    ProductFactory(slug="en-borrador", category=hidden)
    ProductFactory(slug="visible")
    body = gql(PRODUCT_LIST, {"first": 10})
    assert slugs(body) == ["visible"]
    assert gql(PRODUCT, {"slug": "en-borrador"})["data"] == {"product": None}


def test_products_of_an_unpublished_category_are_listed_for_catalogue_staff(gql):
    ProductFactory(slug="en-borrador", category=CategoryFactory(is_published=False))
    body = gql(PRODUCT_LIST, {"first": 10}, user=catalogue_manager())
    assert slugs(body) == ["en-borrador"]


def test_filtering_by_an_unpublished_collection_reveals_nothing(gql):
    draft = CollectionFactory(is_published=False)
    curate(draft, ProductFactory(slug="en-la-coleccion"))
    ProductFactory(slug="fuera")
    body = gql(
        PRODUCT_LIST, {"first": 10, "filter": {"collections": [gid("Collection", draft.pk)]}}
    )
    assert slugs(body) == []
    staff_body = gql(
        PRODUCT_LIST,
        {"first": 10, "filter": {"collections": [gid("Collection", draft.pk)]}},
        user=catalogue_manager(),
    )
    assert slugs(staff_body) == ["en-la-coleccion"]
