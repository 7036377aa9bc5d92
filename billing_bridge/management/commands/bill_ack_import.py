"""Import an acknowledgement file from the billing system: ``bill_ack_import FILE``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm
from typing_extensions import override

from billing_bridge.management.actor import actor_from, add_actor_argument
from billing_bridge.services_exchange import bill_ack_import


class Command(BaseCommand):
    help = "Apply an acknowledgement file (accepted/rejected per charge); safe to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        add_actor_argument(parser)

    @override
    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        def progress(lines: Sequence[str]) -> Iterable[str]:
            return tqdm(lines, desc=file.name, unit="line", disable=options["verbosity"] < 1)

        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            ack = bill_ack_import(path=file, actor=actor_from(options["actor"]), progress=progress)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        imported = timezone.localtime(ack.imported_at)
        self.stdout.write(
            f"{ack.file_name} (imported {imported:%Y-%m-%d %H:%M}): {ack.lines} lines, "
            f"{ack.accepted} accepted, {ack.rejected} rejected, {ack.settled} settled, "
            f"{ack.quarantined} quarantined."
        )
        for line in ack.quarantine.all():
            self.stdout.write(self.style.WARNING(f"  line {line.line_number}: {line.reason}"))
