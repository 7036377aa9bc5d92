"""A shopper's checkout through /graphql/ with the storefront's documents."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order
from tests.factories import gid
from tests.factories.orders import (
    API_ADDRESS,
    ShippingMethodFactory,
    ready_checkout,
    stocked_variant,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db


def test_a_guest_buys_and_finds_the_order_by_its_token(gql):
    variant = stocked_variant(quantity=4, price="12.10")
    method = ShippingMethodFactory(price="4.95")
    created = gql(
        operation("storefront/CheckoutCreate"),
        {
            "input": {
                "email": "ana@example.com",
                "lines": [{"variantId": gid("ProductVariant", variant.pk), "quantity": 2}],
            }
        },
    )["data"]["checkoutCreate"]
    assert created["errors"] == []
    token = created["checkout"]["token"]
    for name in ("CheckoutShippingAddressUpdate", "CheckoutBillingAddressUpdate"):
        body = gql(
            operation(f"storefront/{name}"), {"input": {"token": token, "address": API_ADDRESS}}
        )
        assert body["data"][name[0].lower() + name[1:]]["errors"] == []
    checkout = gql(operation("storefront/Checkout"), {"token": token})["data"]["checkout"]
    assert [m["id"] for m in checkout["availableShippingMethods"]] == [
        gid("ShippingMethod", method.pk)
    ]
    assert checkout["availablePaymentMethods"] == [
        {
            "code": "CARD",
            "name": "Pago de prueba (no se mueve dinero)",
            "eligible": True,
            "reason": None,
        }
    ]
    chosen = gql(
        operation("storefront/CheckoutShippingMethodUpdate"),
        {"input": {"token": token, "shippingMethodId": gid("ShippingMethod", method.pk)}},
    )["data"]["checkoutShippingMethodUpdate"]
    assert chosen["checkout"]["totalPrice"]["gross"]["amount"] == "29.15"
    assert chosen["checkout"]["problems"] == []
    started = gql(
        operation("storefront/CheckoutPaymentStart"), {"input": {"token": token, "method": "CARD"}}
    )["data"]["checkoutPaymentStart"]
    assert started["errors"] == []
    assert started["payment"]["amount"] == {"amount": "29.15", "currency": "EUR"}
    completed = gql(operation("storefront/CheckoutComplete"), {"input": {"token": token}})
    order = completed["data"]["checkoutComplete"]["order"]
    assert order["status"] == "UNFULFILLED"
    assert order["paymentStatus"] == "FULLY_CHARGED"
    again = gql(operation("storefront/CheckoutComplete"), {"input": {"token": token}})
    assert again["data"]["checkoutComplete"]["order"]["id"] == order["id"]
    found = gql(operation("storefront/OrderByToken"), {"token": order["token"]})
    assert found["data"]["orderByToken"]["number"] == order["number"]
    assert Order.objects.count() == 1


@pytest.mark.parametrize("lines", [1, 5])
def test_reading_a_checkout_costs_the_same_queries_whatever_its_size(gql, lines):
    checkout = ready_checkout(lines=[(stocked_variant(), 1) for _ in range(lines)])
    with CaptureQueriesContext(connection) as queries:
        body = gql(operation("storefront/Checkout"), {"token": str(checkout.token)})
    assert len(body["data"]["checkout"]["lines"]) == lines
    # checkout (with the shipping and promotion versions), lines with variants,
    # products and their free stock (for the lines and the problems); the zones and
    # the live promotions come from the process's copies, read by the services that
    # filled the checkout in (tests/orders/test_shipping_version.py,
    # tests/discounts/test_promotion_version.py)
    assert len(queries.captured_queries) == 2
