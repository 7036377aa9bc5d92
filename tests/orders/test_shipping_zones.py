"""Which zones serve an address, and what their methods cost."""

from decimal import Decimal

import pytest

from orders.models import PostalCodeRule, ShippingMethod, ShippingZone
from orders.selectors import method_applies, method_price, shipping_quotes, zones_serving

pytestmark = pytest.mark.django_db
INCLUDE, EXCLUDE = PostalCodeRule.Inclusion.INCLUDE, PostalCodeRule.Inclusion.EXCLUDE


def zone(name, *rules, countries=("ES",)):
    created = ShippingZone.objects.create(name=name, countries=list(countries))
    for inclusion, shape in rules:
        if "-" in shape:
            start, end = shape.split("-")
            created.rules.create(inclusion=inclusion, start=start, end=end)
        else:
            created.rules.create(inclusion=inclusion, prefix=shape)
    return created


@pytest.fixture
def spain():
    return {
        "capital": zone("Sevilla capital", (INCLUDE, "41001-41020")),
        "metro": zone("Área metropolitana", (INCLUDE, "41"), (EXCLUDE, "41001-41020")),
        "peninsula": zone(
            "Resto de la península",
            *[(EXCLUDE, prefix) for prefix in ("41", "07", "35", "38", "51", "52")],
        ),
        "baleares": zone("Baleares", (INCLUDE, "07")),
    }


def names(zones):
    return [z.name for z in zones]


@pytest.mark.parametrize(
    ("postal_code", "expected"),
    [
        ("41001", ["Sevilla capital"]),
        ("41020", ["Sevilla capital"]),
        ("41021", ["Área metropolitana"]),
        ("41700", ["Área metropolitana"]),
        ("28013", ["Resto de la península"]),
        ("07001", ["Baleares"]),
        ("35001", []),  # Las Palmas: not served
        ("38001", []),  # Santa Cruz de Tenerife: not served
        ("51001", []),  # Ceuta
        ("52001", []),  # Melilla
        (" 41 010 ", ["Sevilla capital"]),
    ],
)
def test_the_zone_follows_the_postal_code(spain, postal_code, expected):
    assert names(zones_serving(country="ES", postal_code=postal_code)) == expected


def test_other_countries_are_not_served(spain):
    assert zones_serving(country="PT", postal_code="41001") == []


def test_inactive_zones_serve_nobody(spain):
    ShippingZone.objects.filter(name="Baleares").update(is_active=False)
    assert zones_serving(country="ES", postal_code="07001") == []


def test_range_rules_compare_whole_codes_only():
    ranged = zone("Rango", (INCLUDE, "41001-41020"))
    assert ranged.rules.get().matches("41015") is True
    assert ranged.rules.get().matches("4101") is False
    assert ranged.rules.get().matches("410150") is False


def method(**fields):
    defaults = {"zone": zone("Z"), "name": "Estándar", "price": Decimal("4.95")}
    return ShippingMethod.objects.create(**{**defaults, **fields})


def test_value_and_weight_bands_decide_whether_a_method_applies():
    bounded = method(
        min_order_value=Decimal("10.00"),
        max_order_value=Decimal("100.00"),
        min_weight_grams=0,
        max_weight_grams=5000,
    )
    assert method_applies(bounded, order_value=Decimal("10.00"), weight_grams=5000) is True
    assert method_applies(bounded, order_value=Decimal("9.99"), weight_grams=100) is False
    assert method_applies(bounded, order_value=Decimal("100.01"), weight_grams=100) is False
    assert method_applies(bounded, order_value=Decimal("50.00"), weight_grams=5001) is False


def test_free_shipping_from_the_threshold():
    free = method(free_above=Decimal("40.00"))
    assert method_price(free, order_value=Decimal("39.99")) == Decimal("4.95")
    assert method_price(free, order_value=Decimal("40.00")) == Decimal("0.00")


def test_quotes_come_from_every_serving_zone_cheapest_first():
    near = zone("Cerca", (INCLUDE, "41"))
    ShippingMethod.objects.create(zone=near, name="Urgente", price=Decimal("9.90"))
    ShippingMethod.objects.create(zone=near, name="Recogida", price=Decimal("0.00"), kind="pickup")
    heavy_only = ShippingMethod.objects.create(
        zone=near, name="Palé", price=Decimal("30.00"), min_weight_grams=20000
    )
    quotes = shipping_quotes(
        zones_serving(country="ES", postal_code="41010"),
        order_value=Decimal("25.00"),
        weight_grams=800,
    )
    assert [(q.method.name, q.price) for q in quotes] == [
        ("Recogida", Decimal("0.00")),
        ("Urgente", Decimal("9.90")),
    ]
    assert heavy_only.pk not in [q.method.pk for q in quotes]
