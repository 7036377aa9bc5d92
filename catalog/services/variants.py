"""Product variant services: create, update and delete, with the shop's own
price and weight checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.errors import CatalogErrorCode as Code
from catalog.models import Product, ProductVariant
from catalog.services._common import _next_position, _save
from shop.accounts.models import User
from shop.catalog_version import record_catalog_change
from shop.money import is_whole_cents
from shop.validation import full_clean

VARIANT_FIELDS = (
    "sku",
    "name",
    "name_en",
    "price",
    "compare_at_price",
    "weight_grams",
    "track_inventory",
    "position",
)
PRICE_FIELDS = ["price", "compare_at_price", "weight_grams"]
MAX_PRICE = Decimal("1e8")


def _is_price(value: Decimal) -> bool:
    return is_whole_cents(value) and 0 <= value < MAX_PRICE


def variant_check(variant: ProductVariant) -> None:
    """The shop's price and weight rules (INVALID, REQUIRED on ``price``,
    ``compare_at_price``, ``weight_grams``): prices of zero or more with at most 2
    decimals, the compare-at price above the price, a weight of zero or more grams."""
    if errors := _price_errors(variant):
        raise ValidationError(errors)


def _price_errors(variant: ProductVariant) -> dict[str, ValidationError]:
    errors: dict[str, ValidationError] = {}
    price, compare_at = variant.price, variant.compare_at_price
    money_message = _("Enter an amount of zero or more with at most 2 decimals.")
    if price is None:
        errors["price"] = ValidationError(_("Enter the price."), code=Code.REQUIRED)
    elif not _is_price(price):
        errors["price"] = ValidationError(money_message, code=Code.INVALID)
    if compare_at is not None and not _is_price(compare_at):
        errors["compare_at_price"] = ValidationError(money_message, code=Code.INVALID)
    elif compare_at is not None and "price" not in errors and compare_at <= price:
        errors["compare_at_price"] = ValidationError(
            _("The compare-at price must be above the price."), code=Code.INVALID
        )
    if variant.weight_grams is None or variant.weight_grams < 0:
        errors["weight_grams"] = ValidationError(
            _("The weight must be zero or more grams."), code=Code.INVALID
        )
    return errors


def _clean_variant(variant: ProductVariant) -> None:
    """Prices and weight get the shop's own messages; everything else is model validation."""
    errors: dict[str, Any] = _price_errors(variant)
    try:
        full_clean(variant, Code, exclude=PRICE_FIELDS)
    except ValidationError as exc:
        errors = {**exc.error_dict, **errors}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def variant_create(*, actor: User, product: Product, data: dict[str, Any]) -> ProductVariant:
    """Add a variant to ``product``, after its last one unless ``position`` is given.
    SKU unique (UNIQUE); price >= 0 with at most 2 decimals; compare-at above it."""
    variant = ProductVariant(product=product, position=_next_position(product.variants.all()))
    return _save(variant, data, VARIANT_FIELDS, _clean_variant, actor=actor)


@transaction.atomic
def variant_update(*, actor: User, variant: ProductVariant, data: dict[str, Any]) -> ProductVariant:
    """Change a variant; ``compare_at_price=None`` removes the compare-at price."""
    return _save(variant, data, VARIANT_FIELDS, _clean_variant, actor=actor)


@transaction.atomic
def variant_delete(*, actor: User, variant: ProductVariant) -> None:
    """Delete a variant and its stock; IN_USE while units of it are allocated to orders."""
    if variant.stocks.filter(allocated__gt=0).exists():
        raise ValidationError(_("Units of this variant are allocated to orders."), code=Code.IN_USE)
    record_catalog_change(actor=actor, obj=variant, action="delete")
    variant.delete()
