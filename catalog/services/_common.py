"""Private helpers shared by the catalogue services: the save every create and
update goes through, field errors, default slugs and next positions. Every write
ends with :func:`shop.catalog_version.record_catalog_change`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Max, Model, QuerySet
from django.utils.text import slugify

from catalog.errors import CatalogErrorCode as Code
from catalog.models import Category, Collection, Product, Warehouse
from shop.accounts.models import User
from shop.catalog_version import record_catalog_change
from shop.content.services import clean_rich_text
from shop.validation import assign, full_clean, save_unique

ModelT = TypeVar("ModelT", bound=Model)

_assign = assign


def _invalid(field: str, message: str, code: Code = Code.INVALID) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _default_slug(obj: Category | Product | Collection | Warehouse) -> None:
    if not obj.slug and obj.name:
        obj.slug = slugify(obj.name)[: obj._meta.get_field("slug").max_length]


def _next_position(rows: QuerySet[Any]) -> int:
    return int(rows.aggregate(last=Max("position"))["last"] or 0) + 1


def _validate(obj: Model) -> None:
    full_clean(obj, Code)


def _clean_described(obj: Category | Product | Collection) -> None:
    """What a category, product or collection needs before its model validation:
    a slug (from the name by default) and sanitised descriptions."""
    _default_slug(obj)
    obj.description = clean_rich_text(obj.description or "")
    obj.description_en = clean_rich_text(obj.description_en or "")
    full_clean(obj, Code)


def _store(
    obj: ModelT,
    data: dict[str, Any],
    fields: tuple[str, ...],
    clean: Callable[[ModelT], None] = _validate,
) -> list[str]:
    """Set the ``fields`` present in ``data`` on ``obj``, run ``clean`` (which raises
    ``ValidationError``; default: model validation) and save; UNIQUE when a
    concurrent writer took the slug or SKU. Returns the names of the fields set,
    for the history entry. Nothing is saved when it raises."""
    changed = _assign(obj, data, fields)
    clean(obj)
    save_unique(obj, Code)
    return changed


def _save(
    obj: ModelT,
    data: dict[str, Any],
    fields: tuple[str, ...],
    clean: Callable[[ModelT], None] = _validate,
    *,
    actor: User,
) -> ModelT:
    """:func:`_store`, then the record of who did it: an add when ``obj`` is new,
    else a change naming the fields set."""
    adding = obj._state.adding
    changed = _store(obj, data, fields, clean)
    if adding:
        record_catalog_change(actor=actor, obj=obj, action="add")
    else:
        record_catalog_change(actor=actor, obj=obj, action="change", changed=changed)
    return obj
