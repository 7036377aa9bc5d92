"""An order's number is computed by the database from its key, in the insert that
creates the order (returned by it: no statement of its own)."""

from __future__ import annotations

import pytest
from django.db.models import Value

from orders.models import Order
from orders.models.order import OrderNumber
from tests.factories.orders import place_order

pytestmark = pytest.mark.django_db


def test_a_placed_order_has_its_number_from_the_insert():
    order = place_order()
    assert order.number == f"TA-{order.pk:06d}"
    assert Order.objects.get(pk=order.pk).number == order.number


@pytest.mark.parametrize(
    ("key", "number"),
    [(1, "TA-000001"), (42, "TA-000042"), (999_999, "TA-999999"), (1_234_567, "TA-1234567")],
)
def test_keys_are_padded_to_six_digits_and_longer_ones_kept_whole(key, number):
    place_order()
    computed = Order.objects.annotate(computed=OrderNumber(Value(key))).values_list(
        "computed", flat=True
    )
    assert list(computed) == [number]
