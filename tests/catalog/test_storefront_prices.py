"""Prices (gross split into net and IVA, rounded half up to the cent), price ranges,
sales, and availability computed from stock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import TaxClass
from tests.factories.catalog import (
    ProductFactory,
    StockFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

PRODUCT = operation("storefront/Product")


def taxed(gross: str, net: str, tax: str) -> dict[str, object]:
    return {
        "currency": "EUR",
        "net": {"amount": net, "currency": "EUR"},
        "gross": {"amount": gross, "currency": "EUR"},
        "tax": {"amount": tax, "currency": "EUR"},
    }


def product_field(gql, slug: str, field: str):
    body = gql(PRODUCT, {"slug": slug})
    assert "errors" not in body
    return body["data"]["product"][field]


def availability(gql, slug: str) -> tuple[bool, list[tuple[str, int, bool]]]:
    """(product isAvailable, [(sku, quantityAvailable, isAvailable) per variant])."""
    product = gql(PRODUCT, {"slug": slug})["data"]["product"]
    return product["isAvailable"], [
        (variant["sku"], variant["quantityAvailable"], variant["isAvailable"])
        for variant in product["variants"]
    ]


@pytest.mark.parametrize(
    ("tax_class", "gross", "net", "tax"),
    [
        (TaxClass.GENERAL, "12.10", "10.00", "2.10"),
        (TaxClass.GENERAL, "9.99", "8.26", "1.73"),
        (TaxClass.GENERAL, "0.01", "0.01", "0.00"),
        (TaxClass.REDUCED, "11.00", "10.00", "1.00"),
        (TaxClass.REDUCED, "9.99", "9.08", "0.91"),
        (TaxClass.SUPER_REDUCED, "10.40", "10.00", "0.40"),
        # 10.01 / 1.04 = 9.625 exactly: half up gives 9.63 (half even would give 9.62).
        (TaxClass.SUPER_REDUCED, "10.01", "9.63", "0.38"),
        # 0.13 / 1.04 = 0.125 exactly: half up gives 0.13 and no tax (half even: 0.12).
        (TaxClass.SUPER_REDUCED, "0.13", "0.13", "0.00"),
        (TaxClass.GENERAL, "0.00", "0.00", "0.00"),
    ],
    ids=[
        "21%",
        "21%-rounded-up",
        "21%-one-cent",
        "10%",
        "10%-rounded-down",
        "4%",
        "4%-exact-half-up",
        "4%-exact-half-up-small",
        "free",
    ],
)
def test_variant_price_splits_the_gross_price_into_net_and_tax(gql, tax_class, gross, net, tax):
    product = ProductFactory(slug="grifo", tax_class=tax_class)
    VariantFactory(product=product, price=Decimal(gross))

    variants = product_field(gql, "grifo", "variants")

    assert [(v["price"], v["compareAtPrice"]) for v in variants] == [(taxed(gross, net, tax), None)]


def test_product_reports_its_tax_class(gql):
    ProductFactory(slug="libro", tax_class=TaxClass.SUPER_REDUCED)

    assert product_field(gql, "libro", "taxClass") == "SUPER_REDUCED"


def test_price_range_runs_from_the_cheapest_to_the_dearest_variant(gql):
    product = ProductFactory(slug="grifo", tax_class=TaxClass.GENERAL)
    for position, price in enumerate(("18.15", "30.25", "12.10")):
        VariantFactory(product=product, price=Decimal(price), position=position)

    pricing = product_field(gql, "grifo", "pricing")

    assert pricing == {
        "onSale": False,
        "priceRange": {
            "start": taxed("12.10", "10.00", "2.10"),
            "stop": taxed("30.25", "25.00", "5.25"),
        },
    }


def test_price_range_of_a_single_variant_starts_and_stops_at_its_price(gql):
    product = ProductFactory(slug="libro", tax_class=TaxClass.SUPER_REDUCED)
    VariantFactory(product=product, price=Decimal("10.01"))

    pricing = product_field(gql, "libro", "pricing")

    assert pricing == {
        "onSale": False,
        "priceRange": {
            "start": taxed("10.01", "9.63", "0.38"),
            "stop": taxed("10.01", "9.63", "0.38"),
        },
    }


def test_product_without_variants_has_no_price_range(gql):
    ProductFactory(slug="proximamente")

    assert product_field(gql, "proximamente", "pricing") == {"onSale": False, "priceRange": None}


def test_a_variant_with_a_compare_at_price_puts_the_product_on_sale(gql):
    product = ProductFactory(slug="grifo", tax_class=TaxClass.REDUCED)
    VariantFactory(product=product, sku="NORMAL", price=Decimal("22.00"), position=0)
    VariantFactory(
        product=product,
        sku="REBAJADO",
        price=Decimal("11.00"),
        compare_at_price=Decimal("16.50"),
        position=1,
    )

    body = gql(PRODUCT, {"slug": "grifo"})

    product_data = body["data"]["product"]
    assert product_data["pricing"] == {
        "onSale": True,
        "priceRange": {
            "start": taxed("11.00", "10.00", "1.00"),
            "stop": taxed("22.00", "20.00", "2.00"),
        },
    }
    assert [(v["sku"], v["price"], v["compareAtPrice"]) for v in product_data["variants"]] == [
        ("NORMAL", taxed("22.00", "20.00", "2.00"), None),
        ("REBAJADO", taxed("11.00", "10.00", "1.00"), taxed("16.50", "15.00", "1.50")),
    ]


def test_quantity_available_adds_free_units_over_every_warehouse(gql):
    north, south, east = (WarehouseFactory(slug=s) for s in ("norte", "sur", "este"))
    product = ProductFactory(slug="grifo")
    variant = VariantFactory(product=product, sku="GRF")
    StockFactory(variant=variant, warehouse=north, quantity=10, allocated=3)
    StockFactory(variant=variant, warehouse=south, quantity=5, allocated=0)
    StockFactory(variant=variant, warehouse=east, quantity=4, allocated=4)

    assert availability(gql, "grifo") == (True, [("GRF", 12, True)])


def test_a_variant_whose_stock_is_all_allocated_is_unavailable(gql):
    north, south = WarehouseFactory(slug="norte"), WarehouseFactory(slug="sur")
    product = ProductFactory(slug="grifo")
    variant = VariantFactory(product=product, sku="GRF")
    StockFactory(variant=variant, warehouse=north, quantity=4, allocated=4)
    StockFactory(variant=variant, warehouse=south, quantity=2, allocated=2)

    assert availability(gql, "grifo") == (False, [("GRF", 0, False)])


def test_a_tracked_variant_without_stock_rows_is_unavailable(gql):
    product = ProductFactory(slug="grifo")
    VariantFactory(product=product, sku="GRF")

    assert availability(gql, "grifo") == (False, [("GRF", 0, False)])


def test_an_untracked_variant_is_always_available(gql):
    warehouse = WarehouseFactory(slug="central")
    product = ProductFactory(slug="servicio")
    VariantFactory(product=product, sku="SIN-STOCK", track_inventory=False, position=0)
    allocated = VariantFactory(product=product, sku="RESERVADO", track_inventory=False, position=1)
    StockFactory(variant=allocated, warehouse=warehouse, quantity=3, allocated=3)

    assert availability(gql, "servicio") == (
        True,
        [("SIN-STOCK", 0, True), ("RESERVADO", 0, True)],
    )


def test_a_product_is_available_when_any_variant_is(gql):
    warehouse = WarehouseFactory(slug="central")
    product = ProductFactory(slug="grifo")
    sold_out = VariantFactory(product=product, sku="AGOTADO", position=0)
    free = VariantFactory(product=product, sku="LIBRE", position=1)
    StockFactory(variant=sold_out, warehouse=warehouse, quantity=2, allocated=2)
    StockFactory(variant=free, warehouse=warehouse, quantity=1, allocated=0)

    assert availability(gql, "grifo") == (True, [("AGOTADO", 0, False), ("LIBRE", 1, True)])


def test_a_product_without_variants_is_unavailable(gql):
    ProductFactory(slug="proximamente")

    assert availability(gql, "proximamente") == (False, [])
