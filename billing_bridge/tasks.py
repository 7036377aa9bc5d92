"""Background work of the water-bill route."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from billing_bridge import services, services_exchange


@shared_task
def bill_cycle_export_due() -> str | None:
    """Export the charges due by today (scheduled daily by beat, after the day's
    cut-offs). Returns the batch number, or None when nothing was due."""
    batch = services_exchange.bill_cycle_export(cutoff=date.today(), actor=None)
    return batch.number if batch else None


@shared_task
def contracts_refresh_all() -> dict[str, int]:
    """Refresh every mirrored contract from the billing system (scheduled nightly
    by beat, before the export). Returns how many were refreshed, terminated,
    unknown and failed."""
    report = services.contracts_refresh(actor=None)
    return {
        "refreshed": len(report.refreshed),
        "terminated": len(report.terminated),
        "unknown": len(report.unknown),
        "failed": len(report.failed),
    }
