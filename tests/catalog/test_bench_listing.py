"""The bench's hand-written listing (``tests/bench/listing.py``) is the GraphQL
answer, live reservations included: otherwise the ratio ``make bench`` prints
compares unequal work."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from django.test import override_settings
from django.utils import timezone

from orders.models import Reservation
from tests.factories.catalog import WarehouseFactory, stocked_product
from tests.factories.orders import ready_checkout
from tests.operations import operation

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="tests.bench.listing")
def test_the_hand_written_listing_is_the_graphql_answer_with_a_live_reservation(client, gql):
    product = stocked_product(warehouses=[WarehouseFactory(slug="central")], quantity=5)
    stocked_product(warehouses=[WarehouseFactory(slug="norte")])
    variant = product.variants.order_by("position").first()
    checkout = ready_checkout(lines=[(variant, 3)], email="otra@example.com")
    Reservation.objects.create(
        line=checkout.lines.get(),
        stock=variant.stocks.get(),
        quantity=3,
        expires_at=timezone.now() + timedelta(minutes=10),
    )

    handwritten = orjson.loads(client.get("/bench/products/", {"first": 100}).content)
    graphql = gql(operation("storefront/ProductList"), {"first": 100})

    assert handwritten == graphql
    node = next(
        edge["node"]
        for edge in graphql["data"]["products"]["edges"]
        if edge["node"]["slug"] == product.slug
    )
    assert [v["quantityAvailable"] for v in node["variants"]] == [2, 5]
