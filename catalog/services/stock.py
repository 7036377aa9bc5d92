"""Warehouse and stock services: create, update and delete warehouses, set the units
of a variant in a warehouse, delete a stock row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.errors import CatalogErrorCode as Code
from catalog.models import ProductVariant, Stock, Warehouse
from catalog.services._common import _default_slug, _invalid, _save
from shop.accounts.models import User
from shop.catalog_version import record_catalog_change
from shop.validation import full_clean

WAREHOUSE_FIELDS = ("name", "slug", "city", "postal_code")


def _clean_warehouse(warehouse: Warehouse) -> None:
    _default_slug(warehouse)
    full_clean(warehouse, Code)
    postal_code = warehouse.postal_code
    if postal_code and not (
        len(postal_code) == 5 and postal_code.isascii() and postal_code.isdigit()
    ):
        raise _invalid("postal_code", _("Enter a Spanish postal code of 5 digits."))


@transaction.atomic
def warehouse_create(*, actor: User, data: dict[str, Any]) -> Warehouse:
    """Add a warehouse; the slug defaults to the slugified name."""
    return _save(Warehouse(), data, WAREHOUSE_FIELDS, _clean_warehouse, actor=actor)


@transaction.atomic
def warehouse_update(*, actor: User, warehouse: Warehouse, data: dict[str, Any]) -> Warehouse:
    return _save(warehouse, data, WAREHOUSE_FIELDS, _clean_warehouse, actor=actor)


@transaction.atomic
def warehouse_delete(*, actor: User, warehouse: Warehouse) -> None:
    """Delete a warehouse; IN_USE while it holds stock rows (delete or move them first)."""
    if warehouse.stocks.exists():
        raise ValidationError(_("The warehouse still holds stock."), code=Code.IN_USE)
    record_catalog_change(actor=actor, obj=warehouse, action="delete")
    warehouse.delete()


def stock_check(*, stock: Stock, quantity: int) -> None:
    """INVALID_STOCK on ``quantity`` when it is negative or below the units of
    ``stock`` allocated to orders (as read: :func:`stock_update` reads them locked)."""
    if quantity < 0:
        raise _invalid("quantity", _("The quantity cannot be negative."), Code.INVALID_STOCK)
    if quantity < stock.allocated:
        raise _invalid(
            "quantity",
            _("The quantity cannot be below the %(allocated)d units allocated to orders.")
            % {"allocated": stock.allocated},
            Code.INVALID_STOCK,
        )


@transaction.atomic
def stock_update(
    *, actor: User, variant: ProductVariant, warehouse: Warehouse, quantity: int
) -> Stock:
    """Set the units of ``variant`` in ``warehouse`` (the row is created if missing).

    The row is locked, so concurrent allocations wait. INVALID_STOCK when
    ``quantity`` is below the units allocated to orders; nothing changes then.
    """
    stock, created = Stock.objects.select_for_update().get_or_create(
        variant=variant, warehouse=warehouse
    )
    stock_check(stock=stock, quantity=quantity)
    previous, stock.quantity = stock.quantity, quantity
    stock.save(update_fields=["quantity"])
    record_catalog_change(
        actor=actor,
        obj=stock,
        action="add" if created else "change",
        changed=[f"quantity: {previous} → {quantity}"],
    )
    return stock


@transaction.atomic
def stock_delete(*, actor: User, stock: Stock) -> None:
    """Delete a stock row; IN_USE, and nothing deleted, while units of it are
    allocated to orders (read under a row lock, so an allocation cannot slip in)."""
    stock = Stock.objects.select_for_update().get(pk=stock.pk)
    if stock.allocated:
        raise ValidationError(_("Units of this stock are allocated to orders."), code=Code.IN_USE)
    record_catalog_change(actor=actor, obj=stock, action="delete")
    stock.delete()
