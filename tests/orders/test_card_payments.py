"""Card payments with Stripe PaymentIntents, against the fake Stripe over HTTP.

The real ``stripe`` SDK talks to ``tests/fake_stripe.py``; faults (5xx, time-outs
before and after Stripe processed the request, connection resets) are injected
there. The shop's client gives up after 1 s and never retries by itself, so
every retry here is the shopper's or the staff member's, with the key the shop
stored before calling.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from catalog.models import Stock
from orders import models, selectors, services
from orders.payments.memory import gateway
from shop.accounts import roles
from tests.factories import StaffFactory
from tests.factories.orders import (
    ShippingMethodFactory,
    gid,
    ready_checkout,
    staff_in_role,
    stocked_variant,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

START = operation("storefront/CheckoutPaymentStart")
COMPLETE = operation("storefront/CheckoutComplete")
CHECKOUT = operation("storefront/Checkout")
REFUND = operation("staff/OrderRefund")
CANCEL = operation("storefront/OrderCancel")
INTENTS = "/v1/payment_intents"


def in_spanish(message: str) -> str:
    with translation.override("es"):
        return gettext(message)


@pytest.fixture
def fake(settings, stripe_settings):
    """The fake Stripe, with the shop's card route going to it."""
    settings.SHOP_PAYMENT_METHODS = {"card": "orders.payments.card.StripeCardPaymentMethod"}
    return stripe_settings


def error(field: str | None, code: str, message: str) -> dict[str, Any]:
    with translation.override("es"):
        return {"field": field, "code": code, "message": gettext(message)}


GATEWAY_UNAVAILABLE = error(
    None,
    "GATEWAY_UNAVAILABLE",
    "The payment service did not answer. Please try again in a moment.",
)
PAYMENT_PENDING = error(None, "PAYMENT_PENDING", "The payment is not finished yet.")


def two_bottles() -> models.Checkout:
    """2 x 12.10 plus 4.95 shipping: 29.15 EUR."""
    variant = stocked_variant(quantity=10, price="12.10")
    return ready_checkout(lines=[(variant, 2)], method=ShippingMethodFactory(price="4.95"))


def start(gql, checkout: models.Checkout) -> dict[str, Any]:
    body = gql(START, {"input": {"token": str(checkout.token), "method": "CARD"}})
    payload: dict[str, Any] = body["data"]["checkoutPaymentStart"]
    return payload


def complete(gql, token: Any) -> dict[str, Any]:
    payload: dict[str, Any] = gql(COMPLETE, {"input": {"token": str(token)}})["data"][
        "checkoutComplete"
    ]
    return payload


def payment_of(checkout: models.Checkout) -> models.Payment:
    return models.Payment.objects.get(checkout=checkout)


def card_order(fake) -> models.Order:
    """A card order of 29.15 EUR the shopper paid at Stripe."""
    checkout = two_bottles()
    payment, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    fake.succeed(payment.psp_reference)
    return services.checkout_complete(checkout=checkout, actor=None)


def ledger() -> list[tuple[str, str, Decimal]]:
    rows = models.PaymentTransaction.objects.order_by("pk")
    return list(rows.values_list("kind", "status", "amount"))


def creates(fake) -> list[Any]:
    return [r for r in fake.requests_to(INTENTS, "POST") if r.path == INTENTS]


def refund_posts(fake) -> list[Any]:
    return fake.requests_to("/v1/refunds", "POST")


def staff_refund(gql, order: models.Order, amount: str, key: str, user) -> dict[str, Any]:
    input = {"id": gid("Order", order.pk), "amount": amount, "idempotencyKey": key}
    payload: dict[str, Any] = gql(REFUND, {"input": input}, user=user)["data"]["orderRefund"]
    return payload


def deliver(client: Client, fake, type: str, obj: dict[str, Any]) -> int:
    payload, signature = fake.webhook(type, obj)
    response = client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )
    return int(response.status_code)


# The happy path.


def test_a_shopper_pays_by_card_and_the_order_is_placed_once(gql, fake):
    checkout = two_bottles()

    started = start(gql, checkout)

    assert started["errors"] == []
    payment = payment_of(checkout)
    [intent] = fake.intents.values()
    assert payment.psp_reference == intent["id"]
    assert (intent["amount"], intent["currency"], intent["status"]) == (
        2915,
        "eur",
        "requires_payment_method",
    )
    assert intent["metadata"] == {"payment": str(payment.pk), "checkout": str(checkout.token)}
    assert started["payment"] == {
        "method": "CARD",
        "status": "pending",
        "amount": {"amount": "29.15", "currency": "EUR"},
        "clientData": {"clientSecret": intent["client_secret"], "publishableKey": "pk_test_fake"},
    }
    assert [r.idempotency_key for r in creates(fake)] == [
        f"checkout:{checkout.token}:card:1:v{checkout.version}"
    ]

    early = complete(gql, checkout.token)

    assert early == {"order": None, "errors": [PAYMENT_PENDING]}
    assert models.Order.objects.count() == 0
    assert ledger() == []

    fake.succeed(intent["id"])
    placed = complete(gql, checkout.token)

    assert placed["errors"] == []
    assert placed["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert placed["order"]["totalCharged"] == {"amount": "29.15"}
    assert placed["order"]["paymentMethod"] == "card"
    order = models.Order.objects.get()
    assert placed["order"]["id"] == gid("Order", order.pk)
    assert ledger() == [("charge", "success", Decimal("29.15"))]
    assert models.PaymentTransaction.objects.get().psp_reference == intent["id"]

    again = complete(gql, checkout.token)

    assert again["errors"] == []
    assert again["order"]["id"] == placed["order"]["id"]
    assert models.Order.objects.count() == 1
    assert ledger() == [("charge", "success", Decimal("29.15"))]
    assert len(fake.intents) == 1
    assert len(fake.charges) == 1


def test_a_cart_change_updates_the_same_intent_with_a_new_key(gql, fake):
    variant = stocked_variant(quantity=10, price="12.10")
    checkout = ready_checkout(lines=[(variant, 2)], method=ShippingMethodFactory(price="4.95"))
    assert start(gql, checkout)["errors"] == []
    [intent_id] = fake.intents
    first_version = checkout.version

    checkout = services.checkout_lines_update(checkout=checkout, lines=[(variant, 3)])
    restarted = start(gql, checkout)

    assert restarted["errors"] == []
    assert restarted["payment"]["amount"] == {"amount": "41.25", "currency": "EUR"}
    assert list(fake.intents) == [intent_id]
    assert fake.intent(intent_id)["amount"] == 4125
    assert len(creates(fake)) == 1
    update = fake.requests_to(f"{INTENTS}/{intent_id}", "POST")
    assert [r.params["amount"] for r in update] == ["4125"]
    base = f"checkout:{checkout.token}:card:1"
    assert [r.idempotency_key for r in creates(fake)] == [f"{base}:v{first_version}"]
    assert [r.idempotency_key for r in update] == [f"{base}:v{checkout.version}"]
    assert checkout.version != first_version
    assert models.Payment.objects.count() == 1

    fake.succeed(intent_id)
    placed = complete(gql, checkout.token)

    assert placed["order"]["totalCharged"] == {"amount": "41.25"}
    assert ledger() == [("charge", "success", Decimal("41.25"))]


def test_three_d_secure_waits_for_the_shopper_then_completes(gql, fake):
    checkout = two_bottles()
    start(gql, checkout)
    payment = payment_of(checkout)
    fake.require_action(payment.psp_reference)

    waiting = complete(gql, checkout.token)

    assert waiting == {"order": None, "errors": [PAYMENT_PENDING]}
    payment.refresh_from_db()
    assert payment.status == models.Payment.Status.ACTION_REQUIRED
    assert models.Order.objects.count() == 0
    assert ledger() == []

    fake.succeed(payment.psp_reference, "pm_card_threeDSecure2Required")
    placed = complete(gql, checkout.token)

    assert placed["errors"] == []
    assert placed["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert ledger() == [("charge", "success", Decimal("29.15"))]


def test_a_declined_card_leaves_the_checkout_unpaid_and_may_be_retried(gql, fake):
    checkout = two_bottles()
    start(gql, checkout)
    payment = payment_of(checkout)
    fake.fail(payment.psp_reference)

    declined = complete(gql, checkout.token)

    # Stripe puts the intent back in requires_payment_method: the shopper may try
    # another card on the same intent, so the shop keeps waiting.
    assert fake.intent(payment.psp_reference)["status"] == "requires_payment_method"
    assert declined == {"order": None, "errors": [PAYMENT_PENDING]}
    payment.refresh_from_db()
    assert payment.status == models.Payment.Status.PENDING
    assert models.Order.objects.count() == 0
    assert ledger() == []
    assert models.Checkout.objects.filter(pk=checkout.pk).exists()

    fake.succeed(payment.psp_reference, "pm_card_mastercard")
    placed = complete(gql, checkout.token)

    assert placed["errors"] == []
    assert ledger() == [("charge", "success", Decimal("29.15"))]


# Faults when the payment starts.


def _fail(fake) -> None:
    fake.fail_next(1, status=500, path=INTENTS, method="POST")


def _time_out(fake) -> None:
    fake.timeout_next(1, path=INTENTS, method="POST", seconds=1.5)


def _reset(fake) -> None:
    fake.reset_next(1, path=INTENTS, method="POST")


@pytest.mark.parametrize("fault", [_fail, _time_out, _reset], ids=["5xx", "timeout", "reset"])
def test_stripe_failing_at_payment_start_is_retried_with_the_same_key(gql, fake, fault):
    checkout = two_bottles()
    fault(fake)

    failed = start(gql, checkout)

    assert failed == {"payment": None, "checkout": None, "errors": [GATEWAY_UNAVAILABLE]}
    assert fake.intents == {}
    payment = payment_of(checkout)
    assert (payment.status, payment.psp_reference) == (models.Payment.Status.PENDING, "")
    assert models.Order.objects.count() == 0
    assert ledger() == []

    retried = start(gql, checkout)

    assert retried["errors"] == []
    [intent_id] = fake.intents
    key = f"checkout:{checkout.token}:card:1:v{checkout.version}"
    assert [r.idempotency_key for r in creates(fake)] == [key, key]
    assert fake.idempotent_replays == 0
    assert payment_of(checkout).psp_reference == intent_id
    assert models.Payment.objects.count() == 1


def test_completing_after_a_start_stripe_never_answered_is_not_a_decline(gql, fake):
    checkout = two_bottles()
    fake.fail_next(1, status=500, path=INTENTS, method="POST")
    assert start(gql, checkout)["errors"] == [GATEWAY_UNAVAILABLE]
    asked = len(fake.requests)

    refused = complete(gql, checkout.token)

    # Either "not finished" or "start the payment first" is true; "declined" is not.
    assert [e["code"] for e in refused["errors"]] in (["PAYMENT_PENDING"], ["PAYMENT_NOT_STARTED"])
    assert len(fake.requests) == asked
    assert payment_of(checkout).status == models.Payment.Status.PENDING
    assert models.Order.objects.count() == 0


def test_a_time_out_after_stripe_created_the_intent_reuses_it_on_retry(gql, fake):
    checkout = two_bottles()
    fake.timeout_next(1, after_processing=True, path=INTENTS, method="POST", seconds=1.5)

    failed = start(gql, checkout)

    assert failed["errors"] == [GATEWAY_UNAVAILABLE]
    [intent_id] = fake.intents
    assert payment_of(checkout).psp_reference == ""

    retried = start(gql, checkout)

    assert retried["errors"] == []
    assert list(fake.intents) == [intent_id]
    assert fake.idempotent_replays == 1
    key = f"checkout:{checkout.token}:card:1:v{checkout.version}"
    assert [r.idempotency_key for r in creates(fake)] == [key, key]
    assert (
        retried["payment"]["clientData"]["clientSecret"] == fake.intent(intent_id)["client_secret"]
    )
    assert payment_of(checkout).psp_reference == intent_id

    fake.succeed(intent_id)
    assert complete(gql, checkout.token)["errors"] == []
    assert models.Order.objects.count() == 1
    assert ledger() == [("charge", "success", Decimal("29.15"))]


@pytest.mark.parametrize("then", ["shopper retries", "webhook"])
def test_a_time_out_at_completion_ends_in_one_paid_order(gql, client, fake, then):
    checkout = two_bottles()
    start(gql, checkout)
    payment = payment_of(checkout)
    fake.succeed(payment.psp_reference)
    fake.timeout_next(1, path=f"{INTENTS}/{payment.psp_reference}", method="GET", seconds=1.5)

    failed = complete(gql, checkout.token)

    assert failed == {"order": None, "errors": [GATEWAY_UNAVAILABLE]}
    assert models.Order.objects.count() == 0
    assert ledger() == []

    if then == "webhook":
        assert (
            deliver(client, fake, "payment_intent.succeeded", fake.intent(payment.psp_reference))
            == 200
        )
        assert models.Order.objects.count() == 1
    retried = complete(gql, checkout.token)

    order = models.Order.objects.get()
    assert retried["errors"] == []
    assert retried["order"]["id"] == gid("Order", order.pk)
    assert retried["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert ledger() == [("charge", "success", Decimal("29.15"))]
    assert len(fake.charges) == 1


# Refunds.


def test_staff_refund_part_then_the_rest_through_stripe(gql, fake):
    order = card_order(fake)
    manager = staff_in_role(roles.ORDER_MANAGER)
    intent_id = order.payments.get().psp_reference

    part = staff_refund(gql, order, "10.00", "first", manager)

    assert part["errors"] == []
    assert part["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert part["order"]["totalRefunded"] == {"amount": "10.00"}
    assert [(r["amount"], r["payment_intent"]) for r in fake.refunds.values()] == [
        (1000, intent_id)
    ]

    rest = staff_refund(gql, order, "19.15", "second", manager)

    assert rest["errors"] == []
    assert rest["order"]["paymentStatus"] == "FULLY_REFUNDED"
    assert rest["order"]["totalRefunded"] == {"amount": "29.15"}
    assert sorted(r["amount"] for r in fake.refunds.values()) == [1000, 1915]
    [charge] = fake.charges.values()
    assert (charge["amount_refunded"], charge["refunded"]) == (2915, True)
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("10.00")),
        ("refund", "success", Decimal("19.15")),
    ]
    payment = order.payments.get()
    assert [r.idempotency_key for r in refund_posts(fake)] == [
        f"{payment.idempotency_key}:refund:staff:first:0",
        f"{payment.idempotency_key}:refund:staff:second:0",
    ]
    assert [e["type"] for e in rest["order"]["events"]].count("REFUNDED") == 2


def test_a_refund_beyond_what_is_left_is_refused_without_calling_stripe(gql, fake):
    order = card_order(fake)
    manager = staff_in_role(roles.ORDER_MANAGER)
    assert staff_refund(gql, order, "10.00", "first", manager)["errors"] == []
    events = list(order.events.values_list("type", flat=True))

    refused = staff_refund(gql, order, "19.16", "second", manager)

    assert refused == {
        "order": None,
        "errors": [
            error(
                "amount",
                "REFUND_EXCEEDS_PAYMENT",
                "The refund exceeds what was paid and not yet refunded.",
            )
        ],
    }
    assert len(refund_posts(fake)) == 1
    assert len(fake.refunds) == 1
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("10.00")),
    ]
    assert list(order.events.values_list("type", flat=True)) == events


def test_a_double_clicked_refund_refunds_once(gql, fake):
    order = card_order(fake)
    manager = staff_in_role(roles.ORDER_MANAGER)

    first = staff_refund(gql, order, "10.00", "click", manager)
    second = staff_refund(gql, order, "10.00", "click", manager)

    assert first["errors"] == second["errors"] == []
    assert second["order"]["totalRefunded"] == {"amount": "10.00"}
    assert len(refund_posts(fake)) == 1
    assert [r["amount"] for r in fake.refunds.values()] == [1000]
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("10.00")),
    ]
    assert order.events.filter(type=models.OrderEvent.Type.REFUNDED).count() == 1


def test_stripe_failing_a_refund_leaves_it_pending_and_the_retry_refunds_once(gql, fake):
    order = card_order(fake)
    manager = staff_in_role(roles.ORDER_MANAGER)
    fake.fail_next(1, status=500, path="/v1/refunds", method="POST")

    failed = staff_refund(gql, order, "10.00", "once", manager)

    # Stripe may or may not have made it: pending, counted as refunded, retried by key.
    assert failed["errors"] == [
        {
            "field": None,
            "code": "GATEWAY_UNAVAILABLE",
            "message": in_spanish("No answer from the payment service yet; retry to settle it."),
        }
    ]
    assert failed["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert failed["order"]["totalRefunded"] == {"amount": "10.00"}
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "pending", Decimal("10.00")),
    ]
    assert fake.refunds == {}

    retried = staff_refund(gql, order, "10.00", "once", manager)

    assert retried["errors"] == []
    assert retried["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert retried["order"]["events"][-1]["type"] == "REFUNDED"
    assert [r["amount"] for r in fake.refunds.values()] == [1000]
    keys = {r.idempotency_key for r in refund_posts(fake)}
    assert keys == {f"{order.payments.get().idempotency_key}:refund:staff:once:0"}
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("10.00")),
    ]


def test_a_refund_that_timed_out_after_stripe_made_it_is_not_lost(gql, fake):
    order = card_order(fake)
    manager = staff_in_role(roles.ORDER_MANAGER)
    fake.timeout_next(1, after_processing=True, path="/v1/refunds", method="POST", seconds=1.5)
    assert [e["code"] for e in staff_refund(gql, order, "10.00", "a", manager)["errors"]] == [
        "GATEWAY_UNAVAILABLE"
    ]

    staff_refund(gql, order, "10.00", "b", manager)  # staff try again from a fresh form

    [charge] = fake.charges.values()
    assert selectors.payment_balance(order).refunded * 100 == charge["amount_refunded"]


def test_cancelling_a_card_order_refunds_it_in_full_at_stripe(gql, fake):
    order = card_order(fake)
    payment = order.payments.get()

    cancelled = gql(CANCEL, {"input": {"token": str(order.token)}})["data"]["orderCancel"]

    assert cancelled["errors"] == []
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["paymentStatus"] == "FULLY_REFUNDED"
    assert cancelled["order"]["totalRefunded"] == {"amount": "29.15"}
    assert [(r["amount"], r["payment_intent"]) for r in fake.refunds.values()] == [
        (2915, payment.psp_reference)
    ]
    assert [r.idempotency_key for r in refund_posts(fake)] == [
        f"{payment.idempotency_key}:refund:cancel"
    ]
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("29.15")),
    ]


def test_stock_gone_after_the_shopper_paid_refunds_the_charge_once(gql, fake):
    variant = stocked_variant(quantity=2, price="12.10")
    checkout = ready_checkout(lines=[(variant, 2)], method=ShippingMethodFactory(price="4.95"))
    start(gql, checkout)
    payment = payment_of(checkout)
    fake.succeed(payment.psp_reference)
    Stock.objects.filter(variant=variant).update(quantity=1)  # a broken bottle, counted

    refused = complete(gql, checkout.token)
    again = complete(gql, checkout.token)

    assert refused["order"] is None
    assert [e["code"] for e in refused["errors"]] == ["INSUFFICIENT_STOCK"]
    assert again == refused
    assert models.Order.objects.count() == 0
    assert [(r["amount"], r["payment_intent"]) for r in fake.refunds.values()] == [
        (2915, payment.psp_reference)
    ]
    assert [r.idempotency_key for r in refund_posts(fake)] == [
        f"{payment.idempotency_key}:refund:unplaced"
    ]
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("29.15")),
    ]


# Without Stripe keys.


@pytest.fixture
def development_card(settings):
    settings.SHOP_PAYMENT_METHODS = {"card": "orders.payments.memory.DevelopmentCardPaymentMethod"}
    gateway.reset()
    yield
    gateway.reset()


def card_option(gql, checkout: models.Checkout) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = gql(CHECKOUT, {"token": str(checkout.token)})["data"][
        "checkout"
    ]["availablePaymentMethods"]
    return options


def test_without_stripe_keys_the_card_is_refused_in_production(gql, settings, development_card):
    settings.DEBUG = False
    checkout = two_bottles()

    options = card_option(gql, checkout)
    refused = start(gql, checkout)

    with translation.override("es"):
        name, reason = (
            gettext("Development card (no real payment)"),
            gettext("Card payments are not available right now."),
        )
    assert options == [{"code": "CARD", "name": name, "eligible": False, "reason": reason}]
    assert refused == {
        "payment": None,
        "checkout": None,
        "errors": [error("method", "PAYMENT_METHOD_NOT_AVAILABLE", reason)],
    }
    assert models.Payment.objects.count() == 0
    assert models.Reservation.objects.count() == 0
    assert gateway.payments == {}


def test_without_stripe_keys_the_development_card_works_in_debug(gql, settings, development_card):
    settings.DEBUG = True
    checkout = two_bottles()

    options = card_option(gql, checkout)
    started = start(gql, checkout)
    placed = complete(gql, checkout.token)

    with translation.override("es"):
        name = gettext("Development card (no real payment)")
    assert options == [{"code": "CARD", "name": name, "eligible": True, "reason": None}]
    assert started["errors"] == []
    assert placed["errors"] == []
    assert placed["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert len(gateway.payments) == 1


# Two staff members refunding with one key at the same moment.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks: needs PostgreSQL"
)
def test_one_refund_key_from_two_threads_refunds_once(fake):
    order = card_order(fake)
    manager = StaffFactory()
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def refund() -> None:
        try:
            barrier.wait(timeout=5)
            rows = services.order_refund(
                actor=manager, order=order, amount=Decimal("10.00"), idempotency_key="twice"
            )
            results.append([(row.kind, row.status, row.amount) for row in rows])
        except Exception as exc:  # reported by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert results == [[("refund", "success", Decimal("10.00"))]] * 2
    assert len(refund_posts(fake)) == 1
    assert [r["amount"] for r in fake.refunds.values()] == [1000]
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("10.00")),
    ]
    assert order.events.filter(type=models.OrderEvent.Type.REFUNDED).count() == 1
