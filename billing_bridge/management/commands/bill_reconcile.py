"""Reconcile a cycle: ``bill_reconcile --cutoff 2026-12-20``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from typing_extensions import override

from billing_bridge.services_exchange import bill_reconcile


class Command(BaseCommand):
    help = "Check exported = accepted + rejected + in flight for the batches of a cut-off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cutoff", type=date.fromisoformat, required=True, help="Bill cut-off, YYYY-MM-DD."
        )

    @override
    def handle(self, *args: Any, cutoff: date, **options: Any) -> None:
        report = bill_reconcile(cutoff=cutoff)
        self.stdout.write(f"Cut-off {cutoff}: batches {', '.join(report.batches) or 'none'}")
        for label, tally in (
            ("exported", report.exported),
            ("accepted", report.accepted),
            ("rejected", report.rejected),
            ("in flight", report.in_flight),
        ):
            self.stdout.write(f"  {label:<10} {tally.count:>6} {tally.total:>12} EUR")
        if report.balanced:
            self.stdout.write(self.style.SUCCESS("Balanced."))
            return
        for difference in report.differences:
            self.stdout.write(self.style.ERROR(f"  {difference}"))
        self.stdout.write(self.style.ERROR(f"{len(report.differences)} differences."))
