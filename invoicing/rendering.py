"""An issued invoice's PDF: the document read from the model, rendered once by a task
and kept on the private storage.

:func:`invoice_pdf_render` is what ``invoicing.tasks.invoice_pdf_render`` runs: the
issuing services owe it through the outbox, so a PDF is drawn after the invoice's
transaction commits, off the request path, and an invoice is never held up by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from invoicing.models import Invoice
from invoicing.pdf import (
    InvoiceDocument,
    LineView,
    PartyView,
    ReferenceView,
    TaxLineView,
    render_invoice_pdf,
)
from invoicing.selectors import confirmation_sent
from invoicing.verifactu.huella import format_amount, format_date
from invoicing.verifactu.qr import qr_url_for
from invoicing.verifactu.records import InvoiceType
from orders.models import Order
from shop.outbox.services import outbox_enqueue

from . import conf


def address_lines(address: Mapping[str, Any] | None) -> tuple[str, ...]:
    """A fiscal address as printed: street lines, postal code and city, province
    (when not the city's name) and country (when not Spain)."""
    if not address:
        return ()
    place = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    province = address.get("province") or ""
    if province and province != address.get("city"):
        place = f"{place} ({province})"
    country = address.get("country") or ""
    lines = [
        address.get("street_address_1") or "",
        address.get("street_address_2") or "",
        place,
        country if country not in ("", "ES") else "",
    ]
    return tuple(line for line in lines if line)


def invoice_qr_url(invoice: Invoice) -> str:
    """The AEAT's verification URL of ``invoice``, with the values its registro de
    alta carries (issuer's NIF, number, issue date, ImporteTotal)."""
    return qr_url_for(
        nif=invoice.issuer_nif,
        numserie=invoice.full_number,
        fecha=format_date(invoice.issue_date),
        importe=format_amount(invoice.total_gross),
        environment=conf.aeat_environment(),
    )


def _reference(invoice: Invoice) -> ReferenceView:
    return ReferenceView(number=invoice.full_number, issue_date=invoice.issue_date)


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    """What the PDF of ``invoice`` prints, read from its frozen rows, the
    issuer's name, NIF and address included (as they were at issue)."""
    rectified = list(invoice.rectifies.order_by("issued_at", "pk"))
    if not rectified and invoice.rectified is not None:
        rectified = [invoice.rectified]
    recipient = None
    if invoice.recipient_tax_id:
        recipient = PartyView(
            name=invoice.recipient_name,
            tax_id=invoice.recipient_tax_id,
            address=address_lines(invoice.recipient_address),
        )
    return InvoiceDocument(
        kind=InvoiceType(invoice.kind),
        number=invoice.full_number,
        series=invoice.series,
        issue_date=invoice.issue_date,
        operation_date=invoice.operation_date,
        language_code=invoice.language_code,
        issuer=PartyView(
            name=invoice.issuer_name,
            tax_id=invoice.issuer_nif,
            address=tuple(invoice.issuer_address),
        ),
        recipient=recipient,
        lines=tuple(
            LineView(
                description=line.description,
                quantity=line.quantity,
                unit_price_gross=line.unit_price_gross,
                tax_rate=line.tax_rate,
                total_gross=line.total_gross,
                total_tax=line.total_tax,
            )
            for line in invoice.lines.order_by("pk")
        ),
        tax_lines=tuple(
            TaxLineView(rate=line.rate, base=line.base, tax=line.tax)
            for line in invoice.tax_lines.order_by("-rate")
        ),
        total_net=invoice.total_net,
        total_tax=invoice.total_tax,
        total_gross=invoice.total_gross,
        qr_url=invoice_qr_url(invoice),
        rectified=tuple(_reference(original) for original in rectified),
        rectification_type=invoice.rectification_type,
        reason=invoice.reason,
        substituted=tuple(
            _reference(original) for original in invoice.substituted.order_by("issued_at", "pk")
        ),
    )


def invoice_pdf_filename(invoice: Invoice) -> str:
    """The name the PDF is stored, attached and downloaded under."""
    return f"{invoice.full_number}.pdf"


def invoice_pdf_render(*, invoice_id: int) -> bool:
    """Draw the PDF of invoice ``invoice_id``, store it on the private storage and
    set ``Invoice.pdf``, once; return whether it was drawn now.

    Idempotent: the invoice's row is locked, and an invoice whose PDF is set is
    left as it is (``False``). When the order's confirmation e-mail has gone out
    already it owes, in the same transaction, the invoice's own e-mail
    (``invoicing.tasks.invoice_email_send``); otherwise the confirmation will carry
    the PDF. The order's row is locked first (the confirmation's attachments lock
    it too: see ``invoicing.emails``), so the two never both miss the PDF, nor
    both send it. Raises ``Invoice.DoesNotExist`` for an unknown id and whatever
    the storage raises (the outbox retries); a failed run sets nothing (a file
    written before the failure is left unreferenced).
    """
    with transaction.atomic():
        order_id = Invoice.objects.values_list("order_id", flat=True).get(pk=invoice_id)
        order = Order.objects.select_for_update().get(pk=order_id)
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.pdf:
            return False
        pdf = render_invoice_pdf(invoice_document(invoice))
        invoice.pdf.save(invoice_pdf_filename(invoice), ContentFile(pdf), save=False)
        invoice.save(update_fields=["pdf"])
        if confirmation_sent(order):
            outbox_enqueue(
                task="invoicing.tasks.invoice_email_send", kwargs={"invoice_id": invoice.pk}
            )
    return True
