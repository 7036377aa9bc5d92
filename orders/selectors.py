"""Shipping reads: which zones serve an address, which methods apply to an order
and what they cost. One place computes each of these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from orders.models import PostalCodeRule, ShippingMethod, ShippingZone
from shop.accounts import spain


def zone_serves(zone: ShippingZone, *, country: str, postal_code: str) -> bool:
    """Whether ``zone`` serves the address (reads the prefetched ``rules``)."""
    if country.upper() not in zone.countries:
        return False
    rules = list(zone.rules.all())
    includes = [rule for rule in rules if rule.inclusion == PostalCodeRule.Inclusion.INCLUDE]
    excludes = [rule for rule in rules if rule.inclusion == PostalCodeRule.Inclusion.EXCLUDE]
    if includes and not any(rule.matches(postal_code) for rule in includes):
        return False
    return not any(rule.matches(postal_code) for rule in excludes)


def active_zones() -> QuerySet[ShippingZone]:
    methods = ShippingMethod.objects.filter(is_active=True).prefetch_related("pickup_points")
    return ShippingZone.objects.filter(is_active=True).prefetch_related(
        "rules", Prefetch("methods", queryset=methods)
    )


def zones_serving(*, country: str, postal_code: str) -> list[ShippingZone]:
    postal_code = spain.normalize_postal_code(postal_code)
    return [
        zone
        for zone in active_zones()
        if zone_serves(zone, country=country, postal_code=postal_code)
    ]


@dataclass(frozen=True)
class ShippingQuote:
    method: ShippingMethod
    price: Decimal  # gross, IVA included


def method_applies(method: ShippingMethod, *, order_value: Decimal, weight_grams: int) -> bool:
    """Whether the order (gross subtotal, total weight) falls inside the method's bands."""
    if method.min_order_value is not None and order_value < method.min_order_value:
        return False
    if method.max_order_value is not None and order_value > method.max_order_value:
        return False
    if method.min_weight_grams is not None and weight_grams < method.min_weight_grams:
        return False
    return method.max_weight_grams is None or weight_grams <= method.max_weight_grams


def method_price(method: ShippingMethod, *, order_value: Decimal) -> Decimal:
    if method.free_above is not None and order_value >= method.free_above:
        return Decimal("0.00")
    return method.price


def shipping_quotes(
    zones: Iterable[ShippingZone], *, order_value: Decimal, weight_grams: int
) -> list[ShippingQuote]:
    """The methods of ``zones`` that apply to the order, with their price, cheapest first."""
    quotes = [
        ShippingQuote(method, method_price(method, order_value=order_value))
        for zone in zones
        for method in zone.methods.all()
        if method_applies(method, order_value=order_value, weight_grams=weight_grams)
    ]
    return sorted(quotes, key=lambda quote: (quote.price, quote.method.position, quote.method.pk))
