"""Model validation for services, with Django's error codes mapped onto a domain enum."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

CodeT = TypeVar("CodeT", bound=enum.StrEnum)

# Django's codes that mean something a domain enum may say too; the rest is "invalid".
DJANGO_CODES = {
    "blank": "required",
    "null": "required",
    "required": "required",
    "unique": "unique",
    "unique_together": "unique",
}


def field_error(field: str | None, message: str, code: enum.StrEnum) -> ValidationError:
    """The error a service raises: ``message`` with its domain ``code``, on ``field``
    (an input field's name) or, for None, on the request as a whole."""
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def assign(obj: models.Model, data: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """Set the ``fields`` present in ``data`` (None included: callers pass only what
    changes); returns their names, for the history entry."""
    changed = [name for name in fields if name in data]
    for name in changed:
        setattr(obj, name, data[name])
    return changed


def save_unique(obj: models.Model, codes: type[CodeT]) -> None:
    """Save ``obj``, already validated by :func:`full_clean`.

    A concurrent writer can take a unique slug or SKU between the check and the
    insert: the database's constraint then decides, and the loser gets the same
    UNIQUE error as if the check had seen it, not a server error.
    """
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        full_clean(obj, codes)
        raise


def full_clean(obj: models.Model, codes: type[CodeT], *, exclude: list[str] | None = None) -> None:
    """Run ``obj.full_clean()``; raise its errors with codes from ``codes``.

    ``codes`` must have an ``"invalid"`` member, used for every Django code it
    has no member for; ``"blank"``/``"null"`` become ``"required"`` and
    ``"unique"`` stays ``"unique"`` when ``codes`` has such members.
    """
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationError(
            {
                field: [
                    ValidationError(message, code=_domain_code(error.code, codes))
                    for error in errors
                    for message in error.messages
                ]
                for field, errors in exc.error_dict.items()
            }
        ) from exc


def _domain_code(raw: str | None, codes: type[CodeT]) -> CodeT:
    value = DJANGO_CODES.get(raw or "", "invalid")
    try:
        return codes(value)
    except ValueError:
        return codes("invalid")
