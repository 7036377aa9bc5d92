"""Water-bill orders (invoiced at each delivery) refunded before or across their
deliveries: the invoices follow what the customer is charged.

The order in every test: 2 x 12.10 at 21 %, 2 x 5.50 at 10 %, shipping 4.95 at
21 %; 40.15 in all (21 %: 29.15 with 5.06 IVA; 10 %: 11.00 with 1.00 IVA). Each
delivery ships one unit of each line; the first carries the shipping:
21 %: 17.05 (2.96 IVA), 10 %: 5.50 (0.50 IVA); the second 21 %: 12.10 (2.10),
10 %: 5.50 (0.50).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.models import Invoice, InvoiceLine, VerifactuRecord
from orders import services
from orders.invoicer import get_invoicer
from orders.models import Fulfillment, Order, PaymentTransaction
from orders.payments.memory import gateway
from shop.accounts.roles import ORDER_MANAGER
from tests.factories.invoicing import METHODS, amounts, variant_at, water_bill_order
from tests.factories.orders import staff_in_role

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def two_rate_water_bill_order() -> Order:
    order = water_bill_order([(variant_at("0.21", "12.10"), 2), (variant_at("0.10", "5.50"), 2)])
    assert order.total_gross == D("40.15")
    return order


def deliver_one_of_each(order: Order) -> Fulfillment:
    manager = staff_in_role(ORDER_MANAGER)
    return services.order_fulfill(
        actor=manager, order=order, quantities=[(line, 1) for line in order.lines.order_by("pk")]
    )


def refund(order: Order, amount: str, key: str = "k") -> PaymentTransaction:
    (row,) = services.order_refund(
        actor=staff_in_role(ORDER_MANAGER), order=order, amount=D(amount), idempotency_key=key
    )
    assert row.status == PaymentTransaction.Status.SUCCESS
    return row


def invoices(order: Order) -> list[tuple[str, D, list[tuple[D, D, D]]]]:
    """(kind, total, [(rate, base, tax)]) of each invoice of ``order``, in issue order."""
    return [
        (invoice.kind, invoice.total_gross, amounts(invoice))
        for invoice in order.invoices.order_by("pk")
    ]


def per_rate(order: Order) -> dict[D, tuple[D, D]]:
    """What the order's invoices add up to per rate: (base, tax)."""
    totals: dict[D, tuple[D, D]] = {}
    for _kind, _total, rows in invoices(order):
        for rate, base, tax in rows:
            before = totals.get(rate, (D(0), D(0)))
            totals[rate] = (before[0] + base, before[1] + tax)
    return totals


def test_a_partial_refund_before_delivery_is_taken_off_the_first_delivery_invoice():
    order = two_rate_water_bill_order()
    refund(order, "10.00")
    assert not Invoice.objects.exists()

    deliver_one_of_each(order)

    # 10.00 spread over 17.05 and 5.50 by largest remainder: 7.56 (1.31 IVA) and
    # 2.44 (0.22 IVA).
    assert invoices(order) == [
        (
            "F2",
            D("12.55"),
            [(D("21.00"), D("7.84"), D("1.65")), (D("10.00"), D("2.78"), D("0.28"))],
        ),
    ]
    credit_lines = [
        (line.order_line_id, line.quantity, line.tax_rate, line.total_gross, line.total_tax)
        for line in InvoiceLine.objects.filter(total_gross__lt=0)
    ]
    assert credit_lines == [
        (None, 1, D("21.00"), D("-7.56"), D("-1.31")),
        (None, 1, D("10.00"), D("-2.44"), D("-0.22")),
    ]

    deliver_one_of_each(order)

    assert invoices(order)[1] == (
        "F2",
        D("17.60"),
        [(D("21.00"), D("10.00"), D("2.10")), (D("10.00"), D("5.00"), D("0.50"))],
    )
    assert sum(total for _kind, total, _rows in invoices(order)) == D("30.15")
    assert per_rate(order) == {
        D("21.00"): (D("17.84"), D("3.75")),
        D("10.00"): (D("7.78"), D("0.78")),
    }
    assert VerifactuRecord.objects.count() == 2


def test_a_refund_larger_than_a_delivery_leaves_it_uninvoiced_and_reduces_the_next():
    order = two_rate_water_bill_order()
    refund(order, "30.00")

    deliver_one_of_each(order)

    assert not Invoice.objects.exists()

    deliver_one_of_each(order)

    # 30.00 - 22.55 = 7.45 left for the second delivery (17.60): 5.12 at 21 %
    # (0.89 IVA) and 2.33 at 10 % (0.21 IVA) taken off.
    assert invoices(order) == [
        (
            "F2",
            D("10.15"),
            [(D("21.00"), D("5.77"), D("1.21")), (D("10.00"), D("2.88"), D("0.29"))],
        ),
    ]
    assert VerifactuRecord.objects.count() == 1


def test_a_full_refund_before_delivery_gives_no_invoice_whatever_is_delivered_later():
    order = two_rate_water_bill_order()
    refund(order, "40.15")

    deliver_one_of_each(order)
    deliver_one_of_each(order)

    assert not Invoice.objects.exists()
    assert not VerifactuRecord.objects.exists()


def test_a_water_bill_order_refunded_in_full_and_cancelled_before_delivery_has_no_invoice():
    order = two_rate_water_bill_order()
    refund(order, "40.15")

    services.order_cancel(actor=staff_in_role(ORDER_MANAGER), order=order)

    assert not Invoice.objects.exists()
    assert not VerifactuRecord.objects.exists()


def test_a_refund_spanning_invoiced_and_uninvoiced_parts_rectifies_the_invoiced_and_nets_the_rest():
    order = two_rate_water_bill_order()
    deliver_one_of_each(order)

    refund(order, "30.00")

    assert invoices(order) == [
        (
            "F2",
            D("22.55"),
            [(D("21.00"), D("14.09"), D("2.96")), (D("10.00"), D("5.00"), D("0.50"))],
        ),
        (
            "R5",
            D("-22.55"),
            [(D("21.00"), D("-14.09"), D("-2.96")), (D("10.00"), D("-5.00"), D("-0.50"))],
        ),
    ]

    deliver_one_of_each(order)

    # 7.45 not rectified: 5.12 at 21 % (0.89 IVA) and 2.33 at 10 % (0.21 IVA).
    assert invoices(order)[2] == (
        "F2",
        D("10.15"),
        [(D("21.00"), D("5.77"), D("1.21")), (D("10.00"), D("2.88"), D("0.29"))],
    )
    assert sum(total for _kind, total, _rows in invoices(order)) == D("10.15")


def test_repeated_invoicer_calls_neither_double_a_credit_nor_an_invoice():
    order = two_rate_water_bill_order()
    row = refund(order, "10.00")
    first = deliver_one_of_each(order)
    second = deliver_one_of_each(order)
    before = invoices(order)
    assert [total for _kind, total, _rows in before] == [D("12.55"), D("17.60")]

    order = Order.objects.get(pk=order.pk)
    get_invoicer().order_refunded(order, row)
    get_invoicer().order_fulfilled(order, first)
    get_invoicer().order_fulfilled(order, second)
    refund(order, "10.00")  # the same key: the same refund

    assert invoices(order) == before
    assert VerifactuRecord.objects.count() == 2


def test_a_refund_after_every_delivery_is_rectified_and_nothing_is_netted_twice():
    order = two_rate_water_bill_order()
    refund(order, "10.00", key="before")
    deliver_one_of_each(order)
    deliver_one_of_each(order)

    refund(order, "30.15", key="after")

    kinds = [kind for kind, _total, _rows in invoices(order)]
    assert kinds == ["F2", "F2", "R5"]
    assert invoices(order)[2][1] == D("-30.15")
    assert per_rate(order) == {
        D("21.00"): (D("0.00"), D("0.00")),
        D("10.00"): (D("0.00"), D("0.00")),
    }
