"""shop.money: cents, the one whole-cents check and the provider's minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.money import CENT, from_minor_units, is_whole_cents, to_minor_units


def test_a_cent_is_the_euros_minor_unit():
    assert (str(CENT), CENT.as_tuple().exponent) == ("0.01", -2)


@pytest.mark.parametrize(
    ("amount", "whole"),
    [
        ("12.30", True),
        ("12.3", True),
        ("12", True),
        ("-0.01", True),
        ("12.305", False),
        ("0.001", False),
        ("NaN", False),
        ("Infinity", False),
    ],
)
def test_whole_cents_are_amounts_with_nothing_below_a_cent(amount, whole):
    assert is_whole_cents(Decimal(amount)) is whole


@pytest.mark.parametrize(("amount", "units"), [("12.30", 1230), ("0.5", 50), ("-4.95", -495)])
def test_amounts_go_to_cents_and_back_unchanged(amount, units):
    assert to_minor_units(Decimal(amount)) == units
    assert from_minor_units(units) == Decimal(amount)


@pytest.mark.parametrize("amount", ["0.005", "NaN"])
def test_a_fraction_of_a_cent_is_refused_rather_than_rounded(amount):
    with pytest.raises(ValueError, match="not a whole number of cents"):
        to_minor_units(Decimal(amount))
