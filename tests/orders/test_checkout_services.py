"""The checkout's services: cart rules, payment start, completion, orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Stock
from orders import models, services
from orders.errors import CheckoutErrorCode
from orders.payments.memory import gateway
from orders.selectors import ChargeStatus, checkout_summary, payment_balance
from tests.factories.orders import place_order, ready_checkout, stocked_variant

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {error.code for errors in exc.error_dict.values() for error in errors}


def test_paid_checkout_becomes_an_order_with_frozen_lines_and_allocated_stock():
    variant = stocked_variant(quantity=5, price="12.10")
    order = place_order(lines=[(variant, 2)])
    assert order.number == f"TA-{order.pk:06d}"
    line = order.lines.get()
    assert (line.quantity, line.unit_price_gross, line.total_gross) == (
        2,
        Decimal("12.10"),
        Decimal("24.20"),
    )
    assert order.total_gross == Decimal("24.20") + Decimal("4.95")
    assert Stock.objects.get(variant=variant).allocated == 2
    assert payment_balance(order).status == ChargeStatus.FULLY_CHARGED
    assert not models.Checkout.objects.exists()


def test_completing_twice_returns_the_same_order():
    checkout = ready_checkout()
    services.checkout_payment_start(checkout=checkout, method_code="card")
    first = services.checkout_complete(checkout=checkout, actor=None)
    again = services.checkout_complete(checkout=checkout, actor=None)
    assert again.pk == first.pk
    assert models.Order.objects.count() == 1
    assert models.PaymentTransaction.objects.count() == 1


def test_adding_more_than_the_free_stock_is_refused():
    variant = stocked_variant(quantity=2)
    checkout = services.checkout_create(user=None)
    with pytest.raises(ValidationError) as exc:
        services.checkout_lines_add(checkout=checkout, lines=[(variant, 3)])
    assert codes(exc.value) == {CheckoutErrorCode.INSUFFICIENT_STOCK}
    assert not checkout.lines.exists()


def test_cart_change_after_payment_start_outdates_the_payment():
    checkout = ready_checkout()
    services.checkout_payment_start(checkout=checkout, method_code="card")
    services.checkout_email_update(checkout=checkout, email="otra@example.com")
    with pytest.raises(ValidationError) as exc:
        services.checkout_complete(checkout=checkout, actor=None)
    assert exc.value.code == CheckoutErrorCode.PAYMENT_OUTDATED
    assert not models.Order.objects.exists()


def test_stock_gone_at_completion_refunds_the_charge():
    variant = stocked_variant(quantity=1)
    first = ready_checkout(lines=[(variant, 1)])
    second = ready_checkout(lines=[(variant, 1)])
    services.checkout_payment_start(checkout=first, method_code="card")
    models.Reservation.objects.all().delete()  # as if it expired
    services.checkout_payment_start(checkout=second, method_code="card")
    services.checkout_complete(checkout=second, actor=None)
    with pytest.raises(ValidationError) as exc:
        services.checkout_complete(checkout=first, actor=None)
    assert codes(exc.value) == {CheckoutErrorCode.INSUFFICIENT_STOCK}
    payment = models.Payment.objects.get(checkout=first)
    kinds = sorted(payment.transactions.values_list("kind", "status", "amount"))
    assert kinds == [("charge", "success", payment.amount), ("refund", "success", payment.amount)]
    assert gateway.refunded(payment.psp_reference) == payment.amount


def test_cancel_releases_stock_and_refunds():
    variant = stocked_variant(quantity=3)
    order = place_order(lines=[(variant, 2)])
    services.order_cancel(actor=order.user, order=order)
    order.refresh_from_db()
    assert order.status == models.Order.Status.CANCELLED
    assert Stock.objects.get(variant=variant).allocated == 0
    assert payment_balance(order).status == ChargeStatus.FULLY_REFUNDED


def test_fulfill_in_two_parts(django_user_model):
    variant = stocked_variant(quantity=3)
    order = place_order(lines=[(variant, 3)])
    staff = django_user_model.objects.create_user(
        email="staff@example.com", password="x", is_staff=True
    )
    line = order.lines.get()
    services.order_fulfill(actor=staff, order=order, quantities=[(line, 1)], tracking_number="TRK1")
    order.refresh_from_db()
    assert order.status == models.Order.Status.PARTIALLY_FULFILLED
    services.order_fulfill(actor=staff, order=order, quantities=[(line, 2)])
    order.refresh_from_db()
    stock = Stock.objects.get(variant=variant)
    assert (order.status, stock.quantity, stock.allocated) == ("fulfilled", 0, 0)
    with pytest.raises(ValidationError):
        services.order_cancel(actor=staff, order=order)


def test_summary_totals_add_up():
    checkout = ready_checkout(lines=[(stocked_variant(price="3.33"), 3)])
    totals = checkout_summary(checkout).totals
    assert totals.total_gross == Decimal("9.99") + Decimal("4.95")


def test_large_totals_pass_the_database_check_on_every_backend():
    # 2 x 1234.10 + 4.95 is 2473.1499... in binary floating point (SQLite's arithmetic).
    order = place_order(lines=[(stocked_variant(price="1234.10"), 2)])
    order.refresh_from_db()
    assert order.total_gross == Decimal("2473.15")


def test_starting_again_after_a_cart_change_updates_the_unpaid_payment():
    variant = stocked_variant(quantity=5, price="10.00")
    checkout = ready_checkout(lines=[(variant, 1)])
    gateway.outcome = "pending"  # the shopper has not paid yet
    first, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    services.checkout_lines_update(checkout=checkout, lines=[(variant, 2)])
    again, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    assert (again.pk, again.psp_reference) == (first.pk, first.psp_reference)
    assert again.amount == Decimal("20.00") + Decimal("4.95")
    assert gateway.payments[first.psp_reference]["amount"] == again.amount
    gateway.outcome = "charged"
    order = services.checkout_complete(checkout=checkout, actor=None)
    assert list(order.payments.all()) == [again]
    assert gateway.cancelled == set()


def test_a_payment_of_another_method_is_cancelled_when_a_new_one_starts(settings):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "orders.payments.memory.InMemoryPaymentMethod",
    }
    checkout = ready_checkout()
    gateway.outcome = "pending"
    first, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    second, _session = services.checkout_payment_start(checkout=checkout, method_code="water_bill")
    first.refresh_from_db()
    assert first.status == models.Payment.Status.CANCELLED
    assert gateway.cancelled == {first.psp_reference}
    assert second.pk != first.pk


def test_a_payment_charged_before_the_cart_changed_is_refunded_when_a_new_one_starts():
    checkout = ready_checkout()
    first, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    services.payment_confirm(first)  # the shopper paid, then went back to the cart
    services.checkout_email_update(checkout=checkout, email="otra@example.com")
    services.checkout_payment_start(checkout=checkout, method_code="card")
    rows = sorted(first.transactions.values_list("kind", "status", "amount"))
    assert rows == [("charge", "success", first.amount), ("refund", "success", first.amount)]
    assert gateway.refunded(first.psp_reference) == first.amount


def test_merging_a_cart_on_sign_in_cancels_its_started_payment(django_user_model):
    customer = django_user_model.objects.create_user(email="c@example.com", password="x")
    services.checkout_create(user=customer, lines=[(stocked_variant(), 1)])
    anonymous = ready_checkout()
    gateway.outcome = "pending"
    payment, _session = services.checkout_payment_start(checkout=anonymous, method_code="card")
    services.checkout_customer_attach(checkout=anonymous, user=customer)
    payment.refresh_from_db()
    assert payment.status == models.Payment.Status.CANCELLED
    assert gateway.cancelled == {payment.psp_reference}
    assert not models.Checkout.objects.filter(pk=anonymous.pk).exists()


def test_a_declined_payment_start_holds_no_stock():
    variant = stocked_variant(quantity=1)
    checkout = ready_checkout(lines=[(variant, 1)])
    gateway.declined = True
    with pytest.raises(ValidationError) as exc:
        services.checkout_payment_start(checkout=checkout, method_code="card")
    assert codes(exc.value) == {CheckoutErrorCode.PAYMENT_DECLINED}
    assert not models.Reservation.objects.exists()
