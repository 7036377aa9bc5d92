"""Export the pending bill charges due by a cut-off: ``bill_cycle_export --cutoff 2026-12-20``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm
from typing_extensions import override

from billing_bridge.exchange.base import BatchRow
from billing_bridge.management.actor import actor_from, add_actor_argument
from billing_bridge.services_exchange import bill_batches_send_unsent, bill_cycle_export


class Command(BaseCommand):
    help = "Claim the pending bill charges due by the cut-off into a batch and send it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cutoff",
            type=date.fromisoformat,
            default=None,
            help="Bill cut-off, YYYY-MM-DD (default: today).",
        )
        add_actor_argument(parser)

    @override
    def handle(self, *args: Any, cutoff: date | None, **options: Any) -> None:
        def progress(rows: Iterable[BatchRow], total: int) -> Iterable[BatchRow]:
            quiet = options["verbosity"] < 1
            return tqdm(rows, total=total, desc="export", unit="charge", disable=quiet)

        cutoff = cutoff or timezone.localdate()
        actor = actor_from(options["actor"])
        for earlier in bill_batches_send_unsent(actor=actor):
            self.stdout.write(f"Batch {earlier.number} (claimed earlier, not delivered): sent.")
        batch = bill_cycle_export(cutoff=cutoff, actor=actor, progress=progress)
        if batch is None:
            self.stdout.write(f"No pending charges due by {cutoff}.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Batch {batch.number}: {batch.count} charges, {batch.total} EUR, "
                f"{batch.file_name} (sha256 {batch.sha256})."
            )
        )
