"""Every content mutation is refused to guests, customers and staff without the permission,
and a refused request leaves the database exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group

from shop.accounts.models import User
from shop.content.models import LegalPage
from tests.content import operations as ops
from tests.content.factories import (
    FaqCategoryFactory,
    FaqEntryFactory,
    HomePageSectionFactory,
    LegalPageFactory,
    ShopSettingsFactory,
)
from tests.content.helpers import EN, SHOP_ADMINISTRATOR_GROUP, content_snapshot, global_id

pytestmark = pytest.mark.django_db

Content = dict[str, Any]
Variables = Callable[[Content], dict[str, Any]]


@pytest.fixture
def content() -> Content:
    """One of everything, so that each mutation below would change something if allowed."""
    ShopSettingsFactory(name="Tienda del Agua")
    used = FaqCategoryFactory(name="Envíos")
    return {
        "section": HomePageSectionFactory(position=1, title="Uno"),
        "other_section": HomePageSectionFactory(position=2, title="Dos"),
        "used_category": used,
        "empty_category": FaqCategoryFactory(name="Vacía"),
        "entry": FaqEntryFactory(category=used),
        "legal": LegalPageFactory(kind=LegalPage.Kind.LEGAL_NOTICE),
    }


def _section_id(content: Content, key: str = "section") -> str:
    return global_id("HomePageSection", content[key].pk)


MUTATIONS: dict[str, tuple[str, Variables]] = {
    "shopSettingsUpdate": (
        ops.SHOP_SETTINGS_UPDATE,
        lambda _content: {"name": "Robada", "contactEmail": "x@example.com"},
    ),
    "homePageSectionCreate": (
        ops.HOME_PAGE_SECTION_CREATE,
        lambda _content: {"kind": "RICH_TEXT", "title": "Nueva", "body": "<p>x</p>"},
    ),
    "homePageSectionUpdate": (
        ops.HOME_PAGE_SECTION_UPDATE,
        lambda content: {"id": _section_id(content), "section": {"title": "Cambiada"}},
    ),
    "homePageSectionDelete": (
        ops.HOME_PAGE_SECTION_DELETE,
        lambda content: {"id": _section_id(content)},
    ),
    "homePageSectionsReorder": (
        ops.HOME_PAGE_SECTIONS_REORDER,
        lambda content: {"ids": [_section_id(content, "other_section"), _section_id(content)]},
    ),
    "faqCategoryCreate": (
        ops.FAQ_CATEGORY_CREATE,
        lambda _content: {"name": "Nueva"},
    ),
    "faqCategoryUpdate": (
        ops.FAQ_CATEGORY_UPDATE,
        lambda content: {
            "id": global_id("FaqCategory", content["used_category"].pk),
            "category": {"name": "Cambiada"},
        },
    ),
    "faqCategoryDelete": (
        ops.FAQ_CATEGORY_DELETE,
        lambda content: {"id": global_id("FaqCategory", content["empty_category"].pk)},
    ),
    "faqEntryCreate": (
        ops.FAQ_ENTRY_CREATE,
        lambda content: {
            "category": global_id("FaqCategory", content["used_category"].pk),
            "question": "¿Nueva?",
            "answer": "<p>Sí</p>",
        },
    ),
    "faqEntryUpdate": (
        ops.FAQ_ENTRY_UPDATE,
        lambda content: {
            "id": global_id("FaqEntry", content["entry"].pk),
            "entry": {"question": "¿Cambiada?"},
        },
    ),
    "faqEntryDelete": (
        ops.FAQ_ENTRY_DELETE,
        lambda content: {"id": global_id("FaqEntry", content["entry"].pk)},
    ),
    "legalPageUpdate": (
        ops.LEGAL_PAGE_UPDATE,
        lambda _content: {"kind": "LEGAL_NOTICE", "page": {"body": "<p>Cambiado</p>"}},
    ),
}


def _denied(mutation: str, code: str, message: str) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "locations": [{"line": 2, "column": 3}],
                "path": [mutation],
                "extensions": {"code": code},
            }
        ],
    }


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_anonymous(gql, content, mutation):
    # given
    document, variables = MUTATIONS[mutation]
    before = content_snapshot()

    # when
    body = gql(document, {"input": variables(content)}, headers=EN)

    # then
    assert body == _denied(mutation, "UNAUTHENTICATED", "You need to sign in to do this.")
    assert content_snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_a_customer(gql, content, customer, mutation):
    # given
    document, variables = MUTATIONS[mutation]
    before = content_snapshot()

    # when
    body = gql(document, {"input": variables(content)}, user=customer, headers=EN)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert content_snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_staff_without_the_permission(
    gql, content, staff_without_permission, mutation
):
    # given
    document, variables = MUTATIONS[mutation]
    before = content_snapshot()

    # when
    body = gql(document, {"input": variables(content)}, user=staff_without_permission, headers=EN)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert content_snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_a_non_staff_user_in_the_administrator_group(gql, content, mutation):
    # given: the group's permissions are not enough without the staff flag
    user = User.objects.create_user("antiguo@example.com", "contraseña-segura")
    user.groups.add(Group.objects.get(name=SHOP_ADMINISTRATOR_GROUP))
    document, variables = MUTATIONS[mutation]
    before = content_snapshot()

    # when
    body = gql(document, {"input": variables(content)}, user=user, headers=EN)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert content_snapshot() == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_the_refused_requests_would_change_the_database_for_an_administrator(
    gql, content, shop_admin, mutation
):
    # given: the very requests the denial tests send
    document, variables = MUTATIONS[mutation]
    before = content_snapshot()

    # when
    body = gql(document, {"input": variables(content)}, user=shop_admin, headers=EN)

    # then: they are valid, so an unchanged database above really means "refused"
    assert body["data"][mutation]["errors"] == []
    assert content_snapshot() != before
