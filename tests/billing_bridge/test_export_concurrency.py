"""Exports racing on real parallel connections never share a charge.

Each export runs in its own thread and so on its own database connection; a
barrier releases them together. PostgreSQL only: SQLite has no row locks (it
runs one writer at a time, so there is nothing to race)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Sum

from billing_bridge import services_exchange as exchange
from billing_bridge.models import BatchLine, BillCharge, ExportBatch
from tests.factories.billing import pending_charges

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite ignores row locks: racing exports need PostgreSQL",
    ),
]

CUTOFF = date(2026, 12, 20)


@pytest.fixture(autouse=True)
def _exchange(settings, tmp_path):
    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"


def race(cutoffs: list[date]) -> tuple[list[ExportBatch | None], list[BaseException]]:
    barrier = threading.Barrier(len(cutoffs))
    batches: list[ExportBatch | None] = []
    errors: list[BaseException] = []

    def export(cutoff: date) -> None:
        try:
            barrier.wait()
            batches.append(exchange.bill_cycle_export(cutoff=cutoff, actor=None))
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=export, args=(cutoff,)) for cutoff in cutoffs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return batches, errors


def test_exports_of_the_same_cutoff_racing_export_each_charge_once(tmp_path):
    total = pending_charges(3000, cutoff=CUTOFF)

    batches, errors = race([CUTOFF] * 6)

    assert errors == []
    made = [batch for batch in batches if batch is not None]
    assert sum(batch.count for batch in made) == 3000
    assert sum(batch.total for batch in made) == total
    assert len({batch.number for batch in made}) == len(made)
    assert BatchLine.objects.count() == 3000
    assert set(BillCharge.objects.values_list("status", flat=True)) == {"exported"}
    for batch in made:
        assert (tmp_path / f"{batch.number}.json").exists()


def test_exports_of_different_cutoffs_racing_over_the_same_charges_never_share_one():
    # Each later cut-off is due the same charges: every export wants all of them.
    total = pending_charges(3000, cutoff=CUTOFF)
    cutoffs = [CUTOFF + timedelta(days=day) for day in range(6)]

    batches, errors = race(cutoffs)

    assert errors == []
    made = [batch for batch in batches if batch is not None]
    per_batch = BatchLine.objects.values("batch").annotate(n=Count("pk"), total=Sum("amount"))
    assert {row["batch"]: row["n"] for row in per_batch} == {b.pk: b.count for b in made}
    assert BatchLine.objects.count() == 3000
    assert BatchLine.objects.values("charge").distinct().count() == 3000
    assert sum(batch.total for batch in made) == total
    assert BillCharge.objects.filter(status="pending").count() == 0
    for batch in made:
        assert exchange.bill_reconcile(batch=batch).in_flight.count == batch.count
