"""Private helpers shared by the catalogue services: assigning the given fields,
field errors, default slugs, next positions and history messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.utils.text import slugify

from catalog.errors import CatalogErrorCode as Code
from catalog.models import Category, Collection, Product, Warehouse
from shop.validation import assign

_assign = assign


def _invalid(field: str, message: str, code: Code = Code.INVALID) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _default_slug(obj: Category | Product | Collection | Warehouse) -> None:
    if not obj.slug and obj.name:
        obj.slug = slugify(obj.name)[: obj._meta.get_field("slug").max_length]


def _next_position(rows: QuerySet[Any]) -> int:
    return int(rows.aggregate(last=Max("position"))["last"] or 0) + 1


def _changed(changed: list[str]) -> str:
    return ", ".join(changed)
