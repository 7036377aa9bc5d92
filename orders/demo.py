"""Demo shipping for ``seed_demo``: Spain, from a shop in Sevilla. Idempotent.

Pickup points are keyed on their names, zones on their names and methods on
(zone, name); all are updated in place. A demo zone's rules are set to exactly
the ones below (a rule is its whole shape, and a leftover rule would change
which addresses the zone serves). Canarias (35, 38), Ceuta (51) and Melilla
(52) are served by no zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from orders import selectors
from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingZone
from shop.content.models import LegalPage

INCLUDE, EXCLUDE = PostalCodeRule.Inclusion.INCLUDE, PostalCodeRule.Inclusion.EXCLUDE
DELIVERY, PICKUP = ShippingMethod.Kind.DELIVERY, ShippingMethod.Kind.PICKUP


@dataclass(frozen=True)
class DemoRule:
    inclusion: str
    prefix: str = ""
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class DemoMethod:
    name: str
    name_en: str
    price: Decimal  # gross, IVA included
    days: tuple[int, int]
    kind: str = DELIVERY
    free_above: Decimal | None = None
    min_weight_grams: int | None = None
    max_weight_grams: int | None = None


@dataclass(frozen=True)
class DemoZone:
    name: str
    rules: tuple[DemoRule, ...]
    methods: tuple[DemoMethod, ...]
    countries: tuple[str, ...] = ("ES",)


OFFICE_HOURS = ("L-V 8:30-14:00", "Mon-Fri 8:30-14:00")

PICKUP_POINTS = [
    {
        "name": "Oficina Plaza Nueva",
        "street_address": "Plaza Nueva, 8",
        "postal_code": "41001",
        "city": "Sevilla",
    },
    {
        "name": "Oficina Los Remedios",
        "street_address": "Calle Asunción, 36",
        "postal_code": "41011",
        "city": "Sevilla",
    },
    {
        "name": "Oficina Sevilla Este",
        "street_address": "Avenida de las Ciencias, 21",
        "postal_code": "41020",
        "city": "Sevilla",
    },
]

CAPITAL = DemoRule(INCLUDE, start="41001", end="41020")
OFFICE_PICKUP = DemoMethod("Recogida en oficina", "Office pickup", Decimal("0.00"), (1, 2), PICKUP)

ZONES = [
    DemoZone(
        "Sevilla capital",
        (CAPITAL,),
        (
            DemoMethod(
                "Entrega en 24 h",
                "24-hour delivery",
                Decimal("2.95"),
                (1, 1),
                free_above=Decimal("30.00"),
            ),
            OFFICE_PICKUP,
        ),
    ),
    DemoZone(
        "Área metropolitana de Sevilla",
        (DemoRule(INCLUDE, prefix="41"), DemoRule(EXCLUDE, start="41001", end="41020")),
        (
            DemoMethod(
                "Entrega en 24-48 h",
                "24-48-hour delivery",
                Decimal("3.95"),
                (1, 2),
                free_above=Decimal("40.00"),
            ),
            OFFICE_PICKUP,
        ),
    ),
    DemoZone(
        "Resto de la península",
        # Sevilla has its own zones; Baleares, Canarias, Ceuta and Melilla are not mainland.
        tuple(DemoRule(EXCLUDE, prefix=prefix) for prefix in ("41", "07", "35", "38", "51", "52")),
        (
            DemoMethod(
                "Envío estándar",
                "Standard shipping",
                Decimal("5.95"),
                (1, 3),
                free_above=Decimal("60.00"),
                max_weight_grams=20000,
            ),
            DemoMethod(
                "Envío pesado",
                "Heavy-parcel shipping",
                Decimal("14.95"),
                (2, 4),
                min_weight_grams=20000,
            ),
        ),
    ),
    DemoZone(
        "Baleares",
        (DemoRule(INCLUDE, prefix="07"),),
        (
            DemoMethod(
                "Envío a Baleares", "Shipping to the Balearic Islands", Decimal("9.95"), (2, 4)
            ),
        ),
    ),
]


def _seed_zone(demo: DemoZone, pickup_points: list[PickupPoint]) -> None:
    zone, _created = ShippingZone.objects.update_or_create(
        name=demo.name, defaults={"countries": list(demo.countries), "is_active": True}
    )
    kept = [
        zone.rules.get_or_create(
            inclusion=rule.inclusion, prefix=rule.prefix, start=rule.start, end=rule.end
        )[0].pk
        for rule in demo.rules
    ]
    zone.rules.exclude(pk__in=kept).delete()
    for position, method in enumerate(demo.methods, start=1):
        shipping_method, _created = ShippingMethod.objects.update_or_create(
            zone=zone,
            name=method.name,
            defaults={
                "name_en": method.name_en,
                "kind": method.kind,
                "price": method.price,
                "free_above": method.free_above,
                "min_weight_grams": method.min_weight_grams,
                "max_weight_grams": method.max_weight_grams,
                "delivery_days_min": method.days[0],
                "delivery_days_max": method.days[1],
                "is_active": True,
                "position": position,
            },
        )
        shipping_method.pickup_points.set(pickup_points if method.kind == PICKUP else [])


def seed() -> None:
    hours, hours_en = OFFICE_HOURS
    pickup_points = [
        PickupPoint.objects.update_or_create(
            name=data["name"],
            defaults={
                **data,
                "opening_hours": hours,
                "opening_hours_en": hours_en,
                "is_active": True,
            },
        )[0]
        for data in PICKUP_POINTS
    ]
    for zone in ZONES:
        _seed_zone(zone, pickup_points)


DEMO_ORDERS = (
    # (SKUs and quantities, shipped)
    ((("KIT-AHO-001", 1), ("GRI-AIR-001", 2)), True),
    ((("KIT-AHO-003", 1),), False),
)


def seed_orders(customer_email: str) -> int:
    """Place the demo customer's orders through the real services, paid with the
    development card method, once: nothing is done if they already have orders,
    or when real card payments (Stripe keys) or DEBUG off rule that method out.
    Returns how many were placed."""
    from catalog.models import ProductVariant
    from orders import services
    from orders.payments import get_payment_method
    from orders.payments.memory import DevelopmentCardPaymentMethod, InMemoryPaymentMethod
    from shop.accounts.models import User

    customer = User.objects.get(email=customer_email)
    card = get_payment_method("card")
    usable = isinstance(card, InMemoryPaymentMethod) and (
        settings.DEBUG or not isinstance(card, DevelopmentCardPaymentMethod)
    )
    if customer.orders.exists() or not usable:
        return 0
    default = customer.addresses.filter(is_default_shipping=True).values().first()
    address = dict(default) if default else None
    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    placed = 0
    for lines, shipped in DEMO_ORDERS:
        variants = ProductVariant.objects.in_bulk([sku for sku, _qty in lines], field_name="sku")
        if len(variants) != len(lines) or address is None or staff is None:
            continue
        checkout = services.checkout_create(
            user=customer, lines=[(variants[sku], qty) for sku, qty in lines]
        )
        services.checkout_shipping_address_update(checkout=checkout, address=address)
        services.checkout_billing_address_update(checkout=checkout, address=address)
        method = ShippingMethod.objects.filter(
            zone__in=selectors.zones_serving(country="ES", postal_code=str(address["postal_code"])),
            kind=ShippingMethod.Kind.DELIVERY,
            is_active=True,
        ).first()
        if method is None:
            continue
        services.checkout_shipping_method_update(checkout=checkout, method=method)
        services.checkout_payment_start(
            checkout=checkout, method_code="card", accepted=[LegalPage.Kind.TERMS_OF_SALE]
        )
        order = services.checkout_complete(checkout=checkout, actor=customer)
        if shipped:
            services.order_fulfill(
                actor=staff,
                order=order,
                quantities=[(line, line.quantity) for line in order.lines.all()],
                tracking_number="CORREOS-DEMO-0001",
                notify=False,
            )
        placed += 1
    return placed
