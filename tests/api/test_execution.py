"""shop.api.execution: the fast path gives graphql-core's results and errors, and
is taken where it should be."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from shop.api.execution import ShopExecutionContext
from shop.schema import schema as shop_schema
from tests.factories.catalog import WarehouseFactory, stocked_product
from tests.operations import operation


@strawberry.type
class Money:
    amount: str
    currency: str


class Row:
    """A row as the fast path reads it; ``name`` may be None or raise."""

    def __init__(self, pk: int, name: Any, price: Any = None, flag: Any = True) -> None:
        self.pk = pk
        self._name = name
        self.price = price
        self.flag = flag

    @property
    def name(self) -> Any:
        if isinstance(self._name, Exception):
            raise self._name
        return self._name


@strawberry.type
class Item:
    pk: int
    name: str
    price: Money | None
    flag: bool


ROWS: list[Row] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ROWS  # type: ignore[return-value]


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    fast = strawberry.Schema(query=Query, execution_context_class=ShopExecutionContext)
    base = strawberry.Schema(
        query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    return fast, base


@pytest.fixture
def rows() -> Iterator[list[Row]]:
    yield ROWS
    ROWS.clear()


def _both(query: str) -> tuple[dict[str, Any], dict[str, Any]]:
    fast, base = _schemas()
    results = []
    for schema in (fast, base):
        result = schema.execute_sync(query)
        results.append(
            {
                "data": result.data,
                "errors": [
                    {"message": e.message, "path": e.path, "locations": e.locations}
                    for e in result.errors or []
                ],
            }
        )
    return results[0], results[1]


QUERY = (
    "{ items { pk name alias: name __typename price { amount currency }"
    " skipped: pk @include(if: false) } }"
)


def test_plain_rows_match_graphql_core(rows):
    rows.extend([Row(1, "uno", Money(amount="1.00", currency="EUR")), Row(2, "dos")])
    fast, base = _both(QUERY)
    assert fast == base
    assert fast["data"] == {
        "items": [
            {
                "pk": 1,
                "name": "uno",
                "alias": "uno",
                "__typename": "Item",
                "price": {"amount": "1.00", "currency": "EUR"},
            },
            {"pk": 2, "name": "dos", "alias": "dos", "__typename": "Item", "price": None},
        ]
    }
    assert fast["errors"] == []


def test_leaves_not_of_their_scalars_python_type_are_coerced_as_graphql_core_does(rows):
    rows.extend([Row(1, 7, flag=1), Row(2, "dos", flag=0.0), Row(3, "tres", flag=False)])
    fast, base = _both("{ items { name flag } }")
    assert fast == base
    assert fast["data"] == {
        "items": [
            {"name": "7", "flag": True},
            {"name": "dos", "flag": False},
            {"name": "tres", "flag": False},
        ]
    }


def test_null_in_a_non_null_field_is_graphql_cores_error(rows):
    rows.extend([Row(1, "uno"), Row(2, None)])
    fast, base = _both("{ items { pk name } }")
    assert fast == base
    assert fast["data"] is None
    assert [error["path"] for error in fast["errors"]] == [["items", 1, "name"]]


def test_an_exception_in_a_read_is_reported_at_its_path(rows):
    rows.extend([Row(1, ValueError("broken row")), Row(2, "dos")])
    fast, base = _both("{ items { name } }")
    assert fast == base
    assert fast["errors"] == [
        {"message": "broken row", "path": ["items", 0, "name"], "locations": [(1, 11)]}
    ]


def test_a_value_the_scalar_refuses_is_graphql_cores_error(rows):
    rows.append(Row(1, "uno", Money(amount=object(), currency="EUR")))  # type: ignore[arg-type]
    fast, base = _both("{ items { price { amount } } }")
    assert fast == base
    assert fast["data"] == {"items": [{"price": None}]}
    assert [error["path"] for error in fast["errors"]] == [["items", 0, "price", "amount"]]


@strawberry.type
class Node:
    pk: int

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, Row)


@strawberry.type
class Holder:
    node: Node


@strawberry.type
class HolderQuery:
    @strawberry.field
    def holders(self) -> list[Holder]:
        return [Holder(node=Row(1, "uno")), Holder(node="not a row")]  # type: ignore[arg-type]


def test_a_wrong_object_fails_is_type_of_as_in_graphql_core():
    answers = []
    for context_class in (ShopExecutionContext, StrawberryGraphQLCoreExecutionContext):
        result = strawberry.Schema(
            query=HolderQuery, execution_context_class=context_class
        ).execute_sync("{ holders { node { pk } } }")
        answers.append((result.data, [(e.message, e.path) for e in result.errors or []]))
    assert answers[0] == answers[1]
    assert answers[0][0] is None
    assert [path for _message, path in answers[0][1]] == [["holders", 1, "node"]]


@pytest.fixture
def built(monkeypatch) -> list[str]:
    """``Type.field`` of every resolve info the shop's executor builds."""
    names: list[str] = []
    original = ShopExecutionContext.build_resolve_info

    def counting(self, field_def, field_nodes, parent_type, path):
        names.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return original(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(ShopExecutionContext, "build_resolve_info", counting)
    return names


def _stocked_products(count: int) -> None:
    warehouses = [WarehouseFactory(slug="central")]
    for _ in range(count):
        stocked_product(warehouses=warehouses)


def _per_context(monkeypatch, answer: Any) -> list[Any]:
    """``answer()`` with the shop's executor, then with graphql-core's."""
    answers = []
    for context_class in (ShopExecutionContext, StrawberryGraphQLCoreExecutionContext):
        monkeypatch.setattr(shop_schema, "execution_context_class", context_class)
        answers.append(answer())
    return answers


def test_basic_fields_build_no_resolve_info(rows, built):
    rows.extend(
        [Row(index, f"n{index}", Money(amount="1.00", currency="EUR")) for index in range(5)]
    )
    fast, _ = _schemas()
    result = fast.execute_sync("{ items { pk name price { amount } } }")
    assert result.errors is None
    assert len(result.data["items"]) == 5
    # Only the root resolver (it has a method) gets an info: 1, not 1 + 5 * 4.
    assert built == ["Query.items"]


@pytest.mark.django_db
def test_the_storefront_listing_is_graphql_cores_answer(gql, monkeypatch):
    _stocked_products(3)
    answers = _per_context(
        monkeypatch, lambda: gql(operation("storefront/ProductList"), {"first": 100})
    )
    assert answers[0] == answers[1]
    assert "errors" not in answers[0]
    edges = answers[0]["data"]["products"]["edges"]
    assert len(edges) == 3
    assert all(len(edge["node"]["variants"]) == 2 for edge in edges)


ARGUMENTS_QUERY = """
query Thumbs($size: ThumbnailSize) {
  products(first: 10) {
    edges {
      node {
        small: thumbnail(size: SMALL) { url }
        chosen: thumbnail(size: $size) { url alt }
        default: thumbnail { url }
        pricing { onSale priceRange { start { gross { amount } } } }
      }
    }
  }
}
"""


@pytest.mark.django_db
def test_row_fields_with_arguments_and_info_are_graphql_cores_answer(gql, monkeypatch):
    _stocked_products(3)
    variable_sets = ({"size": "LARGE"}, {}, {"size": None})
    answers = _per_context(
        monkeypatch, lambda: [gql(ARGUMENTS_QUERY, variables) for variables in variable_sets]
    )
    assert answers[0] == answers[1]
    large, absent, null = answers[0]
    node = large["data"]["products"]["edges"][0]["node"]
    # The factory's media has 160 and 480 px thumbnails: LARGE falls back to the original.
    assert node["small"]["url"].endswith("sample-160.webp")
    assert node["chosen"]["url"].endswith("products/sample.png")
    assert node["default"]["url"].endswith("sample-480.webp")
    assert absent["data"]["products"]["edges"][0]["node"]["chosen"]["url"].endswith("480.webp")
    assert "errors" not in large
    assert "errors" not in absent
    # A null for the non-null argument: graphql-core's error at each product, the rest served.
    assert [error["path"] for error in null["errors"]] == [
        ["products", "edges", index, "node", "chosen"] for index in range(3)
    ]
    assert all(edge["node"]["chosen"] is None for edge in null["data"]["products"]["edges"])
    assert all(edge["node"]["small"] for edge in null["data"]["products"]["edges"])


@pytest.mark.django_db
def test_row_fields_with_arguments_build_one_info_per_selection(gql, built):
    _stocked_products(4)
    answer = gql(operation("storefront/ProductList"), {"first": 100})
    assert "errors" not in answer
    assert len(answer["data"]["products"]["edges"]) == 4
    # The connection's own fields, and pricing's info once for the whole list, not per product.
    assert sorted(built) == ["Product.pricing", "ProductConnection.totalCount", "Query.products"]
