"""Background work of the invoicing app, owed through the outbox (``shop.outbox``)
by the transaction that issues an invoice; the outbox retries them.

NOT DONE YET: both tasks are placeholders that do nothing. Helper "pdf" renders
the PDF in :func:`invoice_pdf_render`, helper "aeat" submits the pending records
in :func:`verifactu_submit_pending`.
"""

from __future__ import annotations

from celery import shared_task


@shared_task
def invoice_pdf_render(invoice_id: int) -> None:
    """Render the invoice's PDF and store it in ``Invoice.pdf`` (once). Placeholder."""


@shared_task
def verifactu_submit_pending() -> None:
    """Send the records the AEAT has not accepted yet. Placeholder."""
