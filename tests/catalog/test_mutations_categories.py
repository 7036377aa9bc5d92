"""Staff category mutations by a catalogue manager: database, payload, history and errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION

from catalog.models import Category
from tests.factories import gid
from tests.factories.audit import history
from tests.factories.catalog import CategoryFactory, ProductFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
CREATE = operation("staff/CategoryCreate")
UPDATE = operation("staff/CategoryUpdate")
DELETE = operation("staff/CategoryDelete")


def categories() -> list[dict[str, Any]]:
    return list(Category.objects.order_by("pk").values())


def _errors(body: dict[str, Any], mutation: str) -> list[dict[str, Any]]:
    assert body["data"][mutation]["category"] is None
    errors: list[dict[str, Any]] = body["data"][mutation]["errors"]
    return errors


def test_category_create_under_a_parent_sanitises_and_derives_the_slug(gql, manager):
    # given
    parent = CategoryFactory(slug="filtros")

    # when
    body = gql(
        CREATE,
        {
            "input": {
                "parent": gid("Category", parent.pk),
                "name": "Jarras filtrantes",
                "nameEn": "Filter jugs",
                "description": '<p onclick="x()">Para la nevera</p><script>alert(1)</script>',
                "position": 4,
                "isPublished": False,
            }
        },
        user=manager,
    )

    # then
    category = Category.objects.get(name="Jarras filtrantes")
    assert body == {
        "data": {
            "categoryCreate": {
                "category": {
                    "id": gid("Category", category.pk),
                    "name": "Jarras filtrantes",
                    "slug": "jarras-filtrantes",
                    "description": "<p>Para la nevera</p>",
                    "position": 4,
                    "parent": {"id": gid("Category", parent.pk), "slug": "filtros"},
                },
                "errors": [],
            }
        }
    }
    assert Category.objects.filter(pk=category.pk).values(
        "parent_id", "name", "name_en", "slug", "description", "position", "is_published"
    ).get() == {
        "parent_id": parent.pk,
        "name": "Jarras filtrantes",
        "name_en": "Filter jugs",
        "slug": "jarras-filtrantes",
        "description": "<p>Para la nevera</p>",
        "position": 4,
        "is_published": False,
    }
    assert history() == [(manager.pk, "category", str(category.pk), ADDITION, "")]


def test_category_update_moves_it_to_the_top_level(gql, manager):
    # given
    parent = CategoryFactory(slug="filtros")
    category = CategoryFactory(parent=parent, slug="jarras", name="Jarras", name_en="Jugs")

    # when
    body = gql(
        UPDATE,
        {
            "input": {
                "id": gid("Category", category.pk),
                "category": {"parent": None, "slug": "jarras-agua", "nameEn": "Water jugs"},
            }
        },
        user=manager,
        headers=EN,
    )

    # then
    assert body == {
        "data": {
            "categoryUpdate": {
                "category": {
                    "id": gid("Category", category.pk),
                    "name": "Water jugs",
                    "slug": "jarras-agua",
                    "description": "",
                    "position": 0,
                    "parent": None,
                },
                "errors": [],
            }
        }
    }
    assert Category.objects.filter(pk=category.pk).values(
        "parent_id", "name", "name_en", "slug"
    ).get() == {"parent_id": None, "name": "Jarras", "name_en": "Water jugs", "slug": "jarras-agua"}
    assert history() == [
        (manager.pk, "category", str(category.pk), CHANGE, "parent, name_en, slug")
    ]


def test_category_update_without_parent_keeps_the_parent(gql, manager):
    # given
    parent = CategoryFactory(slug="filtros")
    category = CategoryFactory(parent=parent, slug="jarras")

    # when
    body = gql(
        UPDATE,
        {"input": {"id": gid("Category", category.pk), "category": {"name": "Jarras"}}},
        user=manager,
    )

    # then
    assert body["data"]["categoryUpdate"]["errors"] == []
    assert body["data"]["categoryUpdate"]["category"]["parent"] == {
        "id": gid("Category", parent.pk),
        "slug": "filtros",
    }
    assert Category.objects.get(pk=category.pk).parent_id == parent.pk
    assert history() == [(manager.pk, "category", str(category.pk), CHANGE, "name")]


def test_category_delete_removes_an_empty_category(gql, manager):
    # given
    category = CategoryFactory(slug="vacia")
    kept = CategoryFactory(slug="otra")

    # when
    body = gql(DELETE, {"input": {"id": gid("Category", category.pk)}}, user=manager)

    # then
    assert body == {"data": {"categoryDelete": {"category": None, "errors": []}}}
    assert list(Category.objects.values_list("pk", flat=True)) == [kept.pk]
    assert history() == [(manager.pk, "category", str(category.pk), DELETION, "")]


def test_duplicate_slug_is_refused(gql, manager):
    # given
    CategoryFactory(slug="filtros")
    before = categories()

    # when
    body = gql(CREATE, {"input": {"name": "Filtros"}}, user=manager, headers=EN)

    # then
    assert _errors(body, "categoryCreate") == [
        {"field": "slug", "code": "UNIQUE", "message": "Category with this Slug already exists."}
    ]
    assert categories() == before
    assert history() == []


def test_name_is_required(gql, manager):
    # when
    body = gql(CREATE, {"input": {"slug": "sin-nombre"}}, user=manager, headers=EN)

    # then
    assert _errors(body, "categoryCreate") == [
        {"field": "name", "code": "REQUIRED", "message": "This field cannot be blank."}
    ]
    assert categories() == []
    assert history() == []


def test_a_category_cannot_be_its_own_parent(gql, manager):
    # given
    category = CategoryFactory(slug="filtros")
    before = categories()

    # when
    body = gql(
        UPDATE,
        {
            "input": {
                "id": gid("Category", category.pk),
                "category": {"parent": gid("Category", category.pk)},
            }
        },
        user=manager,
        headers=EN,
    )

    # then
    assert _errors(body, "categoryUpdate") == [
        {
            "field": "parent",
            "code": "INVALID",
            "message": "A category cannot be placed under itself or one of its sub-categories.",
        }
    ]
    assert categories() == before
    assert history() == []


def test_a_category_cannot_move_under_its_grandchild(gql, manager):
    # given
    top = CategoryFactory(slug="agua")
    child = CategoryFactory(parent=top, slug="filtros")
    grandchild = CategoryFactory(parent=child, slug="jarras")
    before = categories()

    # when
    body = gql(
        UPDATE,
        {
            "input": {
                "id": gid("Category", top.pk),
                "category": {"parent": gid("Category", grandchild.pk)},
            }
        },
        user=manager,
        headers=EN,
    )

    # then
    assert _errors(body, "categoryUpdate") == [
        {
            "field": "parent",
            "code": "INVALID",
            "message": "A category cannot be placed under itself or one of its sub-categories.",
        }
    ]
    assert categories() == before
    assert history() == []


def test_a_category_with_products_cannot_be_deleted(gql, manager):
    # given
    category = CategoryFactory(slug="filtros")
    ProductFactory(category=category)
    before = categories()

    # when
    body = gql(DELETE, {"input": {"id": gid("Category", category.pk)}}, user=manager, headers=EN)

    # then
    assert _errors(body, "categoryDelete") == [
        {
            "field": None,
            "code": "IN_USE",
            "message": "Move or delete the category's products and sub-categories first.",
        }
    ]
    assert categories() == before
    assert history() == []


def test_a_category_with_sub_categories_cannot_be_deleted(gql, manager):
    # given
    category = CategoryFactory(slug="filtros")
    CategoryFactory(parent=category, slug="jarras")
    before = categories()

    # when
    body = gql(DELETE, {"input": {"id": gid("Category", category.pk)}}, user=manager, headers=EN)

    # then
    assert _errors(body, "categoryDelete") == [
        {
            "field": None,
            "code": "IN_USE",
            "message": "Move or delete the category's products and sub-categories first.",
        }
    ]
    assert categories() == before
    assert history() == []


@pytest.mark.parametrize(
    ("document", "mutation", "variables", "field"),
    [
        (UPDATE, "categoryUpdate", {"id": "bm9wZQ==", "category": {"name": "X"}}, "id"),
        (UPDATE, "categoryUpdate", {"id": gid("Product", 1), "category": {"name": "X"}}, "id"),
        (DELETE, "categoryDelete", {"id": gid("Category", 999_999)}, "id"),
        (CREATE, "categoryCreate", {"name": "X", "parent": gid("Category", 999_999)}, "parent"),
        (CREATE, "categoryCreate", {"name": "X", "parent": "not-an-id"}, "parent"),
    ],
)
def test_bad_ids_are_not_found(gql, manager, document, mutation, variables, field):
    # given
    CategoryFactory(pk=1, slug="filtros")
    before = categories()

    # when
    body = gql(document, {"input": variables}, user=manager, headers=EN)

    # then
    assert _errors(body, mutation) == [
        {"field": field, "code": "NOT_FOUND", "message": "Not found."}
    ]
    assert categories() == before
    assert history() == []
