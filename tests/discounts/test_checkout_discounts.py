"""Promotions and promo codes in checkout totals, frozen on the order, invoiced
and refunded at the discounted amounts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from discounts import services as discounts
from discounts.models import Voucher, VoucherUsage
from orders import selectors, services
from orders.errors import CheckoutErrorCode
from orders.payments.memory import gateway
from tests.discounts.factories import PromotionFactory, voucher_with_code
from tests.factories.invoicing import METHODS, variant_at
from tests.factories.orders import ShippingMethodFactory, ready_checkout, zone_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def _pay(checkout):
    services.checkout_payment_start(checkout=checkout, method_code="card")
    return services.checkout_complete(checkout=checkout, actor=None)


def test_a_promotion_lowers_the_line_and_its_rates_base():
    kit = variant_at("0.21", "24.20")
    PromotionFactory(products=[kit.product], value=D("50"))
    checkout = ready_checkout(lines=[(kit, 2)])

    summary = selectors.checkout_summary(checkout)

    (line,) = summary.lines
    assert (line.unit.undiscounted, line.unit.price, line.unit.on_sale) == (
        D("24.20"),
        D("12.10"),
        True,
    )
    assert (line.total.gross, line.total.discount, line.total.tax) == (
        D("24.20"),
        D("24.20"),
        D("4.20"),
    )
    assert summary.totals.tax_by_rate == {D("0.21"): D("5.06")}  # 24.20 + 4.95 shipping
    assert summary.totals.total_gross == D("29.15")


def test_an_ended_or_inactive_promotion_does_not_apply():
    kit = variant_at("0.21", "24.20")
    PromotionFactory(
        products=[kit.product],
        ends_at=timezone.now() - timedelta(minutes=1),
        starts_at=timezone.now() - timedelta(days=1),
    )
    PromotionFactory(products=[kit.product], is_active=False)
    PromotionFactory(products=[kit.product], starts_at=timezone.now() + timedelta(days=1))

    summary = selectors.checkout_summary(ready_checkout(lines=[(kit, 1)]))

    assert summary.totals.discount == D("0.00")
    assert summary.lines[0].unit.sale is None


def test_a_promotion_on_a_parent_category_reaches_its_subcategories():
    kit = variant_at("0.21", "10.00")
    parent = kit.product.category
    child = type(parent).objects.create(name="Sub", slug="sub", parent=parent)
    other = variant_at("0.21", "10.00")
    other.product.category = child
    other.product.save()
    PromotionFactory(categories=[parent], value=D("10"))

    summary = selectors.checkout_summary(ready_checkout(lines=[(kit, 1), (other, 1)]))

    assert [view.unit.price for view in summary.lines] == [D("9.00"), D("9.00")]


def test_the_order_freezes_undiscounted_price_discount_and_source_and_the_invoice_its_bases():
    general = variant_at("0.21", "12.10")
    reduced = variant_at("0.10", "5.50")
    promotion = PromotionFactory(products=[general.product], value_type="fixed", value=D("2.10"))
    voucher_with_code("AGUA10", value=D("10"))
    checkout = ready_checkout(lines=[(general, 3), (reduced, 2)])
    checkout = discounts.checkout_promo_code_add(checkout=checkout, promo_code=" agua10 ")

    order = _pay(checkout)

    # After the promotion 3 x 10.00 + 2 x 5.50 = 41.00; 10 % off is 4.10,
    # spread 3.00 / 1.10 over the lines.
    lines = list(order.lines.order_by("pk"))
    assert [
        (line.unit_price_gross, line.discount_gross, line.total_gross, line.total_tax)
        for line in lines
    ] == [
        (D("12.10"), D("9.30"), D("27.00"), D("4.69")),
        (D("5.50"), D("1.10"), D("9.90"), D("0.90")),
    ]
    assert lines[0].discount_sources == [
        {"kind": "promotion", "id": str(promotion.pk), "name": promotion.name, "amount": "6.30"},
        {"kind": "voucher", "id": "", "name": "AGUA10", "amount": "3.00"},
    ]
    assert (order.voucher_code, order.discount_gross, order.subtotal_gross) == (
        "AGUA10",
        D("10.40"),
        D("36.90"),
    )
    assert order.total_gross == D("41.85")
    assert order.tax_by_rate == {"0.10": "0.90", "0.21": "5.55"}  # 27.00 + 4.95 at 21 %
    assert order.payments.get().amount == D("41.85")
    (invoice,) = order.invoices.all()
    assert [(t.rate, t.base, t.tax) for t in invoice.tax_lines.order_by("-rate")] == [
        (D("21.00"), D("26.40"), D("5.55")),
        (D("10.00"), D("9.00"), D("0.90")),
    ]
    assert invoice.total_gross == D("41.85")
    assert [line.unit_price_gross for line in invoice.lines.order_by("pk")][:2] == [
        D("9.00"),
        D("4.95"),
    ]
    usage = VoucherUsage.objects.get()
    assert (usage.status, usage.order, usage.discount_gross) == ("used", order, D("4.10"))


def test_free_shipping_takes_the_shipping_off():
    voucher_with_code("ENVIO", scope=Voucher.Scope.SHIPPING, min_order_value=D("20.00"))
    checkout = ready_checkout(lines=[(variant_at("0.21", "12.10"), 2)])
    checkout = discounts.checkout_promo_code_add(checkout=checkout, promo_code="envio")

    order = _pay(checkout)

    assert (order.shipping_gross, order.shipping_tax, order.discount_gross) == (
        D("0.00"),
        D("0.00"),
        D("4.95"),
    )
    assert order.total_gross == D("24.20")


def test_a_voucher_on_given_products_comes_off_those_lines_only():
    filter_ = variant_at("0.21", "30.00")
    other = variant_at("0.21", "10.00")
    voucher_with_code(
        "FILTROS",
        scope=Voucher.Scope.SPECIFIC_PRODUCTS,
        value_type="fixed",
        value=D("50.00"),
        products=[filter_.product],
    )
    checkout = ready_checkout(lines=[(filter_, 1), (other, 1)])
    checkout = discounts.checkout_promo_code_add(checkout=checkout, promo_code="FILTROS")

    summary = selectors.checkout_summary(checkout)

    # Never more than the price: 50.00 off a 30.00 line is 30.00.
    assert [(v.total.gross, v.total.discount) for v in summary.lines] == [
        (D("0.00"), D("30.00")),
        (D("10.00"), D("0.00")),
    ]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (
            {
                "ends_at": timezone.now() - timedelta(minutes=1),
                "starts_at": timezone.now() - timedelta(days=2),
            },
            "voucher_expired",
        ),
        ({"starts_at": timezone.now() + timedelta(days=1)}, "voucher_not_yet_valid"),
        ({"is_active": False}, "voucher_expired"),
        ({"min_order_value": D("100.00")}, "voucher_minimum_not_reached"),
        ({"min_quantity": 5}, "voucher_minimum_not_reached"),
        ({"scope": Voucher.Scope.SPECIFIC_PRODUCTS}, "voucher_not_applicable"),
        ({"usage_limit": 0}, "voucher_used_up"),
    ],
)
def test_a_code_that_may_not_be_used_is_refused_with_its_reason_and_nothing_changes(fields, code):
    voucher_with_code("AGUA10", **fields)
    checkout = ready_checkout(lines=[(variant_at("0.21", "12.10"), 1)])
    version = checkout.version

    with pytest.raises(ValidationError) as refused:
        discounts.checkout_promo_code_add(checkout=checkout, promo_code="AGUA10")

    assert _codes(refused.value) == {"promoCode": [code]}
    checkout.refresh_from_db()
    assert (checkout.promo_code, checkout.version) == ("", version)


def test_an_unknown_code_is_invalid():
    checkout = ready_checkout()
    with pytest.raises(ValidationError) as refused:
        discounts.checkout_promo_code_add(checkout=checkout, promo_code="NOPE")
    assert _codes(refused.value) == {"promoCode": [CheckoutErrorCode.VOUCHER_INVALID]}
    checkout.refresh_from_db()
    assert checkout.promo_code == ""


def test_per_customer_limit_counts_guests_by_email():
    voucher_with_code("UNAVEZ", usage_limit_per_customer=1)
    first = ready_checkout(email="ana@example.com")
    discounts.checkout_promo_code_add(checkout=first, promo_code="UNAVEZ")
    _pay(first)
    again = ready_checkout(email="ANA@example.com")

    with pytest.raises(ValidationError) as refused:
        discounts.checkout_promo_code_add(checkout=again, promo_code="UNAVEZ")

    assert _codes(refused.value) == {"promoCode": ["voucher_used_up"]}
    other = ready_checkout(email="luis@example.com")
    discounts.checkout_promo_code_add(checkout=other, promo_code="UNAVEZ")
    assert VoucherUsage.objects.filter(status="used").count() == 1


def test_a_voucher_deactivated_after_payment_start_is_refused_at_completion_and_paid_back():
    voucher = voucher_with_code("AGUA10")
    checkout = ready_checkout(lines=[(variant_at("0.21", "12.10"), 2)])
    checkout = discounts.checkout_promo_code_add(checkout=checkout, promo_code="AGUA10")
    payment, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    assert payment.amount == D("26.73")  # 24.20 - 2.42 + 4.95
    Voucher.objects.filter(pk=voucher.pk).update(is_active=False)

    with pytest.raises(ValidationError) as refused:
        services.checkout_complete(checkout=checkout, actor=None)

    assert _codes(refused.value) == {"promoCode": ["voucher_expired"]}
    payment.refresh_from_db()
    assert payment.order is None
    refunds = payment.transactions.filter(kind="refund", status="success")
    assert [row.amount for row in refunds] == [D("26.73")]
    assert VoucherUsage.objects.filter(status="used").count() == 0


def test_removing_the_code_restores_the_prices_and_releases_its_hold():
    voucher_with_code("AGUA10")
    checkout = ready_checkout(lines=[(variant_at("0.21", "12.10"), 1)])
    checkout = discounts.checkout_promo_code_add(checkout=checkout, promo_code="AGUA10")
    services.checkout_payment_start(checkout=checkout, method_code="card")
    assert VoucherUsage.objects.get().status == "reserved"

    discounts.checkout_promo_code_remove(checkout=checkout)

    checkout.refresh_from_db()
    assert checkout.promo_code == ""
    assert selectors.checkout_summary(checkout).totals.total_gross == D("17.05")
    assert VoucherUsage.objects.get().status == "released"


def test_shipping_bands_read_the_value_after_promotions():
    zone = zone_for("41")
    method = ShippingMethodFactory(zone=zone, price=D("4.95"), free_above=D("20.00"))
    kit = variant_at("0.21", "24.20")
    PromotionFactory(products=[kit.product], value=D("50"))
    checkout = ready_checkout(lines=[(kit, 1)], method=method)

    assert selectors.checkout_summary(checkout).totals.shipping.gross == D("4.95")
