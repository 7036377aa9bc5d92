"""Reads of the invoicing app: querysets and computed views for the API and admin."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from invoicing.models import Invoice
from orders.models import Order
from shop.accounts.models import User

PDF_LINK_SALT = "invoice-pdf"


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


def _pdf_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=PDF_LINK_SALT)


def invoice_pdf_url(invoice: Invoice, *, request: HttpRequest | None = None) -> str | None:
    """A link to the invoice's PDF that works for ``INVOICE_PDF_LINK_SECONDS``
    without signing in, for whoever the caller has let see the invoice (its
    customer, the holder of the order token, staff): ``/invoices/<id>/pdf/?sig=...``,
    absolute when ``request`` is given. ``None`` while the PDF is not drawn yet."""
    if not invoice.pdf:
        return None
    value = _pdf_signer().sign(str(invoice.pk))
    signature = value.split(":", 1)[1]  # timestamp:signature, the id is in the path
    url = f"{reverse('invoice-pdf', args=[invoice.pk])}?sig={signature}"
    return request.build_absolute_uri(url) if request is not None else url


def invoice_pdf_signature_valid(invoice_id: int, signature: str) -> bool:
    """Whether ``signature`` was made by :func:`invoice_pdf_url` for this invoice
    and has not expired."""
    try:
        _pdf_signer().unsign(f"{invoice_id}:{signature}", max_age=settings.INVOICE_PDF_LINK_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return True
