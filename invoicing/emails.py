"""The invoice's PDF e-mailed to the customer: with the order's confirmation when the
PDF exists by then, otherwise in an e-mail of its own once it is drawn.

The orders app does not import invoicing. Its confirmation e-mail asks the
``ORDER_EMAIL_ATTACHMENTS`` callables for files (:func:`order_email_attachments` is
one) and records the names it attached on its EMAIL_SENT event. The PDF task
(``invoicing.rendering.invoice_pdf_render``) owes ``invoicing.tasks.invoice_email_send``
(:func:`invoice_email_send`) only when the confirmation has gone out already:
rectificativas, F3 invoices, invoices issued at a later delivery, and a card order's
invoice when its confirmation ran first.

Both lock the order's row, so one of them always sees the other's work: the
confirmation (in the outbox's transaction, which also records its event) either
runs first and the PDF task then sees its event, or runs after the PDF is stored
and attaches it. The lock is held while the confirmation is handed to the mail
server.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from invoicing.models import Invoice
from invoicing.pdf import title
from invoicing.rendering import invoice_pdf_filename
from invoicing.verifactu.records import InvoiceType
from orders.models import Order, OrderEvent
from orders.services.orders import order_event
from shop.content.selectors import shop_settings
from shop.i18n import DEFAULT_LANGUAGE, localized, supported_languages

PDF = "application/pdf"


def _pdf_bytes(invoice: Invoice) -> bytes:
    with invoice.pdf.open("rb") as stream:
        return stream.read()


def order_email_attachments(order: Order, kind: str) -> list[tuple[str, bytes, str]]:
    """For the confirmation: the PDFs of the order's invoices drawn by now."""
    if kind != "confirmation":
        return []
    with transaction.atomic():
        # Held to the end of the caller's transaction: see the module's doc.
        Order.objects.select_for_update().filter(pk=order.pk).first()
    invoices = Invoice.objects.filter(order=order).exclude(pdf="").order_by("issued_at", "pk")
    return [(invoice_pdf_filename(invoice), _pdf_bytes(invoice), PDF) for invoice in invoices]


def _already_sent(invoice: Invoice) -> bool:
    name = invoice_pdf_filename(invoice)
    events = invoice.order.events.filter(type=OrderEvent.Type.EMAIL_SENT).only("data")
    return any(name in (event.data.get("attachments") or []) for event in events)


def invoice_email_send(invoice_id: int) -> bool:
    """E-mail the PDF of invoice ``invoice_id`` to its order's address, in the
    invoice's language, and record an EMAIL_SENT event (kind "invoice", the file
    under ``attachments``); return whether it was sent now.

    Returns ``False`` without sending when an EMAIL_SENT event of the order lists
    the PDF already (the confirmation carried it, or this ran before). Raises
    ``Invoice.DoesNotExist``, ``ValueError`` when the PDF is not drawn yet, and
    whatever the e-mail backend raises (the outbox retries)."""
    invoice = Invoice.objects.select_related("order").get(pk=invoice_id)
    if not invoice.pdf:
        raise ValueError(f"Invoice {invoice.full_number} has no PDF yet.")
    if _already_sent(invoice):
        return False
    order = invoice.order
    language = invoice.language_code
    if language not in supported_languages():
        language = DEFAULT_LANGUAGE
    with translation.override(language):
        kind = InvoiceType(invoice.kind)
        values = {
            "document": title(kind).lower(),
            "number": invoice.full_number,
            "order": str(order),
            "shop": localized(shop_settings(), "name", language),
        }
        subject = _("Your invoice %(number)s for order %(order)s") % values
        body = (
            _(
                "Hello,\n\nattached is the %(document)s %(number)s for your order %(order)s.\n\n"
                "Thank you,\n%(shop)s"
            )
            % values
        )
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[order.email]
    )
    filename = invoice_pdf_filename(invoice)
    message.attach(filename, _pdf_bytes(invoice), PDF)
    message.send()
    order_event(
        order,
        OrderEvent.Type.EMAIL_SENT,
        None,
        kind="invoice",
        invoice=invoice.full_number,
        attachments=[filename],
    )
    return True
