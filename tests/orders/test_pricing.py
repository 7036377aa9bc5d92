"""Order totals: IVA once per rate, spread over lines by largest remainder."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders.pricing import PricedLine, order_totals, tax_included

RATES = [Decimal("0.21"), Decimal("0.10"), Decimal("0.04")]
D = Decimal


def test_tax_is_computed_once_per_rate_not_per_line():
    # Three lines of 0.05 at 21 %: per line 0.01 each (0.03); once over 0.15: 0.03.
    # Ten lines of 0.10 at 21 %: per line 0.02 each (0.20); once over 1.00: 0.17.
    lines = [
        PricedLine(key=i, unit_gross=D("0.10"), quantity=1, tax_rate=RATES[0]) for i in range(10)
    ]
    totals = order_totals(lines)
    assert totals.tax_by_rate == {D("0.21"): D("0.17")}
    assert sum(line.tax for line in totals.lines) == D("0.17")
    assert [line.tax for line in totals.lines] == [D("0.02")] * 7 + [D("0.01")] * 3


def test_example_order_with_three_rates_and_shipping():
    totals = order_totals(
        [
            PricedLine(key="kit", unit_gross=D("12.10"), quantity=2, tax_rate=D("0.21")),
            PricedLine(key="libro", unit_gross=D("10.40"), quantity=1, tax_rate=D("0.04")),
        ],
        shipping_gross=D("4.95"),
    )
    # 21 %: (24.20 + 4.95) * 0.21 / 1.21 = 5.0590... -> 5.06; 4 %: 10.40 * 0.04 / 1.04 = 0.40
    assert totals.tax_by_rate == {D("0.04"): D("0.40"), D("0.21"): D("5.06")}
    assert [(line.key, line.gross, line.net, line.tax) for line in totals.lines] == [
        ("kit", D("24.20"), D("20.00"), D("4.20")),
        ("libro", D("10.40"), D("10.00"), D("0.40")),
    ]
    assert (totals.shipping.gross, totals.shipping.tax) == (D("4.95"), D("0.86"))
    assert (totals.subtotal_gross, totals.total_gross, totals.total_tax) == (
        D("34.60"),
        D("39.55"),
        D("5.46"),
    )


def test_half_cents_round_up():
    # 4 %: 0.13 * 0.04 / 1.04 = 0.005 exactly -> 0.01 half up (half-even would give 0.00).
    assert tax_included(D("0.13"), D("0.04")) == D("0.01")


amounts = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
lines_strategy = st.lists(
    st.tuples(amounts, st.integers(min_value=1, max_value=20), st.sampled_from(RATES)),
    min_size=1,
    max_size=12,
)


@given(
    lines_strategy, st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("50"), places=2))
)
def test_random_carts_add_up(raw_lines, shipping):
    lines = [
        PricedLine(key=index, unit_gross=unit, quantity=quantity, tax_rate=rate)
        for index, (unit, quantity, rate) in enumerate(raw_lines)
    ]
    totals = order_totals(lines, shipping_gross=shipping)
    everything = [*totals.lines, *([totals.shipping] if totals.shipping else [])]

    assert totals.total_gross == totals.subtotal_gross + (shipping or D("0"))
    assert totals.subtotal_gross == sum(line.unit_gross * line.quantity for line in lines)
    for rate, tax in totals.tax_by_rate.items():
        at_rate = [line for line in everything if line.tax_rate == rate]
        assert tax == tax_included(sum(line.gross for line in at_rate), rate)
        assert sum(line.tax for line in at_rate) == tax
    for line in everything:
        assert line.net + line.tax == line.gross
        assert line.tax >= 0
        assert line.tax.as_tuple().exponent == -2
    assert totals.total_tax == sum(line.tax for line in everything)
