"""The whole guest checkout, through the storefront's documents, runs a fixed number
of SQL statements per mutation whatever the cart's size (deterministic: asserted)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry import relay

from orders.models import Order
from orders.payments.memory import gateway
from tests.factories.orders import API_ADDRESS, ShippingMethodFactory, stocked_variant
from tests.operations import operation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _gateway():
    gateway.reset()
    yield
    gateway.reset()


def run(gql, name: str, variables: dict[str, Any]) -> tuple[dict[str, Any], int]:
    with CaptureQueriesContext(connection) as queries:
        body = gql(operation(f"storefront/{name}"), variables)
    assert "errors" not in body, body
    payload = body["data"][name[0].lower() + name[1:]]
    assert payload["errors"] == [], payload
    return payload, len(queries.captured_queries)


def guest_flow(gql, lines: int) -> dict[str, int]:
    method = ShippingMethodFactory()
    variants = [stocked_variant() for _ in range(lines)]
    counts = {}
    created, counts["CheckoutCreate"] = run(
        gql,
        "CheckoutCreate",
        {
            "input": {
                "email": "lucia@example.com",
                "lines": [
                    {"variantId": relay.to_base64("ProductVariant", v.pk), "quantity": 1}
                    for v in variants
                ],
            }
        },
    )
    token = created["checkout"]["token"]
    for name in ("CheckoutShippingAddressUpdate", "CheckoutBillingAddressUpdate"):
        _, counts[name] = run(gql, name, {"input": {"token": token, "address": API_ADDRESS}})
    method_id = relay.to_base64("ShippingMethod", method.pk)
    _, counts["CheckoutShippingMethodUpdate"] = run(
        gql,
        "CheckoutShippingMethodUpdate",
        {
            "input": {
                "token": token,
                "shippingMethodId": method_id,
            }
        },
    )
    _, counts["CheckoutPaymentStart"] = run(
        gql, "CheckoutPaymentStart", {"input": {"token": token, "method": "CARD"}}
    )
    _, counts["CheckoutComplete"] = run(gql, "CheckoutComplete", {"input": {"token": token}})
    assert Order.objects.get().lines.count() == lines
    return counts


# Statements per mutation for a two-line cart, savepoints included (the test runs in a
# transaction, so each service's atomic block is a savepoint here). Each mutation
# reads the shipping zones once (selectors.shipping_zones_memo) and the answer
# reads free stock and the payment ledger once.
# Each summary reads the live promotions once (discounts); payment start also
# checks and holds the checkout's promo code.
STATEMENTS = {
    "CheckoutCreate": 19,
    "CheckoutShippingAddressUpdate": 16,
    "CheckoutBillingAddressUpdate": 13,
    "CheckoutShippingMethodUpdate": 16,
    "CheckoutPaymentStart": 34,  # one asks whether terms of sale are published
    # of which 27 are invoicing's; two ask for the terms and what the payment's start accepted
    "CheckoutComplete": 67,
}


def test_guest_checkout_statements_per_mutation(gql):
    counts = guest_flow(gql, 2)
    assert counts == STATEMENTS
    assert sum(counts.values()) == 165
