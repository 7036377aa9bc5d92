"""Property tests of discounted totals: random carts, promotions and vouchers.

Settings: the project's hypothesis profile (tests/conftest.py: derandomize=True,
database=None, deadline=None) with hypothesis' default 100 examples per test.
"""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from discounts import pricing
from orders.pricing import PricedLine, order_totals, tax_included

RATES = [D("0.21"), D("0.10"), D("0.04")]
prices = st.decimals(min_value=D("0.00"), max_value=D("500"), places=2)
values = st.one_of(
    st.tuples(st.just(pricing.PERCENTAGE), st.decimals(min_value=D(0), max_value=D(100), places=2)),
    st.tuples(st.just(pricing.FIXED), st.decimals(min_value=D(0), max_value=D(1000), places=2)),
)
lines_strategy = st.lists(
    st.tuples(prices, st.integers(min_value=1, max_value=20), st.sampled_from(RATES)),
    min_size=1,
    max_size=10,
)


def _cart(raw_lines, sales):
    cart = []
    for index, (price, quantity, _rate) in enumerate(raw_lines):
        unit = pricing.unit_price(
            price=price, variant_id=index, product_id=index, category_id=index % 3, sales=sales
        )
        cart.append(pricing.CartLine(index, index, index, index % 3, unit, quantity))
    return cart


@st.composite
def sales_strategy(draw):
    sales = []
    for index in range(draw(st.integers(min_value=0, max_value=3))):
        value_type, value = draw(values)
        targets = pricing.Targets(
            product_ids=frozenset(draw(st.sets(st.integers(0, 9)))),
            category_ids=frozenset(draw(st.sets(st.integers(0, 2), max_size=1))),
        )
        sales.append(pricing.Sale(index, f"s{index}", value_type, value, targets))
    return sales


@st.composite
def offer_strategy(draw):
    if draw(st.booleans()):
        return None
    scope = draw(
        st.sampled_from([pricing.ENTIRE_ORDER, pricing.SPECIFIC_PRODUCTS, pricing.SHIPPING])
    )
    value_type, value = draw(values)
    targets = pricing.Targets(product_ids=frozenset(draw(st.sets(st.integers(0, 9)))))
    return pricing.Offer(scope, value_type, value, targets)


@given(
    lines_strategy,
    sales_strategy(),
    offer_strategy(),
    st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("50"), places=2)),
)
def test_discounted_totals_add_up_exactly(raw_lines, sales, offer, shipping):
    cart = _cart(raw_lines, sales)
    shares = pricing.voucher_shares(offer, cart) if offer else {}
    lines = [
        PricedLine(
            item.key,
            item.unit.undiscounted,
            item.quantity,
            rate,
            discount=item.unit.discount * item.quantity + shares.get(item.key, D("0")),
        )
        for item, (_price, _quantity, rate) in zip(cart, raw_lines, strict=True)
    ]
    ship_off = pricing.shipping_discount(offer, shipping)
    totals = order_totals(lines, shipping_gross=shipping, shipping_discount=ship_off)
    everything = [*totals.lines, *([totals.shipping] if totals.shipping else [])]

    # No negative line, never more discount than the price.
    for item, line in zip(cart, totals.lines, strict=True):
        assert D("0") <= item.unit.price <= item.unit.undiscounted
        assert line.gross >= 0
        assert 0 <= line.discount <= item.unit.undiscounted * item.quantity
        assert line.gross + line.discount == item.unit.undiscounted * item.quantity
    for key, share in shares.items():
        assert 0 <= share <= next(item.gross for item in cart if item.key == key)
    # The voucher's shares add up to its amount over the lines it applies to.
    if offer is not None and offer.scope != pricing.SHIPPING:
        base = sum((item.gross for item in pricing.applicable_lines(offer, cart)), D("0"))
        assert sum(shares.values(), D("0")) == pricing.amount_off(
            base, offer.value_type, offer.value
        )
    # Lines, tax per rate and total add up exactly.
    undiscounted = sum((item.unit.undiscounted * item.quantity for item in cart), D("0"))
    assert totals.subtotal_gross == sum(line.gross for line in totals.lines)
    assert totals.total_gross == totals.subtotal_gross + (
        totals.shipping.gross if totals.shipping else D("0")
    )
    assert totals.total_gross + totals.discount == undiscounted + (shipping or D("0"))
    assert totals.total_gross >= 0
    for rate, tax in totals.tax_by_rate.items():
        at_rate = [line for line in everything if line.tax_rate == rate]
        assert tax == tax_included(sum(line.gross for line in at_rate), rate)
        assert sum(line.tax for line in at_rate) == tax
    for line in everything:
        assert line.net + line.tax == line.gross
        assert 0 <= line.tax <= line.gross
        assert line.gross.as_tuple().exponent == -2
    assert totals.total_tax == sum(totals.tax_by_rate.values(), D("0"))


@given(prices, values)
def test_amount_off_never_exceeds_the_base(base, value):
    off = pricing.amount_off(base, *value)
    assert D("0") <= off <= base
    assert off.as_tuple().exponent == -2


def test_a_discount_lowers_the_taxable_base_of_its_rate():
    # 2 x 12.10 at 21 % and 1 x 11.00 at 10 %, 10 % off the order: 3.52 off 35.20.
    cart = _cart([(D("12.10"), 2, RATES[0]), (D("11.00"), 1, RATES[1])], [])
    offer = pricing.Offer(pricing.ENTIRE_ORDER, pricing.PERCENTAGE, D("10"))
    shares = pricing.voucher_shares(offer, cart)
    assert shares == {0: D("2.42"), 1: D("1.10")}
    totals = order_totals(
        [
            PricedLine(0, D("12.10"), 2, RATES[0], discount=shares[0]),
            PricedLine(1, D("11.00"), 1, RATES[1], discount=shares[1]),
        ]
    )
    assert [line.gross for line in totals.lines] == [D("21.78"), D("9.90")]
    assert totals.tax_by_rate == {D("0.10"): D("0.90"), D("0.21"): D("3.78")}
    assert totals.discount == D("3.52")
    assert totals.total_gross == D("31.68")


def test_a_fixed_amount_is_spread_by_largest_remainder():
    # 10.00 off three lines of 3.33, 3.33 and 3.34 (10.00): exactly each line.
    cart = _cart([(D("3.33"), 1, RATES[0]), (D("3.33"), 1, RATES[0]), (D("3.34"), 1, RATES[0])], [])
    offer = pricing.Offer(pricing.ENTIRE_ORDER, pricing.FIXED, D("1.00"))
    assert pricing.voucher_shares(offer, cart) == {0: D("0.33"), 1: D("0.33"), 2: D("0.34")}
    offer = pricing.Offer(pricing.ENTIRE_ORDER, pricing.FIXED, D("50.00"))
    assert pricing.voucher_shares(offer, cart) == {0: D("3.33"), 1: D("3.33"), 2: D("3.34")}


def test_the_best_promotion_wins_and_they_do_not_add_up():
    targets = pricing.Targets(product_ids=frozenset({1}))
    sales = [
        pricing.Sale(1, "a", pricing.PERCENTAGE, D("10"), targets),
        pricing.Sale(2, "b", pricing.FIXED, D("3.00"), targets),
    ]
    unit = pricing.unit_price(
        price=D("20.00"), variant_id=5, product_id=1, category_id=None, sales=sales
    )
    assert (unit.price, unit.sale.id, unit.on_sale) == (D("17.00"), 2, True)
    other = pricing.unit_price(
        price=D("20.00"), variant_id=6, product_id=2, category_id=None, sales=sales
    )
    assert (other.price, other.sale, other.on_sale) == (D("20.00"), None, False)
