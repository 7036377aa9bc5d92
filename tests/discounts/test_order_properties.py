"""Property test through the database: random carts over the three IVA rates,
a promotion and a promo code (off the order, off some products, or free
shipping) become an order whose lines, tax per rate, payment and invoice add up
exactly to its discounted total, with no negative line.

Settings: the project's profile (tests/conftest.py: derandomize=True,
database=None, deadline=None) with 30 examples here: each places an order.
``hypothesis.extra.django.TestCase`` rolls every example back.
"""

from __future__ import annotations

from decimal import Decimal as D

from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from discounts import services as discounts
from discounts.models import Voucher
from orders import services
from orders.payments.memory import gateway
from tests.discounts.factories import PromotionFactory, voucher_with_code
from tests.factories.invoicing import METHODS, variant_at
from tests.factories.orders import ShippingMethodFactory, ready_checkout, zone_for

RATES = ["0.21", "0.10", "0.04"]
money = st.decimals(min_value=D("0.01"), max_value=D("80"), places=2)
lines = st.lists(
    st.tuples(money, st.integers(min_value=1, max_value=4), st.sampled_from(RATES)),
    min_size=1,
    max_size=4,
)
offers = st.tuples(
    st.sampled_from([s.value for s in Voucher.Scope]),
    st.sampled_from(["percentage", "fixed"]),
    st.decimals(min_value=D("0"), max_value=D("100"), places=2),
)
sales = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(["percentage", "fixed"]),
        st.decimals(min_value=D("0"), max_value=D("100"), places=2),
    ),
)


@override_settings(SHOP_PAYMENT_METHODS=METHODS)
class OrderTotalsProperties(TestCase):
    @settings(max_examples=30)
    @given(lines, sales, offers, st.booleans(), money)
    def test_the_order_and_its_invoice_add_up_to_the_discounted_total(
        self, raw, sale, offer, with_code, shipping
    ):
        gateway.reset()
        method = ShippingMethodFactory(zone=zone_for("41"), price=shipping)
        variants = [variant_at(rate, str(price)) for price, _quantity, rate in raw]
        if sale is not None:
            PromotionFactory(products=[variants[0].product], value_type=sale[0], value=sale[1])
        scope, value_type, value = offer
        voucher_with_code(
            "PROP",
            scope=scope,
            value_type=value_type,
            value=value,
            products=[variants[-1].product],
        )
        checkout = ready_checkout(
            lines=[
                (variant, quantity)
                for variant, (_p, quantity, _r) in zip(variants, raw, strict=True)
            ],
            method=method,
        )
        if with_code:
            checkout = discounts.checkout_promo_code_add(checkout=checkout, promo_code="PROP")
        services.checkout_payment_start(checkout=checkout, method_code="card")

        order = services.checkout_complete(checkout=checkout, actor=None)

        order_lines = list(order.lines.all())
        undiscounted = (
            sum((line.unit_price_gross * line.quantity for line in order_lines), D(0)) + shipping
        )
        for line in order_lines:
            assert D(0) <= line.total_gross
            assert 0 <= line.discount_gross <= line.unit_price_gross * line.quantity
            assert line.total_gross + line.discount_gross == line.unit_price_gross * line.quantity
            assert D(0) <= line.total_tax <= line.total_gross
            assert 0 <= line.promotion_discount_gross <= line.discount_gross
        assert order.subtotal_gross == sum(line.total_gross for line in order_lines)
        assert order.total_gross == order.subtotal_gross + order.shipping_gross
        assert order.total_gross + order.discount_gross == undiscounted
        tax_by_rate = {D(rate): D(tax) for rate, tax in order.tax_by_rate.items()}
        assert order.total_tax == sum(tax_by_rate.values(), D(0))
        line_tax: dict[D, D] = {}
        for line in order_lines:
            line_tax[line.tax_rate] = line_tax.get(line.tax_rate, D(0)) + line.total_tax
        line_tax[order.shipping_tax_rate] = (
            line_tax.get(order.shipping_tax_rate, D(0)) + order.shipping_tax
        )
        assert {rate: tax for rate, tax in line_tax.items() if tax} == {
            rate: tax for rate, tax in tax_by_rate.items() if tax
        }
        assert order.payments.get().amount == order.total_gross
        (invoice,) = order.invoices.all()
        assert invoice.total_gross == order.total_gross
        invoiced = {row.rate / 100: row.tax for row in invoice.tax_lines.all() if row.tax}
        assert invoiced == {rate: tax for rate, tax in tax_by_rate.items() if tax}
