"""Prove the VERI*FACTU chain: ``invoice_chain_verify``.

Recomputes every record's huella from its stored XML, checks that each names the
record before it and says what its invoice says, streaming the records (memory
stays flat however long the chain). Each run is stored (``ChainVerification``)
for the admin's records list. Exits 0 with "N records, chain valid", or 1
naming the first broken record.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm
from typing_extensions import override

from invoicing.chain import Break, chain_verify
from invoicing.models import ChainVerification, VerifactuRecord


class Command(BaseCommand):
    help = "Recompute every VERI*FACTU huella and the chain; name the first broken record."

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        total = VerifactuRecord.objects.count()
        with tqdm(total=total, unit="record", disable=options["verbosity"] < 2) as bar:
            for step in chain_verify():
                if isinstance(step, Break):
                    ChainVerification.objects.create(
                        checked_at=timezone.now(),
                        records=count,
                        broken_position=step.position,
                        broken_invoice=step.invoice_number,
                        problem=step.problem,
                    )
                    raise CommandError(
                        f"Record {step.position} (invoice {step.invoice_number}) breaks the chain:"
                        f" {step.problem}. {count} records before it are valid."
                    )
                count = step
                bar.update(1)
        ChainVerification.objects.create(checked_at=timezone.now(), records=count)
        self.stdout.write(f"{count} records, chain valid")
