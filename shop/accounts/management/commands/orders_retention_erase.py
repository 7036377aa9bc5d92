"""Erase the personal data left on deleted accounts' orders past retention
(``shop.accounts.retention``); beat runs it every night."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from typing_extensions import override

from shop.accounts.retention import orders_retention_erase, retention_cutoff


class Command(BaseCommand):
    help = (
        "Erase the addresses, notes and event texts left on the orders of deleted accounts "
        "placed before the retention cut-off (SHOP_ORDER_RETENTION_YEARS). Amounts, numbers "
        "and invoices are kept."
    )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = retention_cutoff()
        erased = orders_retention_erase()
        self.stdout.write(f"Orders placed before {cutoff:%Y-%m-%d}: {erased} erased.")
