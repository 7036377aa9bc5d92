"""Helpers shared by the catalogue mutations: error payloads, fetching objects by
global ID, and reading the fields a client gave."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry
from django.core.exceptions import ValidationError
from django.db import models as db_models
from django.utils.translation import gettext as _

from catalog.api.types import CatalogError
from catalog.errors import CatalogErrorCode
from shop.api.errors import payload_errors
from shop.api.relay import decode_id

ModelT = TypeVar("ModelT", bound=db_models.Model)
# Lists of IDs arrive in variables, which the request's token limit does not count.
MAX_IDS = 500


def catalog_errors(exc: ValidationError) -> list[CatalogError]:
    return payload_errors(exc, CatalogError, CatalogErrorCode, CatalogErrorCode.INVALID)


def _not_found(field: str) -> ValidationError:
    return ValidationError(
        {field: ValidationError(_("Not found."), code=CatalogErrorCode.NOT_FOUND)}
    )


def _fetch(model: type[ModelT], type_name: str, id: str, field: str = "id") -> ModelT:
    """The object a global ID names; NOT_FOUND on ``field`` otherwise."""
    pk = decode_id(id, type_name)
    obj = model._default_manager.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise _not_found(field)
    return obj


def _fetch_many(
    model: type[ModelT], type_name: str, ids: list[strawberry.ID], field: str
) -> list[ModelT]:
    """The objects the global IDs name, in their order; NOT_FOUND on ``field`` if any is unknown."""
    if len(ids) > MAX_IDS:
        raise ValidationError(
            {
                field: ValidationError(
                    _("At most %(count)d at once.") % {"count": MAX_IDS},
                    code=CatalogErrorCode.INVALID,
                )
            }
        )
    pks = [decode_id(id, type_name) for id in ids]
    found = model._default_manager.in_bulk([pk for pk in pks if pk is not None])
    if any(pk not in found for pk in pks):
        raise _not_found(field)
    return [found[pk] for pk in pks if pk is not None]


def _data(input: Any, *, clearable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the client gave. ``null`` means "unchanged", except for the
    ``clearable`` fields, where it clears the value."""
    return {
        name: value.value if hasattr(value, "value") else value
        for name, value in vars(input).items()
        if value is not strawberry.UNSET and (value is not None or name in clearable)
    }
