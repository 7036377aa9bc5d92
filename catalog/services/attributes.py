"""Specification attribute services: create, update (the type only while unused)
and delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.errors import CatalogErrorCode as Code
from catalog.models import Attribute
from catalog.services._common import _invalid, _save
from shop.accounts.models import User
from shop.catalog_version import record_catalog_change
from shop.validation import full_clean

ATTRIBUTE_FIELDS = ("slug", "name", "name_en", "type", "unit", "is_filterable")


def attribute_check(attribute: Attribute) -> None:
    """IN_USE on ``type`` when it changes while products have values of the
    attribute: those values sit in the old type's column."""
    if attribute.pk is None:
        return
    saved = Attribute.objects.filter(pk=attribute.pk).values_list("type", flat=True).first()
    if saved is not None and saved != attribute.type and attribute.values.exists():
        raise _invalid(
            "type",
            _("Products already have values of this attribute; its type cannot change."),
            Code.IN_USE,
        )


def _clean_attribute(attribute: Attribute) -> None:
    full_clean(attribute, Code)
    attribute_check(attribute)


@transaction.atomic
def attribute_create(*, actor: User, data: dict[str, Any]) -> Attribute:
    """Add an attribute; ``slug``, ``name`` and ``type`` are required."""
    return _save(Attribute(), data, ATTRIBUTE_FIELDS, _clean_attribute, actor=actor)


@transaction.atomic
def attribute_update(*, actor: User, attribute: Attribute, data: dict[str, Any]) -> Attribute:
    """Change an attribute; its ``type`` only while no product has a value of it."""
    # Locked, so a product cannot be given a value while the type changes.
    Attribute.objects.select_for_update().filter(pk=attribute.pk).exists()
    return _save(attribute, data, ATTRIBUTE_FIELDS, _clean_attribute, actor=actor)


@transaction.atomic
def attribute_delete(*, actor: User, attribute: Attribute) -> None:
    """Delete an attribute with its choices (the database refuses while products use it)."""
    record_catalog_change(actor=actor, obj=attribute, action="delete")
    attribute.delete()
