"""Parallel payment starts of one checkout (a double click, two tabs, a retrying
client) through /graphql/ on real parallel connections: they queue on the
checkout, make one payment and at most one provider call for the checkout's
version, every answer can be used to pay, and the checkout completes once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from billing_bridge.payment import WaterBillPaymentMethod
from orders import models
from orders.payments.memory import InMemoryPaymentMethod, gateway
from shop.accounts.tokens import create_token
from tests.factories import UserFactory
from tests.factories.orders import ready_checkout, stocked_variant
from tests.operations import operation
from tests.orders.test_concurrency import Answer, ledger, needs_row_locks, post
from tests.parallel import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, needs_row_locks]

START = operation("storefront/CheckoutPaymentStart")
COMPLETE = operation("storefront/CheckoutComplete")
PARALLEL = 10


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    gateway.reset()
    yield
    gateway.reset()


@pytest.fixture
def provider_calls(monkeypatch):
    """Every call the shop makes to a payment method's provider, by method name."""
    calls: Counter[str] = Counter()
    lock = threading.Lock()
    for cls in (InMemoryPaymentMethod, WaterBillPaymentMethod):
        for name in ("start", "confirm", "capture", "refund", "cancel"):
            original = getattr(cls, name)

            def counted(self, *args, _original=original, _name=name, **kwargs):
                with lock:
                    calls[_name] += 1
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(cls, name, counted)
    return calls


def starts(token: str, user=None, **payment) -> list[list[Answer]]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, 'access')}"} if user else {}
    variables = {"input": {"token": token, **payment}}

    def job(client: Client) -> list[Answer]:
        client.defaults.update(headers)
        return [post(client, START, variables)]

    return run_together([job] * PARALLEL)


def complete(token: str, user=None) -> dict:
    client = Client()
    if user:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {create_token(user, 'access')}"
    answer = post(client, COMPLETE, {"input": {"token": token}})
    assert answer.top_level_errors == []
    payload: dict = answer.payload("checkoutComplete")
    return payload


def started_payloads(results: list[list[Answer]]) -> list[dict]:
    assert [answer.top_level_errors for (answer,) in results] == [[]] * PARALLEL
    return [answer.payload("checkoutPaymentStart") for (answer,) in results]


def test_ten_parallel_card_starts_make_one_payment_and_one_provider_call(provider_calls):
    variant = stocked_variant(quantity=5, price="10.00")
    checkout = ready_checkout(lines=[(variant, 2)])
    token = str(checkout.token)

    payloads = started_payloads(starts(token, method="CARD"))

    assert [payload["errors"] for payload in payloads] == [[]] * PARALLEL
    payment = models.Payment.objects.get()
    assert {payload["payment"]["clientData"]["reference"] for payload in payloads} == {
        payment.psp_reference
    }
    assert {payload["payment"]["amount"]["amount"] for payload in payloads} == {"24.95"}
    assert provider_calls == {"start": 1}
    assert len(gateway.payments) == 1
    assert models.PaymentTransaction.objects.count() == 0
    assert models.Reservation.objects.get().quantity == 2

    placed = complete(token)

    assert placed["errors"] == []
    order = models.Order.objects.get()
    assert placed["order"]["number"] == order.number
    payment.refresh_from_db()
    assert payment.order == order
    assert ledger(payment) == [("charge", "success", Decimal("24.95"))]
    assert gateway.refunds == {}
    assert gateway.cancelled == set()


def test_ten_parallel_water_bill_starts_make_one_plan_that_completes(provider_calls):
    user = UserFactory()
    contract = SupplyContract.objects.create(
        number="100200300",
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=date(2026, 12, 20),
    )
    ContractLink.objects.create(user=user, contract=contract, source=ContractLink.Source.PORTAL)
    checkout = ready_checkout(lines=[(stocked_variant(price="10.00"), 2)], user=user)
    token = str(checkout.token)

    payloads = started_payloads(
        starts(token, user, method="WATER_BILL", waterContract="100200300", installments=3)
    )

    assert [payload["errors"] for payload in payloads] == [[]] * PARALLEL
    assert {payload["payment"]["status"] for payload in payloads} == {"authorized"}
    assert {str(payload["payment"]["clientData"]["schedule"]) for payload in payloads} == {
        str(payloads[0]["payment"]["clientData"]["schedule"])
    }
    payment = models.Payment.objects.get()
    assert provider_calls == {"start": 1}
    assert not BillCharge.objects.exists()  # nothing is billed before the order is placed

    placed = complete(token, user)

    assert placed["errors"] == []
    payment.refresh_from_db()
    assert payment.order == models.Order.objects.get()
    charges = list(BillCharge.objects.order_by("sequence"))
    assert [(c.sequence, c.amount, c.status) for c in charges] == [
        (1, Decimal("8.32"), "pending"),
        (2, Decimal("8.32"), "pending"),
        (3, Decimal("8.31"), "pending"),
    ]
    assert {c.payment_id for c in charges} == {payment.pk}


def test_ten_parallel_stripe_starts_create_one_intent_then_one_charge(settings, stripe_settings):
    """The same race against the Stripe API (the real SDK, a local fake server)."""
    settings.SHOP_PAYMENT_METHODS = {"card": "orders.payments.card.StripeCardPaymentMethod"}
    checkout = ready_checkout(lines=[(stocked_variant(quantity=5, price="10.00"), 2)])
    token = str(checkout.token)

    payloads = started_payloads(starts(token, method="CARD"))

    assert [payload["errors"] for payload in payloads] == [[]] * PARALLEL
    payment = models.Payment.objects.get()
    (intent_id,) = stripe_settings.intents
    assert payment.psp_reference == intent_id
    secrets = {payload["payment"]["clientData"]["clientSecret"] for payload in payloads}
    assert secrets == {stripe_settings.intent(intent_id)["client_secret"]}
    assert len(stripe_settings.requests_to("/v1/payment_intents", "POST")) == 1

    stripe_settings.succeed(intent_id)
    placed = complete(token)

    assert placed["errors"] == []
    payment.refresh_from_db()
    assert payment.order == models.Order.objects.get()
    assert ledger(payment) == [("charge", "success", Decimal("24.95"))]
    assert stripe_settings.refunds == {}
