"""Factories and builders for checkouts and orders."""

from __future__ import annotations

from decimal import Decimal

import factory

from catalog.models import ProductVariant
from orders import models, services
from orders.payments.memory import gateway
from shop.accounts import roles
from shop.accounts.models import User
from tests.factories.accounts import staff_in_role
from tests.factories.api import gid
from tests.factories.catalog import StockFactory, VariantFactory

ADDRESS = {
    "first_name": "Lucía",
    "last_name": "Martín",
    "street_address_1": "Calle Sierpes 12",
    "postal_code": "41004",
    "city": "Sevilla",
    "phone": "+34 600 123 456",
}


API_ADDRESS = {
    "firstName": "Lucía",
    "lastName": "Martín",
    "streetAddress1": "Calle Sierpes 12",
    "postalCode": "41004",
    "city": "Sevilla",
    "phone": "+34 600 123 456",
}


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ShippingZone

    name = factory.Sequence(lambda n: f"Zona {n}")
    countries = factory.LazyFunction(lambda: ["ES"])


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ShippingMethod

    zone = factory.SubFactory(ZoneFactory)
    name = factory.Sequence(lambda n: f"Envío {n}")
    name_en = factory.Sequence(lambda n: f"Delivery {n}")
    price = Decimal("4.95")


def stocked_variant(*, quantity: int = 10, price: str = "12.10", **fields) -> ProductVariant:
    variant = VariantFactory(price=Decimal(price), **fields)
    StockFactory(variant=variant, quantity=quantity)
    return variant


def ready_checkout(
    *,
    lines: list[tuple[ProductVariant, int]] | None = None,
    user=None,
    method: models.ShippingMethod | None = None,
    email: str = "lucia@example.com",
) -> models.Checkout:
    """A checkout with lines, e-mail, both addresses and a shipping method chosen."""
    if lines is None:
        lines = [(stocked_variant(), 1)]
    method = method or models.ShippingMethod.objects.first() or ShippingMethodFactory()
    checkout = services.checkout_create(user=user, email=email, lines=lines)
    services.checkout_shipping_address_update(checkout=checkout, address=ADDRESS)
    services.checkout_billing_address_update(checkout=checkout, address=ADDRESS)
    return services.checkout_shipping_method_update(checkout=checkout, method=method)


def place_order(**kwargs) -> models.Order:
    """An order paid in full through the in-memory method."""
    checkout = ready_checkout(**kwargs)
    services.checkout_payment_start(checkout=checkout, method_code="card")
    return services.checkout_complete(checkout=checkout, actor=checkout.user)


def shipped_order(
    user: User | None = None, *, quantity: int = 2, stock: int = 5, email: str = "lucia@example.com"
) -> models.Order:
    """An order of ``quantity`` units at 10.00 (plus shipping) of a variant with
    ``stock`` units, paid in full and shipped whole by an order manager."""
    variant = stocked_variant(quantity=stock, price="10.00")
    order = place_order(lines=[(variant, quantity)], user=user, email=email)
    services.order_fulfill(
        actor=staff_in_role(roles.ORDER_MANAGER),
        order=order,
        quantities=[(order.lines.get(), quantity)],
    )
    return order


class PickupPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PickupPoint

    name = factory.Sequence(lambda n: f"Oficina {n}")
    street_address = "Plaza Nueva 1"
    postal_code = "41001"
    city = "Sevilla"
    opening_hours = "L-V 9:00-14:00"


def zone_for(*prefixes: str, name: str = "") -> models.ShippingZone:
    """An active zone in Spain serving the postal codes that start with ``prefixes``."""
    zone = ZoneFactory(**({"name": name} if name else {}))
    for prefix in prefixes:
        zone.rules.create(inclusion=models.PostalCodeRule.Inclusion.INCLUDE, prefix=prefix)
    return zone


__all__ = [
    "ADDRESS",
    "API_ADDRESS",
    "gateway",
    "gid",
    "place_order",
    "ready_checkout",
    "shipped_order",
    "staff_in_role",
    "stocked_variant",
]
