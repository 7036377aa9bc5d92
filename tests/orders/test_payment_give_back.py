"""payment_give_back: the one path that releases an authorisation or refunds a
charge, whoever calls it (a superseded start, an unplaced checkout, a cancelled
order). Repeats are safe: with the gateway switched off, a repeat that asked the
provider anything would raise."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orders import models, services
from orders.errors import CheckoutErrorCode
from orders.payments.base import GatewayUnavailable, PaymentStatus, RefundStatus
from orders.payments.keys import RefundReason
from orders.payments.memory import gateway
from orders.selectors import payment_balance, payment_refundable
from orders.services.payments import payment_give_back
from tests.factories.orders import place_order, ready_checkout

pytestmark = pytest.mark.django_db

Kind = models.PaymentTransaction.Kind


def started_payment(outcome: str) -> models.Payment:
    """A checkout's payment started at the memory gateway and confirmed as ``outcome``."""
    checkout = ready_checkout()
    payment, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    gateway.outcome = outcome
    services.payment_confirm(payment)
    return payment


def test_a_charge_given_back_twice_is_refunded_once():
    payment = started_payment("charged")

    first = payment_give_back(payment=payment, reason=RefundReason.UNPLACED, actor=None)
    gateway.unavailable = True
    again = payment_give_back(payment=payment, reason=RefundReason.UNPLACED, actor=None)

    assert first is not None
    assert again == first
    key = f"{payment.idempotency_key}:refund:unplaced"
    assert (first.idempotency_key, first.status, first.amount) == (
        key,
        RefundStatus.SUCCESS,
        payment.amount,
    )
    assert gateway.refunds == {f"{payment.psp_reference}:{key}": payment.amount}
    assert payment.transactions.filter(kind=Kind.REFUND).count() == 1
    assert payment_refundable(payment) == Decimal(0)


def test_an_authorisation_given_back_is_released_and_a_repeat_asks_nothing():
    payment = started_payment("authorized")

    first = payment_give_back(payment=payment, reason=RefundReason.SUPERSEDED, actor=None)
    gateway.unavailable = True
    again = payment_give_back(payment=payment, reason=RefundReason.SUPERSEDED, actor=None)

    assert (first, again) == (None, None)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    assert gateway.cancelled == {payment.psp_reference}
    assert gateway.refunds == {}
    assert not payment.transactions.filter(kind=Kind.REFUND).exists()


def test_a_refund_never_answered_is_retried_with_its_key_by_the_next_give_back():
    payment = started_payment("charged")
    gateway.unavailable = True
    with pytest.raises(GatewayUnavailable):
        payment_give_back(payment=payment, reason=RefundReason.SUPERSEDED, actor=None)
    pending = payment.transactions.get(kind=Kind.REFUND)
    assert (pending.status, pending.psp_reference, gateway.refunds) == (
        RefundStatus.PENDING,
        "",
        {},
    )

    gateway.unavailable = False
    refund = payment_give_back(payment=payment, reason=RefundReason.SUPERSEDED, actor=None)

    assert refund is not None
    assert (refund.pk, refund.status, refund.amount) == (
        pending.pk,
        RefundStatus.SUCCESS,
        payment.amount,
    )
    assert list(gateway.refunds.values()) == [payment.amount]


def test_a_payment_never_started_at_the_provider_is_left_alone():
    checkout = ready_checkout()
    gateway.unavailable = True
    with pytest.raises(ValidationError) as exc:
        services.checkout_payment_start(checkout=checkout, method_code="card")
    assert exc.value.code == CheckoutErrorCode.GATEWAY_UNAVAILABLE
    payment = checkout.payments.get()
    assert payment.psp_reference == ""

    result = payment_give_back(payment=payment, reason=RefundReason.SUPERSEDED, actor=None)

    assert result is None
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert not payment.transactions.exists()


def test_an_orders_payment_given_back_twice_leaves_one_refunded_event():
    order = place_order()
    payment = order.payments.get()

    payment_give_back(payment=payment, reason=RefundReason.CANCELLED, actor=None)
    payment_give_back(payment=payment, reason=RefundReason.CANCELLED, actor=None)

    events = order.events.filter(type=models.OrderEvent.Type.REFUNDED)
    assert [event.data for event in events] == [{"amount": str(order.total_gross)}]
    assert payment_balance(order).refundable == Decimal(0)


def test_an_orders_refund_the_provider_does_not_answer_is_an_event_for_staff():
    order = place_order()
    payment = order.payments.get()
    gateway.unavailable = True

    with pytest.raises(GatewayUnavailable):
        payment_give_back(payment=payment, reason=RefundReason.CANCELLED, actor=None)

    events = order.events.filter(
        type__in=[models.OrderEvent.Type.REFUNDED, models.OrderEvent.Type.REFUND_FAILED]
    )
    assert [(event.type, event.message, event.data) for event in events] == [
        (
            models.OrderEvent.Type.REFUND_FAILED,
            "The in-memory gateway is switched off.",
            {"payment": payment.pk},
        )
    ]


def test_one_payments_refundable_follows_the_orders_ledger_rule():
    order = place_order()
    payment = order.payments.get()
    for status, amount in [("pending", "1.00"), ("failed", "2.00"), ("success", "3.00")]:
        models.PaymentTransaction.objects.create(
            payment=payment,
            kind=Kind.REFUND,
            status=status,
            amount=Decimal(amount),
            idempotency_key=f"test:{status}",
        )

    assert payment_refundable(payment) == order.total_gross - Decimal("4.00")
    assert payment_balance(order).refundable == payment_refundable(payment)


def test_the_stored_statuses_are_the_interfaces():
    assert set(models.Payment.Status.values) == {status.value for status in PaymentStatus}
    assert set(models.PaymentTransaction.Status.values) == {status.value for status in RefundStatus}
