"""Stock reservations while a shopper pays, their expiry, and stock given back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from strawberry import relay

from catalog.models import Stock
from orders import models, services
from orders.tasks import reservations_release_expired
from shop.celery import app
from tests.factories.orders import place_order, ready_checkout, stocked_variant
from tests.operations import operation

pytestmark = pytest.mark.django_db


def codes(payload):
    return [error["code"] for error in payload["errors"]]


def start_payment(gql, checkout):
    return gql(
        operation("storefront/CheckoutPaymentStart"),
        {"input": {"token": str(checkout.token), "method": "CARD"}},
    )["data"]["checkoutPaymentStart"]


def create_with(gql, variant, quantity):
    line = {"variantId": relay.to_base64("ProductVariant", variant.pk), "quantity": quantity}
    return gql(
        operation("storefront/CheckoutCreate"),
        {"input": {"email": "otro@example.com", "lines": [line]}},
    )["data"]["checkoutCreate"]


def update_lines(gql, checkout, variant, quantity):
    line = {"variantId": relay.to_base64("ProductVariant", variant.pk), "quantity": quantity}
    return gql(
        operation("storefront/CheckoutLinesUpdate"),
        {"input": {"token": str(checkout.token), "lines": [line]}},
    )["data"]["checkoutLinesUpdate"]


def reserved(checkout):
    return list(
        models.Reservation.objects.filter(line__checkout=checkout).values_list(
            "stock__variant_id", "quantity"
        )
    )


def test_payment_start_reserves_the_units_until_the_configured_expiry(gql):
    variant = stocked_variant(quantity=2)
    payer = ready_checkout(lines=[(variant, 2)])
    before = timezone.now()

    assert start_payment(gql, payer)["errors"] == []

    reservation = models.Reservation.objects.get()
    assert (reservation.line.checkout_id, reservation.quantity) == (payer.pk, 2)
    minutes = timedelta(minutes=settings.SHOP_RESERVATION_MINUTES)
    assert before + minutes <= reservation.expires_at <= timezone.now() + minutes
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.allocated) == (2, 0)


def test_reserved_units_cannot_be_added_or_paid_by_another_checkout(gql):
    variant = stocked_variant(quantity=2)
    payer = ready_checkout(lines=[(variant, 2)])
    other = ready_checkout(lines=[(variant, 1)], email="otra@example.com")
    assert start_payment(gql, payer)["errors"] == []

    created = create_with(gql, variant, 1)
    started = start_payment(gql, other)

    assert (created["checkout"], codes(created)) == (None, ["INSUFFICIENT_STOCK"])
    assert (started["payment"], codes(started)) == (None, ["INSUFFICIENT_STOCK"])
    assert models.Checkout.objects.count() == 2
    assert reserved(other) == []
    assert not models.Payment.objects.filter(checkout=other).exists()


def test_an_expired_reservation_frees_the_units_without_any_task_running(gql):
    variant = stocked_variant(quantity=2)
    payer = ready_checkout(lines=[(variant, 2)])
    other = ready_checkout(lines=[(variant, 2)], email="otra@example.com")
    assert start_payment(gql, payer)["errors"] == []
    models.Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    started = start_payment(gql, other)

    assert started["errors"] == []
    assert reserved(payer) == [(variant.pk, 2)]  # still there: nothing deleted it
    assert reserved(other) == [(variant.pk, 2)]
    completed = gql(
        operation("storefront/CheckoutComplete"), {"input": {"token": str(payer.token)}}
    )["data"]["checkoutComplete"]
    assert (completed["order"], codes(completed)) == (None, ["INSUFFICIENT_STOCK"])


def test_the_release_task_deletes_only_expired_reservations_and_returns_how_many():
    variant = stocked_variant(quantity=10)
    expired = [ready_checkout(lines=[(variant, 1)]) for _ in range(2)]
    live = ready_checkout(lines=[(variant, 3)])
    for checkout in [*expired, live]:
        services.checkout_payment_start(checkout=checkout, method_code="card")
    models.Reservation.objects.filter(line__checkout__in=expired).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert reservations_release_expired.delay().get() == 2

    assert [reserved(checkout) for checkout in expired] == [[], []]
    assert reserved(live) == [(variant.pk, 3)]
    assert reservations_release_expired.delay().get() == 0
    assert models.Reservation.objects.count() == 1


def test_beat_runs_the_release_task_every_minute():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    assert schedule[reservations_release_expired.name] == 60.0
    assert reservations_release_expired.name in app.tasks


def test_removing_a_line_after_payment_start_drops_its_reservation(gql):
    variant = stocked_variant(quantity=2)
    payer = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, payer)["errors"] == []

    assert update_lines(gql, payer, variant, 0)["errors"] == []

    assert reserved(payer) == []
    assert create_with(gql, variant, 2)["errors"] == []


def test_lowering_a_quantity_after_payment_start_gives_the_reservation_back(gql):
    variant = stocked_variant(quantity=2)
    payer = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, payer)["errors"] == []

    assert update_lines(gql, payer, variant, 1)["errors"] == []

    assert reserved(payer) == []
    assert create_with(gql, variant, 1)["errors"] == []
    completed = gql(
        operation("storefront/CheckoutComplete"), {"input": {"token": str(payer.token)}}
    )["data"]["checkoutComplete"]
    assert (completed["order"], codes(completed)) == (None, ["PAYMENT_OUTDATED"])


def test_adding_a_line_after_payment_start_gives_the_reservation_back(gql):
    variant, extra = stocked_variant(quantity=2), stocked_variant(quantity=5)
    payer = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, payer)["errors"] == []

    added = gql(
        operation("storefront/CheckoutLinesAdd"),
        {
            "input": {
                "token": str(payer.token),
                "lines": [
                    {"variantId": relay.to_base64("ProductVariant", extra.pk), "quantity": 1}
                ],
            }
        },
    )["data"]["checkoutLinesAdd"]

    assert added["errors"] == []
    assert reserved(payer) == []
    assert create_with(gql, variant, 2)["errors"] == []


def test_paying_again_after_a_cart_change_replaces_the_reservation(gql):
    variant = stocked_variant(quantity=2)
    payer = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, payer)["errors"] == []
    assert update_lines(gql, payer, variant, 1)["errors"] == []

    assert start_payment(gql, payer)["errors"] == []

    assert reserved(payer) == [(variant.pk, 1)]
    assert create_with(gql, variant, 1)["errors"] == []


def test_cancelling_an_order_gives_its_allocated_stock_back(gql):
    variant = stocked_variant(quantity=2)
    order = place_order(lines=[(variant, 2)])
    assert codes(create_with(gql, variant, 1)) == ["INSUFFICIENT_STOCK"]

    cancelled = gql(operation("storefront/OrderCancel"), {"input": {"token": str(order.token)}})[
        "data"
    ]["orderCancel"]

    assert (cancelled["errors"], cancelled["order"]["status"]) == ([], "CANCELLED")
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.allocated) == (2, 0)
    assert not models.Allocation.objects.exists()
    assert create_with(gql, variant, 2)["errors"] == []
