"""The product listing runs a fixed number of queries, whatever the page size, searched
or not."""

import pytest

from tests.factories.catalog import WarehouseFactory, stocked_product
from tests.operations import operation

pytestmark = pytest.mark.django_db

LISTING_QUERIES = 6  # products (category joined), their count, variants, stock, media,
# live promotions (discounts.selectors.request_sales: once per request)


@pytest.mark.parametrize("products", [10, 100])
@pytest.mark.parametrize("search", [None, "CATEGORIA"], ids=["listing", "searched-by-category"])
def test_product_listing_query_count_is_fixed(gql, django_assert_num_queries, products, search):
    warehouses = [WarehouseFactory(slug="central"), WarehouseFactory(slug="norte")]
    for _ in range(products):
        stocked_product(warehouses=warehouses)  # each in its own "Categoría <n>"
    with django_assert_num_queries(LISTING_QUERIES):
        body = gql(operation("storefront/ProductList"), {"first": 100, "search": search})
    connection = body["data"]["products"]
    assert connection["totalCount"] == products
    assert len(connection["edges"]) == products
    assert all(len(edge["node"]["variants"]) == 2 for edge in connection["edges"])
