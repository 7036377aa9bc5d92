"""The management commands that run the billing cycle."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import time
from datetime import date
from unittest.mock import Mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from billing_bridge.exchange.base import ContractInfo
from billing_bridge.exchange.file import FileExchange
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import AckFile, BillCharge, ExportBatch
from orders.payments.memory import gateway
from tests.billing_bridge.test_water_bill_payment import linked_customer, water_bill_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _exchange(settings, tmp_path):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"
    gateway.reset()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_commands_run_a_whole_cycle(tmp_path):
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)  # 24.95

    exported = run("bill_cycle_export", "--cutoff", "2026-12-20")
    batch = ExportBatch.objects.get()
    ack = BillingSimulator({"100200300": ContractInfo("100200300", "active", "L")}).acknowledge(
        batch.number
    )
    imported = run("bill_ack_import", str(ack.path))
    repeated = run("bill_ack_import", str(ack.path))
    reconciled = run("bill_reconcile", "--cutoff", "2026-12-20")

    assert exported == (
        f"Batch B-20261220-001: 1 charges, 24.95 EUR, B-20261220-001.csv (sha256 {batch.sha256}).\n"
    )
    assert "1 lines, 1 accepted, 0 rejected, 0 settled, 0 quarantined." in imported
    assert imported == repeated
    assert AckFile.objects.count() == 1
    assert BillCharge.objects.get().status == "accepted"
    assert reconciled == (
        "Cut-off 2026-12-20: batches B-20261220-001\n"
        "  exported        1        24.95 EUR\n"
        "  accepted        1        24.95 EUR\n"
        "  rejected        0         0.00 EUR\n"
        "  in flight       0         0.00 EUR\n"
        "Balanced.\n"
    )


def test_export_with_nothing_due_says_so_and_creates_no_batch():
    assert run("bill_cycle_export", "--cutoff", "2026-12-20") == (
        "No pending charges due by 2026-12-20.\n"
    )
    assert ExportBatch.objects.count() == 0


def test_export_first_sends_a_batch_claimed_earlier_but_not_delivered(monkeypatch, tmp_path):
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)
    monkeypatch.setattr(FileExchange, "send_batch", Mock(side_effect=OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        run("bill_cycle_export", "--cutoff", "2026-12-20")
    monkeypatch.undo()

    output = run("bill_cycle_export", "--cutoff", "2026-12-20")

    assert output == (
        "Batch B-20261220-001 (claimed earlier, not delivered): sent.\n"
        "No pending charges due by 2026-12-20.\n"
    )
    assert ExportBatch.objects.get().sent_at is not None
    assert (tmp_path / "B-20261220-001.json").exists()


def _temporary(directory, name: str, *, hours_old: float):
    path = directory / name
    path.write_bytes(b"")
    touched = time.time() - hours_old * 3600
    os.utime(path, (touched, touched))
    return path


def test_export_removes_the_stale_temporary_files_of_killed_exports_only(tmp_path):
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)
    killed_csv = _temporary(tmp_path, ".B-20261213-001.csv.k1ll3d_a.tmp", hours_old=25)
    killed_manifest = _temporary(tmp_path, ".B-20261213-001.json.k1ll3d_b.tmp", hours_old=2)
    fresh = _temporary(tmp_path, ".B-20261220-002.csv.fr3sh_00.tmp", hours_old=0)
    live = _temporary(tmp_path, ".B-20261213-002.csv.l1ve_000.tmp", hours_old=3)
    foreign = [
        _temporary(tmp_path, ".B-20261213-001.ack.csv.s1mul4t0.tmp", hours_old=25),
        _temporary(tmp_path, ".simulator.json.s1mul4t0.tmp", hours_old=25),
        _temporary(tmp_path, "B-20261213-001.csv.tmp", hours_old=25),
    ]

    with live.open("rb") as writing:
        # A slow export still writing holds the lock on its temporary file.
        fcntl.flock(writing, fcntl.LOCK_EX)
        output = run("bill_cycle_export", "--cutoff", "2026-12-20")

    batch = ExportBatch.objects.get()
    assert output.startswith("Batch B-20261220-001: 1 charges, 24.95 EUR")
    assert not killed_csv.exists()
    assert not killed_manifest.exists()
    assert fresh.exists()
    assert live.exists()
    assert all(path.exists() for path in foreign)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["B-20261220-001.csv", "B-20261220-001.json", fresh.name, live.name]
        + [path.name for path in foreign]
    )
    content = (tmp_path / "B-20261220-001.csv").read_bytes()
    assert hashlib.sha256(content).hexdigest() == batch.sha256
    assert json.loads((tmp_path / "B-20261220-001.json").read_bytes())["sha256"] == batch.sha256
    assert batch.sent_at is not None


def test_import_lists_quarantined_lines(tmp_path):
    path = tmp_path / "ack.csv"
    path.write_text("charge_id,result,bill_number,reason\n999,accepted,F1,\n")

    output = run("bill_ack_import", str(path))

    assert "1 lines, 0 accepted, 0 rejected, 0 settled, 1 quarantined." in output
    assert "  line 2: unknown charge\n" in output


def test_import_refuses_a_missing_file_or_a_wrong_header(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("nope\n")

    with pytest.raises(CommandError, match="No such file"):
        run("bill_ack_import", str(tmp_path / "missing.csv"))
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="must start with: charge_id,result,bill_number,reason"),
    ):
        run("bill_ack_import", str(bad))
    assert AckFile.objects.count() == 0


def test_reconcile_lists_differences():
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)
    run("bill_cycle_export", "--cutoff", "2026-12-20")
    BillCharge.objects.update(status=BillCharge.Status.CANCELLED)

    output = run("bill_reconcile", "--cutoff", "2026-12-20")

    charge = BillCharge.objects.get()
    assert f"  B-20261220-001: charge {charge.pk} is cancelled after export\n" in output
    assert output.endswith("1 differences.\n")


def test_export_defaults_to_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: date(2030, 1, 1))
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)

    output = run("bill_cycle_export")

    assert output.startswith("Batch B-20300101-001: 1 charges, 24.95 EUR")


def test_the_nightly_task_exports_what_is_due(settings, tmp_path):
    from billing_bridge.tasks import bill_cycle_export_due

    settings.BILLING_EXCHANGE_DIR = tmp_path
    schedule = settings.CELERY_BEAT_SCHEDULE["export-due-bill-charges"]
    assert schedule["task"] == "billing_bridge.tasks.bill_cycle_export_due"
    assert bill_cycle_export_due() is None  # nothing due
