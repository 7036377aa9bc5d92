"""The public ``shop`` query: settings, home page, FAQ and legal texts, per language."""

from __future__ import annotations

from typing import Any

import pytest

from shop.content.models import HomePageSection, LegalPage
from tests.content.factories import (
    FaqCategoryFactory,
    FaqEntryFactory,
    HomePageSectionFactory,
    LegalPageFactory,
    ShopSettingsFactory,
)
from tests.content.helpers import EN, global_id

pytestmark = pytest.mark.django_db

SHOP_QUERY = """
query Shop {
  shop {
    name
    languages
    languageCode
    currency
    homePage {
      sections {
        __typename
        id
        position
        title
        ... on HeroSection { text image { url alt } linkUrl }
        ... on FeaturedCollectionSection { collectionSlug }
        ... on FeaturedProductsSection { productSlugs }
        ... on RichTextSection { text }
      }
    }
    faq { question answer category { name } }
    faqCategories { name }
    legal { kind title body }
  }
}
"""

SECTIONS_QUERY = """
query Sections {
  shop {
    homePage {
      sections {
        __typename
        id
        position
        title
        ... on HeroSection { text image { url alt } linkUrl }
        ... on FeaturedCollectionSection { collectionSlug }
        ... on FeaturedProductsSection { productSlugs }
        ... on RichTextSection { text }
      }
    }
  }
}
"""


def _populate_shop() -> dict[str, Any]:
    """A shop with every section kind, two FAQ categories and two legal texts.

    Rows are created out of display order so the ordering comes from ``position``.
    Some English fields are blank to exercise the fallback to Spanish.
    """
    ShopSettingsFactory(name="Tienda del Agua Clara", name_en="Clear Water Shop")
    kinds = HomePageSection.Kind
    rich_text = HomePageSectionFactory(
        kind=kinds.RICH_TEXT,
        position=4,
        title="Nuestra agua",
        title_en="",
        body="<p>Agua del grifo</p>",
        body_en="<p>Tap water</p>",
    )
    hidden = HomePageSectionFactory(
        kind=kinds.RICH_TEXT, position=0, is_published=False, title="Borrador", body="<p>x</p>"
    )
    products = HomePageSectionFactory(
        kind=kinds.FEATURED_PRODUCTS,
        position=3,
        title="Lo más vendido",
        title_en="Best sellers",
        body="",
        product_slugs=["jarra-filtrante", "filtro-grifo"],
    )
    hero = HomePageSectionFactory(
        kind=kinds.HERO,
        position=1,
        title="Bienvenida",
        title_en="Welcome",
        body="<p>Hola</p>",
        body_en="",
        link_url="/tienda",
    )
    collection = HomePageSectionFactory(
        kind=kinds.FEATURED_COLLECTION,
        position=2,
        title="Filtros",
        title_en="Filters",
        body="",
        collection_slug="filtros",
    )
    shipping = FaqCategoryFactory(name="Envíos", name_en="Shipping", position=2)
    payments = FaqCategoryFactory(name="Pagos", name_en="", position=1)
    drafts = FaqCategoryFactory(name="Borradores", name_en="Drafts", position=0)
    FaqEntryFactory(
        category=shipping,
        position=2,
        question="¿Cuánto tarda?",
        question_en="How long does it take?",
        answer="<p>Dos días</p>",
        answer_en="<p>Two days</p>",
    )
    FaqEntryFactory(
        category=shipping,
        position=1,
        question="¿Enviáis a Canarias?",
        question_en="",
        answer="<p>Sí</p>",
        answer_en="",
    )
    FaqEntryFactory(
        category=shipping, position=0, is_published=False, question="¿Oculta?", answer="<p>No</p>"
    )
    FaqEntryFactory(
        category=payments,
        position=1,
        question="¿Puedo pagar con tarjeta?",
        question_en="Can I pay by card?",
        answer="<p>Sí, con Visa</p>",
        answer_en="<p>Yes, with Visa</p>",
    )
    FaqEntryFactory(category=drafts, is_published=False, question="¿Borrador?", answer="<p>-</p>")
    LegalPageFactory(
        kind=LegalPage.Kind.PRIVACY_POLICY,
        title="Política de privacidad",
        title_en="Privacy policy",
        body="<p>Datos</p>",
        body_en="",
    )
    LegalPageFactory(
        kind=LegalPage.Kind.LEGAL_NOTICE,
        title="Aviso legal",
        title_en="",
        body="<p>Titular</p>",
        body_en="<p>Owner</p>",
    )
    return {
        "hero": hero,
        "collection": collection,
        "products": products,
        "rich_text": rich_text,
        "hidden": hidden,
    }


def test_shop_in_spanish_by_default(gql):
    # given
    rows = _populate_shop()

    # when
    body = gql(SHOP_QUERY)

    # then
    assert body == {
        "data": {
            "shop": {
                "name": "Tienda del Agua Clara",
                "languages": ["ES", "EN"],
                "languageCode": "ES",
                "currency": "EUR",
                "homePage": {
                    "sections": [
                        {
                            "__typename": "HeroSection",
                            "id": global_id("HomePageSection", rows["hero"].pk),
                            "position": 1,
                            "title": "Bienvenida",
                            "text": "<p>Hola</p>",
                            "image": None,
                            "linkUrl": "/tienda",
                        },
                        {
                            "__typename": "FeaturedCollectionSection",
                            "id": global_id("HomePageSection", rows["collection"].pk),
                            "position": 2,
                            "title": "Filtros",
                            "collectionSlug": "filtros",
                        },
                        {
                            "__typename": "FeaturedProductsSection",
                            "id": global_id("HomePageSection", rows["products"].pk),
                            "position": 3,
                            "title": "Lo más vendido",
                            "productSlugs": ["jarra-filtrante", "filtro-grifo"],
                        },
                        {
                            "__typename": "RichTextSection",
                            "id": global_id("HomePageSection", rows["rich_text"].pk),
                            "position": 4,
                            "title": "Nuestra agua",
                            "text": "<p>Agua del grifo</p>",
                        },
                    ]
                },
                "faq": [
                    {
                        "question": "¿Puedo pagar con tarjeta?",
                        "answer": "<p>Sí, con Visa</p>",
                        "category": {"name": "Pagos"},
                    },
                    {
                        "question": "¿Enviáis a Canarias?",
                        "answer": "<p>Sí</p>",
                        "category": {"name": "Envíos"},
                    },
                    {
                        "question": "¿Cuánto tarda?",
                        "answer": "<p>Dos días</p>",
                        "category": {"name": "Envíos"},
                    },
                ],
                "faqCategories": [{"name": "Pagos"}, {"name": "Envíos"}],
                "legal": [
                    {"kind": "LEGAL_NOTICE", "title": "Aviso legal", "body": "<p>Titular</p>"},
                    {
                        "kind": "PRIVACY_POLICY",
                        "title": "Política de privacidad",
                        "body": "<p>Datos</p>",
                    },
                ],
            }
        }
    }


def test_shop_in_english_falls_back_to_spanish_for_blank_translations(gql):
    # given
    rows = _populate_shop()

    # when
    body = gql(SHOP_QUERY, headers=EN)

    # then
    assert body == {
        "data": {
            "shop": {
                "name": "Clear Water Shop",
                "languages": ["ES", "EN"],
                "languageCode": "EN",
                "currency": "EUR",
                "homePage": {
                    "sections": [
                        {
                            "__typename": "HeroSection",
                            "id": global_id("HomePageSection", rows["hero"].pk),
                            "position": 1,
                            "title": "Welcome",
                            "text": "<p>Hola</p>",
                            "image": None,
                            "linkUrl": "/tienda",
                        },
                        {
                            "__typename": "FeaturedCollectionSection",
                            "id": global_id("HomePageSection", rows["collection"].pk),
                            "position": 2,
                            "title": "Filters",
                            "collectionSlug": "filtros",
                        },
                        {
                            "__typename": "FeaturedProductsSection",
                            "id": global_id("HomePageSection", rows["products"].pk),
                            "position": 3,
                            "title": "Best sellers",
                            "productSlugs": ["jarra-filtrante", "filtro-grifo"],
                        },
                        {
                            "__typename": "RichTextSection",
                            "id": global_id("HomePageSection", rows["rich_text"].pk),
                            "position": 4,
                            "title": "Nuestra agua",
                            "text": "<p>Tap water</p>",
                        },
                    ]
                },
                "faq": [
                    {
                        "question": "Can I pay by card?",
                        "answer": "<p>Yes, with Visa</p>",
                        "category": {"name": "Pagos"},
                    },
                    {
                        "question": "¿Enviáis a Canarias?",
                        "answer": "<p>Sí</p>",
                        "category": {"name": "Shipping"},
                    },
                    {
                        "question": "How long does it take?",
                        "answer": "<p>Two days</p>",
                        "category": {"name": "Shipping"},
                    },
                ],
                "faqCategories": [{"name": "Pagos"}, {"name": "Shipping"}],
                "legal": [
                    {"kind": "LEGAL_NOTICE", "title": "Aviso legal", "body": "<p>Owner</p>"},
                    {"kind": "PRIVACY_POLICY", "title": "Privacy policy", "body": "<p>Datos</p>"},
                ],
            }
        }
    }


def test_unsupported_language_falls_back_to_spanish(gql):
    # given
    ShopSettingsFactory(name="Tienda del Agua Clara", name_en="Clear Water Shop")

    # when
    body = gql("{ shop { name languageCode } }", headers={"Accept-Language": "fr"})

    # then
    assert body == {"data": {"shop": {"name": "Tienda del Agua Clara", "languageCode": "ES"}}}


def test_shop_settings_defaults_before_anyone_configured_the_shop(gql):
    # given: no settings row

    # when
    body = gql("{ shop { name contactEmail contactPhone } }", headers=EN)

    # then
    assert body == {
        "data": {"shop": {"name": "Tienda del Agua", "contactEmail": "", "contactPhone": ""}}
    }


def test_shop_contact_details(gql):
    # given
    ShopSettingsFactory(contact_email="hola@tiendadelagua.es", contact_phone="+34 900 123 456")

    # when
    body = gql("{ shop { contactEmail contactPhone } }")

    # then
    assert body == {
        "data": {
            "shop": {"contactEmail": "hola@tiendadelagua.es", "contactPhone": "+34 900 123 456"}
        }
    }


def test_hero_section_image_with_localized_alternative_text(gql):
    # given
    hero = HomePageSectionFactory(
        kind=HomePageSection.Kind.HERO,
        position=1,
        title="Portada",
        body="",
        image="home/portada.jpg",
        image_alt="Un vaso de agua",
        image_alt_en="A glass of water",
        link_url="",
    )

    # when
    spanish = gql(SECTIONS_QUERY)
    english = gql(SECTIONS_QUERY, headers=EN)

    # then
    expected_section = {
        "__typename": "HeroSection",
        "id": global_id("HomePageSection", hero.pk),
        "position": 1,
        "title": "Portada",
        "text": "",
        "linkUrl": None,
    }
    assert spanish == {
        "data": {
            "shop": {
                "homePage": {
                    "sections": [
                        {
                            **expected_section,
                            "image": {"url": "/media/home/portada.jpg", "alt": "Un vaso de agua"},
                        }
                    ]
                }
            }
        }
    }
    assert english == {
        "data": {
            "shop": {
                "homePage": {
                    "sections": [
                        {
                            **expected_section,
                            "image": {"url": "/media/home/portada.jpg", "alt": "A glass of water"},
                        }
                    ]
                }
            }
        }
    }


def test_sections_with_equal_positions_keep_creation_order(gql):
    # given
    first = HomePageSectionFactory(position=5, title="Primera")
    second = HomePageSectionFactory(position=5, title="Segunda")
    earlier = HomePageSectionFactory(position=2, title="Antes")

    # when
    body = gql("{ shop { homePage { sections { id title } } } }")

    # then
    assert body == {
        "data": {
            "shop": {
                "homePage": {
                    "sections": [
                        {"id": global_id("HomePageSection", earlier.pk), "title": "Antes"},
                        {"id": global_id("HomePageSection", first.pk), "title": "Primera"},
                        {"id": global_id("HomePageSection", second.pk), "title": "Segunda"},
                    ]
                }
            }
        }
    }


def test_unpublished_content_is_invisible(gql):
    # given
    HomePageSectionFactory(is_published=False)
    FaqEntryFactory(is_published=False)

    # when
    body = gql("{ shop { homePage { sections { id } } faq { question } faqCategories { name } } }")

    # then
    assert body == {
        "data": {"shop": {"homePage": {"sections": []}, "faq": [], "faqCategories": []}}
    }


def test_faq_filtered_by_category(gql):
    # given
    shipping = FaqCategoryFactory(name="Envíos")
    FaqEntryFactory(category=shipping, question="¿Cuánto tarda?")
    FaqEntryFactory(question="¿Otra categoría?")

    # when
    body = gql(
        "query Faq($category: ID) { shop { faq(category: $category) { question } } }",
        {"category": global_id("FaqCategory", shipping.pk)},
    )

    # then
    assert body == {"data": {"shop": {"faq": [{"question": "¿Cuánto tarda?"}]}}}


def test_faq_filtered_by_an_id_of_another_type_is_empty(gql):
    # given
    entry = FaqEntryFactory()

    # when
    body = gql(
        "query Faq($category: ID) { shop { faq(category: $category) { question } } }",
        {"category": global_id("FaqEntry", entry.category_id)},
    )

    # then
    assert body == {"data": {"shop": {"faq": []}}}


def test_faq_ids_are_global_ids(gql):
    # given
    entry = FaqEntryFactory(position=3)

    # when
    body = gql("{ shop { faq { id position category { id position } } } }")

    # then
    assert body == {
        "data": {
            "shop": {
                "faq": [
                    {
                        "id": global_id("FaqEntry", entry.pk),
                        "position": 3,
                        "category": {
                            "id": global_id("FaqCategory", entry.category.pk),
                            "position": entry.category.position,
                        },
                    }
                ]
            }
        }
    }
