"""Reading mutation inputs: objects named by global IDs, and the fields a client gave.

Every domain's error enum has ``NOT_FOUND`` and ``INVALID`` members; the
helpers raise ``ValidationError``s with them, which mutations turn into
payload errors.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

import strawberry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from shop.api.relay import decode_id

ModelT = TypeVar("ModelT", bound=models.Model)
# Lists of IDs arrive in variables, which the request's token limit does not count.
MAX_IDS = 500


def not_found(field: str, codes: type[enum.StrEnum]) -> ValidationError:
    return ValidationError({field: ValidationError(_("Not found."), code=codes("not_found"))})


def fetch(
    model: type[ModelT], type_name: str, id: str, *, codes: type[enum.StrEnum], field: str = "id"
) -> ModelT:
    """The object a global ID names; NOT_FOUND on ``field`` otherwise."""
    pk = decode_id(id, type_name)
    obj = model._default_manager.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise not_found(field, codes)
    return obj


def fetch_many(
    model: type[ModelT],
    type_name: str,
    ids: list[strawberry.ID],
    *,
    codes: type[enum.StrEnum],
    field: str,
    queryset: models.QuerySet[ModelT] | None = None,
) -> list[ModelT]:
    """The objects the global IDs name, in their order (repeats kept), read from
    ``queryset`` (default: all of ``model``); NOT_FOUND on ``field`` if any is
    unknown, INVALID beyond ``MAX_IDS``."""
    if len(ids) > MAX_IDS:
        message = _("At most %(count)d at once.") % {"count": MAX_IDS}
        raise ValidationError({field: ValidationError(message, code=codes("invalid"))})
    pks = [decode_id(id, type_name) for id in ids]
    rows = model._default_manager.all() if queryset is None else queryset
    found = rows.in_bulk([pk for pk in pks if pk is not None])
    if any(pk not in found for pk in pks):
        raise not_found(field, codes)
    return [found[pk] for pk in pks if pk is not None]


def given_fields(input: Any, *, clearable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the client gave. ``null`` means "unchanged", except for the
    ``clearable`` fields, where it clears the value. Enums become their values."""
    return {
        name: value.value if isinstance(value, enum.Enum) else value
        for name, value in vars(input).items()
        if value is not strawberry.UNSET and (value is not None or name in clearable)
    }
