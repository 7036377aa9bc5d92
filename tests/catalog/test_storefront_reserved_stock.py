"""Availability in the catalogue counts the units other shoppers hold while they
pay (live reservations), over every warehouse; expired reservations count for
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Checkout, Reservation
from tests.factories.catalog import ProductFactory, StockFactory, VariantFactory, WarehouseFactory
from tests.factories.orders import ready_checkout
from tests.operations import operation

pytestmark = pytest.mark.django_db

PRODUCT = operation("storefront/Product")
PRODUCT_LIST = operation("storefront/ProductList")


@pytest.fixture
def jarra():
    """A product whose one variant has 11 free units over two warehouses."""
    product = ProductFactory(slug="jarra")
    variant = VariantFactory(product=product, sku="JARRA")
    north, south = WarehouseFactory(slug="norte"), WarehouseFactory(slug="sur")
    StockFactory(variant=variant, warehouse=north, quantity=8, allocated=2)
    StockFactory(variant=variant, warehouse=south, quantity=5, allocated=0)
    return variant


def pay_for(gql, variant, quantity: int) -> Checkout:
    """Another shopper starts paying for ``quantity`` units: they are reserved."""
    checkout = ready_checkout(lines=[(variant, quantity)], email="otra@example.com")
    started = gql(
        operation("storefront/CheckoutPaymentStart"),
        {"input": {"token": str(checkout.token), "method": "CARD"}},
    )["data"]["checkoutPaymentStart"]
    assert started["errors"] == []
    return checkout


def product_page(gql, slug: str) -> tuple[bool, list[tuple[str, int, bool]]]:
    """(isAvailable, [(sku, quantityAvailable, isAvailable)]) of ``product(slug)``."""
    product = gql(PRODUCT, {"slug": slug})["data"]["product"]
    return product["isAvailable"], [
        (variant["sku"], variant["quantityAvailable"], variant["isAvailable"])
        for variant in product["variants"]
    ]


def listing(gql, **variables) -> list[tuple[str, bool, list[tuple[str, int, bool]]]]:
    """(slug, isAvailable, variants) of every product of a ``products`` page."""
    body = gql(PRODUCT_LIST, {"first": 100, **variables})
    return [
        (
            edge["node"]["slug"],
            edge["node"]["isAvailable"],
            [
                (variant["sku"], variant["quantityAvailable"], variant["isAvailable"])
                for variant in edge["node"]["variants"]
            ],
        )
        for edge in body["data"]["products"]["edges"]
    ]


def test_units_all_reserved_by_another_shopper_are_not_available_in_the_catalogue(gql, jarra):
    assert product_page(gql, "jarra") == (True, [("JARRA", 11, True)])

    pay_for(gql, jarra, 11)

    assert product_page(gql, "jarra") == (False, [("JARRA", 0, False)])
    assert listing(gql) == [("jarra", False, [("JARRA", 0, False)])]


def test_a_partial_reservation_takes_its_units_off_the_figure(gql, jarra):
    pay_for(gql, jarra, 7)

    assert product_page(gql, "jarra") == (True, [("JARRA", 4, True)])
    assert listing(gql) == [("jarra", True, [("JARRA", 4, True)])]


def test_units_of_an_expired_reservation_are_available_again(gql, jarra):
    pay_for(gql, jarra, 11)

    Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert product_page(gql, "jarra") == (True, [("JARRA", 11, True)])
    assert listing(gql) == [("jarra", True, [("JARRA", 11, True)])]


def test_the_in_stock_filter_counts_live_reservations(gql, jarra):
    pay_for(gql, jarra, 11)

    in_stock = listing(gql, filter={"inStock": True})
    out_of_stock = listing(gql, filter={"inStock": False})
    Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert (in_stock, out_of_stock) == ([], [("jarra", False, [("JARRA", 0, False)])])
    assert listing(gql, filter={"inStock": True}) == [("jarra", True, [("JARRA", 11, True)])]
    assert listing(gql, filter={"inStock": False}) == []


def test_a_variant_not_tracking_stock_stays_available_whatever_is_reserved(gql):
    product = ProductFactory(slug="instalacion")
    variant = VariantFactory(product=product, sku="INSTALACION", track_inventory=False)
    pay_for(gql, variant, 3)

    assert product_page(gql, "instalacion") == (True, [("INSTALACION", 0, True)])
    assert Reservation.objects.count() == 0
