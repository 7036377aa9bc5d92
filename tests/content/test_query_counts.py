"""The storefront's content reads do a fixed number of queries, whatever the amount of content."""

from __future__ import annotations

import pytest

from shop.content.models import LegalPage
from tests.content.factories import (
    FaqCategoryFactory,
    FaqEntryFactory,
    HomePageSectionFactory,
    LegalPageFactory,
    ShopSettingsFactory,
)
from tests.content.helpers import EN

pytestmark = pytest.mark.django_db

FAQ_QUERY = "{ shop { faq { question category { name } } } }"

WHOLE_SHOP_QUERY = """
{
  shop {
    name
    languageCode
    homePage { sections { __typename title ... on RichTextSection { text } } }
    faq { question answer category { name } }
    faqCategories { name }
    legal { kind title body }
  }
}
"""


def _faq(entries: int, categories: int) -> list[dict[str, object]]:
    """Published entries spread over ``categories``, plus hidden ones; the expected FAQ."""
    groups = [FaqCategoryFactory(name=f"Categoría {i}", position=i) for i in range(categories)]
    for i in range(entries):
        FaqEntryFactory(category=groups[i % categories], question=f"¿Pregunta {i}?", position=i)
    FaqEntryFactory(category=groups[0], is_published=False)
    return [
        {"question": f"¿Pregunta {i}?", "category": {"name": f"Categoría {i % categories}"}}
        for c in range(categories)
        for i in range(entries)
        if i % categories == c
    ]


@pytest.mark.parametrize(("entries", "categories"), [(2, 2), (10, 4)])
def test_faq_with_categories_is_one_query(gql, django_assert_num_queries, entries, categories):
    # given
    expected = _faq(entries, categories)

    # when
    with django_assert_num_queries(1):
        body = gql(FAQ_QUERY)

    # then
    assert body == {"data": {"shop": {"faq": expected}}}


def test_faq_query_count_does_not_grow_with_the_faq(gql, django_assert_num_queries):
    # given
    _faq(2, 2)
    with django_assert_num_queries(1) as small:
        gql(FAQ_QUERY)
    _faq(10, 4)

    # when
    with django_assert_num_queries(1) as large:
        body = gql(FAQ_QUERY)

    # then
    assert len(body["data"]["shop"]["faq"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def _whole_shop(size: int) -> None:
    ShopSettingsFactory()
    for _ in range(size):
        HomePageSectionFactory()
    _faq(size, max(1, size // 3))
    for kind in list(LegalPage.Kind)[: min(size, 4)]:
        LegalPageFactory(kind=kind)


@pytest.mark.parametrize("size", [1, 8])
def test_whole_shop_query_count_is_fixed(gql, django_assert_num_queries, size):
    # given
    _whole_shop(size)

    # when: settings, sections, FAQ, FAQ categories, legal texts
    with django_assert_num_queries(5):
        body = gql(WHOLE_SHOP_QUERY, headers=EN)

    # then
    shop = body["data"]["shop"]
    assert (
        len(shop["homePage"]["sections"]),
        len(shop["faq"]),
        len(shop["faqCategories"]),
        len(shop["legal"]),
    ) == (size, size, max(1, size // 3), min(size, 4))
