"""Category mutations: create, update (or move) and delete, with their inputs and payload."""

from __future__ import annotations

from typing import Any

import strawberry

from catalog import models, services
from catalog.api.mutations._common import _data, _fetch, catalog_errors
from catalog.api.types import CatalogError, CategoryType
from shop.api.mutations import StaffCrud


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


_categories = StaffCrud(
    model=models.Category,
    payload=CategoryPayload,
    errors=catalog_errors,
    keyword="category",
    data=_category_data,
)


@strawberry.type
class CategoryMutations:
    category_create = _categories.create(
        services.category_create, input=CategoryInput, description="Staff: add a category."
    )
    category_update = _categories.update(
        services.category_update,
        input=CategoryUpdateInput,
        description="Staff: change or move a category.",
    )
    category_delete = _categories.delete(
        services.category_delete,
        description="Staff: delete a category without products or children.",
    )
