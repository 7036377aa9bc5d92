"""Background work of the invoicing app. The tasks are owed through the outbox
(shop.outbox), which retries them: they do not retry themselves.

NOT DONE YET: :func:`verifactu_submit_pending` is a placeholder that does
nothing; helper "aeat" submits the pending records there.
"""

from __future__ import annotations

from celery import shared_task

from invoicing import emails, rendering


@shared_task
def invoice_pdf_render(invoice_id: int) -> bool:
    """Draw and store the invoice's PDF once (owed by the issuing services)."""
    return rendering.invoice_pdf_render(invoice_id=invoice_id)


@shared_task
def invoice_email_send(invoice_id: int) -> bool:
    """E-mail the invoice's PDF unless the order's confirmation carried it."""
    return emails.invoice_email_send(invoice_id)


@shared_task
def verifactu_submit_pending() -> None:
    """Send the records the AEAT has not accepted yet. Placeholder."""
