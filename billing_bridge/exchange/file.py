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
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from billing_bridge.exchange.base import (
    BatchRow,
    BillingExchange,
    ContractInfo,
    ExchangeError,
    batch_csv_chunks,
)

if TYPE_CHECKING:
    from billing_bridge.models import ExportBatch


def exchange_dir() -> Path:
    return Path(settings.BILLING_EXCHANGE_DIR)


def write_atomically(path: Path, content: bytes | Iterable[bytes]) -> str:
    """Write ``content`` (bytes, or pieces of it) to ``path`` through a
    temporary file and a rename; returns the SHA-256 of what was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in [content] if isinstance(content, bytes) else content:
                digest.update(chunk)
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def manifest(batch: ExportBatch) -> bytes:
    body = {
        "batch": batch.number,
        "cutoff": batch.cutoff.isoformat(),
        "count": batch.count,
        "total": f"{batch.total:.2f}",
        "file": f"{batch.number}.csv",
        "sha256": batch.sha256,
    }
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")


class FileExchange(BillingExchange):
    """Batches as files. This channel has no way to ask about contracts: the
    look-ups answer "unknown" (the ``http`` adapter or the simulator answer them)."""

    def send_batch(self, batch: ExportBatch, rows: Iterable[BatchRow]) -> None:
        """Write ``<batch>.csv``, then the ``<batch>.json`` manifest that vouches
        for it; the manifest appears last, so a reader may trust a CSV once its
        manifest exists. Raises ``ExchangeError`` if the CSV written is not the
        one the batch was fingerprinted with (no manifest is then written)."""
        directory = exchange_dir()
        written = write_atomically(directory / f"{batch.number}.csv", batch_csv_chunks(rows))
        if written != batch.sha256:
            raise ExchangeError(f"Batch {batch.number}: the file written differs from the batch.")
        write_atomically(directory / f"{batch.number}.json", manifest(batch))

    def lookup_contract(self, number: str) -> ContractInfo | None:
        return None

    def verify_last_bill(self, number: str, amount: Decimal) -> bool:
        return False
