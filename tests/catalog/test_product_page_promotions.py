"""The product page prices with the process's copy of the live promotions, read
under the promotion version its product row carries: unchanged promotions are not
read again, and the first page read after a write to them shows it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discounts.models import Promotion
from tests.discounts.factories import PromotionFactory
from tests.factories.catalog import ProductFactory, VariantFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db


def page(gql) -> tuple[tuple[str, str, bool], int]:
    """The variant's price after promotions, before them and whether it is on sale,
    and the statements the page took."""
    with CaptureQueriesContext(connection) as queries:
        body = gql(operation("storefront/Product"), {"slug": "grifo"})
    pricing = body["data"]["product"]["variants"][0]["pricing"]
    price = (
        pricing["price"]["gross"]["amount"],
        pricing["priceUndiscounted"]["gross"]["amount"],
        pricing["onSale"],
    )
    return price, len(queries)


@pytest.fixture
def variant():
    return VariantFactory(product=ProductFactory(slug="grifo"), price=Decimal("10.00"))


def test_unchanged_promotions_are_not_read_again(gql, variant):
    PromotionFactory(products=[variant.product], value=Decimal("50"))
    first, cold = page(gql)
    second, warm = page(gql)

    assert (first, second) == (("5.00", "10.00", True), ("5.00", "10.00", True))
    assert cold - warm == 2  # the promotions and their targets


def test_a_promotion_created_after_a_read_is_shown(gql, variant):
    assert page(gql)[0] == ("10.00", "10.00", False)

    PromotionFactory(products=[variant.product], value=Decimal("50"))

    assert page(gql)[0] == ("5.00", "10.00", True)


def test_a_promotion_changed_or_deleted_after_a_read_is_shown(gql, variant):
    promotion = PromotionFactory(products=[variant.product], value=Decimal("50"))
    assert page(gql)[0] == ("5.00", "10.00", True)

    Promotion.objects.filter(pk=promotion.pk).update(value=Decimal("20"))
    assert page(gql)[0] == ("8.00", "10.00", True)

    promotion.delete()
    assert page(gql)[0] == ("10.00", "10.00", False)
