"""Staff stock and warehouse mutations by a catalogue manager: database, payload,
history and errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from strawberry import relay

from catalog.models import Stock, Warehouse
from tests.factories import UserFactory, gid
from tests.factories.audit import history
from tests.factories.catalog import StockFactory, VariantFactory, WarehouseFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
STOCK_UPDATE = operation("staff/StockUpdate")
WAREHOUSE_CREATE = operation("staff/WarehouseCreate")
WAREHOUSE_UPDATE = operation("staff/WarehouseUpdate")


def snapshot() -> dict[str, Any]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Stock, Warehouse, LogEntry)
    }


def stock_input(variant: Any, warehouse: Warehouse, quantity: int) -> dict[str, Any]:
    return {
        "input": {
            "variant": gid("ProductVariant", variant.pk),
            "warehouse": gid("Warehouse", warehouse.pk),
            "quantity": quantity,
        }
    }


def test_stock_update_sets_the_quantity_of_an_existing_row(gql, manager):
    # given: 2 of 10 units allocated here, 4 free elsewhere
    variant = VariantFactory(sku="JARRA-1")
    central = WarehouseFactory(slug="central")
    stock = StockFactory(variant=variant, warehouse=central, quantity=10, allocated=2)
    StockFactory(variant=variant, warehouse=WarehouseFactory(slug="norte"), quantity=4)

    # when
    body = gql(STOCK_UPDATE, stock_input(variant, central, 3), user=manager)

    # then
    assert body == {
        "data": {
            "stockUpdate": {
                "stock": {
                    "warehouse": {"id": gid("Warehouse", central.pk), "slug": "central"},
                    "quantity": 3,
                    "allocated": 2,
                },
                "variant": {
                    "id": gid("ProductVariant", variant.pk),
                    "sku": "JARRA-1",
                    "quantityAvailable": 5,
                },
                "errors": [],
            }
        }
    }
    assert list(
        Stock.objects.order_by("pk").values_list("warehouse__slug", "quantity", "allocated")
    ) == [("central", 3, 2), ("norte", 4, 0)]
    assert history() == [(manager.pk, "stock", str(stock.pk), CHANGE, "quantity: 10 → 3")]


def test_stock_update_creates_a_missing_row(gql, manager):
    # given
    variant = VariantFactory(sku="JARRA-1")
    central = WarehouseFactory(slug="central")

    # when
    body = gql(STOCK_UPDATE, stock_input(variant, central, 7), user=manager)

    # then
    stock = Stock.objects.get()
    assert body["data"]["stockUpdate"] == {
        "stock": {
            "warehouse": {"id": gid("Warehouse", central.pk), "slug": "central"},
            "quantity": 7,
            "allocated": 0,
        },
        "variant": {
            "id": gid("ProductVariant", variant.pk),
            "sku": "JARRA-1",
            "quantityAvailable": 7,
        },
        "errors": [],
    }
    assert (stock.variant_id, stock.warehouse_id, stock.quantity, stock.allocated) == (
        variant.pk,
        central.pk,
        7,
        0,
    )
    assert history() == [(manager.pk, "stock", str(stock.pk), ADDITION, "quantity: 0 → 7")]


def test_stock_may_go_down_to_the_allocated_units(gql, manager):
    # given
    stock = StockFactory(quantity=10, allocated=4)

    # when
    body = gql(STOCK_UPDATE, stock_input(stock.variant, stock.warehouse, 4), user=manager)

    # then
    assert body["data"]["stockUpdate"]["errors"] == []
    assert Stock.objects.values_list("quantity", "allocated").get() == (4, 4)


def test_stock_below_the_allocated_units_is_refused(gql, manager):
    # given
    stock = StockFactory(quantity=10, allocated=4)
    before = snapshot()

    # when
    body = gql(
        STOCK_UPDATE, stock_input(stock.variant, stock.warehouse, 3), user=manager, headers=EN
    )

    # then
    assert body["data"]["stockUpdate"] == {
        "stock": None,
        "variant": None,
        "errors": [
            {
                "field": "quantity",
                "code": "INVALID_STOCK",
                "message": "The quantity cannot be below the 4 units allocated to orders.",
            }
        ],
    }
    assert snapshot() == before


def test_negative_stock_is_refused_and_no_row_is_created(gql, manager):
    # given
    variant = VariantFactory()
    warehouse = WarehouseFactory()
    before = snapshot()

    # when
    body = gql(STOCK_UPDATE, stock_input(variant, warehouse, -1), user=manager, headers=EN)

    # then
    assert body["data"]["stockUpdate"]["errors"] == [
        {
            "field": "quantity",
            "code": "INVALID_STOCK",
            "message": "The quantity cannot be negative.",
        }
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("variant", "bm9wZQ=="),
        ("variant", relay.to_base64("Product", 1)),
        ("warehouse", relay.to_base64("Warehouse", 999_999)),
        ("warehouse", "not base64"),
    ],
)
def test_bad_stock_ids_are_not_found(gql, manager, key, value):
    # given
    stock = StockFactory(quantity=10)
    variables = stock_input(stock.variant, stock.warehouse, 1)
    variables["input"][key] = value
    before = snapshot()

    # when
    body = gql(STOCK_UPDATE, variables, user=manager, headers=EN)

    # then
    assert body["data"]["stockUpdate"] == {
        "stock": None,
        "variant": None,
        "errors": [{"field": key, "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert snapshot() == before


def test_warehouse_create_derives_the_slug(gql, manager):
    # when
    body = gql(
        WAREHOUSE_CREATE,
        {"input": {"name": "Almacén Norte", "city": "Sevilla", "postalCode": "41015"}},
        user=manager,
    )

    # then
    warehouse = Warehouse.objects.get()
    assert body == {
        "data": {
            "warehouseCreate": {
                "warehouse": {
                    "id": gid("Warehouse", warehouse.pk),
                    "name": "Almacén Norte",
                    "slug": "almacen-norte",
                    "city": "Sevilla",
                    "postalCode": "41015",
                },
                "errors": [],
            }
        }
    }
    assert Warehouse.objects.values_list("name", "slug", "city", "postal_code").get() == (
        "Almacén Norte",
        "almacen-norte",
        "Sevilla",
        "41015",
    )
    assert history() == [(manager.pk, "warehouse", str(warehouse.pk), ADDITION, "")]


def test_warehouse_update_changes_only_the_given_fields(gql, manager):
    # given
    warehouse = WarehouseFactory(name="Central", slug="central", city="Sevilla")

    # when
    body = gql(
        WAREHOUSE_UPDATE,
        {"input": {"id": gid("Warehouse", warehouse.pk), "warehouse": {"postalCode": "41001"}}},
        user=manager,
    )

    # then
    assert body["data"]["warehouseUpdate"] == {
        "warehouse": {
            "id": gid("Warehouse", warehouse.pk),
            "name": "Central",
            "slug": "central",
            "city": "Sevilla",
            "postalCode": "41001",
        },
        "errors": [],
    }
    assert Warehouse.objects.values_list("name", "slug", "city", "postal_code").get() == (
        "Central",
        "central",
        "Sevilla",
        "41001",
    )
    assert history() == [(manager.pk, "warehouse", str(warehouse.pk), CHANGE, "postal_code")]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"name": "Central"},
            [
                {
                    "field": "slug",
                    "code": "UNIQUE",
                    "message": "Warehouse with this Slug already exists.",
                }
            ],
        ),
        (
            {"name": "Sur", "postalCode": "4100"},
            [
                {
                    "field": "postalCode",
                    "code": "INVALID",
                    "message": "Enter a Spanish postal code of 5 digits.",
                }
            ],
        ),
        (
            {"city": "Cádiz"},
            [
                {"field": "name", "code": "REQUIRED", "message": "This field cannot be blank."},
                {"field": "slug", "code": "REQUIRED", "message": "This field cannot be blank."},
            ],
        ),
    ],
)
def test_warehouse_values_are_checked(gql, manager, data, errors):
    # given
    WarehouseFactory(name="Central", slug="central")
    before = snapshot()

    # when
    body = gql(WAREHOUSE_CREATE, {"input": data}, user=manager, headers=EN)

    # then
    assert body["data"]["warehouseCreate"] == {"warehouse": None, "errors": errors}
    assert snapshot() == before


def test_an_unknown_warehouse_is_not_found(gql, manager):
    # given
    before = snapshot()

    # when
    body = gql(
        WAREHOUSE_UPDATE,
        {"input": {"id": gid("Warehouse", 999_999), "warehouse": {"city": "Huelva"}}},
        user=manager,
        headers=EN,
    )

    # then
    assert body["data"]["warehouseUpdate"] == {
        "warehouse": None,
        "errors": [{"field": "id", "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert snapshot() == before


NODE = "query Node($id: ID!) { node(id: $id) { ... on Warehouse { slug } } }"


def test_warehouses_are_hidden_from_the_public_node_query(gql):
    # given
    warehouse = WarehouseFactory(slug="central")

    # when
    anonymous = gql(NODE, {"id": gid("Warehouse", warehouse.pk)})
    customer = gql(NODE, {"id": gid("Warehouse", warehouse.pk)}, user=UserFactory())

    # then
    assert anonymous == {"data": {"node": None}}
    assert customer == {"data": {"node": None}}


def test_catalogue_staff_see_warehouses_through_the_node_query(gql, manager):
    # given
    warehouse = WarehouseFactory(slug="central")

    # when
    body = gql(NODE, {"id": gid("Warehouse", warehouse.pk)}, user=manager)

    # then
    assert body == {"data": {"node": {"slug": "central"}}}
