"""``product(slug)`` loads what its selection needs from the fields' own optimizer
hints (``catalog.api.queries.PAGE_PLAN``): a hint the plan does not know sends the
page to the optimizer's slower walk, and hints below the variants are not read."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType, get_named_type

from catalog.api import queries
from catalog.api.queries import DEFINITION_BACKREF, PAGE_PLAN, hint_lookups
from shop.schema import schema
from tests.factories.catalog import MediaFactory, ProductFactory, WarehouseFactory, stocked_product

PAGE_TYPES = {"Product": "", "ProductVariant": "variants__"}


def _object_types_below(name: str, seen: set[str]) -> set[str]:
    """Object types reachable from type ``name``'s fields."""
    type_ = schema._schema.type_map[name]
    assert isinstance(type_, GraphQLObjectType)
    for field in type_.fields.values():
        named = get_named_type(field.type)
        if isinstance(named, GraphQLObjectType) and named.name not in seen:
            seen.add(named.name)
            _object_types_below(named.name, seen)
    return seen


def _hints(type_name: str, prefix: str = "") -> dict[str, list[str]]:
    type_ = schema._schema.type_map[type_name]
    return {
        name: hint_lookups(field.extensions.get(DEFINITION_BACKREF), prefix)
        for name, field in type_.fields.items()  # type: ignore[union-attr]
    }


@pytest.mark.parametrize("type_name", PAGE_TYPES)
def test_every_hint_of_the_page_types_is_in_the_plan(type_name):
    hints = _hints(type_name, PAGE_TYPES[type_name])

    unknown = {name: lookups for name, lookups in hints.items() if set(lookups) - set(PAGE_PLAN)}

    assert unknown == {}
    assert any(hints.values())  # the hints are read at all


def test_no_type_below_the_variants_has_hints():
    below = _object_types_below("Product", set()) - set(PAGE_TYPES)

    assert {name: hints for name in below if any((hints := _hints(name)).values())} == {}


def test_the_plan_names_what_the_fields_need():
    hints = _hints("Product")
    variant_hints = _hints("ProductVariant", "variants__")

    def needs(lookups: list[str]) -> set[str]:
        return set().union(*(PAGE_PLAN[lookup] for lookup in lookups))

    assert needs(hints["category"]) == {"category"}
    assert needs(hints["thumbnail"]) == needs(hints["media"]) == {"media"}
    assert needs(hints["isAvailable"]) == {"variants", "stock"}
    assert needs(hints["pricing"]) == {"variants", "prices"}
    assert needs(hints["attributes"]) == {"attributes"}
    assert needs(variant_hints["quantityAvailable"]) == {"variants", "stock"}
    assert needs(variant_hints["stocks"]) == {"variants", "stock_rows"}
    assert needs(variant_hints["pricing"]) == {"prices"}


@pytest.mark.django_db
def test_a_hint_missing_from_the_plan_loads_the_page_through_the_optimizer(gql, monkeypatch):
    product = ProductFactory(slug="grifo")
    MediaFactory(product=product, position=1)
    monkeypatch.delitem(PAGE_PLAN, "media")
    monkeypatch.setattr(queries, "_field_needs", {})

    body = gql('{ product(slug: "grifo") { slug media { position } } }')

    assert body["data"]["product"] == {"slug": "grifo", "media": [{"position": 1}]}


@pytest.mark.django_db
def test_staff_see_the_stock_rows_and_the_free_units_on_the_page(gql, manager):
    warehouses = [WarehouseFactory(name="Central"), WarehouseFactory(name="Norte")]
    stocked_product(slug="grifo", variants=1, warehouses=warehouses, quantity=4)
    document = """{ product(slug: "grifo") { isAvailable variants {
        quantityAvailable stocks { quantity allocated warehouse { name } } } } }"""

    body = gql(document, user=manager)

    assert body["data"]["product"] == {
        "isAvailable": True,
        "variants": [
            {
                "quantityAvailable": 8,
                "stocks": [
                    {"quantity": 4, "allocated": 0, "warehouse": {"name": "Central"}},
                    {"quantity": 4, "allocated": 0, "warehouse": {"name": "Norte"}},
                ],
            }
        ],
    }
