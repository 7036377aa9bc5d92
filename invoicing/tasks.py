"""Background work of the invoicing app, owed through the outbox (``shop.outbox``)
by the transaction that issues an invoice; the outbox retries them.

NOT DONE YET: :func:`invoice_pdf_render` is a placeholder (helper "pdf" renders the
PDF there).
"""

from __future__ import annotations

from celery import shared_task

from invoicing import services_submission


@shared_task
def invoice_pdf_render(invoice_id: int) -> None:
    """Render the invoice's PDF and store it in ``Invoice.pdf`` (once). Placeholder."""


@shared_task
def verifactu_submit_pending() -> str:
    """Send the pending VERI*FACTU records (beat, every minute, and the outbox after
    each new record); the AEAT's wait is honoured by the service, so an early run
    sends nothing. Answers of the file channel are imported first. Returns what it
    did: sent, nothing_pending, waiting or busy."""
    services_submission.verifactu_answers_import()
    return services_submission.verifactu_submit_pending().result
