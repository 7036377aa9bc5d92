"""A voucher's usage limit under parallel checkouts, through /graphql/ on real
parallel connections (PostgreSQL): with 10 uses left and 50 buyers paying at
once, exactly 10 hold a use and are able to complete; the other 40 are told
VOUCHER_USED_UP on promoCode before any payment is started."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.test import Client

from discounts.models import VoucherUsage
from discounts.services import checkout_promo_code_add
from orders import models
from orders.payments.memory import gateway
from tests.discounts.factories import voucher_with_code
from tests.factories.orders import ready_checkout, stocked_variant
from tests.operations import operation
from tests.orders.test_concurrency import needs_row_locks, post
from tests.parallel import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, needs_row_locks]

START = operation("storefront/CheckoutPaymentStart")
COMPLETE = operation("storefront/CheckoutComplete")
BUYERS = 50
USES_LEFT = 10


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = {"card": "orders.payments.memory.InMemoryPaymentMethod"}
    gateway.reset()
    yield
    gateway.reset()


def test_ten_uses_left_and_fifty_buyers_make_exactly_ten_orders_with_the_code():
    voucher = voucher_with_code("AGUA10", usage_limit=USES_LEFT + 5)
    # Five uses are gone already: 10 left.
    VoucherUsage.objects.bulk_create(
        VoucherUsage(
            voucher=voucher,
            code=voucher.codes.get(),
            checkout_token=f"00000000-0000-0000-0000-{index:012d}",
            email=f"earlier{index}@example.com",
            status=VoucherUsage.Status.USED,
        )
        for index in range(5)
    )
    tokens = []
    for index in range(BUYERS):
        # Each buyer its own variant: no stock row to queue on, only the voucher.
        variant = stocked_variant(quantity=1, price="12.10")
        checkout = ready_checkout(lines=[(variant, 1)], email=f"buyer{index}@example.com")
        checkout_promo_code_add(checkout=checkout, promo_code="AGUA10")
        tokens.append(str(checkout.token))

    def start(token: str):
        def job(client: Client):
            return post(client, START, {"input": {"token": token, "method": "CARD"}})

        return job

    answers = run_together([start(token) for token in tokens])

    outcomes = Counter()
    paying = []
    for token, answer in zip(tokens, answers, strict=True):
        assert answer.top_level_errors == []
        payload = answer.payload("checkoutPaymentStart")
        if payload["errors"]:
            assert [(e["field"], e["code"]) for e in payload["errors"]] == [
                ("promoCode", "VOUCHER_USED_UP")
            ]
            assert payload["payment"] is None
            outcomes["refused"] += 1
        else:
            assert payload["payment"]["amount"]["amount"] == "15.84"  # 12.10 - 1.21 + 4.95
            outcomes["paying"] += 1
            paying.append(token)
    assert outcomes == {"paying": USES_LEFT, "refused": BUYERS - USES_LEFT}
    # Those told "used up" started no payment and hold no stock.
    refused = set(tokens) - set(paying)
    assert not models.Payment.objects.filter(checkout__token__in=refused).exists()
    assert not models.Reservation.objects.filter(line__checkout__token__in=refused).exists()

    for token in paying:
        answer = post(Client(), COMPLETE, {"input": {"token": token}})
        assert answer.payload("checkoutComplete")["errors"] == []

    orders = models.Order.objects.filter(voucher_code="AGUA10")
    assert orders.count() == USES_LEFT
    assert {order.discount_gross for order in orders} == {Decimal("1.21")}
    used = VoucherUsage.objects.filter(voucher=voucher, status=VoucherUsage.Status.USED)
    assert used.count() == USES_LEFT + 5
    assert used.exclude(order=None).count() == USES_LEFT
