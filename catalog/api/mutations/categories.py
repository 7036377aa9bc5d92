"""Category mutations: create, update (or move) and delete, with their inputs and payload."""

from __future__ import annotations

from typing import Any

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _data, _fetch, catalog_errors
from catalog.api.types import CatalogError, CategoryType
from shop.accounts.models import User
from shop.api.mutations import mutation
from shop.api.types import DeleteInput


@strawberry.input
class CategoryInput:
    parent: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="null makes it a top-level category."
    )
    name: str | None = None
    name_en: str | None = None
    slug: str | None = strawberry.field(default=None, description="Default: from the name.")
    description: str | None = strawberry.field(default=None, description="HTML; sanitised.")
    description_en: str | None = None
    position: int | None = None
    is_published: bool | None = None


@strawberry.input
class CategoryUpdateInput:
    id: strawberry.ID
    category: CategoryInput


@strawberry.type
class CategoryPayload:
    category: CategoryType | None = None
    errors: list[CatalogError] = strawberry.field(default_factory=list)


def _category_data(input: CategoryInput) -> dict[str, Any]:
    data = _data(input, clearable=("parent",))
    if data.get("parent") is not None:
        data["parent"] = _fetch(models.Category, "Category", data["parent"], "parent")
    return data


@strawberry.type
class CategoryMutations:
    @strawberry.mutation(description="Staff: add a category.")
    @mutation(CategoryPayload, catalog_errors, permission="catalog.add_category")
    def category_create(self, input: CategoryInput, actor: User) -> CategoryPayload:
        category = services.category_create(actor=actor, data=_category_data(input))
        return CategoryPayload(category=category)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: change or move a category.")
    @mutation(CategoryPayload, catalog_errors, permission="catalog.change_category")
    def category_update(self, input: CategoryUpdateInput, actor: User) -> CategoryPayload:
        category = _fetch(models.Category, "Category", input.id)
        category = services.category_update(
            actor=actor, category=category, data=_category_data(input.category)
        )
        return CategoryPayload(category=category)  # type: ignore[arg-type]

    @strawberry.mutation(description="Staff: delete a category without products or children.")
    @mutation(CategoryPayload, catalog_errors, permission="catalog.delete_category")
    def category_delete(self, input: DeleteInput, actor: User) -> CategoryPayload:
        category = _fetch(models.Category, "Category", input.id)
        services.category_delete(actor=actor, category=category)
        return CategoryPayload()
