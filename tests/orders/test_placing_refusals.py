"""Placing an order refuses (stock, promo code) before its first write, so a
refused completion leaves no trace of the order without a savepoint to roll
back: the charge stays on the ledger and is given back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Stock
from orders import models, services
from orders.errors import CheckoutErrorCode
from orders.payments.memory import gateway
from tests.factories.orders import ready_checkout, stocked_variant

pytestmark = pytest.mark.django_db

ORDER_TABLES = ("orders_order", "orders_orderline", "orders_allocation", "invoicing_invoice")


@pytest.fixture(autouse=True)
def _gateway():
    gateway.reset()
    yield
    gateway.reset()


def test_stock_gone_at_completion_writes_nothing_of_the_order():
    # given: a paid checkout whose hold expired, and another buyer took the last unit
    variant = stocked_variant(quantity=1)
    first = ready_checkout(lines=[(variant, 1)])
    second = ready_checkout(lines=[(variant, 1)])
    services.checkout_payment_start(checkout=first, method_code="card")
    models.Reservation.objects.all().delete()  # as if it expired
    services.checkout_payment_start(checkout=second, method_code="card")
    taken = services.checkout_complete(checkout=second, actor=None)

    # when
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        services.checkout_complete(checkout=first, actor=None)

    # then: refused before any write of the order (no savepoint), the charge given back
    assert {e.code for errors in refused.value.error_dict.values() for e in errors} == {
        CheckoutErrorCode.INSUFFICIENT_STOCK
    }
    written = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert not [sql for sql in written if any(f'"{table}"' in sql for table in ORDER_TABLES)]
    assert not [sql for sql in written if '"catalog_stock"' in sql]
    assert not [q for q in queries.captured_queries if q["sql"].startswith("ROLLBACK")]
    assert list(models.Order.objects.values_list("pk", flat=True)) == [taken.pk]
    assert Stock.objects.get(variant=variant).allocated == 1
    assert models.Checkout.objects.filter(pk=first.pk, lines__variant=variant).exists()
    payment = models.Payment.objects.get(checkout=first)
    assert payment.status == models.Payment.Status.CANCELLED
    assert sorted(payment.transactions.values_list("kind", "status", "amount")) == [
        ("charge", "success", payment.amount),
        ("refund", "success", payment.amount),
    ]
