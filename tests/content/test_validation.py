"""Business errors of the content mutations: payload errors, sanitising, nothing half-saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage
from tests.content import operations as ops
from tests.content.factories import (
    FaqCategoryFactory,
    FaqEntryFactory,
    HomePageSectionFactory,
    LegalPageFactory,
    ShopSettingsFactory,
)
from tests.content.helpers import EN, content_snapshot, global_id
from tests.factories.audit import history

pytestmark = pytest.mark.django_db

NOT_FOUND_ID = {"field": "id", "code": "NOT_FOUND", "message": "Not found."}


def test_featured_collection_needs_a_collection_slug(gql, shop_admin):
    # given
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE,
        {"input": {"kind": "FEATURED_COLLECTION", "title": "Filtros"}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": None,
                "errors": [
                    {
                        "field": "collectionSlug",
                        "code": "REQUIRED",
                        "message": "A featured collection section needs a collection.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_featured_products_needs_a_product(gql, shop_admin):
    # given
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE,
        {"input": {"kind": "FEATURED_PRODUCTS", "productSlugs": []}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": None,
                "errors": [
                    {
                        "field": "productSlugs",
                        "code": "REQUIRED",
                        "message": "A featured products section needs at least one product.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_section_needs_a_kind(gql, shop_admin):
    # given
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE, {"input": {"title": "Sin tipo"}}, user=shop_admin, headers=EN
    )

    # then
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": None,
                "errors": [
                    {"field": "kind", "code": "REQUIRED", "message": "This field cannot be blank."}
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_section_position_cannot_be_negative(gql, shop_admin):
    # given
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE,
        {"input": {"kind": "RICH_TEXT", "position": -1}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": None,
                "errors": [
                    {
                        "field": "position",
                        "code": "INVALID",
                        "message": "Ensure this value is greater than or equal to 0.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


@pytest.mark.parametrize(
    "link_url",
    ["javascript:alert(1)", "http://tiendadelagua.es", "data:text/html,<script>", "tienda"],
)
def test_section_link_must_be_a_site_path_or_https(gql, shop_admin, link_url):
    # given
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE,
        {"input": {"kind": "HERO", "title": "Portada", "linkUrl": link_url}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": None,
                "errors": [
                    {
                        "field": "linkUrl",
                        "code": "INVALID",
                        "message": "Links must be site paths or https addresses.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_section_update_with_a_javascript_link_changes_nothing(gql, shop_admin):
    # given
    section = HomePageSectionFactory(kind=HomePageSection.Kind.HERO, link_url="/tienda")
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_UPDATE,
        {
            "input": {
                "id": global_id("HomePageSection", section.pk),
                "section": {"title": "Otra", "linkUrl": "javascript:alert(1)"},
            }
        },
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionUpdate": {
                "section": None,
                "errors": [
                    {
                        "field": "linkUrl",
                        "code": "INVALID",
                        "message": "Links must be site paths or https addresses.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_section_rich_text_is_sanitised_on_save(gql, shop_admin):
    # given
    dirty = (
        '<p onclick="steal()">Hola <a href="javascript:steal()" onmouseover="steal()">aquí</a>'
        '<a href="https://tiendadelagua.es">tienda</a></p><script>alert(1)</script>'
        '<img src="x" onerror="alert(1)">'
    )

    # when
    body = gql(
        ops.HOME_PAGE_SECTION_CREATE,
        {"input": {"kind": "RICH_TEXT", "title": "Texto", "body": dirty, "bodyEn": dirty}},
        user=shop_admin,
    )

    # then
    clean = (
        '<p>Hola <a rel="noopener noreferrer">aquí</a>'
        '<a href="https://tiendadelagua.es" rel="noopener noreferrer">tienda</a></p>'
    )
    section = HomePageSection.objects.get()
    assert (section.body, section.body_en) == (clean, clean)
    assert body == {
        "data": {
            "homePageSectionCreate": {
                "section": {
                    "__typename": "RichTextSection",
                    "id": global_id("HomePageSection", section.pk),
                    "position": 1,
                    "title": "Texto",
                    "text": clean,
                },
                "errors": [],
            }
        }
    }


def test_section_update_sanitises_rich_text(gql, shop_admin):
    # given
    section = HomePageSectionFactory(kind=HomePageSection.Kind.HERO, body="<p>Hola</p>")

    # when
    gql(
        ops.HOME_PAGE_SECTION_UPDATE,
        {
            "input": {
                "id": global_id("HomePageSection", section.pk),
                "section": {"bodyEn": "<p style='x' onclick='y()'>Hi</p><script>z()</script>"},
            }
        },
        user=shop_admin,
    )

    # then
    section.refresh_from_db()
    assert (section.body, section.body_en) == ("<p>Hola</p>", "<p>Hi</p>")


def test_faq_answer_is_sanitised_on_save(gql, shop_admin):
    # given
    category = FaqCategoryFactory()

    # when
    body = gql(
        ops.FAQ_ENTRY_CREATE,
        {
            "input": {
                "category": global_id("FaqCategory", category.pk),
                "question": "¿Es seguro?",
                "answer": '<p onclick="x()">Sí</p><script>alert(1)</script>',
                "answerEn": "<strong onmouseover='x()'>Yes</strong><style>p{}</style>",
            }
        },
        user=shop_admin,
    )

    # then
    entry = FaqEntry.objects.get()
    assert (entry.answer, entry.answer_en) == ("<p>Sí</p>", "<strong>Yes</strong>")
    assert body["data"]["faqEntryCreate"]["entry"]["answer"] == "<p>Sí</p>"


def test_faq_answer_that_is_only_a_script_is_required(gql, shop_admin):
    # given
    category = FaqCategoryFactory()
    before = content_snapshot()

    # when
    body = gql(
        ops.FAQ_ENTRY_CREATE,
        {
            "input": {
                "category": global_id("FaqCategory", category.pk),
                "question": "¿Vacía?",
                "answer": "<script>alert(1)</script>",
            }
        },
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "faqEntryCreate": {
                "entry": None,
                "errors": [
                    {
                        "field": "answer",
                        "code": "REQUIRED",
                        "message": "This field cannot be blank.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_legal_text_is_sanitised_on_save(gql, shop_admin):
    # given
    LegalPageFactory(kind=LegalPage.Kind.PRIVACY_POLICY, body="<p>Antes</p>")

    # when
    gql(
        ops.LEGAL_PAGE_UPDATE,
        {
            "input": {
                "kind": "PRIVACY_POLICY",
                "page": {
                    "body": '<h2 onclick="x()">Datos</h2><iframe src="https://evil.example"></iframe>',
                    "bodyEn": "<h3>Data</h3><script>alert(1)</script>",
                },
            }
        },
        user=shop_admin,
    )

    # then
    assert list(LegalPage.objects.values_list("body", "body_en")) == [
        ("<h2>Datos</h2>", "<h3>Data</h3>")
    ]


def test_legal_page_created_without_a_body_is_refused(gql, shop_admin):
    # given
    before = content_snapshot()

    # when
    body = gql(
        ops.LEGAL_PAGE_UPDATE,
        {"input": {"kind": "COOKIES", "page": {"title": "Cookies"}}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "legalPageUpdate": {
                "page": None,
                "errors": [
                    {"field": "body", "code": "REQUIRED", "message": "This field cannot be blank."}
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_shop_settings_refuses_a_blank_name_and_a_bad_email(gql, shop_admin):
    # given
    ShopSettingsFactory(name="Tienda del Agua", contact_email="hola@tiendadelagua.es")
    before = content_snapshot()

    # when
    body = gql(
        ops.SHOP_SETTINGS_UPDATE,
        {"input": {"name": "", "contactEmail": "no-es-un-correo"}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "shopSettingsUpdate": {
                "shop": None,
                "errors": [
                    {"field": "name", "code": "REQUIRED", "message": "This field cannot be blank."},
                    {
                        "field": "contactEmail",
                        "code": "INVALID",
                        "message": "Enter a valid email address.",
                    },
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_faq_category_needs_a_name(gql, shop_admin):
    # given
    before = content_snapshot()

    # when
    body = gql(ops.FAQ_CATEGORY_CREATE, {"input": {"position": 1}}, user=shop_admin, headers=EN)

    # then
    assert body == {
        "data": {
            "faqCategoryCreate": {
                "category": None,
                "errors": [
                    {"field": "name", "code": "REQUIRED", "message": "This field cannot be blank."}
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_faq_category_with_entries_cannot_be_deleted(gql, shop_admin):
    # given
    entry = FaqEntryFactory(is_published=False)
    before = content_snapshot()

    # when
    body = gql(
        ops.FAQ_CATEGORY_DELETE,
        {"input": {"id": global_id("FaqCategory", entry.category_id)}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "faqCategoryDelete": {
                "category": None,
                "errors": [
                    {
                        "field": None,
                        "code": "IN_USE",
                        "message": "Move or delete the category's questions first.",
                    }
                ],
            }
        }
    }
    assert FaqCategory.objects.filter(pk=entry.category_id).exists()
    assert content_snapshot() == before


def _bad_ids(type_name: str, other_type: str) -> dict[str, Callable[[int], str]]:
    return {
        "unknown pk": lambda pk: global_id(type_name, pk + 1000),
        "garbage": lambda _pk: "garbage",
        "empty": lambda _pk: "",
        "other type": lambda pk: global_id(other_type, pk),
        "non-numeric node id": lambda _pk: global_id(type_name, "uno"),
        "plain pk": lambda pk: str(pk),
    }


def _section_target() -> int:
    return int(HomePageSectionFactory().pk)


def _category_target() -> int:
    return int(FaqCategoryFactory().pk)


def _entry_target() -> int:
    return int(FaqEntryFactory().pk)


IdMutation = tuple[str, str, str, str, Callable[[], int], Callable[[str], dict[str, Any]]]

# mutation: (document, payload result field, id type, another type, target factory, variables)
ID_MUTATIONS: dict[str, IdMutation] = {
    "homePageSectionUpdate": (
        ops.HOME_PAGE_SECTION_UPDATE,
        "section",
        "HomePageSection",
        "FaqCategory",
        _section_target,
        lambda id: {"id": id, "section": {"title": "Cambiada"}},
    ),
    "homePageSectionDelete": (
        ops.HOME_PAGE_SECTION_DELETE,
        "section",
        "HomePageSection",
        "FaqEntry",
        _section_target,
        lambda id: {"id": id},
    ),
    "faqCategoryUpdate": (
        ops.FAQ_CATEGORY_UPDATE,
        "category",
        "FaqCategory",
        "HomePageSection",
        _category_target,
        lambda id: {"id": id, "category": {"name": "Cambiada"}},
    ),
    "faqCategoryDelete": (
        ops.FAQ_CATEGORY_DELETE,
        "category",
        "FaqCategory",
        "FaqEntry",
        _category_target,
        lambda id: {"id": id},
    ),
    "faqEntryUpdate": (
        ops.FAQ_ENTRY_UPDATE,
        "entry",
        "FaqEntry",
        "FaqCategory",
        _entry_target,
        lambda id: {"id": id, "entry": {"question": "¿Cambiada?"}},
    ),
    "faqEntryDelete": (
        ops.FAQ_ENTRY_DELETE,
        "entry",
        "FaqEntry",
        "LegalPage",
        _entry_target,
        lambda id: {"id": id},
    ),
}

BAD_ID_KINDS = list(_bad_ids("X", "Y"))


@pytest.mark.parametrize("bad_id", BAD_ID_KINDS)
@pytest.mark.parametrize("mutation", ID_MUTATIONS)
def test_mutation_with_a_bad_id_is_not_found(gql, shop_admin, mutation, bad_id):
    # given: an object of the right type exists, but the id does not name it
    document, result, type_name, other_type, target, variables = ID_MUTATIONS[mutation]
    pk = target()
    wrong_id = _bad_ids(type_name, other_type)[bad_id](pk)
    before = content_snapshot()

    # when
    body = gql(document, {"input": variables(wrong_id)}, user=shop_admin, headers=EN)

    # then
    assert body == {"data": {mutation: {result: None, "errors": [NOT_FOUND_ID]}}}
    assert content_snapshot() == before


def test_reorder_missing_a_section_changes_no_position(gql, shop_admin):
    # given
    first = HomePageSectionFactory(position=1)
    second = HomePageSectionFactory(position=2)
    HomePageSectionFactory(position=3, is_published=False)
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTIONS_REORDER,
        {
            "input": {
                "ids": [
                    global_id("HomePageSection", second.pk),
                    global_id("HomePageSection", first.pk),
                ]
            }
        },
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionsReorder": {
                "sections": [],
                "errors": [
                    {
                        "field": "ids",
                        "code": "INVALID",
                        "message": "List every section exactly once.",
                    }
                ],
            }
        }
    }
    assert list(HomePageSection.objects.order_by("pk").values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]
    assert content_snapshot() == before


def test_reorder_listing_a_section_twice_changes_no_position(gql, shop_admin):
    # given
    first = HomePageSectionFactory(position=1)
    second = HomePageSectionFactory(position=2)
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTIONS_REORDER,
        {
            "input": {
                "ids": [
                    global_id("HomePageSection", second.pk),
                    global_id("HomePageSection", first.pk),
                    global_id("HomePageSection", second.pk),
                ]
            }
        },
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionsReorder": {
                "sections": [],
                "errors": [
                    {
                        "field": "ids",
                        "code": "INVALID",
                        "message": "List every section exactly once.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_reorder_with_an_unknown_section_is_not_found(gql, shop_admin):
    # given
    first = HomePageSectionFactory(position=1)
    category = FaqCategoryFactory()
    before = content_snapshot()

    # when
    body = gql(
        ops.HOME_PAGE_SECTIONS_REORDER,
        {
            "input": {
                "ids": [
                    global_id("HomePageSection", first.pk),
                    global_id("FaqCategory", category.pk),
                ]
            }
        },
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "homePageSectionsReorder": {
                "sections": [],
                "errors": [{"field": "ids", "code": "NOT_FOUND", "message": "Not found."}],
            }
        }
    }
    assert content_snapshot() == before


@pytest.mark.parametrize(
    "category_id",
    [
        pytest.param(
            lambda section, _category: global_id("HomePageSection", section.pk), id="type"
        ),
        pytest.param(lambda _section, _category: global_id("FaqCategory", 999_999), id="unknown"),
        pytest.param(lambda _section, _category: "garbage", id="garbage"),
    ],
)
def test_faq_entry_create_with_a_bad_category_is_not_found(gql, shop_admin, category_id):
    # given: a section and a category share the pk the bad id names
    section = HomePageSectionFactory()
    category = FaqCategoryFactory()
    before = content_snapshot()

    # when
    body = gql(
        ops.FAQ_ENTRY_CREATE,
        {
            "input": {
                "category": category_id(section, category),
                "question": "¿Dónde?",
                "answer": "<p>Aquí</p>",
            }
        },
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "faqEntryCreate": {
                "entry": None,
                "errors": [{"field": "category", "code": "NOT_FOUND", "message": "Not found."}],
            }
        }
    }
    assert content_snapshot() == before


def test_faq_entry_update_with_a_category_of_another_type_changes_nothing(gql, shop_admin):
    # given
    entry = FaqEntryFactory()
    legal = LegalPageFactory()
    before = content_snapshot()

    # when
    body = gql(
        ops.FAQ_ENTRY_UPDATE,
        {
            "input": {
                "id": global_id("FaqEntry", entry.pk),
                "entry": {"category": global_id("LegalPage", legal.pk), "question": "¿Otra?"},
            }
        },
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "faqEntryUpdate": {
                "entry": None,
                "errors": [{"field": "category", "code": "NOT_FOUND", "message": "Not found."}],
            }
        }
    }
    assert content_snapshot() == before


def test_faq_entry_create_without_a_category_is_required(gql, shop_admin):
    # given
    before = content_snapshot()

    # when
    body = gql(
        ops.FAQ_ENTRY_CREATE,
        {"input": {"question": "¿Sin categoría?", "answer": "<p>Sí</p>"}},
        user=shop_admin,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "faqEntryCreate": {
                "entry": None,
                "errors": [
                    {
                        "field": "category",
                        "code": "REQUIRED",
                        "message": "This field cannot be null.",
                    }
                ],
            }
        }
    }
    assert content_snapshot() == before


def test_failed_validation_writes_no_history(gql, shop_admin):
    # given
    section = HomePageSectionFactory(
        kind=HomePageSection.Kind.FEATURED_COLLECTION, collection_slug="filtros"
    )

    # when
    gql(
        ops.HOME_PAGE_SECTION_UPDATE,
        {
            "input": {
                "id": global_id("HomePageSection", section.pk),
                "section": {"collectionSlug": ""},
            }
        },
        user=shop_admin,
    )

    # then
    section.refresh_from_db()
    assert section.collection_slug == "filtros"
    assert history() == []
