"""Background work of the accounts app (found by Celery's autodiscovery)."""

from __future__ import annotations

from celery import shared_task

from shop.accounts.retention import orders_retention_erase


@shared_task
def orders_retention_erase_due() -> int:
    """Erase what deleted accounts' orders past retention still hold
    (``shop.accounts.retention``; scheduled every night by beat)."""
    return orders_retention_erase()
