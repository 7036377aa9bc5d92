"""The demo shipping for Spain: which zone serves each address and what it costs."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingZone
from orders.selectors import shipping_quotes, zones_serving

pytestmark = pytest.mark.django_db


def seed_demo():
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_demo()


def quotes(postal_code, order_value, weight_grams=1000):
    zones = zones_serving(country="ES", postal_code=postal_code)
    found = shipping_quotes(zones, order_value=Decimal(order_value), weight_grams=weight_grams)
    return [(quote.method.name, quote.price) for quote in found]


def counts():
    return {
        "zones": ShippingZone.objects.count(),
        "rules": PostalCodeRule.objects.count(),
        "methods": ShippingMethod.objects.count(),
        "pickup_points": PickupPoint.objects.count(),
        "pickup_links": ShippingMethod.pickup_points.through.objects.count(),
    }


def test_each_postal_code_is_served_by_its_zone(demo):
    served = {
        code: [zone.name for zone in zones_serving(country="ES", postal_code=code)]
        for code in (
            "41004",
            "41020",
            "41700",
            "41021",
            "28013",
            "07001",
            "35001",
            "38001",
            "51001",
            "52001",
        )
    }

    assert served == {
        "41004": ["Sevilla capital"],
        "41020": ["Sevilla capital"],
        "41700": ["Área metropolitana de Sevilla"],
        "41021": ["Área metropolitana de Sevilla"],
        "28013": ["Resto de la península"],
        "07001": ["Baleares"],
        "35001": [],
        "38001": [],
        "51001": [],
        "52001": [],
    }
    assert zones_serving(country="PT", postal_code="28013") == []


def test_quotes_follow_the_free_shipping_thresholds_and_weight_bands(demo):
    assert quotes("41004", "29.99") == [
        ("Recogida en oficina", Decimal("0.00")),
        ("Entrega en 24 h", Decimal("2.95")),
    ]
    assert quotes("41004", "30.00") == [
        ("Entrega en 24 h", Decimal("0.00")),
        ("Recogida en oficina", Decimal("0.00")),
    ]
    assert quotes("41700", "39.99") == [
        ("Recogida en oficina", Decimal("0.00")),
        ("Entrega en 24-48 h", Decimal("3.95")),
    ]
    assert quotes("41700", "40.00") == [
        ("Entrega en 24-48 h", Decimal("0.00")),
        ("Recogida en oficina", Decimal("0.00")),
    ]
    assert quotes("28013", "59.99") == [("Envío estándar", Decimal("5.95"))]
    assert quotes("28013", "60.00") == [("Envío estándar", Decimal("0.00"))]
    assert quotes("07001", "500.00") == [("Envío a Baleares", Decimal("9.95"))]
    assert quotes("35001", "500.00") == []
    assert quotes("28013", "80.00", weight_grams=20001) == [("Envío pesado", Decimal("14.95"))]
    # Exactly 20 kg fits both bands; the customer is offered the cheaper first.
    assert quotes("28013", "80.00", weight_grams=20000) == [
        ("Envío estándar", Decimal("0.00")),
        ("Envío pesado", Decimal("14.95")),
    ]


def test_demo_methods_and_pickup_points(demo):
    methods = ShippingMethod.objects.order_by("zone__name", "position")
    points = PickupPoint.objects.order_by("name")

    assert [
        (
            m.zone.name,
            m.kind,
            m.name,
            m.name_en,
            m.price,
            m.free_above,
            m.min_weight_grams,
            m.max_weight_grams,
            (m.delivery_days_min, m.delivery_days_max),
            sorted(p.name for p in m.pickup_points.all()),
        )
        for m in methods
    ] == [
        (
            "Baleares",
            "delivery",
            "Envío a Baleares",
            "Shipping to the Balearic Islands",
            Decimal("9.95"),
            None,
            None,
            None,
            (2, 4),
            [],
        ),
        (
            "Resto de la península",
            "delivery",
            "Envío estándar",
            "Standard shipping",
            Decimal("5.95"),
            Decimal("60.00"),
            None,
            20000,
            (1, 3),
            [],
        ),
        (
            "Resto de la península",
            "delivery",
            "Envío pesado",
            "Heavy-parcel shipping",
            Decimal("14.95"),
            None,
            20000,
            None,
            (2, 4),
            [],
        ),
        (
            "Sevilla capital",
            "delivery",
            "Entrega en 24 h",
            "24-hour delivery",
            Decimal("2.95"),
            Decimal("30.00"),
            None,
            None,
            (1, 1),
            [],
        ),
        (
            "Sevilla capital",
            "pickup",
            "Recogida en oficina",
            "Office pickup",
            Decimal("0.00"),
            None,
            None,
            None,
            (1, 2),
            ["Oficina Los Remedios", "Oficina Plaza Nueva", "Oficina Sevilla Este"],
        ),
        (
            "Área metropolitana de Sevilla",
            "delivery",
            "Entrega en 24-48 h",
            "24-48-hour delivery",
            Decimal("3.95"),
            Decimal("40.00"),
            None,
            None,
            (1, 2),
            [],
        ),
        (
            "Área metropolitana de Sevilla",
            "pickup",
            "Recogida en oficina",
            "Office pickup",
            Decimal("0.00"),
            None,
            None,
            None,
            (1, 2),
            ["Oficina Los Remedios", "Oficina Plaza Nueva", "Oficina Sevilla Este"],
        ),
    ]
    assert [
        (p.name, p.street_address, p.postal_code, p.city, p.opening_hours, p.opening_hours_en)
        for p in points
    ] == [
        (
            "Oficina Los Remedios",
            "Calle Asunción, 36",
            "41011",
            "Sevilla",
            "L-V 8:30-14:00",
            "Mon-Fri 8:30-14:00",
        ),
        (
            "Oficina Plaza Nueva",
            "Plaza Nueva, 8",
            "41001",
            "Sevilla",
            "L-V 8:30-14:00",
            "Mon-Fri 8:30-14:00",
        ),
        (
            "Oficina Sevilla Este",
            "Avenida de las Ciencias, 21",
            "41020",
            "Sevilla",
            "L-V 8:30-14:00",
            "Mon-Fri 8:30-14:00",
        ),
    ]
    assert [zone.name for zone in zones_serving(country="ES", postal_code="41011")] == [
        "Sevilla capital"
    ]


def test_seeding_again_changes_nothing(demo):
    first = counts()
    # An edited demo zone gets its rules back; methods keep their rows.
    capital = ShippingZone.objects.get(name="Sevilla capital")
    capital.rules.create(inclusion=PostalCodeRule.Inclusion.INCLUDE, prefix="28")
    ShippingMethod.objects.filter(name="Entrega en 24 h").update(price=Decimal("1.00"))
    method_pks = sorted(ShippingMethod.objects.values_list("pk", flat=True))

    seed_demo()

    assert (
        first
        == counts()
        == {
            "zones": 4,
            "rules": 10,
            "methods": 7,
            "pickup_points": 3,
            "pickup_links": 6,
        }
    )
    assert sorted(ShippingMethod.objects.values_list("pk", flat=True)) == method_pks
    assert quotes("28013", "10.00") == [("Envío estándar", Decimal("5.95"))]
    assert quotes("41004", "10.00")[1] == ("Entrega en 24 h", Decimal("2.95"))
