"""Stripe's webhook, ``POST /webhooks/stripe/``, against the fake Stripe.

Events are signed as Stripe signs them (``tests.fake_stripe.sign``) and posted
with Django's test client; the handler re-fetches the intent or refund from the
fake over HTTP. Deliveries are repeated, shuffled and, on PostgreSQL, parallel.
"""

from __future__ import annotations

import json
import random
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from orders import models, services
from orders.payments.card import INTENT_STATUS
from tests.factories import StaffFactory
from tests.factories.orders import ShippingMethodFactory, ready_checkout, stocked_variant
from tests.fake_stripe import WEBHOOK_SECRET, sign

pytestmark = pytest.mark.django_db

URL = "/webhooks/stripe/"
INTENTS = "/v1/payment_intents"

parallel_needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel deliveries need PostgreSQL: SQLite serialises its writers",
)


@pytest.fixture
def fake(settings, stripe_settings):
    """The fake Stripe, with the shop's card route going to it."""
    settings.SHOP_PAYMENT_METHODS = {"card": "orders.payments.card.StripeCardPaymentMethod"}
    return stripe_settings


def post(client: Client, payload: bytes, signature: str | None) -> int:
    headers = {} if signature is None else {"Stripe-Signature": signature}
    response = client.post(URL, data=payload, content_type="application/json", headers=headers)
    return int(response.status_code)


class Delivery:
    """One signed event, deliverable any number of times."""

    def __init__(self, fake, type: str, obj: dict[str, Any]) -> None:
        self.payload, self.signature = fake.webhook(type, obj)
        self.id = json.loads(self.payload)["id"]
        self.type = type

    @classmethod
    def of(cls, fake, event: dict[str, Any]) -> Delivery:
        """An event the fake's own state change emitted."""
        return cls(fake, event["type"], event["data"]["object"])

    def to(self, client: Client) -> int:
        return post(client, self.payload, self.signature)


def two_bottles() -> models.Checkout:
    """2 x 12.10 plus 4.95 shipping: 29.15 EUR."""
    variant = stocked_variant(quantity=10, price="12.10")
    return ready_checkout(lines=[(variant, 2)], method=ShippingMethodFactory(price="4.95"))


def started() -> models.Payment:
    """A checkout whose card payment started (an intent awaiting the shopper)."""
    payment, _session = services.checkout_payment_start(checkout=two_bottles(), method_code="card")
    return payment


def paid_and_gone(fake) -> models.Payment:
    """A checkout the shopper paid at Stripe, who then closed the browser."""
    payment = started()
    fake.succeed(payment.psp_reference)
    return payment


def emitted(fake, payment: models.Payment, type: str) -> Delivery:
    [event] = [e for e in fake.webhook_payloads_for(payment.psp_reference) if e["type"] == type]
    return Delivery.of(fake, event)


def ledger() -> list[tuple[str, str, Decimal]]:
    rows = models.PaymentTransaction.objects.order_by("pk")
    return list(rows.values_list("kind", "status", "amount"))


def provider_events() -> list[tuple[str, str, str]]:
    rows = models.ProviderEvent.objects.order_by("pk")
    return list(rows.values_list("provider", "event_id", "type"))


def state() -> dict[str, Any]:
    """Everything a refused or repeated webhook must leave as it was."""
    return {
        "orders": list(models.Order.objects.order_by("pk").values_list("pk", "disputed_at")),
        "payments": list(
            models.Payment.objects.order_by("pk").values_list("status", "order_id", "amount")
        ),
        "ledger": ledger(),
        "order events": list(
            models.OrderEvent.objects.order_by("pk").values_list("type", flat=True)
        ),
        "provider events": provider_events(),
        "checkouts": models.Checkout.objects.count(),
    }


def deliver_all(deliveries: list[Delivery], *, parallel: bool) -> list[int]:
    """Post each delivery (one thread and client each when ``parallel``)."""
    if not parallel:
        client = Client()
        return [delivery.to(client) for delivery in deliveries]
    barrier = threading.Barrier(len(deliveries))
    answers: list[Any] = [None] * len(deliveries)

    def run(index: int, delivery: Delivery) -> None:
        try:
            barrier.wait(timeout=10)
            answers[index] = delivery.to(Client())
        except Exception as exc:  # reported by the caller's assertion
            answers[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, delivery))
        for index, delivery in enumerate(deliveries)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def thrice_shuffled(deliveries: list[Delivery], seed: int) -> list[Delivery]:
    repeated = deliveries * 3
    random.Random(seed).shuffle(repeated)
    return repeated


# Refused deliveries.


def _other_payload(fake, payload: bytes) -> tuple[bytes, str]:
    return payload, sign(payload.replace(b"succeeded", b"canceled"), WEBHOOK_SECRET)


def _wrong_secret(fake, payload: bytes) -> tuple[bytes, str]:
    return payload, sign(payload, "whsec_somebody_else")


def _stale(fake, payload: bytes) -> tuple[bytes, str]:
    return payload, sign(payload, WEBHOOK_SECRET, int(time.time()) - 301)


def _unsigned(fake, payload: bytes) -> tuple[bytes, str | None]:
    return payload, None


def _malformed(fake, payload: bytes) -> tuple[bytes, str]:
    body = payload[: len(payload) // 2]
    return body, sign(body, WEBHOOK_SECRET)


@pytest.mark.parametrize(
    "forge",
    [_other_payload, _wrong_secret, _stale, _unsigned, _malformed],
    ids=["bad signature", "wrong secret", "stale", "unsigned", "malformed body"],
)
def test_a_webhook_that_fails_verification_is_refused_and_changes_nothing(client, fake, forge):
    payment = paid_and_gone(fake)
    genuine = emitted(fake, payment, "payment_intent.succeeded")
    payload, signature = forge(fake, genuine.payload)
    before, asked = state(), len(fake.requests)

    status = post(client, payload, signature)

    assert status == 400
    assert state() == before
    assert before["orders"] == before["provider events"] == before["ledger"] == []
    assert before["payments"] == [("pending", None, Decimal("29.15"))]
    assert len(fake.requests) == asked


def test_a_signature_inside_the_five_minutes_tolerance_is_accepted(client, fake):
    payment = paid_and_gone(fake)
    payload = emitted(fake, payment, "payment_intent.succeeded").payload

    status = post(client, payload, sign(payload, WEBHOOK_SECRET, int(time.time()) - 290))

    assert status == 200
    assert models.Order.objects.count() == 1


def test_without_a_webhook_secret_the_endpoint_is_off(client, fake, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payment = paid_and_gone(fake)
    before = state()

    status = emitted(fake, payment, "payment_intent.succeeded").to(client)

    assert status == 404
    assert state() == before


# Payments.


def test_a_paid_checkout_whose_shopper_never_came_back_is_placed_once(client, fake):
    payment = paid_and_gone(fake)
    succeeded = emitted(fake, payment, "payment_intent.succeeded")

    status = succeeded.to(client)

    assert status == 200
    order = models.Order.objects.get()
    payment.refresh_from_db()
    assert (payment.order, payment.checkout, payment.status) == (order, None, "charged")
    assert ledger() == [("charge", "success", Decimal("29.15"))]
    assert list(order.events.values_list("type", flat=True)) == ["placed", "payment_charged"]
    assert provider_events() == [("stripe", succeeded.id, "payment_intent.succeeded")]
    assert models.Checkout.objects.count() == 0
    before, asked = state(), len(fake.requests)

    again = succeeded.to(client)

    assert again == 200
    assert state() == before
    assert len(fake.requests) == asked


def intent_deliveries(fake, payment: models.Payment) -> list[Delivery]:
    """payment_intent.processing (Stripe's bank-side wait), then what the fake
    emitted when the shopper paid: charge.succeeded and payment_intent.succeeded."""
    processing = {**fake.intent(payment.psp_reference), "status": "processing"}
    return [
        Delivery(fake, "payment_intent.processing", processing),
        emitted(fake, payment, "charge.succeeded"),
        emitted(fake, payment, "payment_intent.succeeded"),
    ]


def refund_deliveries(fake, payment: models.Payment) -> list[Delivery]:
    created = emitted(fake, payment, "refund.created")
    refund = json.loads(created.payload)["data"]["object"]
    return [created, Delivery(fake, "refund.updated", refund)]


def pending_staff_refund(order: models.Order) -> models.PaymentTransaction:
    """Staff refunded 10.00 and Stripe answered "pending" (set by hand: the fake's
    refunds succeed at once); its webhook has not come yet."""
    [row] = services.order_refund(
        actor=StaffFactory(), order=order, amount=Decimal("10.00"), idempotency_key="r1"
    )
    models.PaymentTransaction.objects.filter(pk=row.pk).update(
        status=models.PaymentTransaction.Status.PENDING
    )
    return row


def check_every_event_applied_once(fake, *, parallel: bool) -> None:
    payment = paid_and_gone(fake)
    payments = intent_deliveries(fake, payment)

    answers = deliver_all(thrice_shuffled(payments, seed=1), parallel=parallel)

    assert answers == [200] * 9
    order = models.Order.objects.get()
    payment.refresh_from_db()
    assert payment.order == order
    assert payment.status == INTENT_STATUS[fake.intent(payment.psp_reference)["status"]]
    assert payment.status == "charged"
    assert ledger() == [("charge", "success", Decimal("29.15"))]
    # Committed transactions send the confirmation e-mail (once: one order).
    placed = ["placed", "payment_charged", *(["email_sent"] if parallel else [])]
    assert list(order.events.values_list("type", flat=True)) == placed
    assert sorted(provider_events()) == sorted(("stripe", d.id, d.type) for d in payments)

    row = pending_staff_refund(order)
    refunds = refund_deliveries(fake, payment)
    answers = deliver_all(thrice_shuffled([*refunds, *payments], seed=2), parallel=parallel)

    assert answers == [200] * 15
    row.refresh_from_db()
    assert (row.status, row.amount) == ("success", Decimal("10.00"))
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("10.00")),
    ]
    # The refund settled by the webhook is rectified once, its invoice e-mailed once.
    rectified = ["refunded", *(["email_sent"] if parallel else [])]
    assert list(order.events.values_list("type", flat=True)) == [*placed, *rectified]
    assert [(invoice.kind, invoice.total_gross) for invoice in order.invoices.order_by("pk")] == [
        ("F2", Decimal("29.15")),
        ("R5", Decimal("-10.00")),
    ]
    assert models.Order.objects.count() == 1
    assert sorted(provider_events()) == sorted(
        ("stripe", d.id, d.type) for d in [*payments, *refunds]
    )


def test_each_event_delivered_three_times_in_any_order_applies_once(fake):
    check_every_event_applied_once(fake, parallel=False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@parallel_needs_postgresql
def test_each_event_delivered_three_times_in_parallel_applies_once(fake):
    check_every_event_applied_once(fake, parallel=True)


@pytest.mark.parametrize("first", ["payment_intent.succeeded", "payment_intent.payment_failed"])
def test_a_failed_attempt_reported_out_of_order_does_not_undo_the_charge(client, fake, first):
    payment = started()
    fake.fail(payment.psp_reference)  # the first card was declined
    fake.succeed(payment.psp_reference, "pm_card_mastercard")  # the second one paid
    failed = emitted(fake, payment, "payment_intent.payment_failed")
    succeeded = emitted(fake, payment, "payment_intent.succeeded")
    deliveries = [failed, succeeded] if first == failed.type else [succeeded, failed]

    answers = [delivery.to(client) for delivery in deliveries]

    assert answers == [200, 200]
    order = models.Order.objects.get()
    payment.refresh_from_db()
    assert (payment.order, payment.status) == (order, "charged")
    assert ledger() == [("charge", "success", Decimal("29.15"))]
    assert list(order.events.values_list("type", flat=True)) == ["placed", "payment_charged"]
    assert provider_events() == [("stripe", d.id, d.type) for d in deliveries]


def test_a_payment_for_a_cart_changed_since_is_given_back(client, fake):
    payment = started()
    variant = payment.checkout.lines.get().variant
    services.checkout_lines_update(checkout=payment.checkout, lines=[(variant, 3)])
    fake.succeed(payment.psp_reference)  # the old tab's Stripe.js paid 29.15
    succeeded = emitted(fake, payment, "payment_intent.succeeded")

    status = succeeded.to(client)

    assert status == 200
    assert models.Order.objects.count() == 0
    assert [(r["amount"], r["payment_intent"]) for r in fake.refunds.values()] == [
        (2915, payment.psp_reference)
    ]
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("29.15")),
    ]


def test_an_event_about_an_intent_the_shop_does_not_know_changes_nothing(client, fake):
    stranger = fake.client().v1.payment_intents.create({"amount": 999, "currency": "eur"})
    fake.succeed(stranger.id)
    delivery = Delivery(fake, "payment_intent.succeeded", fake.intent(stranger.id))
    asked = len(fake.requests)

    status = delivery.to(client)

    assert status == 200
    assert models.Order.objects.count() == 0
    assert models.Payment.objects.count() == 0
    assert ledger() == []
    assert len(fake.requests) == asked
    assert provider_events() == [("stripe", delivery.id, "payment_intent.succeeded")]


def test_stripe_down_while_handling_answers_503_so_stripe_delivers_again(client, fake):
    payment = paid_and_gone(fake)
    succeeded = emitted(fake, payment, "payment_intent.succeeded")
    fake.fail_next(1, status=500, path=f"{INTENTS}/{payment.psp_reference}", method="GET")
    before = state()

    status = succeeded.to(client)

    assert status == 503
    assert state() == before
    assert provider_events() == []

    redelivered = succeeded.to(client)

    assert redelivered == 200
    assert models.Order.objects.count() == 1
    assert ledger() == [("charge", "success", Decimal("29.15"))]
    assert provider_events() == [("stripe", succeeded.id, "payment_intent.succeeded")]


# Disputes and charge.refunded: the handler reads the event's object with
# ``.get()``, which stripe-python's StripeObject (no longer a dict) refuses.


def placed_by_shopper(fake) -> tuple[models.Order, models.Payment]:
    payment = paid_and_gone(fake)
    order = services.checkout_complete(checkout=payment.checkout, actor=None)
    payment.refresh_from_db()
    return order, payment


def dispute(payment: models.Payment, fake) -> dict[str, Any]:
    intent = fake.intent(payment.psp_reference)
    return {
        "id": "dp_1",
        "object": "dispute",
        "amount": 2915,
        "currency": "eur",
        "charge": intent["latest_charge"],
        "payment_intent": intent["id"],
        "reason": "fraudulent",
        "status": "needs_response",
    }


def test_a_dispute_flags_the_order_once(client, fake):
    order, payment = placed_by_shopper(fake)
    opened = Delivery(fake, "charge.dispute.created", dispute(payment, fake))
    resent = Delivery(fake, "charge.dispute.created", dispute(payment, fake))

    answers = [opened.to(client), opened.to(client)]
    order.refresh_from_db()
    flagged_at = order.disputed_at
    answers.append(resent.to(client))

    assert answers == [200, 200, 200]
    order.refresh_from_db()
    assert flagged_at is not None
    assert order.disputed_at == flagged_at
    events = order.events.filter(type=models.OrderEvent.Type.DISPUTED)
    assert list(events.values_list("message", "data")) == [("fraudulent", {"amount": "2915"})]
    assert len(provider_events()) == 2


def test_charge_refunded_settles_a_pending_refund(client, fake):
    order, payment = placed_by_shopper(fake)
    row = pending_staff_refund(order)
    refunded = emitted(fake, payment, "charge.refunded")

    status = refunded.to(client)

    assert status == 200
    row.refresh_from_db()
    assert row.status == models.PaymentTransaction.Status.SUCCESS
    assert provider_events() == [("stripe", refunded.id, "charge.refunded")]


def test_a_late_refund_event_for_a_settled_refund_changes_nothing(client, fake):
    order, payment = placed_by_shopper(fake)
    services.order_refund(
        actor=StaffFactory(), order=order, amount=Decimal("10.00"), idempotency_key="r1"
    )
    [created] = refund_deliveries(fake, payment)[:1]
    before, asked = state(), len(fake.requests)

    status = created.to(client)

    assert status == 200
    recorded = [*before["provider events"], ("stripe", created.id, "refund.created")]
    assert state() == {**before, "provider events": recorded}
    assert len(fake.requests) == asked
