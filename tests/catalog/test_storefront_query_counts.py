"""Collection pages, the category tree and a product page run a fixed number of
queries, whatever their size."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalog.storefront_factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    AttributeValueFactory,
    CollectionFactory,
    curate,
)
from tests.factories.catalog import (
    CategoryFactory,
    MediaFactory,
    ProductFactory,
    StockFactory,
    VariantFactory,
    WarehouseFactory,
    stocked_product,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

COLLECTION_QUERIES = 7  # collection, products, their count, variants, stock, media, promotions
CATEGORY_TREE_QUERIES = 1  # every visible category, once per request
# product (with its category and the promotion version), media, variants with
# their free units, specifications, the category tree (ancestors); live
# promotions come from the process's copy once read
PRODUCT_PAGE_QUERIES = 5
# product, variants
PRODUCT_SHORT_QUERIES = 2
PRODUCT_SHORT = "query($slug: String) { product(slug: $slug) { name variants { id } } }"


@pytest.mark.parametrize("products", [3, 50])
def test_collection_page_query_count_is_fixed(gql, django_assert_num_queries, products):
    warehouses = [WarehouseFactory(slug="central"), WarehouseFactory(slug="norte")]
    summer = CollectionFactory(slug="verano")
    curate(summer, *(stocked_product(warehouses=warehouses) for _ in range(products)))

    with django_assert_num_queries(COLLECTION_QUERIES):
        body = gql(operation("storefront/Collection"), {"slug": "verano", "first": 50})

    connection = body["data"]["collection"]["products"]
    assert connection["totalCount"] == products
    assert len(connection["edges"]) == products
    assert all(len(edge["node"]["variants"]) == 2 for edge in connection["edges"])


@pytest.mark.parametrize("width", [2, 8])
def test_category_tree_query_count_is_fixed(gql, django_assert_num_queries, width):
    for _ in range(width):
        top = CategoryFactory()
        for _ in range(width):
            CategoryFactory(parent=CategoryFactory(parent=top))

    with django_assert_num_queries(CATEGORY_TREE_QUERIES):
        body = gql(operation("storefront/Categories"))

    categories = body["data"]["categories"]
    assert [len(category["children"]) for category in categories] == [width] * width
    assert all(
        len(child["children"]) == 1 for category in categories for child in category["children"]
    )


def _product_of_size(slug: str, size: int) -> None:
    """A product ``size`` categories deep with ``size`` variants (each stocked in ``size``
    warehouses), images and specifications."""
    warehouses = [WarehouseFactory(slug=f"{slug}-almacen-{n}") for n in range(size)]
    category = CategoryFactory()
    for _ in range(size):
        category = CategoryFactory(parent=category)
    product = ProductFactory(slug=slug, category=category)
    for position in range(size):
        variant = VariantFactory(
            product=product, price=Decimal("10.00") + position, position=position
        )
        for warehouse in warehouses:
            StockFactory(variant=variant, warehouse=warehouse)
        MediaFactory(product=product, position=position)
        attribute = AttributeFactory()
        AttributeValueFactory(
            product=product, attribute=attribute, choice=AttributeChoiceFactory(attribute=attribute)
        )


def _queries_for_product(gql, slug: str) -> int:
    gql(operation("storefront/Product"), {"slug": slug})  # the process's copies, read once
    with CaptureQueriesContext(connection) as queries:
        body = gql(operation("storefront/Product"), {"slug": slug})
    assert "errors" not in body
    return len(queries.captured_queries)


def test_product_page_query_count_does_not_grow_with_variants_and_specifications(gql):
    _product_of_size("pequeno", 1)
    _product_of_size("grande", 6)

    small = _queries_for_product(gql, "pequeno")
    large = _queries_for_product(gql, "grande")

    assert large == small


@pytest.mark.parametrize("size", [1, 6])
def test_product_page_runs_a_fixed_number_of_queries(gql, django_assert_num_queries, size):
    _product_of_size("grifo", size)
    gql(operation("storefront/Product"), {"slug": "grifo"})  # the process's copies, read once

    with django_assert_num_queries(PRODUCT_PAGE_QUERIES):
        body = gql(operation("storefront/Product"), {"slug": "grifo"})

    product = body["data"]["product"]
    assert len(product["variants"]) == size
    assert len(product["media"]) == size
    assert len(product["attributes"]) == size
    assert len(product["category"]["ancestors"]) == size


@pytest.mark.parametrize("size", [1, 6])
def test_product_name_and_variant_ids_read_only_products_and_variants(
    gql, django_assert_num_queries, size
):
    _product_of_size("grifo", size)

    with django_assert_num_queries(PRODUCT_SHORT_QUERIES):
        body = gql(PRODUCT_SHORT, {"slug": "grifo"})

    assert len(body["data"]["product"]["variants"]) == size


def test_product_fields_selected_through_fragments_are_loaded_with_the_page(
    gql, django_assert_num_queries
):
    product = stocked_product(slug="grifo", warehouses=[WarehouseFactory()], quantity=4)
    document = """
        query($slug: String) { product(slug: $slug) { ...Page } }
        fragment Page on Product { name ... on Product { variants { ...Stock } } }
        fragment Stock on ProductVariant { sku quantityAvailable }
    """

    with django_assert_num_queries(2):  # product, variants with their free units
        body = gql(document, {"slug": "grifo"})

    assert body["data"]["product"]["variants"] == [
        {"sku": variant.sku, "quantityAvailable": 4}
        for variant in product.variants.order_by("position")
    ]
