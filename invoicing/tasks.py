"""Background work of invoicing."""

from __future__ import annotations

from celery import shared_task

from invoicing import services_submission


@shared_task
def verifactu_submit_pending() -> str:
    """Send the pending VERI*FACTU records (beat, every minute, and the outbox after
    each new record); the AEAT's wait is honoured by the service, so an early run
    sends nothing. Answers of the file channel are imported first. Returns what it
    did: sent, nothing_pending, waiting or busy."""
    services_submission.verifactu_answers_import()
    return services_submission.verifactu_submit_pending().result
