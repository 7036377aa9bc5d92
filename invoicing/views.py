"""Invoice PDFs: private files served only through short-lived signed links
(:func:`invoicing.selectors.invoice_pdf_url` makes them)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from invoicing.models import Invoice
from invoicing.rendering import invoice_pdf_filename
from invoicing.selectors import invoice_pdf_signature_valid

logger = logging.getLogger(__name__)


@require_GET
def invoice_pdf(request: HttpRequest, invoice_id: int) -> FileResponse:
    """The PDF, streamed, for a valid unexpired ``sig`` of this invoice (403
    otherwise, whether the invoice exists or not); 404 when it has no PDF."""
    if not invoice_pdf_signature_valid(invoice_id, request.GET.get("sig", "")):
        raise PermissionDenied
    invoice = Invoice.objects.filter(pk=invoice_id).exclude(pdf="").first()
    if invoice is None:
        raise Http404
    try:
        stream = invoice.pdf.open("rb")
    except FileNotFoundError:
        logger.warning("Invoice %s: %s is missing from storage.", invoice.pk, invoice.pdf.name)
        raise Http404 from None
    response = FileResponse(
        stream, content_type="application/pdf", filename=invoice_pdf_filename(invoice)
    )
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
