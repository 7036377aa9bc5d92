"""Live promotions come from the process's copy while the promotion version read
with the checkout is the one they were read under; every kind of write to
promotions, their targets, collections' products and categories changes the
version in its transaction, so the first checkout read after it sees the write.
The copy still honours the promotions' times."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Category, Collection
from discounts import selectors as discount_selectors
from discounts.models import Promotion
from orders import services
from orders.selectors import checkout_for, checkout_summary
from tests.discounts.factories import PromotionFactory
from tests.factories.catalog import CategoryFactory
from tests.factories.orders import stocked_variant

pytestmark = pytest.mark.django_db


def priced(checkout) -> tuple[Decimal, int]:
    """The line's unit price after promotions, read as a mutation reads it (the
    checkout with the versions, then its summary), and the statements that took."""
    with CaptureQueriesContext(connection) as queries:
        found = checkout_for(None, token=checkout.token)
        unit = checkout_summary(found).lines[0].unit.price
    return unit, len(queries)


@pytest.fixture
def variant():
    return stocked_variant(price="10.00")


@pytest.fixture
def checkout(variant):
    return services.checkout_create(user=None, email="lucia@example.com", lines=[(variant, 1)])


def test_unchanged_promotions_are_not_read_again(checkout, variant):
    PromotionFactory(products=[variant.product], value=Decimal("50"))
    first = priced(checkout)
    # the checkout with the versions, its lines with free stock
    assert (first[0], priced(checkout)) == (Decimal("5.00"), (Decimal("5.00"), 2))


def test_a_promotion_created_is_seen(checkout, variant):
    priced(checkout)
    PromotionFactory(products=[variant.product], value=Decimal("50"))
    # the checkout, its lines, the promotions and their targets
    assert priced(checkout) == (Decimal("5.00"), 4)


def test_a_bulk_update_of_promotions_is_seen(checkout, variant):
    promotion = PromotionFactory(products=[variant.product], value=Decimal("50"))
    priced(checkout)
    Promotion.objects.filter(pk=promotion.pk).update(value=Decimal("20"))
    assert priced(checkout)[0] == Decimal("8.00")


def test_a_promotion_deactivated_or_deleted_is_seen(checkout, variant):
    promotion = PromotionFactory(products=[variant.product], value=Decimal("50"))
    priced(checkout)
    promotion.is_active = False
    promotion.save()
    assert priced(checkout)[0] == Decimal("10.00")
    promotion.is_active = True
    promotion.save()
    assert priced(checkout)[0] == Decimal("5.00")
    promotion.delete()
    assert priced(checkout)[0] == Decimal("10.00")


def test_a_target_added_and_removed_is_seen(checkout, variant):
    promotion = PromotionFactory(value=Decimal("50"))
    priced(checkout)
    promotion.variants.add(variant)
    assert priced(checkout)[0] == Decimal("5.00")
    promotion.variants.remove(variant)
    assert priced(checkout)[0] == Decimal("10.00")


def test_a_product_added_to_a_collection_on_sale_is_seen(checkout, variant):
    collection = Collection.objects.create(name="Verano", slug="verano")
    PromotionFactory(collections=[collection], value=Decimal("50"))
    priced(checkout)
    collection.entries.create(product=variant.product)
    assert priced(checkout)[0] == Decimal("5.00")


def test_a_category_moved_under_one_on_sale_is_seen(checkout, variant):
    parent = CategoryFactory()
    PromotionFactory(categories=[parent], value=Decimal("50"))
    priced(checkout)
    Category.objects.filter(pk=variant.product.category_id).update(parent=parent)
    assert priced(checkout)[0] == Decimal("5.00")


def test_the_copy_honours_start_and_end_times(checkout, variant, monkeypatch):
    now = timezone.now()
    PromotionFactory(
        products=[variant.product],
        value=Decimal("50"),
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(minutes=20),
    )
    assert priced(checkout) == (Decimal("10.00"), 4)
    monkeypatch.setattr(discount_selectors.timezone, "now", lambda: now + timedelta(minutes=15))
    assert priced(checkout) == (Decimal("5.00"), 2)
    monkeypatch.setattr(discount_selectors.timezone, "now", lambda: now + timedelta(minutes=25))
    assert priced(checkout) == (Decimal("10.00"), 2)
