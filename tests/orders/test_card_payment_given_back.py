"""A card payment that can no longer become an order is always given back.

Through the real pieces: the ``stripe`` SDK against the fake Stripe, /graphql/
for the shopper's steps and the signed webhook for Stripe's. For each way a
checkout with a started payment disappears (merged away at sign-in, deleted
with its account) and each way a paid checkout cannot be placed (stock gone,
product withdrawn, price changed), the money ends given back exactly once,
however often and in whatever order the webhooks come, and no order exists.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from catalog.models import Product, Stock
from orders import models, services
from shop.accounts import privacy
from tests.factories import UserFactory
from tests.factories.orders import ShippingMethodFactory, ready_checkout, stocked_variant
from tests.operations import operation
from tests.orders.test_card_webhooks import Delivery, deliver_all

pytestmark = pytest.mark.django_db

START = operation("storefront/CheckoutPaymentStart")
COMPLETE = operation("storefront/CheckoutComplete")
ATTACH = operation("storefront/CheckoutCustomerAttach")
DELETE = operation("storefront/AccountDelete")
INTENTS = "/v1/payment_intents"


@pytest.fixture
def fake(settings, stripe_settings):
    """The fake Stripe, with the shop's card route going to it."""
    settings.SHOP_PAYMENT_METHODS = {"card": "orders.payments.card.StripeCardPaymentMethod"}
    return stripe_settings


def two_bottles(user=None) -> models.Checkout:
    """2 x 12.10 plus 4.95 shipping: 29.15 EUR."""
    variant = stocked_variant(quantity=10, price="12.10")
    return ready_checkout(
        lines=[(variant, 2)], user=user, method=ShippingMethodFactory(price="4.95")
    )


def start(gql, checkout: models.Checkout, user=None) -> models.Payment:
    body = gql(START, {"input": {"token": str(checkout.token), "method": "CARD"}}, user=user)
    assert body["data"]["checkoutPaymentStart"]["errors"] == []
    return models.Payment.objects.get(checkout=checkout)


def complete(gql, checkout: models.Checkout) -> dict[str, Any]:
    body = gql(COMPLETE, {"input": {"token": str(checkout.token)}})
    payload: dict[str, Any] = body["data"]["checkoutComplete"]
    return payload


def attach(gql, checkout: models.Checkout, user) -> dict[str, Any]:
    body = gql(ATTACH, {"input": {"token": str(checkout.token)}}, user=user)
    payload: dict[str, Any] = body["data"]["checkoutCustomerAttach"]
    return payload


def delete_account(gql, user) -> dict[str, Any]:
    token = privacy.deletion_tokens.make_token(user)
    payload: dict[str, Any] = gql(DELETE, {"token": token}, user=user)["data"]["accountDelete"]
    return payload


def deliver(fake, payment: models.Payment, types: list[str], *, seed: int) -> list[int]:
    """Every event the fake emitted for the payment's intent of ``types``, each
    three times, shuffled; the answers."""
    events = [
        event
        for event in fake.webhook_payloads_for(payment.psp_reference)
        if event["type"] in types
    ]
    assert sorted({event["type"] for event in events}) == sorted(types)
    deliveries = events * 3
    random.Random(seed).shuffle(deliveries)
    client = Client()
    answers = []
    for event in deliveries:
        payload, signature = fake.webhook(event["type"], event["data"]["object"])
        response = client.post(
            "/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature},
        )
        answers.append(response.status_code)
    return answers


def ledger() -> list[tuple[str, str, Decimal]]:
    rows = models.PaymentTransaction.objects.order_by("pk")
    return list(rows.values_list("kind", "status", "amount"))


def refunds(fake) -> list[tuple[int, str]]:
    return [(r["amount"], r["payment_intent"]) for r in fake.refunds.values()]


def cancels(fake, payment: models.Payment) -> int:
    return len(fake.requests_to(f"{INTENTS}/{payment.psp_reference}/cancel", "POST"))


def payment_state(payment: models.Payment) -> tuple[Any, ...]:
    payment.refresh_from_db()
    return (payment.status, payment.checkout_id, payment.order_id)


def assert_refunded_once(fake, payment: models.Payment, checkout_id: int | None = None) -> None:
    """Charged 29.15, refunded 29.15 once at Stripe, counted cancelled, no order."""
    assert payment_state(payment) == ("cancelled", checkout_id, None)
    assert refunds(fake) == [(2915, payment.psp_reference)]
    assert ledger() == [
        ("charge", "success", Decimal("29.15")),
        ("refund", "success", Decimal("29.15")),
    ]
    assert models.Order.objects.count() == 0


def held() -> int:
    """Units reserved or allocated anywhere."""
    allocated = sum(Stock.objects.values_list("allocated", flat=True))
    reserved = sum(models.Reservation.objects.values_list("quantity", flat=True))
    return reserved + allocated


# Sign-in merging a guest cart whose payment started.


def test_a_started_guest_payment_merged_away_at_sign_in_is_cancelled_at_once(gql, fake):
    customer = UserFactory()
    own = services.checkout_create(user=customer, lines=[(stocked_variant(), 1)])
    guest = two_bottles()
    payment = start(gql, guest)

    payload = attach(gql, guest, customer)

    assert payload["errors"] == []
    assert payload["checkout"]["token"] == str(own.token)
    assert payment_state(payment) == ("cancelled", None, None)
    assert fake.intent(payment.psp_reference)["status"] == "canceled"
    assert cancels(fake, payment) == 1
    # The shopper's old tab can no longer pay it.
    with pytest.raises(Exception, match="canceled"):
        fake.succeed(payment.psp_reference)

    answers = deliver(fake, payment, ["payment_intent.canceled"], seed=1)

    assert answers == [200] * 3
    assert payment_state(payment) == ("cancelled", None, None)
    assert ledger() == []
    assert refunds(fake) == []
    assert cancels(fake, payment) == 1
    assert models.Order.objects.count() == 0


def test_a_guest_cart_paid_then_merged_at_sign_in_is_refunded_once_whatever_comes(gql, fake):
    customer = UserFactory()
    services.checkout_create(user=customer, lines=[(stocked_variant(), 1)])
    guest = two_bottles()
    payment = start(gql, guest)
    fake.succeed(payment.psp_reference)  # paid; the webhook has not come yet

    payload = attach(gql, guest, customer)

    assert payload["errors"] == []
    assert payment_state(payment) == ("cancelled", None, None)
    assert refunds(fake) == [(2915, payment.psp_reference)]

    answers = deliver(
        fake,
        payment,
        ["charge.succeeded", "payment_intent.succeeded", "refund.created"],
        seed=2,
    )

    assert answers == [200] * 9
    assert_refunded_once(fake, payment)


# Account deletion with a cart whose payment started.


def test_deleting_the_account_cancels_its_carts_started_payment(gql, fake):
    customer = UserFactory()
    checkout = two_bottles(user=customer)
    payment = start(gql, checkout, user=customer)
    assert held() == 2

    payload = delete_account(gql, customer)

    assert payload == {"deleted": True, "errors": []}
    assert payment_state(payment) == ("cancelled", None, None)
    assert fake.intent(payment.psp_reference)["status"] == "canceled"
    assert held() == 0

    answers = deliver(fake, payment, ["payment_intent.canceled"], seed=3)

    assert answers == [200] * 3
    assert payment_state(payment) == ("cancelled", None, None)
    assert (ledger(), refunds(fake), cancels(fake, payment)) == ([], [], 1)
    assert models.Order.objects.count() == 0


def test_a_payment_stripe_could_not_cancel_at_account_deletion_is_refunded_by_the_webhook(
    gql, fake
):
    # given: Stripe did not answer the cancel; the account was deleted all the
    # same, and the shopper's open tab paid the orphaned intent
    payment = orphaned_and_paid(gql, fake)
    assert payment_state(payment) == ("pending", None, None)
    assert held() == 0

    answers = deliver(fake, payment, ["charge.succeeded", "payment_intent.succeeded"], seed=4)

    # then: given back once, never an order
    assert answers == [200] * 6
    assert_refunded_once(fake, payment)


def orphaned_and_paid(gql, fake) -> models.Payment:
    """A payment whose cart went with its account (Stripe did not answer the
    cancel), then paid by the shopper's open tab."""
    customer = UserFactory()
    payment = start(gql, two_bottles(user=customer), user=customer)
    fake.fail_next(1, status=500, path=f"{INTENTS}/{payment.psp_reference}", method="GET")
    assert delete_account(gql, customer) == {"deleted": True, "errors": []}
    fake.succeed(payment.psp_reference)
    return payment


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel needs PostgreSQL")
def test_an_orphaned_payment_delivered_in_parallel_is_refunded_once(gql, fake):
    payment = orphaned_and_paid(gql, fake)
    events = [
        Delivery.of(fake, event)
        for event in fake.webhook_payloads_for(payment.psp_reference)
        if event["type"] in ("charge.succeeded", "payment_intent.succeeded")
    ]

    answers = deliver_all(events * 3, parallel=True)

    assert answers == [200] * 6
    assert_refunded_once(fake, payment)


# checkoutComplete on a paid checkout that cannot become an order.


def _stock_gone(checkout: models.Checkout) -> None:
    variant = checkout.lines.get().variant
    Stock.objects.filter(variant=variant).update(quantity=1)


def _withdrawn(checkout: models.Checkout) -> None:
    Product.objects.filter(variants__checkout_lines__checkout=checkout).update(is_published=False)


def _price_changed(checkout: models.Checkout) -> None:
    variant = checkout.lines.get().variant
    type(variant).objects.filter(pk=variant.pk).update(price=Decimal("13.10"))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_stock_gone, "INSUFFICIENT_STOCK"),
        (_withdrawn, "PRODUCT_UNAVAILABLE"),
        (_price_changed, "PAYMENT_OUTDATED"),
    ],
    ids=["stock gone", "product withdrawn", "price changed"],
)
def test_a_paid_checkout_that_cannot_be_placed_is_refunded_at_once_and_only_once(
    gql, fake, change, code
):
    checkout = two_bottles()
    payment = start(gql, checkout)
    fake.succeed(payment.psp_reference)
    change(checkout)

    refused = complete(gql, checkout)

    assert refused["order"] is None
    assert [e["code"] for e in refused["errors"]] == [code]
    assert_refunded_once(fake, payment, checkout.pk)

    # when: things come back, then the webhooks and a retry come
    Stock.objects.update(quantity=10)
    Product.objects.update(is_published=True)
    type(checkout.lines.get().variant).objects.update(price=Decimal("12.10"))
    answers = deliver(fake, payment, ["charge.succeeded", "payment_intent.succeeded"], seed=5)
    again = complete(gql, checkout)

    # then: no order on money given back; the shopper pays again
    assert answers == [200] * 6
    assert [e["code"] for e in again["errors"]] == ["PAYMENT_NOT_STARTED"]
    assert_refunded_once(fake, payment, checkout.pk)
