"""The whole guest checkout, through the storefront's documents, runs a fixed number
of SQL statements per mutation whatever the cart's size (deterministic: asserted)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry import relay

from catalog.models import ProductVariant
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


def guest_flow(gql, variants: list[ProductVariant], method: ShippingMethod) -> dict[str, int]:
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
    assert order.lines.count() == len(variants)
    return counts


# Statements per mutation, savepoints included (the test runs in a transaction: each
# service's atomic block is a SAVEPOINT and a RELEASE here, a BEGIN and a COMMIT in
# production, where Django logs those too). Counted on the second order of the run:
# the year's invoice series and the VERI*FACTU chain exist by then (the first
# order creates them: 8 statements more). Each mutation reads its checkout once,
# locked, with the access check (``selectors.CheckoutRef``), and its summary once,
# shared by the service and the answer (``selectors.checkout_memo``): the lines
# with their products and free stock, the live promotions, and the zones with their
# rules and methods (3). The zones, the promotions and the legal texts come from the
# process's copies while the shipping, promotion and legal texts versions read with
# the checkout (with the variants, for a new one) are those they were read under:
# the lines are the summary's one read -- "summary (1)" below. (The first flow read
# them; a write to them reads them again: tests/orders/test_shipping_version.py,
# tests/discounts/test_promotion_version.py, tests/content/test_legal_version.py.)
STATEMENTS = {
    # the variants (with products and categories: what is for sale; their free
    # stock; the promotion version), savepoint, the checkout, its lines (one
    # insert), release; the answer's summary is the lines just written
    "CheckoutCreate": 5,
    # savepoint, checkout, summary (1), the address saved with the version, release
    "CheckoutShippingAddressUpdate": 5,
    # savepoint, checkout, the address saved with the version, release; summary (1)
    "CheckoutBillingAddressUpdate": 5,
    # savepoint, checkout, summary (1: the method is one of its zones'), saved, release
    "CheckoutShippingMethodUpdate": 5,
    # savepoint, checkout, summary (1), its payments (locked), the stock rows
    # locked, their free units read after the lock (with whether the checkout
    # holds any: it holds none, so none to drop), new holds, the payment, release
    # (committed before the provider is called); savepoint, the payment locked,
    # the provider's session saved, release
    "CheckoutPaymentStart": 13,
    # savepoint, checkout, its newest payment (what its start accepted, and what
    # is confirmed), summary (1), its status, the charge (insert-or-ignore on its
    # key); placing, which refuses before its first write (no savepoint of its
    # own: tests/orders/test_placing_refusals.py): stock locked, its free units,
    # the order (numbered by the insert), its lines, allocated (one update), the
    # allocations, holds dropped, the payments moved, the events, the lines and
    # the checkout deleted; invoicing: chain lock, the series' number taken (one
    # update), the invoice, its lines, its tax lines, the chain's tail, the
    # record; the outbox's messages (the PDF, the submission, the confirmation:
    # one insert); release; the answer's payment balance
    "CheckoutComplete": 27,
}


def test_guest_checkout_statements_per_mutation(gql):
    method, variants = ShippingMethodFactory(), [stocked_variant() for _ in range(2)]
    guest_flow(gql, variants, method)
    counts = guest_flow(gql, variants, method)
    assert counts == STATEMENTS
    assert sum(counts.values()) == 60


def test_the_statements_do_not_grow_with_the_cart(gql):
    method, variants = ShippingMethodFactory(), [stocked_variant() for _ in range(6)]
    guest_flow(gql, variants[:1], method)
    one_line = guest_flow(gql, variants[:1], method)
    six_lines = guest_flow(gql, variants, method)
    assert one_line == six_lines == STATEMENTS


@pytest.mark.django_db(transaction=True)
def test_production_sends_the_same_statements(gql, monkeypatch):
    """Outside the test's transaction each service's atomic block is a BEGIN and a
    COMMIT (Django logs both) where the other tests see a SAVEPOINT and a RELEASE.
    The outbox's messages stay in the outbox, for a worker (without a broker they
    would be relayed eagerly after the commit, inside ``checkoutComplete``)."""
    from shop.content.models import LegalVersion
    from shop.outbox import services as outbox

    monkeypatch.setattr(outbox, "outbox_relay", lambda **_kwargs: 0)
    # The migration's row, as production has it: an earlier transactional test's
    # flush deleted it, and nothing here writes legal texts to bring it back.
    LegalVersion.objects.get_or_create(pk=1)
    method, variants = ShippingMethodFactory(), [stocked_variant() for _ in range(2)]
    guest_flow(gql, variants, method)
    with CaptureQueriesContext(connection) as queries:
        counts = guest_flow(gql, variants, method)
    sent = [query["sql"] for query in queries.captured_queries]
    assert counts == STATEMENTS
    assert not any(sql.startswith(("SAVEPOINT", "RELEASE")) for sql in sent[:20])
