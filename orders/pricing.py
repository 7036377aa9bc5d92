"""Order totals from gross (IVA-included) prices.

IVA is computed once per rate over the order's base at that rate (lines and
shipping), rounded half up to the cent, then spread over the lines by largest
remainder, so the line shares add up to the rate's tax exactly. Clients never
send prices: callers pass the catalogue's prices.

A discount (``PricedLine.discount``, ``shipping_discount``; computed by
``discounts.pricing``) comes off the gross before IVA is computed: it lowers
the taxable base of its rate. It is capped at the amount it comes off, so no
line goes below zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from shop.money import CENT, quantize


@dataclass(frozen=True)
class PricedLine:
    key: Hashable
    unit_gross: Decimal
    quantity: int
    tax_rate: Decimal  # e.g. Decimal("0.21")
    discount: Decimal = Decimal("0.00")  # off the whole line, in cents


@dataclass(frozen=True)
class LineTotal:
    key: Hashable
    gross: Decimal  # after the discount
    net: Decimal
    tax: Decimal
    tax_rate: Decimal
    discount: Decimal = Decimal("0.00")

    @property
    def undiscounted_gross(self) -> Decimal:
        return self.gross + self.discount


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineTotal, ...]
    shipping: LineTotal | None
    tax_by_rate: dict[Decimal, Decimal]
    subtotal_gross: Decimal
    total_gross: Decimal
    total_tax: Decimal
    discount: Decimal = Decimal("0.00")  # lines and shipping

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
    shipping_discount: Decimal = Decimal("0.00"),
) -> Totals:
    """Totals of lines (and shipping, taxed at ``shipping_rate``), all amounts in
    euros, after each line's ``discount`` and the ``shipping_discount``."""
    items: list[tuple[Hashable, Decimal, Decimal]] = []
    discounts: list[Decimal] = []
    for line in lines:
        undiscounted = quantize(line.unit_gross) * line.quantity
        discounts.append(min(max(quantize(line.discount), Decimal("0.00")), undiscounted))
        items.append((line.key, undiscounted - discounts[-1], line.tax_rate))
    if shipping_gross is not None:
        undiscounted = quantize(shipping_gross)
        discounts.append(min(max(quantize(shipping_discount), Decimal("0.00")), undiscounted))
        items.append((_SHIPPING, undiscounted - discounts[-1], shipping_rate))
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
        LineTotal(key=key, gross=gross, net=gross - tax, tax=tax, tax_rate=rate, discount=off)
        for (key, gross, rate), tax, off in zip(items, taxes, discounts, strict=True)
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
        discount=sum(discounts, Decimal("0.00")),
    )


_SHIPPING = object()
