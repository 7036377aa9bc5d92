"""Staff content mutations by a shop administrator: database, payload and history."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION

from shop.accounts.models import User
from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage, ShopSettings
from tests.content import operations as ops
from tests.content.factories import (
    FaqCategoryFactory,
    FaqEntryFactory,
    HomePageSectionFactory,
    LegalPageFactory,
    ShopSettingsFactory,
)
from tests.content.helpers import global_id
from tests.factories.audit import history

pytestmark = pytest.mark.django_db


def test_shop_settings_update_creates_the_settings_row(gql, shop_admin):
    # given: the shop was never configured

    # when
    body = gql(
        ops.SHOP_SETTINGS_UPDATE,
        {
            "input": {
                "name": "Aguas del Sur",
                "nameEn": "Southern Waters",
                "contactEmail": "hola@aguasdelsur.es",
                "contactPhone": "+34 950 000 000",
            }
        },
        user=shop_admin,
    )

    # then
    assert body == {
        "data": {
            "shopSettingsUpdate": {
                "shop": {
                    "name": "Aguas del Sur",
                    "contactEmail": "hola@aguasdelsur.es",
                    "contactPhone": "+34 950 000 000",
                },
                "errors": [],
            }
        }
    }
    assert list(
        ShopSettings.objects.values_list("pk", "name", "name_en", "contact_email", "contact_phone")
    ) == [(1, "Aguas del Sur", "Southern Waters", "hola@aguasdelsur.es", "+34 950 000 000")]
    assert history() == [
        (shop_admin.pk, "shopsettings", "1", CHANGE, "name, name_en, contact_email, contact_phone")
    ]


def test_shop_settings_update_changes_only_the_given_fields(gql, shop_admin):
    # given
    ShopSettingsFactory(
        name="Tienda del Agua",
        name_en="Water Shop",
        contact_email="hola@tiendadelagua.es",
        contact_phone="+34 900 000 000",
    )

    # when
    body = gql(ops.SHOP_SETTINGS_UPDATE, {"input": {"nameEn": "The Water Shop"}}, user=shop_admin)

    # then
    assert body == {
        "data": {
            "shopSettingsUpdate": {
                "shop": {
                    "name": "Tienda del Agua",
                    "contactEmail": "hola@tiendadelagua.es",
                    "contactPhone": "+34 900 000 000",
                },
                "errors": [],
            }
        }
    }
    assert list(
        ShopSettings.objects.values_list("name", "name_en", "contact_email", "contact_phone")
    ) == [("Tienda del Agua", "The Water Shop", "hola@tiendadelagua.es", "+34 900 000 000")]
    assert history() == [(shop_admin.pk, "shopsettings", "1", CHANGE, "name_en")]


def test_home_page_section_create_appends_after_the_last_section(gql, shop_admin):
    # given
    HomePageSectionFactory(position=7)

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE,
        {
            "input": {
                "kind": "HERO",
                "title": "Bienvenida",
                "titleEn": "Welcome",
                "body": "<p>Agua de calidad</p>",
                "bodyEn": "<p>Quality water</p>",
                "imageAlt": "Un vaso",
                "linkUrl": "https://tiendadelagua.es/ofertas",
            }
        },
        user=shop_admin,
    )

    # then
    section = HomePageSection.objects.get(title="Bienvenida")
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": {
                    "__typename": "HeroSection",
                    "id": global_id("HomePageSection", section.pk),
                    "position": 8,
                    "title": "Bienvenida",
                    "text": "<p>Agua de calidad</p>",
                    "image": None,
                    "linkUrl": "https://tiendadelagua.es/ofertas",
                },
                "errors": [],
            }
        }
    }
    assert HomePageSection.objects.filter(pk=section.pk).values(
        "kind",
        "position",
        "is_published",
        "title",
        "title_en",
        "body",
        "body_en",
        "image_alt",
        "link_url",
        "collection_slug",
        "product_slugs",
    ).get() == {
        "kind": "hero",
        "position": 8,
        "is_published": True,
        "title": "Bienvenida",
        "title_en": "Welcome",
        "body": "<p>Agua de calidad</p>",
        "body_en": "<p>Quality water</p>",
        "image_alt": "Un vaso",
        "link_url": "https://tiendadelagua.es/ofertas",
        "collection_slug": "",
        "product_slugs": [],
    }
    assert history() == [(shop_admin.pk, "homepagesection", str(section.pk), ADDITION, "")]


def test_home_page_section_create_unpublished_featured_products_at_a_position(gql, shop_admin):
    # given: an empty home page

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE,
        {
            "input": {
                "kind": "FEATURED_PRODUCTS",
                "position": 3,
                "isPublished": False,
                "title": "Novedades",
                "productSlugs": ["jarra", "filtro"],
            }
        },
        user=shop_admin,
    )

    # then
    section = HomePageSection.objects.get()
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": {
                    "__typename": "FeaturedProductsSection",
                    "id": global_id("HomePageSection", section.pk),
                    "position": 3,
                    "title": "Novedades",
                    "productSlugs": ["jarra", "filtro"],
                },
                "errors": [],
            }
        }
    }
    assert (section.kind, section.position, section.is_published, section.product_slugs) == (
        "featured_products",
        3,
        False,
        ["jarra", "filtro"],
    )
    assert history() == [(shop_admin.pk, "homepagesection", str(section.pk), ADDITION, "")]


def test_home_page_section_update(gql, shop_admin):
    # given
    section = HomePageSectionFactory(
        kind=HomePageSection.Kind.FEATURED_COLLECTION,
        position=2,
        title="Filtros",
        body="",
        collection_slug="filtros",
    )

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_UPDATE,
        {
            "input": {
                "id": global_id("HomePageSection", section.pk),
                "section": {"title": "Jarras", "collectionSlug": "jarras"},
            }
        },
        user=shop_admin,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionUpdate": {
                "section": {
                    "__typename": "FeaturedCollectionSection",
                    "id": global_id("HomePageSection", section.pk),
                    "position": 2,
                    "title": "Jarras",
                    "collectionSlug": "jarras",
                },
                "errors": [],
            }
        }
    }
    section.refresh_from_db()
    assert (section.kind, section.position, section.title, section.collection_slug) == (
        "featured_collection",
        2,
        "Jarras",
        "jarras",
    )
    assert history() == [
        (shop_admin.pk, "homepagesection", str(section.pk), CHANGE, "title, collection_slug")
    ]


def test_home_page_section_update_changes_the_kind(gql, shop_admin):
    # given
    section = HomePageSectionFactory(
        kind=HomePageSection.Kind.RICH_TEXT, position=1, title="Texto", body="<p>Hola</p>"
    )

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_UPDATE,
        {
            "input": {
                "id": global_id("HomePageSection", section.pk),
                "section": {"kind": "HERO", "linkUrl": "/ofertas"},
            }
        },
        user=shop_admin,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionUpdate": {
                "section": {
                    "__typename": "HeroSection",
                    "id": global_id("HomePageSection", section.pk),
                    "position": 1,
                    "title": "Texto",
                    "text": "<p>Hola</p>",
                    "image": None,
                    "linkUrl": "/ofertas",
                },
                "errors": [],
            }
        }
    }
    section.refresh_from_db()
    assert (section.kind, section.link_url) == ("hero", "/ofertas")
    assert history() == [
        (shop_admin.pk, "homepagesection", str(section.pk), CHANGE, "kind, link_url")
    ]


def test_home_page_section_delete(gql, shop_admin):
    # given
    section = HomePageSectionFactory()
    other = HomePageSectionFactory()

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_DELETE,
        {"input": {"id": global_id("HomePageSection", section.pk)}},
        user=shop_admin,
    )

    # then
    assert body == {"data": {"homePageSectionDelete": {"section": None, "errors": []}}}
    assert list(HomePageSection.objects.values_list("pk", flat=True)) == [other.pk]
    assert history() == [(shop_admin.pk, "homepagesection", str(section.pk), DELETION, "")]


def test_home_page_sections_reorder(gql, shop_admin):
    # given
    first = HomePageSectionFactory(position=1, title="Uno")
    second = HomePageSectionFactory(position=2, title="Dos")
    hidden = HomePageSectionFactory(position=3, title="Tres", is_published=False)

    # when
    body = gql(
        ops.HOME_PAGE_SECTIONS_REORDER,
        {
            "input": {
                "ids": [
                    global_id("HomePageSection", hidden.pk),
                    global_id("HomePageSection", first.pk),
                    global_id("HomePageSection", second.pk),
                ]
            }
        },
        user=shop_admin,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionsReorder": {
                "sections": [
                    {"id": global_id("HomePageSection", hidden.pk), "position": 1, "title": "Tres"},
                    {"id": global_id("HomePageSection", first.pk), "position": 2, "title": "Uno"},
                    {"id": global_id("HomePageSection", second.pk), "position": 3, "title": "Dos"},
                ],
                "errors": [],
            }
        }
    }
    assert list(HomePageSection.objects.order_by("pk").values_list("pk", "position")) == [
        (first.pk, 2),
        (second.pk, 3),
        (hidden.pk, 1),
    ]
    assert history() == [
        (shop_admin.pk, "homepagesection", str(first.pk), CHANGE, "position"),
        (shop_admin.pk, "homepagesection", str(second.pk), CHANGE, "position"),
        (shop_admin.pk, "homepagesection", str(hidden.pk), CHANGE, "position"),
    ]


def test_faq_category_create(gql, shop_admin):
    # given: no categories

    # when
    body = gql(
        ops.FAQ_CATEGORY_CREATE,
        {"input": {"name": "Envíos", "nameEn": "Shipping", "position": 4}},
        user=shop_admin,
    )

    # then
    category = FaqCategory.objects.get()
    assert body == {
        "data": {
            "faqCategoryCreate": {
                "category": {
                    "id": global_id("FaqCategory", category.pk),
                    "name": "Envíos",
                    "position": 4,
                },
                "errors": [],
            }
        }
    }
    assert (category.name, category.name_en, category.position) == ("Envíos", "Shipping", 4)
    assert history() == [
        (shop_admin.pk, "faqcategory", str(category.pk), ADDITION, "name, name_en, position")
    ]


def test_faq_category_update(gql, shop_admin):
    # given
    category = FaqCategoryFactory(name="Envios", name_en="Shipping", position=1)

    # when
    body = gql(
        ops.FAQ_CATEGORY_UPDATE,
        {"input": {"id": global_id("FaqCategory", category.pk), "category": {"name": "Envíos"}}},
        user=shop_admin,
    )

    # then
    assert body == {
        "data": {
            "faqCategoryUpdate": {
                "category": {
                    "id": global_id("FaqCategory", category.pk),
                    "name": "Envíos",
                    "position": 1,
                },
                "errors": [],
            }
        }
    }
    category.refresh_from_db()
    assert (category.name, category.name_en, category.position) == ("Envíos", "Shipping", 1)
    assert history() == [(shop_admin.pk, "faqcategory", str(category.pk), CHANGE, "name")]


def test_faq_category_delete_of_an_empty_category(gql, shop_admin):
    # given
    category = FaqCategoryFactory()
    kept = FaqEntryFactory().category

    # when
    body = gql(
        ops.FAQ_CATEGORY_DELETE,
        {"input": {"id": global_id("FaqCategory", category.pk)}},
        user=shop_admin,
    )

    # then
    assert body == {"data": {"faqCategoryDelete": {"category": None, "errors": []}}}
    assert list(FaqCategory.objects.values_list("pk", flat=True)) == [kept.pk]
    assert history() == [(shop_admin.pk, "faqcategory", str(category.pk), DELETION, "")]


def test_faq_entry_create(gql, shop_admin):
    # given
    category = FaqCategoryFactory(name="Pagos")

    # when
    body = gql(
        ops.FAQ_ENTRY_CREATE,
        {
            "input": {
                "category": global_id("FaqCategory", category.pk),
                "question": "¿Puedo pagar con tarjeta?",
                "questionEn": "Can I pay by card?",
                "answer": "<p>Sí</p>",
                "answerEn": "<p>Yes</p>",
                "position": 2,
                "isPublished": False,
            }
        },
        user=shop_admin,
    )

    # then
    entry = FaqEntry.objects.get()
    assert body == {
        "data": {
            "faqEntryCreate": {
                "entry": {
                    "id": global_id("FaqEntry", entry.pk),
                    "question": "¿Puedo pagar con tarjeta?",
                    "answer": "<p>Sí</p>",
                    "position": 2,
                    "category": {"id": global_id("FaqCategory", category.pk), "name": "Pagos"},
                },
                "errors": [],
            }
        }
    }
    assert FaqEntry.objects.filter(pk=entry.pk).values(
        "category_id", "question", "question_en", "answer", "answer_en", "position", "is_published"
    ).get() == {
        "category_id": category.pk,
        "question": "¿Puedo pagar con tarjeta?",
        "question_en": "Can I pay by card?",
        "answer": "<p>Sí</p>",
        "answer_en": "<p>Yes</p>",
        "position": 2,
        "is_published": False,
    }
    assert history() == [
        (
            shop_admin.pk,
            "faqentry",
            str(entry.pk),
            ADDITION,
            "category, question, question_en, answer, answer_en, position, is_published",
        )
    ]


def test_faq_entry_update_moves_it_to_another_category(gql, shop_admin):
    # given
    entry = FaqEntryFactory(question="¿Cuánto tarda?", answer="<p>Dos días</p>", position=1)
    other = FaqCategoryFactory(name="Envíos")

    # when
    body = gql(
        ops.FAQ_ENTRY_UPDATE,
        {
            "input": {
                "id": global_id("FaqEntry", entry.pk),
                "entry": {"category": global_id("FaqCategory", other.pk), "answer": "<p>Tres</p>"},
            }
        },
        user=shop_admin,
    )

    # then
    assert body == {
        "data": {
            "faqEntryUpdate": {
                "entry": {
                    "id": global_id("FaqEntry", entry.pk),
                    "question": "¿Cuánto tarda?",
                    "answer": "<p>Tres</p>",
                    "position": 1,
                    "category": {"id": global_id("FaqCategory", other.pk), "name": "Envíos"},
                },
                "errors": [],
            }
        }
    }
    entry.refresh_from_db()
    assert (entry.category_id, entry.question, entry.answer) == (
        other.pk,
        "¿Cuánto tarda?",
        "<p>Tres</p>",
    )
    assert history() == [(shop_admin.pk, "faqentry", str(entry.pk), CHANGE, "category, answer")]


def test_faq_entry_delete(gql, shop_admin):
    # given
    entry = FaqEntryFactory()
    other = FaqEntryFactory(category=entry.category)

    # when
    body = gql(
        ops.FAQ_ENTRY_DELETE, {"input": {"id": global_id("FaqEntry", entry.pk)}}, user=shop_admin
    )

    # then
    assert body == {"data": {"faqEntryDelete": {"entry": None, "errors": []}}}
    assert list(FaqEntry.objects.values_list("pk", flat=True)) == [other.pk]
    assert FaqCategory.objects.filter(pk=entry.category_id).exists()
    assert history() == [(shop_admin.pk, "faqentry", str(entry.pk), DELETION, "")]


def test_legal_page_update_creates_a_missing_page(gql, shop_admin):
    # given: no legal texts

    # when
    body = gql(
        ops.LEGAL_PAGE_UPDATE,
        {
            "input": {
                "kind": "COOKIES",
                "page": {
                    "title": "Política de cookies",
                    "titleEn": "Cookie policy",
                    "body": "<p>Solo cookies técnicas</p>",
                    "bodyEn": "<p>Technical cookies only</p>",
                },
            }
        },
        user=shop_admin,
    )

    # then
    page = LegalPage.objects.get()
    assert body == {
        "data": {
            "legalPageUpdate": {
                "page": {
                    "id": global_id("LegalPage", page.pk),
                    "kind": "COOKIES",
                    "title": "Política de cookies",
                    "body": "<p>Solo cookies técnicas</p>",
                },
                "errors": [],
            }
        }
    }
    assert LegalPage.objects.values("kind", "title", "title_en", "body", "body_en").get() == {
        "kind": "cookies",
        "title": "Política de cookies",
        "title_en": "Cookie policy",
        "body": "<p>Solo cookies técnicas</p>",
        "body_en": "<p>Technical cookies only</p>",
    }
    assert history() == [
        (shop_admin.pk, "legalpage", str(page.pk), ADDITION, "title, title_en, body, body_en")
    ]


def test_legal_page_update_changes_an_existing_page(gql, shop_admin):
    # given
    page = LegalPageFactory(
        kind=LegalPage.Kind.TERMS_OF_SALE,
        title="Condiciones",
        title_en="Terms",
        body="<p>Antiguas</p>",
    )
    LegalPageFactory(kind=LegalPage.Kind.LEGAL_NOTICE, title="Aviso legal", body="<p>Aviso</p>")

    # when
    body = gql(
        ops.LEGAL_PAGE_UPDATE,
        {"input": {"kind": "TERMS_OF_SALE", "page": {"body": "<p>Nuevas</p>"}}},
        user=shop_admin,
    )

    # then
    assert body == {
        "data": {
            "legalPageUpdate": {
                "page": {
                    "id": global_id("LegalPage", page.pk),
                    "kind": "TERMS_OF_SALE",
                    "title": "Condiciones",
                    "body": "<p>Nuevas</p>",
                },
                "errors": [],
            }
        }
    }
    assert list(LegalPage.objects.order_by("kind").values_list("kind", "title", "body")) == [
        ("legal_notice", "Aviso legal", "<p>Aviso</p>"),
        ("terms_of_sale", "Condiciones", "<p>Nuevas</p>"),
    ]
    assert history() == [(shop_admin.pk, "legalpage", str(page.pk), CHANGE, "body")]


def test_superuser_staff_may_change_content_without_a_group(gql):
    # given
    superuser = User.objects.create_superuser("root@example.com", "contraseña-segura")

    # when
    body = gql(ops.FAQ_CATEGORY_CREATE, {"input": {"name": "Envíos"}}, user=superuser)

    # then
    category = FaqCategory.objects.get()
    assert body == {
        "data": {
            "faqCategoryCreate": {
                "category": {
                    "id": global_id("FaqCategory", category.pk),
                    "name": "Envíos",
                    "position": 0,
                },
                "errors": [],
            }
        }
    }
    assert history() == [(superuser.pk, "faqcategory", str(category.pk), ADDITION, "name")]
