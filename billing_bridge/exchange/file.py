"""The embedded exchange: batches are files in ``BILLING_EXCHANGE_DIR`` that the
billing system picks up, ``<batch>.csv`` plus a ``<batch>.json`` manifest.

Each file is written to a temporary file in the same directory and renamed over
the final name, so a reader sees the old file or the new one, never half of one.
The contents depend only on the batch, so rewriting a batch gives the same bytes.
The writer holds a lock on its temporary file until the rename; a send removes
the temporary batch files that writers killed mid-write left behind.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import time
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from typing_extensions import override

from billing_bridge.exchange.base import (
    BatchRow,
    BillingExchange,
    ContractInfo,
    ExchangeError,
    batch_csv_chunks,
)
from shop.files import write_atomically

if TYPE_CHECKING:
    from billing_bridge.models import ExportBatch


logger = logging.getLogger(__name__)


def exchange_dir() -> Path:
    return Path(settings.BILLING_EXCHANGE_DIR)


# ".B-20261220-001.csv.k2j3h4l5.tmp": what ``write_atomically`` makes on the way to
# a batch's CSV or manifest (batch numbers as ``services_exchange`` gives them).
BATCH_TEMPORARY = re.compile(r"\.B-\d{8}-\d{3,}\.(?:csv|json)\.[a-z0-9_]+\.tmp")
# The lock tells a live writer from a dead one; the age also spares a file in the
# instant between its creation and its lock, and writers from before the lock.
STALE_AFTER = timedelta(hours=1)


def remove_stale_temporaries(directory: Path, *, older_than: timedelta = STALE_AFTER) -> list[Path]:
    """Delete the temporary batch files (``BATCH_TEMPORARY``) in ``directory``
    that nobody has written to for ``older_than`` and that no live writer holds
    locked: what an export killed mid-write left behind. Returns them. A file
    being written, however slowly, is locked and kept; other files are kept."""
    limit = time.time() - older_than.total_seconds()
    removed = []
    for path in sorted(directory.glob(".B-*.tmp")):
        if not BATCH_TEMPORARY.fullmatch(path.name):
            continue
        try:
            if path.stat().st_mtime > limit:
                continue
            with path.open("rb") as stream:
                fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
                path.unlink()
        except (BlockingIOError, FileNotFoundError):
            continue  # a live writer holds it, or it was renamed or removed meanwhile
        logger.warning("Removed %s, left by an interrupted export.", path)
        removed.append(path)
    return removed


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
        one the batch was fingerprinted with (no manifest is then written).
        First removes what interrupted sends left (``remove_stale_temporaries``)."""
        directory = exchange_dir()
        remove_stale_temporaries(directory)
        written = write_atomically(directory / f"{batch.number}.csv", batch_csv_chunks(rows))
        if written != batch.sha256:
            raise ExchangeError(f"Batch {batch.number}: the file written differs from the batch.")
        write_atomically(directory / f"{batch.number}.json", manifest(batch))

    @override
    def lookup_contract(self, number: str) -> ContractInfo | None:
        return None

    @override
    def verify_last_bill(self, number: str, amount: Decimal) -> bool:
        return False
