"""Reads of the invoicing app."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from invoicing.models import Invoice
from orders.models import Order
from shop.accounts.models import User


def invoices_for_order(order: Order) -> QuerySet[Invoice]:
    """The order's invoices, oldest first, with their lines and tax lines."""
    return (
        Invoice.objects.filter(order=order)
        .prefetch_related("lines", "tax_lines")
        .order_by("issued_at", "pk")
    )


def invoice_for(
    user: User | None, *, id: int, token: uuid.UUID | str | None = None
) -> Invoice | None:
    """Invoice ``id`` if ``user`` may see it: staff, the order's customer, or
    whoever holds the order's secret token (a guest). None otherwise."""
    invoice = Invoice.objects.select_related("order").filter(pk=id).first()
    if invoice is None:
        return None
    order = invoice.order
    if user is not None and user.is_authenticated and (user.is_staff or order.user_id == user.pk):
        return invoice
    if token is not None and str(order.token) == str(token):
        return invoice
    return None
