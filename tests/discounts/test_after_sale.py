"""Discounted orders after the sale: refunds (card and water bill, full and
partial), claims, installments, cancellations and invoices all work from the
discounted amounts, never from the catalogue's.

The order in every test: 3 x 12.10 at 21 % with a promotion of 2.10 off each
(10.00 each), 2 x 5.50 at 10 %, the code AGUA10 (10 % off the order after
promotions: 4.10, spread 3.00 / 1.10), shipping 4.95 at 21 %. Lines 27.00
(IVA 4.69) and 9.90 (IVA 0.90), 41.85 in all; per rate 21 %: 31.95 (IVA
5.55), 10 %: 9.90 (IVA 0.90). Undiscounted it would be 52.25.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from billing_bridge.models import BillCharge
from discounts import services as discounts
from discounts.models import VoucherUsage
from invoicing.models import Invoice
from orders import services
from orders.errors import OrderErrorCode
from orders.models import Claim, Order, PaymentTransaction
from orders.payments.memory import gateway
from orders.selectors import ChargeStatus, payment_balance
from orders.services import claims
from shop.accounts.roles import ORDER_MANAGER
from tests.billing_bridge.test_water_bill_payment import linked_customer
from tests.discounts.factories import PromotionFactory, voucher_with_code
from tests.factories.invoicing import METHODS, amounts, variant_at
from tests.factories.orders import ready_checkout, staff_in_role

pytestmark = pytest.mark.django_db

TOTAL = D("41.85")
PER_RATE = {D("21.00"): (D("26.40"), D("5.55")), D("10.00"): (D("9.00"), D("0.90"))}


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def _discounted_checkout(user=None):
    general = variant_at("0.21", "12.10")
    reduced = variant_at("0.10", "5.50")
    PromotionFactory(products=[general.product], value_type="fixed", value=D("2.10"))
    voucher_with_code("AGUA10", value=D("10"))
    checkout = ready_checkout(lines=[(general, 3), (reduced, 2)], user=user)
    return discounts.checkout_promo_code_add(checkout=checkout, promo_code="AGUA10")


def card_order() -> Order:
    checkout = _discounted_checkout()
    services.checkout_payment_start(checkout=checkout, method_code="card")
    order = services.checkout_complete(checkout=checkout, actor=None)
    assert (order.total_gross, order.discount_gross) == (TOTAL, D("10.40"))
    return order


def water_bill_order(installments: int) -> Order:
    user, _contract = linked_customer()
    checkout = _discounted_checkout(user=user)
    services.checkout_payment_start(
        checkout=checkout,
        method_code="water_bill",
        options={"contract": "100200300", "installments": installments},
    )
    order = services.checkout_complete(checkout=checkout, actor=user)
    assert order.total_gross == TOTAL
    return order


def refund(order: Order, amount: str, key: str) -> list[PaymentTransaction]:
    return services.order_refund(
        actor=staff_in_role(ORDER_MANAGER), order=order, amount=D(amount), idempotency_key=key
    )


def ship_all(order: Order) -> None:
    services.order_fulfill(
        actor=staff_in_role(ORDER_MANAGER),
        order=order,
        quantities=[(line, line.quantity) for line in order.lines.order_by("pk")],
    )


def per_rate(order: Order) -> dict[D, tuple[D, D]]:
    """What the order's invoices add up to per rate: (base, tax)."""
    totals: dict[D, tuple[D, D]] = {}
    for invoice in order.invoices.order_by("pk"):
        for rate, base, tax in amounts(invoice):
            before = totals.get(rate, (D(0), D(0)))
            totals[rate] = (before[0] + base, before[1] + tax)
    return {rate: figures for rate, figures in totals.items() if figures != (D(0), D(0))}


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


# Card.


def test_a_card_order_is_refunded_in_full_at_its_discounted_total_and_no_cent_more():
    order = card_order()

    (row,) = refund(order, "41.85", "all")

    assert (row.status, row.amount) == ("success", TOTAL)
    balance = payment_balance(order)
    assert (balance.charged, balance.refunded, balance.status) == (
        TOTAL,
        TOTAL,
        ChargeStatus.FULLY_REFUNDED,
    )
    rows = PaymentTransaction.objects.count()
    with pytest.raises(ValidationError) as refused:
        refund(order, "0.01", "one-more")
    assert _codes(refused.value) == {"amount": [OrderErrorCode.REFUND_EXCEEDS_PAYMENT]}
    assert PaymentTransaction.objects.count() == rows
    # The invoice and its rectificativa leave nothing standing at any rate.
    assert [invoice.total_gross for invoice in order.invoices.order_by("pk")] == [TOTAL, -TOTAL]
    assert per_rate(order) == {}


def test_the_undiscounted_total_cannot_be_refunded():
    order = card_order()

    with pytest.raises(ValidationError) as refused:
        refund(order, "52.25", "catalogue-price")

    assert _codes(refused.value) == {"amount": [OrderErrorCode.REFUND_EXCEEDS_PAYMENT]}
    assert not PaymentTransaction.objects.filter(kind="refund").exists()
    assert order.invoices.count() == 1


def test_a_partial_card_refund_is_rectified_over_the_discounted_bases():
    order = card_order()

    refund(order, "10.00", "part")

    # 10.00 spread over 31.95 (21 %) and 9.90 (10 %): 7.63 and 2.37, IVA inside
    # each rounded half up: 1.32 and 0.22.
    rectificativa = order.invoices.get(kind__in=["R5", "R1"])
    assert amounts(rectificativa) == [
        (D("21.00"), D("-6.31"), D("-1.32")),
        (D("10.00"), D("-2.15"), D("-0.22")),
    ]
    assert rectificativa.total_gross == D("-10.00")
    assert payment_balance(order).refundable == D("31.85")
    (row,) = refund(order, "31.85", "rest")
    assert row.amount == D("31.85")
    assert per_rate(order) == {}


def test_cancelling_a_card_order_refunds_exactly_what_was_paid():
    order = card_order()

    services.order_cancel(actor=staff_in_role(ORDER_MANAGER), order=order)

    refunds = PaymentTransaction.objects.filter(kind="refund")
    assert [(row.status, row.amount) for row in refunds] == [("success", TOTAL)]
    assert per_rate(order) == {}


# Water bill.


def test_installments_add_up_to_the_discounted_total_exactly():
    order = water_bill_order(installments=6)

    charges = list(BillCharge.objects.order_by("sequence"))

    # 41.85 / 6 = 6.975: the first three carry the leftover cents.
    assert [charge.amount for charge in charges] == [D("6.98")] * 3 + [D("6.97")] * 3
    assert sum(charge.amount for charge in charges) == TOTAL == order.payments.get().amount


def test_a_partial_water_bill_refund_cancels_installments_and_credits_the_rest():
    order = water_bill_order(installments=6)

    refund(order, "10.00", "part")

    rows = list(
        BillCharge.objects.order_by("kind", "sequence").values_list("kind", "amount", "status")
    )
    assert rows == [
        ("credit", D("-3.03"), "pending"),
        *[("installment", D("6.98"), "pending")] * 3,
        ("installment", D("6.97"), "pending"),
        ("installment", D("6.97"), "pending"),
        ("installment", D("6.97"), "cancelled"),
    ]
    assert payment_balance(order).refundable == D("31.85")


def test_a_water_bill_order_is_refunded_in_full_at_its_discounted_total_and_no_cent_more():
    order = water_bill_order(installments=3)

    refund(order, "41.85", "all")

    assert set(BillCharge.objects.values_list("status", flat=True)) == {"cancelled"}
    assert payment_balance(order).status == ChargeStatus.FULLY_REFUNDED
    charges = BillCharge.objects.count()
    with pytest.raises(ValidationError) as refused:
        refund(order, "0.01", "one-more")
    assert _codes(refused.value) == {"amount": [OrderErrorCode.REFUND_EXCEEDS_PAYMENT]}
    assert BillCharge.objects.count() == charges


def test_cancelling_a_water_bill_order_cancels_every_installment():
    order = water_bill_order(installments=3)

    services.order_cancel(actor=staff_in_role(ORDER_MANAGER), order=order)

    assert sorted(BillCharge.objects.values_list("amount", "status")) == [
        (D("13.95"), "cancelled"),
        (D("13.95"), "cancelled"),
        (D("13.95"), "cancelled"),
    ]
    assert payment_balance(order).refunded == TOTAL


def test_water_bill_delivery_invoices_add_up_to_the_orders_discounted_bases():
    order = water_bill_order(installments=1)
    general, reduced = order.lines.order_by("pk")
    manager = staff_in_role(ORDER_MANAGER)

    services.order_fulfill(actor=manager, order=order, quantities=[(general, 2), (reduced, 1)])
    services.order_fulfill(actor=manager, order=order, quantities=[(general, 1), (reduced, 1)])

    first, second = order.invoices.order_by("pk")
    # 2/3 of 27.00 (IVA 4.69 -> 3.13) with the shipping; 1/2 of 9.90 (IVA 0.45).
    assert amounts(first) == [
        (D("21.00"), D("18.96"), D("3.99")),
        (D("10.00"), D("4.50"), D("0.45")),
    ]
    assert amounts(second) == [
        (D("21.00"), D("7.44"), D("1.56")),
        (D("10.00"), D("4.50"), D("0.45")),
    ]
    assert per_rate(order) == PER_RATE
    assert first.total_gross + second.total_gross == TOTAL


# Claims.


def _claim(order: Order) -> Claim:
    ship_all(order)
    general = order.lines.order_by("pk").first()
    return claims.claim_create(
        actor=None,
        order=order,
        reason=Claim.Reason.DAMAGED,
        description="Llegó roto.",
        lines=[(general, 1)],
    )


def test_a_claim_refund_is_capped_at_what_was_paid_not_the_catalogue_price():
    order = card_order()
    claim = _claim(order)
    manager = staff_in_role(ORDER_MANAGER)

    with pytest.raises(ValidationError) as refused:
        claims.claim_resolve(
            actor=manager,
            claim=claim,
            resolution=Claim.Resolution.REFUND,
            message="Le devolvemos el importe.",
            refund_amount=D("41.86"),
        )
    assert _codes(refused.value) == {"refundAmount": [OrderErrorCode.REFUND_EXCEEDS_PAYMENT]}
    claim.refresh_from_db()
    assert (claim.status, claim.refund_amount) == ("open", None)
    assert not PaymentTransaction.objects.filter(kind="refund").exists()

    # The unit as paid: 27.00 / 3 = 9.00 (12.10 in the catalogue).
    claims.claim_resolve(
        actor=manager,
        claim=claim,
        resolution=Claim.Resolution.REFUND,
        message="Le devolvemos el importe.",
        refund_amount=D("9.00"),
    )

    claim.refresh_from_db()
    assert (claim.status, claim.refund_amount) == ("resolved", D("9.00"))
    assert payment_balance(order).refundable == D("32.85")
    rectificativa = order.invoices.get(kind__in=["R5", "R1"])
    assert rectificativa.total_gross == D("-9.00")


def test_a_claim_on_a_water_bill_order_refunds_as_a_credit_within_what_was_charged():
    order = water_bill_order(installments=1)
    claim = _claim(order)

    claims.claim_resolve(
        actor=staff_in_role(ORDER_MANAGER),
        claim=claim,
        resolution=Claim.Resolution.REFUND,
        message="Le abonamos el importe en el recibo.",
        refund_amount=D("9.00"),
    )

    # The one installment (41.85) is more than 9.00: it stays, the 9.00 is a credit.
    assert sorted(BillCharge.objects.values_list("kind", "amount", "status")) == [
        ("credit", D("-9.00"), "pending"),
        ("installment", D("41.85"), "pending"),
    ]
    assert payment_balance(order).refundable == D("32.85")


def test_a_claim_replacement_is_free_and_uses_no_code_again():
    order = card_order()
    claim = _claim(order)

    claim = claims.claim_resolve(
        actor=staff_in_role(ORDER_MANAGER),
        claim=claim,
        resolution=Claim.Resolution.REPLACEMENT,
        message="Le enviamos otro.",
    )

    replacement = claim.replacement_order
    assert (
        replacement.total_gross,
        replacement.discount_gross,
        replacement.voucher_code,
    ) == (D("0.00"), D("0.00"), "")
    assert [
        (line.quantity, line.unit_price_gross, line.total_gross, line.discount_gross)
        for line in replacement.lines.all()
    ] == [(1, D("0.00"), D("0.00"), D("0.00"))]
    assert not Invoice.objects.filter(order=replacement).exists()
    assert list(VoucherUsage.objects.values_list("order", "status")) == [(order.pk, "used")]
    assert not PaymentTransaction.objects.filter(kind="refund").exists()
