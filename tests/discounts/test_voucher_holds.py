"""A promo code on a checkout whose cart changes, and the use it holds.

The choice (as Saleor's storefront API shows it): the code stays on the
checkout and is checked again on every read; while the cart does not qualify
its discount is 0 and ``checkout.problems`` says why on ``promoCode``, and the
checkout cannot be paid until the shopper fixes the cart or removes the code.
The use held by a started payment goes back whenever the payment is outdated
(any change of the cart or of the code), the hold runs out, the checkout is
deleted, or the order is cancelled.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing_bridge.models import BillCharge
from discounts import selectors as discount_selectors
from discounts import services as discounts
from discounts.models import VoucherUsage
from orders import selectors, services
from orders.models import Checkout, Order, Payment, PaymentTransaction
from orders.payments.memory import gateway
from orders.tasks import reservations_release_expired
from shop.accounts.roles import ORDER_MANAGER
from tests.billing_bridge.test_water_bill_payment import linked_customer
from tests.discounts.factories import PromotionFactory, voucher_with_code
from tests.factories import UserFactory
from tests.factories.invoicing import METHODS, variant_at
from tests.factories.orders import gid, ready_checkout, staff_in_role
from tests.operations import operation

pytestmark = pytest.mark.django_db

LINES_UPDATE = operation("storefront/CheckoutLinesUpdate")
LINES_DELETE = operation("storefront/CheckoutLinesDelete")


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"__all__": [error.code for error in exc.error_list]}
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def _with_code(lines, code="AGUA10", email="lucia@example.com", user=None):
    checkout = ready_checkout(lines=lines, email=email, user=user)
    return discounts.checkout_promo_code_add(checkout=checkout, promo_code=code)


def _start(checkout):
    services.checkout_payment_start(checkout=checkout, method_code="card")


def _statuses() -> list[str]:
    return list(VoucherUsage.objects.order_by("pk").values_list("status", flat=True))


def test_going_under_the_minimum_drops_the_discount_with_its_reason_and_keeps_the_code(gql):
    voucher_with_code("AGUA10", min_order_value=D("20.00"))
    kit = variant_at("0.21", "12.10")
    checkout = _with_code([(kit, 2)])
    assert selectors.checkout_summary(checkout).totals.discount == D("2.42")

    body = gql(
        LINES_UPDATE,
        {
            "input": {
                "token": str(checkout.token),
                "lines": [{"variantId": gid("ProductVariant", kit.pk), "quantity": 1}],
            }
        },
        headers={"Accept-Language": "en"},
    )

    payload = body["data"]["checkoutLinesUpdate"]
    assert payload["errors"] == []
    details = payload["checkout"]
    assert (details["voucherCode"], details["discount"]["amount"]) == ("AGUA10", "0.00")
    assert details["totalPrice"]["gross"]["amount"] == "17.05"  # 12.10 + 4.95, no discount
    assert details["problems"] == [
        {
            "field": "promoCode",
            "code": "VOUCHER_MINIMUM_NOT_REACHED",
            "message": "This code needs a purchase of at least 20.00 €.",
        }
    ]
    with pytest.raises(ValidationError) as refused:
        _start(checkout)
    assert _codes(refused.value) == {"promoCode": ["voucher_minimum_not_reached"]}
    assert not VoucherUsage.objects.exists()

    # Back over the minimum, the discount is back without typing the code again.
    services.checkout_lines_update(checkout=checkout, lines=[(kit, 2)])
    assert selectors.checkout_summary(checkout).totals.discount == D("2.42")


def test_losing_the_product_it_applies_to_drops_the_discount_and_the_held_use(gql):
    filter_ = variant_at("0.21", "30.00")
    other = variant_at("0.21", "10.00")
    voucher_with_code("FILTROS", scope="specific_products", products=[filter_.product])
    checkout = _with_code([(filter_, 1), (other, 1)], code="FILTROS")
    _start(checkout)
    assert _statuses() == ["reserved"]

    body = gql(
        LINES_DELETE,
        {
            "input": {
                "token": str(checkout.token),
                "variantIds": [gid("ProductVariant", filter_.pk)],
            }
        },
    )

    details = body["data"]["checkoutLinesDelete"]["checkout"]
    assert details["discount"]["amount"] == "0.00"
    assert [(p["field"], p["code"]) for p in details["problems"]] == [
        ("promoCode", "VOUCHER_NOT_APPLICABLE")
    ]
    assert _statuses() == ["released"]


def test_a_cart_change_gives_the_held_use_back_to_other_shoppers():
    voucher_with_code("UNA", usage_limit=1)
    kit = variant_at("0.21", "12.10")
    first = _with_code([(kit, 2)], code="UNA")
    second = _with_code([(kit, 1)], code="UNA", email="luis@example.com")
    _start(first)
    with pytest.raises(ValidationError) as refused:
        _start(second)
    assert _codes(refused.value) == {"promoCode": ["voucher_used_up"]}

    services.checkout_lines_update(checkout=first, lines=[(kit, 3)])

    assert _statuses() == ["released"]
    _start(second)
    order = services.checkout_complete(checkout=second, actor=None)
    assert order.voucher_code == "UNA"
    assert _statuses() == ["released", "used"]
    # The first shopper is told before paying again.
    with pytest.raises(ValidationError) as refused:
        _start(first)
    assert _codes(refused.value) == {"promoCode": ["voucher_used_up"]}


def test_an_expired_hold_does_not_count_and_the_periodic_task_releases_it():
    voucher = voucher_with_code("UNA", usage_limit=1)
    kit = variant_at("0.21", "12.10")
    first = _with_code([(kit, 1)], code="UNA")
    _start(first)
    VoucherUsage.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert discount_selectors.voucher_stats(voucher).reserved == 0

    reservations_release_expired()

    assert _statuses() == ["released"]
    second = _with_code([(kit, 1)], code="UNA", email="luis@example.com")
    _start(second)
    assert _statuses() == ["released", "reserved"]


def test_a_checkout_merged_away_on_sign_in_gives_its_held_use_back():
    voucher_with_code("UNA", usage_limit=1)
    kit = variant_at("0.21", "12.10")
    user = UserFactory()
    ready_checkout(lines=[(variant_at("0.10", "5.50"), 1)], user=user)
    anonymous = _with_code([(kit, 1)], code="UNA")
    _start(anonymous)

    merged = services.checkout_customer_attach(checkout=anonymous, user=user)

    assert not Checkout.objects.filter(pk=anonymous.pk).exists()
    assert merged.pk != anonymous.pk
    assert _statuses() == ["released"]


def test_an_erased_account_gives_its_checkouts_held_use_back():
    from shop.accounts import privacy

    voucher_with_code("UNA", usage_limit=1)
    user = UserFactory()
    checkout = _with_code([(variant_at("0.21", "12.10"), 1)], code="UNA", user=user)
    _start(checkout)

    privacy.account_delete(actor=user, token=privacy.deletion_tokens.make_token(user))

    assert not Checkout.objects.filter(pk=checkout.pk).exists()
    assert _statuses() == ["released"]


def test_removing_the_code_after_paying_started_outdates_the_payment_and_releases_the_use():
    voucher_with_code("AGUA10")
    checkout = _with_code([(variant_at("0.21", "12.10"), 1)])
    _start(checkout)

    discounts.checkout_promo_code_remove(checkout=checkout)

    assert _statuses() == ["released"]
    with pytest.raises(ValidationError) as refused:
        services.checkout_complete(checkout=checkout, actor=None)
    assert _codes(refused.value) == {"__all__": ["payment_outdated"]}
    assert not VoucherUsage.objects.filter(status="used").exists()


def test_a_cancelled_order_gives_its_use_back():
    voucher = voucher_with_code("UNAVEZ", usage_limit_per_customer=1)
    kit = variant_at("0.21", "12.10")
    checkout = _with_code([(kit, 1)], code="UNAVEZ")
    _start(checkout)
    order = services.checkout_complete(checkout=checkout, actor=None)
    assert discount_selectors.voucher_stats(voucher).uses == 1

    services.order_cancel(actor=staff_in_role(ORDER_MANAGER), order=order)

    assert _statuses() == ["released"]
    assert discount_selectors.voucher_stats(voucher).uses == 0
    again = _with_code([(kit, 1)], code="UNAVEZ")
    _start(again)
    assert services.checkout_complete(checkout=again, actor=None).voucher_code == "UNAVEZ"


# Issue 17, item 4: a code that became unusable between the payment's start and
# its completion is refused with its reason, and the payment given back.


def test_a_voucher_deactivated_after_a_water_bill_start_is_refused_and_nothing_is_charged():

    voucher = voucher_with_code("AGUA10")
    user, _contract = linked_customer()
    checkout = _with_code([(variant_at("0.21", "12.10"), 2)], user=user)
    payment, _session = services.checkout_payment_start(
        checkout=checkout,
        method_code="water_bill",
        options={"contract": "100200300", "installments": 3},
    )
    assert payment.amount == D("26.73")  # 24.20 - 2.42 + 4.95
    type(voucher).objects.filter(pk=voucher.pk).update(is_active=False)

    with pytest.raises(ValidationError) as refused:
        services.checkout_complete(checkout=checkout, actor=user)

    assert _codes(refused.value) == {"promoCode": ["voucher_expired"]}
    assert not Order.objects.exists()
    assert not BillCharge.objects.exists()
    payment.refresh_from_db()
    assert (payment.order, payment.status) == (None, Payment.Status.CANCELLED)
    assert not VoucherUsage.objects.filter(status="used").exists()


@pytest.mark.parametrize("method", ["card", "water_bill"])
def test_a_hold_that_ran_out_and_was_taken_meanwhile_is_refused_at_completion(method):

    voucher_with_code("UNA", usage_limit=1)
    kit = variant_at("0.21", "12.10")
    user, _contract = linked_customer()
    late = _with_code([(kit, 1)], code="UNA", user=user)
    options = {"contract": "100200300", "installments": 1} if method == "water_bill" else None
    payment, _session = services.checkout_payment_start(
        checkout=late, method_code=method, options=options
    )
    VoucherUsage.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    quick = _with_code([(kit, 1)], code="UNA", email="luis@example.com")
    _start(quick)
    services.checkout_complete(checkout=quick, actor=None)

    with pytest.raises(ValidationError) as refused:
        services.checkout_complete(checkout=late, actor=user)

    assert _codes(refused.value) == {"promoCode": ["voucher_used_up"]}
    assert Order.objects.count() == 1
    assert list(VoucherUsage.objects.filter(status="used").values_list("email", flat=True)) == [
        "luis@example.com"
    ]
    if method == "card":
        refunds = PaymentTransaction.objects.filter(payment=payment, kind="refund")
        assert [(row.status, row.amount) for row in refunds] == [("success", D("15.84"))]
    else:
        assert not BillCharge.objects.exists()


@pytest.mark.parametrize("method", ["card", "water_bill"])
def test_a_promotion_that_ended_after_the_start_outdates_the_payment(method):

    kit = variant_at("0.21", "12.10")
    promotion = PromotionFactory(products=[kit.product], value=D("50"))
    user, _contract = linked_customer()
    checkout = ready_checkout(lines=[(kit, 2)], user=user)
    options = {"contract": "100200300", "installments": 1} if method == "water_bill" else None
    payment, _session = services.checkout_payment_start(
        checkout=checkout, method_code=method, options=options
    )
    assert payment.amount == D("17.05")  # 12.10 + 4.95
    type(promotion).objects.filter(pk=promotion.pk).update(ends_at=timezone.now())

    with pytest.raises(ValidationError) as refused:
        services.checkout_complete(checkout=checkout, actor=user)

    assert _codes(refused.value) == {"__all__": ["payment_outdated"]}
    assert not Order.objects.exists()
    assert not BillCharge.objects.exists()
    # Started again, it is re-priced and placed at the new total.
    services.checkout_payment_start(checkout=checkout, method_code=method, options=options)
    assert services.checkout_complete(checkout=checkout, actor=user).total_gross == D("29.15")
