"""Category services: create, update (including moves in the tree) and delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.errors import CatalogErrorCode as Code
from catalog.models import Category
from catalog.selectors import category_descendant_ids
from catalog.services._common import _clean_described, _invalid, _save
from shop.accounts.models import User
from shop.catalog_version import record_catalog_change

CATEGORY_FIELDS = (
    "parent",
    "name",
    "name_en",
    "slug",
    "description",
    "description_en",
    "position",
    "is_published",
    "image",
)


def category_check(category: Category) -> None:
    """The shop's rule beyond model validation: ``parent`` is neither the category
    nor one below it (INVALID on ``parent``)."""
    if category.pk is not None and category.parent_id in category_descendant_ids([category.pk]):
        raise _invalid(
            "parent", _("A category cannot be placed under itself or one of its sub-categories.")
        )


def _clean_category(category: Category) -> None:
    _clean_described(category)
    category_check(category)


@transaction.atomic
def category_create(*, actor: User, data: dict[str, Any]) -> Category:
    """Add a category; the slug defaults to the slugified name. Raises ``ValidationError``."""
    return _save(Category(), data, CATEGORY_FIELDS, _clean_category, actor=actor)


@transaction.atomic
def category_update(*, actor: User, category: Category, data: dict[str, Any]) -> Category:
    """Change a category; ``parent`` may not be the category or one below it (INVALID)."""
    return _save(category, data, CATEGORY_FIELDS, _clean_category, actor=actor)


@transaction.atomic
def category_delete(*, actor: User, category: Category) -> None:
    """Delete an empty category; IN_USE while it has products or sub-categories."""
    if category.products.exists() or category.children.exists():
        raise ValidationError(
            _("Move or delete the category's products and sub-categories first."), code=Code.IN_USE
        )
    record_catalog_change(actor=actor, obj=category, action="delete")
    category.delete()
