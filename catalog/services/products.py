"""Product services, with the product's specifications (attribute values):
create, update and delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.errors import CatalogErrorCode as Code
from catalog.media import delete_files, media_files
from catalog.models import Attribute, AttributeChoice, Product, ProductAttributeValue, Stock
from catalog.services._common import _clean_described, _store
from shop.accounts.models import User
from shop.catalog_version import record_catalog_change

PRODUCT_FIELDS = (
    "category",
    "name",
    "name_en",
    "slug",
    "description",
    "description_en",
    "tax_class",
    "is_published",
    "seo_title",
    "seo_title_en",
    "seo_description",
    "seo_description_en",
)
MAX_ATTRIBUTE_NUMBER = Decimal("1e9")


@dataclass(frozen=True)
class AttributeValueData:
    """One specification as entered: the value goes in the field matching ``attribute.type``
    (``choice`` is a choice slug; ``text_en`` may accompany ``text``)."""

    attribute: Attribute
    text: str | None = None
    text_en: str | None = None
    number: Decimal | None = None
    boolean: bool | None = None
    choice: str | None = None


def specification_error(
    value: AttributeValueData, choice: AttributeChoice | None
) -> tuple[str, str] | None:
    """What is wrong with one specification, as the ``AttributeValueData`` field at
    fault (``text``, ``number``, ``boolean``, ``choice``) and a message; None when
    it is right. ``choice`` is the attribute's choice ``value.choice`` names, if any."""
    attribute, kinds = value.attribute, Attribute.Type
    given = [
        kind
        for kind, present in (
            (kinds.TEXT, value.text is not None or value.text_en is not None),
            (kinds.NUMBER, value.number is not None),
            (kinds.BOOLEAN, value.boolean is not None),
            (kinds.CHOICE, value.choice is not None),
        )
        if present
    ]
    names = {"name": attribute.name, "choice": value.choice}
    if given != [attribute.type]:
        wrong = [kind for kind in given if kind != attribute.type]
        field = str(wrong[0] if wrong else attribute.type)
        return field, _("“%(name)s” takes a value of its own type only.") % names
    if attribute.type == kinds.TEXT and not (value.text or "").strip():
        return "text", _("“%(name)s” needs a text.") % names
    if attribute.type == kinds.TEXT and max(len(value.text or ""), len(value.text_en or "")) > 200:
        return "text", _("“%(name)s” takes at most 200 characters.") % names
    number = value.number
    if number is not None and not (
        number.is_finite()
        and abs(number) < MAX_ATTRIBUTE_NUMBER
        and number == number.quantize(Decimal("0.001"))
    ):
        return "number", _("“%(name)s” takes a number with at most 3 decimals.") % names
    if attribute.type == kinds.CHOICE and choice is None:
        return "choice", _("“%(name)s” has no choice “%(choice)s”.") % names
    return None


def _set_attributes(product: Product, values: Sequence[AttributeValueData]) -> None:
    """Replace the product's specifications; every problem is reported on ``attributes``."""
    choices = {
        (choice.attribute_id, choice.slug): choice
        for choice in AttributeChoice.objects.filter(attribute__in=[v.attribute for v in values])
    }
    errors: list[ValidationError] = []
    rows: list[ProductAttributeValue] = []
    for value in values:
        choice = choices.get((value.attribute.pk, value.choice or ""))
        problem = specification_error(value, choice)
        message = problem[1] if problem else None
        if message is None and any(row.attribute_id == value.attribute.pk for row in rows):
            message = _("“%(name)s” is given twice.") % {"name": value.attribute.name}
        if message is not None:
            errors.append(ValidationError(message, code=Code.INVALID))
            continue
        rows.append(
            ProductAttributeValue(
                product=product,
                attribute=value.attribute,
                text_value=(value.text or "").strip(),
                text_value_en=(value.text_en or "").strip(),
                number_value=value.number,
                boolean_value=value.boolean,
                choice=choice,
            )
        )
    if errors:
        raise ValidationError({"attributes": errors})
    product.attribute_values.all().delete()
    ProductAttributeValue.objects.bulk_create(rows)


def _save_product(product: Product, data: dict[str, Any]) -> list[str]:
    changed = _store(product, data, PRODUCT_FIELDS, _clean_described)
    if data.get("attributes") is not None:
        _set_attributes(product, data["attributes"])
        changed.append("attributes")
    return changed


@transaction.atomic
def product_create(*, actor: User, data: dict[str, Any]) -> Product:
    """Add a product. Descriptions are sanitised; ``attributes`` is a list of
    ``AttributeValueData`` checked against each attribute's type (INVALID)."""
    product = Product()
    _save_product(product, data)
    record_catalog_change(actor=actor, obj=product, action="add")
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, data: dict[str, Any]) -> Product:
    """Change a product; ``attributes``, when given, replaces every specification."""
    changed = _save_product(product, data)
    record_catalog_change(actor=actor, obj=product, action="change", changed=changed)
    return product


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    """Delete a product with its variants, stock and images (files removed after commit).
    IN_USE while units of it are allocated to orders."""
    if Stock.objects.filter(variant__product=product, allocated__gt=0).exists():
        raise ValidationError(_("Units of this product are allocated to orders."), code=Code.IN_USE)
    names = [name for media in product.media.all() for name in media_files(media)]
    record_catalog_change(actor=actor, obj=product, action="delete")
    product.delete()
    transaction.on_commit(partial(delete_files, names))
