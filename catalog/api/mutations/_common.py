"""Helpers shared by the catalogue mutations: error payloads, fetching objects by
global ID, and reading the fields a client gave."""

from __future__ import annotations

from typing import TypeVar

import strawberry
from django.db import models as db_models

from catalog.api.types import CatalogError
from catalog.errors import CatalogErrorCode
from shop.api.inputs import fetch, fetch_many, given_fields
from shop.api.mutations import PayloadErrors

ModelT = TypeVar("ModelT", bound=db_models.Model)


catalog_errors = PayloadErrors(CatalogError, CatalogErrorCode)


def _fetch(model: type[ModelT], type_name: str, id: str, field: str = "id") -> ModelT:
    """The object a global ID names; NOT_FOUND on ``field`` otherwise."""
    return fetch(model, type_name, id, codes=CatalogErrorCode, field=field)


def _fetch_many(
    model: type[ModelT], type_name: str, ids: list[strawberry.ID], field: str
) -> list[ModelT]:
    """The objects the global IDs name, in their order; NOT_FOUND on ``field`` if any is unknown."""
    return fetch_many(model, type_name, ids, codes=CatalogErrorCode, field=field)


_data = given_fields
