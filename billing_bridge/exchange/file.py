"""The embedded exchange: batches are files in ``BILLING_EXCHANGE_DIR`` that the
billing system picks up, ``<batch>.csv`` plus a ``<batch>.json`` manifest.

Each file is written to a temporary file in the same directory and renamed over
the final name, so a reader sees the old file or the new one, never half of one.
The contents depend only on the batch, so rewriting a batch gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from billing_bridge.exchange.base import BatchRow, BillingExchange, ContractInfo, batch_csv

if TYPE_CHECKING:
    from collections.abc import Sequence

    from billing_bridge.models import ExportBatch


def exchange_dir() -> Path:
    return Path(settings.BILLING_EXCHANGE_DIR)


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def manifest(batch: ExportBatch, rows: Sequence[BatchRow], csv_bytes: bytes) -> bytes:
    body = {
        "batch": batch.number,
        "cutoff": batch.cutoff.isoformat(),
        "count": len(rows),
        "total": f"{sum((row.amount for row in rows), Decimal(0)):.2f}",
        "file": f"{batch.number}.csv",
        "sha256": hashlib.sha256(csv_bytes).hexdigest(),
    }
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")


class FileExchange(BillingExchange):
    """Batches as files. This channel has no way to ask about contracts: the
    look-ups answer "unknown" (the ``http`` adapter or the simulator answer them)."""

    def send_batch(self, batch: ExportBatch, rows: Sequence[BatchRow]) -> None:
        """Write ``<batch>.csv``, then the ``<batch>.json`` manifest that vouches
        for it; the manifest appears last, so a reader may trust a CSV once its
        manifest exists."""
        directory = exchange_dir()
        content = batch_csv(rows)
        write_atomically(directory / f"{batch.number}.csv", content)
        write_atomically(directory / f"{batch.number}.json", manifest(batch, rows, content))

    def lookup_contract(self, number: str) -> ContractInfo | None:
        return None

    def verify_last_bill(self, number: str, amount: Decimal) -> bool:
        return False
