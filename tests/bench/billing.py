"""Bill exchange benchmark for ``make bench``: figures printed, never asserted.

For each size in ``BENCH_BILLING_SIZES`` (default 10,000 and 100,000 pending
charges): the seconds ``bill_cycle_export`` takes (claim, fingerprint, CSV and
manifest through the file exchange), then the same export again under
``tracemalloc`` for its peak Python memory. A streamed export's peak stays the
same whatever the number of charges. Then the simulator acknowledges the batch
and ``bill_ack_import`` applies the file: seconds, and peak memory in a second
run (the import holds the file's lines, so its peak grows with them).
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from django.db import connection
from django.test import override_settings

from billing_bridge.exchange.base import ContractInfo
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import AckFile, BatchLine, BillCharge, ExportBatch, SupplyContract
from billing_bridge.services_exchange import bill_ack_import, bill_cycle_export
from orders.models import Payment
from tests.factories.billing import pending_charges

SIZES = [int(n) for n in os.environ.get("BENCH_BILLING_SIZES", "10000,100000").split(",")]
CUTOFF = date(2026, 12, 20)


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _forget_acknowledgement() -> None:
    AckFile.objects.all().delete()
    ExportBatch.objects.update(status=ExportBatch.Status.EXPORTED)
    BillCharge.objects.update(status=BillCharge.Status.EXPORTED, bill_number="")


def bench_ack_import(directory: Path, batch: ExportBatch, size: int) -> None:
    contracts = SupplyContract.objects.values_list("number", flat=True)
    simulator = BillingSimulator(
        {n: ContractInfo(n, "active", "Titular") for n in contracts}, directory=directory
    )
    ack = simulator.acknowledge(batch.number)
    _analyze()  # the answer comes days later: autovacuum has analysed the tables by then
    start = time.perf_counter()
    imported = bill_ack_import(path=ack.path, actor=None)
    seconds = time.perf_counter() - start
    if imported.accepted != size:
        raise SystemExit(f"the import missed lines: {imported.accepted} of {size}")
    _forget_acknowledgement()
    tracemalloc.start()
    bill_ack_import(path=ack.path, actor=None)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"import  {size:>7,} answers   {seconds:6.2f} s   {size / seconds:8,.0f} lines/s"
        f"     peak Python memory {peak / 1e6:6.1f} MB"
    )


def _forget_exports() -> None:
    BatchLine.objects.all().delete()
    ExportBatch.objects.all().delete()
    BillCharge.objects.update(status=BillCharge.Status.PENDING)


def _clear() -> None:
    _forget_exports()
    BillCharge.objects.all().delete()
    Payment.objects.filter(idempotency_key__startswith="bulk-").delete()
    SupplyContract.objects.all().delete()


def bench_billing() -> None:
    print("\n== bill export (file exchange)")
    with (
        tempfile.TemporaryDirectory() as directory,
        override_settings(
            BILLING_EXCHANGE_DIR=Path(directory),
            BILLING_EXCHANGE_ADAPTER="billing_bridge.exchange.file.FileExchange",
        ),
    ):
        for size in SIZES:
            _clear()
            pending_charges(size, cutoff=CUTOFF)
            _analyze()
            start = time.perf_counter()
            batch = bill_cycle_export(cutoff=CUTOFF, actor=None)
            seconds = time.perf_counter() - start
            if batch is None or batch.count != size:
                raise SystemExit(f"the export missed charges: {batch and batch.count} of {size}")
            csv_size = (Path(directory) / batch.file_name).stat().st_size
            _forget_exports()
            tracemalloc.start()
            batch = bill_cycle_export(cutoff=CUTOFF, actor=None)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"export {size:>7,} charges   {seconds:6.2f} s   {size / seconds:8,.0f} charges/s"
                f"   CSV {csv_size / 1e6:5.1f} MB   peak Python memory {peak / 1e6:5.2f} MB"
            )
            if batch is not None:
                bench_ack_import(Path(directory), batch, size)
        _clear()
