"""Order totals from gross (IVA-included) prices.

IVA is computed once per rate over the order's base at that rate (lines and
shipping), rounded half up to the cent, then spread over the lines by largest
remainder, so the line shares add up to the rate's tax exactly. Clients never
send prices: callers pass the catalogue's prices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from shop.money import quantize

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PricedLine:
    key: Hashable
    unit_gross: Decimal
    quantity: int
    tax_rate: Decimal  # e.g. Decimal("0.21")


@dataclass(frozen=True)
class LineTotal:
    key: Hashable
    gross: Decimal
    net: Decimal
    tax: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineTotal, ...]
    shipping: LineTotal | None
    tax_by_rate: dict[Decimal, Decimal]
    subtotal_gross: Decimal
    total_gross: Decimal
    total_tax: Decimal

    @property
    def total_net(self) -> Decimal:
        return self.total_gross - self.total_tax


def tax_included(gross: Decimal, rate: Decimal) -> Decimal:
    """The IVA inside a gross amount, rounded half up to the cent."""
    return quantize(gross * rate / (1 + rate))


def spread(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (cents) in proportion to ``weights`` by largest remainder;
    ties go to the earlier share. The shares add up to ``total`` exactly."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [total] + [Decimal("0.00")] * (len(weights) - 1) if weights else []
    exact = [total * weight / weight_sum for weight in weights]
    shares = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in exact]
    left = int((total - sum(shares)) / CENT)
    by_remainder = sorted(
        range(len(weights)), key=lambda index: (-(exact[index] - shares[index]), index)
    )
    for index in by_remainder[:left]:
        shares[index] += CENT
    return shares


def order_totals(
    lines: Sequence[PricedLine],
    *,
    shipping_gross: Decimal | None = None,
    shipping_rate: Decimal = Decimal("0.21"),
) -> Totals:
    """Totals of lines (and shipping, taxed at ``shipping_rate``), all amounts in euros."""
    items: list[tuple[Hashable, Decimal, Decimal]] = [
        (line.key, quantize(line.unit_gross) * line.quantity, line.tax_rate) for line in lines
    ]
    if shipping_gross is not None:
        items.append((_SHIPPING, quantize(shipping_gross), shipping_rate))
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for index, (_key, _gross, rate) in enumerate(items):
        by_rate[rate].append(index)
    taxes = [Decimal("0.00")] * len(items)
    tax_by_rate: dict[Decimal, Decimal] = {}
    for rate, indexes in sorted(by_rate.items()):
        base = sum((items[index][1] for index in indexes), Decimal("0.00"))
        tax_by_rate[rate] = tax_included(base, rate)
        for index, share in zip(
            indexes, spread(tax_by_rate[rate], [items[i][1] for i in indexes]), strict=True
        ):
            taxes[index] = share
    totals = [
        LineTotal(key=key, gross=gross, net=gross - tax, tax=tax, tax_rate=rate)
        for (key, gross, rate), tax in zip(items, taxes, strict=True)
    ]
    shipping = totals.pop() if shipping_gross is not None else None
    subtotal = sum((line.gross for line in totals), Decimal("0.00"))
    return Totals(
        lines=tuple(totals),
        shipping=shipping,
        tax_by_rate=tax_by_rate,
        subtotal_gross=subtotal,
        total_gross=subtotal + (shipping.gross if shipping else Decimal("0.00")),
        total_tax=sum(tax_by_rate.values(), Decimal("0.00")),
    )


_SHIPPING = object()
