"""The exchange with the billing system: export, acknowledgement, reconciliation."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from billing_bridge import services_exchange as exchange
from billing_bridge.exchange import get_exchange
from billing_bridge.exchange.base import ContractInfo
from billing_bridge.exchange.file import FileExchange
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import AckFile, BatchLine, BillCharge, ExportBatch, QuarantinedLine
from orders.payments.memory import gateway
from tests.billing_bridge.test_water_bill_payment import linked_customer, water_bill_order

pytestmark = pytest.mark.django_db

CUTOFF = date(2026, 12, 20)


@pytest.fixture(autouse=True)
def _exchange(settings, tmp_path):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"
    gateway.reset()


def billing_system(status: str = "active") -> BillingSimulator:
    return BillingSimulator({"100200300": ContractInfo("100200300", status, "Lucía Romero")})


def an_order_in_three_installments():
    user, _contract = linked_customer()
    water_bill_order(user, installments=3)  # 24.95: 8.32 + 8.32 + 8.31
    return user


def write_ack(tmp_path: Path, *lines: str, name: str = "manual.ack.csv") -> Path:
    path = tmp_path / name
    path.write_text("charge_id,result,bill_number,reason\n" + "".join(f"{x}\n" for x in lines))
    return path


def test_a_full_cycle_exports_the_charges_due_acknowledges_them_and_balances(tmp_path):
    user = an_order_in_three_installments()
    first = BillCharge.objects.get(sequence=1)

    batch = exchange.bill_cycle_export(cutoff=CUTOFF, actor=user)
    ack = billing_system().acknowledge(batch.number)
    imported = exchange.bill_ack_import(path=ack.path, actor=user)
    report = exchange.bill_reconcile(cutoff=CUTOFF)

    assert (batch.number, batch.count, batch.total, batch.file_name) == (
        "B-20261220-001",
        1,
        Decimal("8.32"),
        "B-20261220-001.csv",
    )
    assert (tmp_path / "B-20261220-001.csv").read_text() == (
        "charge_id,contract,amount,cutoff,kind,installment,installments\n"
        f"{first.pk},100200300,8.32,2026-12-20,installment,1,3\n"
    )
    assert (imported.lines, imported.accepted, imported.rejected, imported.quarantined) == (
        1,
        1,
        0,
        0,
    )
    first.refresh_from_db()
    assert (first.status, first.bill_number) == ("accepted", "F202612-100200300")
    assert sorted(BillCharge.objects.values_list("sequence", "status")) == [
        (1, "accepted"),
        (2, "pending"),
        (3, "pending"),
    ]
    batch.refresh_from_db()
    assert batch.status == ExportBatch.Status.ACKNOWLEDGED
    assert report.batches == ["B-20261220-001"]
    assert (report.exported.count, report.exported.total) == (1, Decimal("8.32"))
    assert (report.accepted.count, report.accepted.total) == (1, Decimal("8.32"))
    assert (report.rejected.count, report.in_flight.count) == (0, 0)
    assert report.balanced
    assert report.differences == []


def test_a_paid_bill_settles_its_accepted_charges_and_odd_settlements_are_quarantined(tmp_path):
    an_order_in_three_installments()
    first = BillCharge.objects.get(sequence=1)
    batch = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    exchange.bill_ack_import(path=billing_system().acknowledge(batch.number).path, actor=None)
    second = BillCharge.objects.get(sequence=2)
    paid = write_ack(
        tmp_path,
        f"{first.pk},settled,F202612-100200300,",
        f"{second.pk},settled,F202702-100200300,",  # pending: never billed
        name="paid.csv",
    )
    wrong_bill = write_ack(tmp_path, f"{first.pk},settled,F209901-1,", name="wrong.csv")

    settled = exchange.bill_ack_import(path=paid, actor=None)
    again = exchange.bill_ack_import(path=wrong_bill, actor=None)

    first.refresh_from_db()
    assert (first.status, first.bill_number) == ("settled", "F202612-100200300")
    assert BillCharge.objects.get(pk=second.pk).status == "pending"
    assert (settled.lines, settled.settled, settled.accepted, settled.quarantined) == (2, 1, 0, 1)
    assert list(settled.quarantine.values_list("line_number", "reason")) == [
        (3, "charge is pending")
    ]
    assert list(again.quarantine.values_list("reason", flat=True)) == ["charge is settled"]
    report = exchange.bill_reconcile(batch=batch)
    assert (report.accepted.count, report.accepted.total) == (1, Decimal("8.32"))
    assert report.balanced


def test_a_settlement_naming_another_bill_is_quarantined_and_changes_nothing(tmp_path):
    an_order_in_three_installments()
    first = BillCharge.objects.get(sequence=1)
    batch = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    exchange.bill_ack_import(path=billing_system().acknowledge(batch.number).path, actor=None)

    imported = exchange.bill_ack_import(
        path=write_ack(tmp_path, f"{first.pk},settled,F209901-1,"), actor=None
    )

    first.refresh_from_db()
    assert first.status == "accepted"
    assert list(imported.quarantine.values_list("reason", flat=True)) == [
        "bill number differs from F202612-100200300"
    ]


def test_each_charge_is_exported_once():
    an_order_in_three_installments()
    first = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)

    again = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    later = exchange.bill_cycle_export(cutoff=date(2027, 2, 20), actor=None)

    assert again is None
    assert later.number == "B-20270220-001"
    assert list(later.lines.values_list("charge__sequence", flat=True)) == [2]
    assert BatchLine.objects.count() == 2
    assert list(first.lines.values_list("charge__sequence", flat=True)) == [1]


def test_charges_due_earlier_are_caught_up_and_batch_numbers_count_up():
    an_order_in_three_installments()
    exchange.bill_cycle_export(cutoff=date(2026, 12, 1), actor=None)  # nothing due yet
    first = exchange.bill_cycle_export(cutoff=date(2027, 2, 20), actor=None)
    BillCharge.objects.filter(sequence=3).update(due_cutoff=date(2027, 2, 20))
    second = exchange.bill_cycle_export(cutoff=date(2027, 2, 20), actor=None)

    assert (first.number, first.count, first.total) == ("B-20270220-001", 2, Decimal("16.64"))
    assert (second.number, second.count, second.total) == ("B-20270220-002", 1, Decimal("8.31"))


def test_rewriting_a_batch_reproduces_identical_files_and_the_manifest_vouches_for_the_csv(
    tmp_path,
):
    an_order_in_three_installments()
    batch = exchange.bill_cycle_export(cutoff=date(2027, 4, 20), actor=None)
    csv_path, manifest_path = tmp_path / f"{batch.number}.csv", tmp_path / f"{batch.number}.json"
    original = (csv_path.read_bytes(), manifest_path.read_bytes())
    csv_path.unlink()
    manifest_path.unlink()

    exchange.bill_batch_send(actor=None, batch=batch)

    assert (csv_path.read_bytes(), manifest_path.read_bytes()) == original
    manifest = json.loads(original[1])
    assert manifest == {
        "batch": "B-20270420-001",
        "count": 3,
        "cutoff": "2027-04-20",
        "file": "B-20270420-001.csv",
        "sha256": hashlib.sha256(original[0]).hexdigest(),
        "total": "24.95",
    }
    assert batch.sha256 == manifest["sha256"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "B-20270420-001.csv",
        "B-20270420-001.json",
    ]


def test_importing_the_same_acknowledgement_twice_changes_nothing(tmp_path):
    an_order_in_three_installments()
    batch = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    path = billing_system().acknowledge(batch.number).path
    first = exchange.bill_ack_import(path=path, actor=None)
    charge = BillCharge.objects.get(sequence=1)
    copy = tmp_path / "renamed-copy.csv"
    copy.write_bytes(path.read_bytes())

    again = exchange.bill_ack_import(path=path, actor=None)
    renamed = exchange.bill_ack_import(path=copy, actor=None)

    assert again.pk == renamed.pk == first.pk
    assert AckFile.objects.count() == 1
    assert QuarantinedLine.objects.count() == 0
    assert BillCharge.objects.get(sequence=1).updated_at == charge.updated_at


def test_unknown_malformed_and_out_of_state_lines_are_quarantined(tmp_path):
    an_order_in_three_installments()
    exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    first, second = BillCharge.objects.order_by("sequence")[:2]
    path = write_ack(
        tmp_path,
        f"{first.pk},accepted,F202612-100200300,",
        "999999,accepted,F1,",
        "just garbage",
        "x,accepted,F1,",
        f"{second.pk},accepted,F1,",
        "",
        f"{first.pk},accepted,,",
        f"{first.pk},maybe,F1,",
        f"{first.pk},rejected,,again",
    )

    ack = exchange.bill_ack_import(path=path, actor=None)

    assert (ack.lines, ack.accepted, ack.rejected, ack.quarantined) == (8, 1, 0, 7)
    assert list(ack.quarantine.values_list("line_number", "raw", "reason")) == [
        (3, "999999,accepted,F1,", "unknown charge"),
        (4, "just garbage", "expected 4 fields, found 1"),
        (5, "x,accepted,F1,", "charge id is not a number"),
        (6, f"{second.pk},accepted,F1,", "charge is pending"),
        (8, f"{first.pk},accepted,,", "accepted without a bill number"),
        (9, f"{first.pk},maybe,F1,", "unknown result 'maybe'"),
        (10, f"{first.pk},rejected,,again", "charge is accepted"),
    ]
    assert sorted(BillCharge.objects.values_list("sequence", "status", "bill_number")) == [
        (1, "accepted", "F202612-100200300"),
        (2, "pending", ""),
        (3, "pending", ""),
    ]


def test_a_file_with_the_wrong_header_is_refused_whole(tmp_path):
    an_order_in_three_installments()
    exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    path = tmp_path / "bad.csv"
    path.write_text("id,status\n1,accepted\n")

    with pytest.raises(ValidationError) as caught:
        exchange.bill_ack_import(path=path, actor=None)

    assert caught.value.code == "invalid"
    assert AckFile.objects.count() == 0
    assert BillCharge.objects.get(sequence=1).status == "exported"


def test_charges_of_a_suspended_contract_are_rejected_with_the_reason():
    an_order_in_three_installments()
    batch = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    ack = billing_system(status="suspended").acknowledge(batch.number)

    imported = exchange.bill_ack_import(path=ack.path, actor=None)
    report = exchange.bill_reconcile(batch=batch)

    charge = BillCharge.objects.get(sequence=1)
    assert (charge.status, charge.bill_number) == ("rejected", "")
    assert charge.note == "contract suspended"
    assert (imported.accepted, imported.rejected) == (0, 1)
    assert (report.rejected.count, report.rejected.total) == (1, Decimal("8.32"))
    assert report.balanced


def assert_claimed_once_and_unsent(tmp_path):
    batch = ExportBatch.objects.get()
    assert (batch.number, batch.count, batch.sent_at) == ("B-20261220-001", 1, None)
    assert BatchLine.objects.get().charge == BillCharge.objects.get(sequence=1)
    assert sorted(BillCharge.objects.values_list("sequence", "status")) == [
        (1, "exported"),
        (2, "pending"),
        (3, "pending"),
    ]
    assert not (tmp_path / "B-20261220-001.json").exists()
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]
    assert "B-20261220-001: not delivered to the billing system yet" in (
        exchange.bill_reconcile(cutoff=CUTOFF).differences
    )


def assert_the_rerun_sent_it_once(tmp_path):
    batch = ExportBatch.objects.get()
    assert batch.sent_at is not None
    assert BatchLine.objects.count() == 1
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["B-20261220-001.csv", "B-20261220-001.json"]
    content = (tmp_path / "B-20261220-001.csv").read_bytes()
    assert hashlib.sha256(content).hexdigest() == batch.sha256
    manifest = json.loads((tmp_path / "B-20261220-001.json").read_bytes())
    assert manifest["sha256"] == batch.sha256
    assert exchange.bill_reconcile(cutoff=CUTOFF).balanced


@pytest.mark.parametrize("failing_call", [1, 2])
def test_a_crash_while_writing_the_files_keeps_the_claim_and_the_rerun_sends_it(
    monkeypatch, tmp_path, failing_call
):
    import shop.files as file_module  # write_atomically lives there

    an_order_in_three_installments()
    real_replace, calls = file_module.os.replace, []

    def crashing_replace(source, target):
        calls.append(target)
        if len(calls) == failing_call:
            raise OSError("disk full")
        real_replace(source, target)

    monkeypatch.setattr(file_module.os, "replace", crashing_replace)
    with pytest.raises(OSError, match="disk full"):
        exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)

    assert_claimed_once_and_unsent(tmp_path)
    monkeypatch.undo()
    assert exchange.bill_cycle_export(cutoff=CUTOFF, actor=None) is None  # nothing new due
    assert_the_rerun_sent_it_once(tmp_path)


class Crash(Exception):
    pass


@pytest.mark.parametrize("moment", ["after the claim", "after writing"])
def test_a_crash_around_the_files_keeps_the_claim_and_the_rerun_writes_identical_files(
    monkeypatch, tmp_path, moment
):
    an_order_in_three_installments()
    real_send = FileExchange.send_batch

    def crashing_send(self, batch, rows):
        if moment == "after writing":
            real_send(self, batch, rows)
        raise Crash(moment)

    monkeypatch.setattr(FileExchange, "send_batch", crashing_send)
    with pytest.raises(Crash):
        exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    crashed = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    assert ExportBatch.objects.get().sent_at is None
    assert BillCharge.objects.get(sequence=1).status == "exported"
    monkeypatch.undo()
    assert exchange.bill_cycle_export(cutoff=CUTOFF, actor=None) is None

    rerun = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert crashed == (rerun if moment == "after writing" else {})
    assert_the_rerun_sent_it_once(tmp_path)


def test_reconciliation_counts_charges_in_flight_and_lists_differences():
    an_order_in_three_installments()
    batch = exchange.bill_cycle_export(cutoff=date(2027, 2, 20), actor=None)

    waiting = exchange.bill_reconcile(cutoff=date(2027, 2, 20))
    BatchLine.objects.filter(charge__sequence=2).update(amount=Decimal("9.00"))
    tampered = exchange.bill_reconcile(batch=batch)

    assert (waiting.in_flight.count, waiting.in_flight.total) == (2, Decimal("16.64"))
    assert waiting.balanced
    second = BillCharge.objects.get(sequence=2)
    assert tampered.differences == [
        "B-20270220-001: header says 2 / 16.64, lines are 2 / 17.32",
        f"B-20270220-001: charge {second.pk} exported as 9.00, now 8.32",
    ]
    assert not tampered.balanced


def test_the_exchange_is_loaded_from_settings_and_reloaded_when_they_change(settings):
    assert isinstance(get_exchange(), FileExchange)
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.simulator.BillingSimulator"
    assert isinstance(get_exchange(), BillingSimulator)
    assert get_exchange() is get_exchange()


def test_the_simulator_answers_contract_lookups_and_last_bill_checks():
    simulator = BillingSimulator()
    simulator.seed("42", status="active", holder="Ana", last_bill_amount=Decimal("31.20"))

    assert simulator.lookup_contract("42") == ContractInfo("42", "active", "Ana", Decimal("31.20"))
    assert simulator.lookup_contract("43") is None
    assert simulator.verify_last_bill("42", Decimal("31.20"))
    assert not simulator.verify_last_bill("42", Decimal("31.21"))
    assert not simulator.verify_last_bill("43", Decimal("31.20"))


def test_a_rejected_credit_keeps_its_refund_key_so_the_refund_is_not_made_twice(tmp_path):
    from billing_bridge.payment import WaterBillPaymentMethod

    an_order_in_three_installments()
    payment = BillCharge.objects.get(sequence=1).payment
    exchange.bill_cycle_export(cutoff=date(2027, 4, 20), actor=None)  # all three installments
    WaterBillPaymentMethod().refund(payment, Decimal("10.00"), idempotency_key="refund-1")
    credit = BillCharge.objects.get(kind="credit")  # nothing was pending: all of it a credit
    batch = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)
    assert credit.batch_line.batch == batch
    exchange.bill_ack_import(
        path=write_ack(tmp_path, f"{credit.pk},rejected,,no such bill line"), actor=None
    )

    WaterBillPaymentMethod().refund(payment, Decimal("10.00"), idempotency_key="refund-1")

    credit.refresh_from_db()
    assert (credit.status, credit.note, credit.refund_key) == (
        "rejected",
        "no such bill line",
        "refund-1",
    )
    assert BillCharge.objects.filter(kind="credit").count() == 1
