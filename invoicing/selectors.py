"""Reads of the invoicing app: querysets and computed views for the API and admin."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from invoicing.models import Invoice

PDF_LINK_SALT = "invoice-pdf"


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
