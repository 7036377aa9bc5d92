"""Discount arithmetic, pure: no queries. Amounts are gross euros (IVA included).

A promotion lowers a variant's unit price (the price listings show); a voucher
takes an amount off the lines it applies to, spread over them by largest
remainder (``orders.pricing.spread``), or makes shipping free. Every figure is
rounded to the cent once, and no discount exceeds the price it comes off, so
no line goes below zero. ``orders.pricing.order_totals`` then computes IVA
per rate over the discounted bases.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from orders.pricing import spread
from shop.money import quantize

ZERO = Decimal("0.00")
PERCENTAGE = "percentage"
FIXED = "fixed"


@dataclass(frozen=True)
class Targets:
    """What a promotion or voucher applies to, with categories already expanded
    to their subcategories and collections to their products."""

    product_ids: frozenset[int] = frozenset()
    variant_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()

    def covers(self, *, variant_id: int, product_id: int, category_id: int | None) -> bool:
        return (
            variant_id in self.variant_ids
            or product_id in self.product_ids
            or (category_id is not None and category_id in self.category_ids)
        )

    def __bool__(self) -> bool:
        return bool(self.product_ids or self.variant_ids or self.category_ids)


@dataclass(frozen=True)
class Sale:
    """A live promotion, as pricing needs it."""

    id: int
    name: str
    value_type: str
    value: Decimal
    targets: Targets


@dataclass(frozen=True)
class UnitPrice:
    """A variant's price now: ``undiscounted`` from the catalogue, ``price`` after
    the best promotion (``sale``), never below zero."""

    undiscounted: Decimal
    price: Decimal
    sale: Sale | None = None

    @property
    def discount(self) -> Decimal:
        return self.undiscounted - self.price

    @property
    def on_sale(self) -> bool:
        return self.price < self.undiscounted


def amount_off(base: Decimal, value_type: str, value: Decimal) -> Decimal:
    """What ``value`` (a percentage or euros) takes off ``base``, rounded half up
    to the cent, at most ``base`` and never negative."""
    base = quantize(base)
    if base <= 0:
        return ZERO
    off = quantize(base * value / 100) if value_type == PERCENTAGE else quantize(value)
    return max(ZERO, min(off, base))


def unit_price(
    *,
    price: Decimal,
    variant_id: int,
    product_id: int,
    category_id: int | None,
    sales: Sequence[Sale],
) -> UnitPrice:
    """The variant's price after the best of the ``sales`` that cover it (ties:
    the earlier sale in ``sales``)."""
    undiscounted = quantize(price)
    best: tuple[Decimal, Sale] | None = None
    for sale in sales:
        if not sale.targets.covers(
            variant_id=variant_id, product_id=product_id, category_id=category_id
        ):
            continue
        off = amount_off(undiscounted, sale.value_type, sale.value)
        if off > 0 and (best is None or off > best[0]):
            best = (off, sale)
    if best is None:
        return UnitPrice(undiscounted, undiscounted)
    return UnitPrice(undiscounted, undiscounted - best[0], best[1])


@dataclass(frozen=True)
class CartLine:
    key: Hashable
    variant_id: int
    product_id: int
    category_id: int | None
    unit: UnitPrice
    quantity: int

    @property
    def gross(self) -> Decimal:
        """The line after promotions, before any voucher."""
        return self.unit.price * self.quantity


@dataclass(frozen=True)
class Offer:
    """A voucher as pricing needs it (checked valid by the caller)."""

    scope: str  # Voucher.Scope values
    value_type: str
    value: Decimal
    targets: Targets = field(default_factory=Targets)


ENTIRE_ORDER = "entire_order"
SPECIFIC_PRODUCTS = "specific_products"
SHIPPING = "shipping"


def applicable_lines(offer: Offer, lines: Sequence[CartLine]) -> list[CartLine]:
    """The lines a voucher's amount comes off (none for free shipping)."""
    if offer.scope == SHIPPING:
        return []
    if offer.scope == ENTIRE_ORDER:
        return list(lines)
    return [
        line
        for line in lines
        if offer.targets.covers(
            variant_id=line.variant_id, product_id=line.product_id, category_id=line.category_id
        )
    ]


def voucher_shares(offer: Offer, lines: Sequence[CartLine]) -> dict[Hashable, Decimal]:
    """The voucher's amount off each line (by key): computed once over the
    applicable lines' total after promotions, then spread over them in proportion
    to their totals by largest remainder. Each share is at most its line."""
    targets = applicable_lines(offer, lines)
    base = sum((line.gross for line in targets), ZERO)
    total = amount_off(base, offer.value_type, offer.value)
    if total == 0:
        return {}
    shares = spread(total, [line.gross for line in targets])
    return {line.key: share for line, share in zip(targets, shares, strict=True)}


def shipping_discount(offer: Offer | None, shipping_gross: Decimal | None) -> Decimal:
    if offer is None or offer.scope != SHIPPING or shipping_gross is None:
        return ZERO
    return quantize(shipping_gross)
