"""The active zones come from the process's copy while the shipping version read
with the checkout is the one they were read under; every kind of write to zones,
rules, methods and pickup points (services, factories, bulk updates, cascades)
changes the version in its transaction, so the first checkout read after it sees
the write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import services
from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingVersion, ShippingZone
from orders.selectors import checkout_for, checkout_summary
from shop.accounts import roles
from tests.factories.accounts import staff_in_role
from tests.factories.orders import (
    ADDRESS,
    PickupPointFactory,
    ShippingMethodFactory,
    stocked_variant,
)

pytestmark = pytest.mark.django_db


def offered(checkout) -> tuple[list[tuple[str, Decimal]], int]:
    """What the checkout is offered, read as a mutation reads it (the checkout with
    the version, then its summary), and the statements that took."""
    with CaptureQueriesContext(connection) as queries:
        found = checkout_for(None, token=checkout.token)
        quotes = checkout_summary(found).quotes
    return [(quote.method.name, quote.price) for quote in quotes], len(queries)


@pytest.fixture
def method() -> ShippingMethod:
    return ShippingMethodFactory(name="Estándar", price=Decimal("4.95"))


@pytest.fixture
def checkout(method):
    checkout = services.checkout_create(
        user=None, email="lucia@example.com", lines=[(stocked_variant(), 1)]
    )
    services.checkout_shipping_address_update(checkout=checkout, address=ADDRESS)
    return checkout


def test_unchanged_zones_are_not_read_again(checkout):
    first, _ = offered(checkout)
    again, statements = offered(checkout)
    # the checkout with the versions, its lines with free stock
    assert (again, statements) == (first, 2)
    assert first == [("Estándar", Decimal("4.95"))]


def test_a_method_saved_is_seen(checkout, method):
    offered(checkout)
    method.price = Decimal("6.00")
    method.save()
    assert offered(checkout) == ([("Estándar", Decimal("6.00"))], 5)


def test_a_bulk_update_of_methods_is_seen(checkout, method):
    offered(checkout)
    ShippingMethod.objects.filter(pk=method.pk).update(is_active=False)
    assert offered(checkout)[0] == []


def test_a_method_created_by_the_service_is_seen(checkout, method):
    offered(checkout)
    services.shipping_method_create(
        actor=staff_in_role(roles.SHOP_ADMINISTRATOR),
        zone=method.zone,
        data={"name": "Urgente", "price": Decimal("9.90")},
    )
    assert offered(checkout)[0] == [("Estándar", Decimal("4.95")), ("Urgente", Decimal("9.90"))]


def test_a_method_deleted_is_seen(checkout, method):
    offered(checkout)
    method.delete()
    assert offered(checkout)[0] == []


def test_a_zone_deactivated_is_seen(checkout, method):
    offered(checkout)
    ShippingZone.objects.filter(pk=method.zone_id).update(is_active=False)
    assert offered(checkout)[0] == []


def test_a_zone_deleted_with_its_methods_is_seen(checkout, method):
    offered(checkout)
    method.zone.delete()
    assert offered(checkout)[0] == []


def test_a_rule_added_is_seen(checkout, method):
    offered(checkout)
    method.zone.rules.create(inclusion=PostalCodeRule.Inclusion.EXCLUDE, prefix="41")
    assert offered(checkout)[0] == []


def test_a_new_zone_is_seen(checkout):
    offered(checkout)
    ShippingMethodFactory(name="Otra zona", price=Decimal("3.00"))
    assert offered(checkout)[0] == [("Otra zona", Decimal("3.00")), ("Estándar", Decimal("4.95"))]


def test_pickup_points_linked_and_changed_are_seen(checkout):
    pickup = ShippingMethodFactory(name="Recogida", price=Decimal("0.00"), kind="pickup")
    point = PickupPointFactory(name="Oficina Triana")
    pickup.pickup_points.add(point)

    def points() -> list[str]:
        found = checkout_for(None, token=checkout.token)
        return [
            p.name
            for q in checkout_summary(found).quotes
            if q.method.pk == pickup.pk
            for p in q.method.pickup_points.all()
        ]

    assert points() == ["Oficina Triana"]
    PickupPoint.objects.filter(pk=point.pk).update(name="Oficina Centro")
    assert points() == ["Oficina Centro"]
    pickup.pickup_points.remove(point)
    assert points() == []


def test_a_version_lost_to_a_flush_reads_the_zones_every_time(checkout):
    ShippingVersion.objects.all().delete()
    assert offered(checkout) == ([("Estándar", Decimal("4.95"))], 5)
    assert offered(checkout)[1] == 5
