"""Background work of the invoicing app, owed through the outbox (``shop.outbox``)
by the transaction that issues an invoice (or, for the e-mail, the one that stores
its PDF); the outbox retries them: they do not retry themselves."""

from __future__ import annotations

from celery import shared_task

from invoicing import emails, rendering, services_submission


@shared_task
def invoice_pdf_render(invoice_id: int) -> bool:
    """Draw and store the invoice's PDF once (see ``invoicing.rendering``)."""
    return rendering.invoice_pdf_render(invoice_id=invoice_id)


@shared_task
def invoice_email_send(invoice_id: int) -> bool:
    """E-mail the invoice's PDF unless the order's confirmation carried it."""
    return emails.invoice_email_send(invoice_id)


@shared_task
def verifactu_submit_pending() -> str:
    """Send the pending VERI*FACTU records (beat, every minute, and the outbox after
    each new record); the AEAT's wait is honoured by the service, so an early run
    sends nothing. Answers of the file channel are imported first. Returns what it
    did: sent, nothing_pending, waiting or busy."""
    services_submission.verifactu_answers_import()
    return services_submission.verifactu_submit_pending().result
