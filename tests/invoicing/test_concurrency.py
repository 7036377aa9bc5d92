"""Orders placed at once, on real parallel connections: fifty F2 invoices numbered
1..50 without a gap (and ten F1 in their own series), one valid chain of records. PostgreSQL only:
SQLite has no row locks to queue on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from invoicing.models import Invoice, InvoiceSeries, VerifactuRecord
from orders import models
from orders.payments.memory import gateway
from tests.factories.invoicing import METHODS
from tests.factories.orders import ShippingMethodFactory, stocked_variant
from tests.orders.test_concurrency import buy, outcome, ready_checkouts, top_level_errors
from tests.parallel import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()
    yield
    gateway.reset()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite ignores row locks: parallel numbering needs PostgreSQL",
)
def test_fifty_orders_placed_in_parallel_get_fifty_invoices_numbered_without_a_gap():
    variant = stocked_variant(quantity=60)
    checkouts = ready_checkouts(60, [(variant, 1)], method=ShippingMethodFactory())
    # Ten buyers give a tax id: F1 invoices, another series, the same chain. They
    # buy another article, so that no stock row lock queues them with the others.
    companies = [checkout.pk for checkout in checkouts[50:]]
    models.Checkout.objects.filter(pk__in=companies).update(
        billing_address={**checkouts[0].billing_address, "tax_id": "B12345674"}
    )
    models.CheckoutLine.objects.filter(checkout__in=companies).update(
        variant=stocked_variant(quantity=10, price=str(variant.price))
    )

    results = run_together([buy(str(checkout.token)) for checkout in checkouts])

    assert top_level_errors(results) == []
    assert all(isinstance(outcome(answers), str) for answers in results)
    assert models.Order.objects.count() == 60
    year = timezone.now().year
    invoices = list(Invoice.objects.filter(kind="F2").order_by("number"))
    assert [invoice.number for invoice in invoices] == list(range(1, 51))
    assert [invoice.full_number for invoice in invoices] == [
        f"F2-{year}-{number:06d}" for number in range(1, 51)
    ]
    full = Invoice.objects.filter(kind="F1").order_by("number")
    assert [invoice.number for invoice in full] == list(range(1, 11))
    assert sorted(Invoice.objects.values_list("order_id", flat=True)) == sorted(
        models.Order.objects.values_list("pk", flat=True)
    )
    assert InvoiceSeries.objects.get(kind="F2", year=year).next_number == 51
    assert InvoiceSeries.objects.get(kind="F1", year=year).next_number == 11
    positions = VerifactuRecord.objects.order_by("position").values_list("position", flat=True)
    assert list(positions) == list(range(1, 61))
    out = StringIO()
    call_command("invoice_chain_verify", stdout=out)
    assert out.getvalue() == "60 records, chain valid\n"
