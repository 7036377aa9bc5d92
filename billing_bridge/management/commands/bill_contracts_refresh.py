"""Refresh the contract mirror from the billing system: ``bill_contracts_refresh [NUMBER ...]``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm
from typing_extensions import override

from billing_bridge.management.actor import actor_from, add_actor_argument
from billing_bridge.services import contracts_refresh


class Command(BaseCommand):
    help = (
        "Look up the mirrored supply contracts (all, or the numbers given) in the billing "
        "system and update the mirror; terminated contracts move their installments to "
        "their final bill."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", metavar="NUMBER", help="Contract numbers.")
        add_actor_argument(parser)

    @override
    def handle(self, *args: Any, numbers: list[str], **options: Any) -> None:
        def progress(items: Sequence[str]) -> Iterable[str]:
            return tqdm(items, desc="contracts", unit="contract", disable=options["verbosity"] < 1)

        report = contracts_refresh(
            actor=actor_from(options["actor"]), numbers=numbers or None, progress=progress
        )
        looked_up = len(report.refreshed) + len(report.unknown) + len(report.failed)
        self.stdout.write(
            f"{looked_up} contracts looked up: {len(report.refreshed)} refreshed "
            f"({len(report.changed)} changed, {len(report.terminated)} terminated), "
            f"{len(report.unknown)} unknown, {len(report.failed)} failed."
        )
        for number, fields in report.changed.items():
            self.stdout.write(f"  {number}: {', '.join(fields)} changed")
        for number, moved in report.terminated.items():
            self.stdout.write(
                f"  {number}: terminated, {moved} installments moved to its final bill"
            )
        for number in report.unknown:
            self.stdout.write(
                self.style.WARNING(f"  {number}: unknown to the billing system, left as it was")
            )
        for number, reason in report.failed.items():
            self.stdout.write(self.style.ERROR(f"  {number}: failed ({reason}), left as it was"))
        for number in report.not_mirrored:
            self.stdout.write(self.style.WARNING(f"  {number}: not in the mirror"))
