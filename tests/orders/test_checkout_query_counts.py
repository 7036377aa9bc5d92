"""The whole guest checkout, through the storefront's documents, runs a fixed number
of SQL statements per mutation whatever the cart's size (deterministic: asserted)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry import relay

from orders.models import Order, ShippingMethod
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


def guest_flow(gql, lines: int, method: ShippingMethod) -> dict[str, int]:
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
    order = Order.objects.get(checkout_token=token)
    assert order.lines.count() == lines
    return counts


# Statements per mutation, savepoints included (the test runs in a transaction: each
# service's atomic block is a SAVEPOINT and a RELEASE here, a BEGIN and a COMMIT in
# production, where Django logs those too). Counted on the second order of the run:
# the year's invoice series and the VERI*FACTU chain exist by then (the first
# order creates them: 8 statements more). Each mutation reads its checkout once,
# locked, with the access check (``selectors.CheckoutRef``), and its summary once,
# shared by the service and the answer (``selectors.checkout_memo``): the lines
# with their products and free stock, the live promotions, and the zones with their
# rules and methods (3). The zones come from the process's copy while the shipping
# version read with the checkout is the one they were read under ("zones known"):
# the lines and the promotions are the summary's 2 reads -- "summary (2)" below.
# (The first flow read the zones; a write to them reads them again:
# tests/orders/test_shipping_version.py.)
STATEMENTS = {
    # the variants (with products and categories: what is for sale), savepoint,
    # free stock, the checkout, its lines (one insert), release; the answer's
    # promotions (the lines are those just written)
    "CheckoutCreate": 7,
    # savepoint, checkout, summary (2), the address saved with the version, release
    "CheckoutShippingAddressUpdate": 6,
    # savepoint, checkout, the address saved with the version, release; summary (2)
    "CheckoutBillingAddressUpdate": 6,
    # the method named, savepoint, checkout, summary (2), saved, release
    "CheckoutShippingMethodUpdate": 7,
    # savepoint, checkout, summary (2), its payments (locked), the stock rows
    # locked, their free units read after the lock, old holds dropped, new holds,
    # the payment, release (committed before the provider is called); savepoint,
    # the payment locked, the provider's session saved, release; before all that,
    # whether the shop publishes terms of sale (shop.accounts.consent)
    "CheckoutPaymentStart": 16,
    # savepoint, checkout, the legal texts published and what the payment's start
    # accepted (2), summary (2), the payment, its status, the charge
    # (insert-or-ignore on its key); savepoint (placing rolls back alone), the
    # order, its number, its lines, stock locked, its free units, allocated (one
    # update), the allocations, holds dropped, the payments moved, the events, the
    # lines and the checkout deleted; invoicing: chain lock, series lock and bump,
    # the invoice, its lines, its tax lines, the chain's tail, the record, its two
    # outbox messages (one insert); the confirmation's outbox message; 2 releases;
    # the answer's payment balance
    "CheckoutComplete": 35,
}


def test_guest_checkout_statements_per_mutation(gql):
    method = ShippingMethodFactory()
    guest_flow(gql, 2, method)
    counts = guest_flow(gql, 2, method)
    assert counts == STATEMENTS
    assert sum(counts.values()) == 77


def test_the_statements_do_not_grow_with_the_cart(gql):
    method = ShippingMethodFactory()
    guest_flow(gql, 1, method)
    one_line = guest_flow(gql, 1, method)
    six_lines = guest_flow(gql, 6, method)
    assert one_line == six_lines == STATEMENTS
