"""The billing-system simulator: its contracts kept in a file, the
``bill_simulator`` command, and the demo's whole cycle through the commands."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from billing_bridge import demo
from billing_bridge.exchange.base import ContractInfo, ExchangeError
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import AckFile, BillCharge, ExportBatch, SupplyContract
from billing_bridge.services import contracts_refresh
from orders import services as orders
from orders.payments.memory import gateway
from shop.accounts.demo import CUSTOMER_EMAIL
from tests.factories import UserFactory
from tests.factories.orders import ready_checkout, stocked_variant

pytestmark = pytest.mark.django_db

BETIS = ContractInfo(
    number="41000123",
    status="active",
    holder="Lucía Romero",
    last_bill_amount=Decimal("48.20"),
    supply_address="Calle Betis 12, 41010 Sevilla",
    postal_code="41010",
    billing_period_months=2,
    next_cutoff=date(2026, 12, 20),
    has_unpaid_bills=False,
)
HEADER = "  number     status      unpaid  cut-off     last bill  holder\n"
DEMO_LINES = (
    "  41000123   active      no      2026-12-20      48.20  "
    "Lucía Romero, Calle Betis 12, 41010 Sevilla\n"
    "  41000456   active      yes     2026-12-20      63.75  "
    "Lucía Romero, Avenida de la Constitución 3, 41004 Sevilla\n"
    "  41000789   terminated  no      2026-12-20      29.40  "
    "Lucía Romero, Calle Feria 40, 41003 Sevilla\n"
)


@pytest.fixture(autouse=True)
def _exchange(settings, tmp_path):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.BILLING_SIMULATOR_STATE = ""
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.simulator.BillingSimulator"
    gateway.reset()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def a_batch(tmp_path, number: str, csv_text: str) -> None:
    """A batch as the shop writes it: the CSV and the manifest vouching for it."""
    content = csv_text.encode()
    (tmp_path / f"{number}.csv").write_bytes(content)
    manifest = {"batch": number, "sha256": hashlib.sha256(content).hexdigest()}
    (tmp_path / f"{number}.json").write_text(json.dumps(manifest))


BATCH_CSV = (
    "charge_id,contract,amount,cutoff,kind,installment,installments\n"
    "11,41000123,8.32,2026-12-20,installment,1,3\n"
    "12,41000789,5.00,2026-12-20,installment,1,1\n"
    "13,49999999,2.00,2026-12-20,installment,1,1\n"
    "14,41000123,-1.69,2026-12-20,credit,1,1\n"
)


def test_the_contracts_survive_a_new_simulator_instance(tmp_path):
    BillingSimulator().put(BETIS)

    again = BillingSimulator()

    assert again.lookup_contract("41000123") == BETIS
    assert again.verify_last_bill("41000123", Decimal("48.20"))
    assert json.loads((tmp_path / "simulator.json").read_text()) == {
        "contracts": {
            "41000123": {
                "status": "active",
                "holder": "Lucía Romero",
                "supply_address": "Calle Betis 12, 41010 Sevilla",
                "postal_code": "41010",
                "billing_period_months": 2,
                "next_cutoff": "2026-12-20",
                "has_unpaid_bills": False,
                "last_bill_amount": "48.20",
            }
        }
    }


def test_a_status_change_is_seen_by_every_instance_even_one_built_before():
    earlier = BillingSimulator()
    BillingSimulator().put(BETIS)

    BillingSimulator().set_status("41000123", "suspended")

    assert earlier.lookup_contract("41000123") == replace(BETIS, status="suspended")


def test_the_state_file_can_live_elsewhere(settings, tmp_path):
    settings.BILLING_SIMULATOR_STATE = str(tmp_path / "elsewhere" / "state.json")

    BillingSimulator().seed("42", holder="Ana", last_bill_amount=Decimal("31.20"))

    assert BillingSimulator().lookup_contract("42") == ContractInfo(
        "42", "active", "Ana", Decimal("31.20")
    )
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["elsewhere", "state.json"]


def test_a_crash_while_saving_keeps_the_previous_state_whole(monkeypatch, tmp_path):
    import shop.files as file_module  # write_atomically lives there

    BillingSimulator().put(BETIS)
    before = (tmp_path / "simulator.json").read_bytes()

    def crashing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(file_module.os, "replace", crashing_replace)
    with pytest.raises(OSError, match="disk full"):
        BillingSimulator().set_status("41000123", "terminated")

    monkeypatch.undo()
    assert (tmp_path / "simulator.json").read_bytes() == before
    assert [path.name for path in tmp_path.iterdir()] == ["simulator.json"]
    assert BillingSimulator().lookup_contract("41000123") == BETIS


def test_a_simulator_given_its_contracts_keeps_them_in_memory(tmp_path):
    simulator = BillingSimulator({"41000123": BETIS})

    simulator.set_status("41000123", "suspended")
    simulator.seed("42", holder="Ana")

    assert sorted(simulator.contracts()) == ["41000123", "42"]
    assert simulator.contracts()["41000123"].status == "suspended"
    assert list(tmp_path.iterdir()) == []
    assert BillingSimulator().contracts() == {}


def test_an_unreadable_state_is_an_exchange_error(tmp_path):
    (tmp_path / "simulator.json").write_text("{not json")

    with pytest.raises(ExchangeError) as caught:
        BillingSimulator().lookup_contract("41000123")

    assert (
        str(caught.value) == f"The simulator's state {tmp_path / 'simulator.json'} is unreadable."
    )


def test_unknown_contracts_and_statuses_are_refused_and_change_nothing(tmp_path):
    BillingSimulator().put(BETIS)
    before = (tmp_path / "simulator.json").read_bytes()

    with pytest.raises(ValueError, match=r"^Unknown contract 49999999\.$"):
        BillingSimulator().set_status("49999999", "active")
    with pytest.raises(
        ValueError, match=r"^Unknown status 'closed': one of active, suspended, terminated\.$"
    ):
        BillingSimulator().set_status("41000123", "closed")

    assert (tmp_path / "simulator.json").read_bytes() == before


def test_acknowledge_answers_each_charge_as_before(tmp_path):
    a_batch(tmp_path, "B-20261220-001", BATCH_CSV)
    BillingSimulator().put(BETIS, ContractInfo("41000789", "terminated", "Lucía Romero"))

    ack = BillingSimulator().acknowledge("B-20261220-001")

    assert (ack.path, ack.accepted, ack.rejected) == (tmp_path / "B-20261220-001.ack.csv", 2, 2)
    assert ack.path.read_bytes() == (
        b"charge_id,result,bill_number,reason\n"
        b"11,accepted,F202612-41000123,\n"
        b"12,rejected,,contract terminated\n"
        b"13,rejected,,unknown contract\n"
        b"14,accepted,F202612-41000123,\n"
    )


def test_the_command_seeds_the_demo_contracts_and_lists_them(tmp_path):
    seeded = run("bill_simulator", "seed", "--today", "2026-11-05")
    listed = run("bill_simulator", "contracts")

    assert seeded == (
        f"3 demo contracts in {tmp_path / 'simulator.json'}:\n"
        + HEADER
        + DEMO_LINES
        + "Link one with waterContractLink: its number and the amount of its last bill.\n"
    )
    assert listed == f"3 contracts in {tmp_path / 'simulator.json'}:\n" + HEADER + DEMO_LINES
    assert BillingSimulator().lookup_contract("41000123") == BETIS


def test_the_command_lists_an_empty_simulator(tmp_path):
    assert run("bill_simulator", "contracts") == f"0 contracts in {tmp_path / 'simulator.json'}:\n"


def test_the_command_changes_a_status():
    run("bill_simulator", "seed", "--today", "2026-11-05")

    output = run("bill_simulator", "set-status", "41000123", "suspended")

    assert output == (
        "Contract 41000123 is suspended.\nRefresh the shop's mirror with: bill_contracts_refresh\n"
    )
    assert BillingSimulator().lookup_contract("41000123").status == "suspended"


def test_the_command_refuses_an_unknown_contract_or_status(tmp_path):
    run("bill_simulator", "seed", "--today", "2026-11-05")
    before = (tmp_path / "simulator.json").read_bytes()

    with pytest.raises(CommandError) as unknown_contract:
        run("bill_simulator", "set-status", "49999999", "active")
    with pytest.raises(CommandError) as unknown_status:
        run("bill_simulator", "set-status", "41000123", "closed")

    assert str(unknown_contract.value) == "Unknown contract 49999999."
    assert str(unknown_status.value) == (
        "Error: argument status: invalid choice: 'closed' "
        "(choose from 'active', 'suspended', 'terminated')"
    )
    assert (tmp_path / "simulator.json").read_bytes() == before


def test_the_command_acknowledges_a_batch_and_says_where_the_answer_is(tmp_path):
    a_batch(tmp_path, "B-20261220-001", BATCH_CSV)
    run("bill_simulator", "seed", "--today", "2026-11-05")

    output = run("bill_simulator", "acknowledge", "B-20261220-001")

    path = tmp_path / "B-20261220-001.ack.csv"
    assert output == (
        "Batch B-20261220-001: 2 accepted, 2 rejected.\n"
        f"  {path}\n"
        f"Import it with: python manage.py bill_ack_import {path}\n"
    )
    assert path.read_text() == (
        "charge_id,result,bill_number,reason\n"
        "11,accepted,F202612-41000123,\n"
        "12,rejected,,contract terminated\n"
        "13,rejected,,unknown contract\n"
        "14,accepted,F202612-41000123,\n"
    )


def test_the_command_settles_the_charges_accepted_in_a_batch(tmp_path):
    a_batch(tmp_path, "B-20261220-001", BATCH_CSV)
    run("bill_simulator", "seed", "--today", "2026-11-05")
    run("bill_simulator", "acknowledge", "B-20261220-001")

    output = run("bill_simulator", "settle", "B-20261220-001")

    path = tmp_path / "B-20261220-001.settled.csv"
    assert output == (
        "Batch B-20261220-001: 2 settled.\n"
        f"  {path}\n"
        f"Import it with: python manage.py bill_ack_import {path}\n"
    )
    assert path.read_text() == (
        "charge_id,result,bill_number,reason\n"
        "11,settled,F202612-41000123,\n"
        "14,settled,F202612-41000123,\n"
    )


def test_the_command_refuses_a_missing_batch_or_settling_before_acknowledging(tmp_path):
    a_batch(tmp_path, "B-20261220-001", BATCH_CSV)

    with pytest.raises(CommandError) as missing:
        run("bill_simulator", "acknowledge", "B-20261220-002")
    with pytest.raises(CommandError) as unacknowledged:
        run("bill_simulator", "settle", "B-20261220-001")

    assert str(missing.value) == "Batch B-20261220-002 is missing or unreadable."
    assert str(unacknowledged.value) == "Batch B-20261220-001 has not been acknowledged."
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "B-20261220-001.csv",
        "B-20261220-001.json",
    ]


def test_the_demo_seeds_the_simulator_with_the_mirrors_contracts(
    django_capture_on_commit_callbacks,
):
    UserFactory(email=CUSTOMER_EMAIL, first_name="Lucía", last_name="Romero")

    with django_capture_on_commit_callbacks(execute=True):
        seeded = demo.seed(CUSTOMER_EMAIL, today=date(2026, 11, 5))
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(CUSTOMER_EMAIL, today=date(2026, 11, 5))  # idempotent
    report = contracts_refresh(actor=None)

    assert BillingSimulator().contracts() == {info.number: info for info in seeded}
    assert [(i.number, i.status, i.has_unpaid_bills, i.last_bill_amount) for i in seeded] == [
        ("41000123", "active", False, Decimal("48.20")),
        ("41000456", "active", True, Decimal("63.75")),
        ("41000789", "terminated", False, Decimal("29.40")),
    ]
    assert report.refreshed == ["41000123", "41000456", "41000789"]
    assert (report.changed, report.terminated, report.unknown, report.failed) == ({}, {}, [], {})
    assert SupplyContract.objects.count() == 3


def test_the_demo_leaves_the_simulator_alone_with_another_exchange(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"
    UserFactory(email=CUSTOMER_EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        seeded = demo.seed(CUSTOMER_EMAIL, today=date(2026, 11, 5))

    assert seeded == []
    assert list(tmp_path.iterdir()) == []
    assert SupplyContract.objects.count() == 3


def test_the_demo_cycle_runs_through_the_commands(tmp_path, django_capture_on_commit_callbacks):
    customer = UserFactory(email=CUSTOMER_EMAIL, first_name="Lucía", last_name="Romero")
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(CUSTOMER_EMAIL, today=date(2026, 11, 5))
    checkout = ready_checkout(lines=[(stocked_variant(price="10.00"), 2)], user=customer)
    orders.checkout_payment_start(
        checkout=checkout,
        method_code="water_bill",
        options={"contract": "41000123", "installments": 3},
    )
    orders.checkout_complete(checkout=checkout, actor=customer)  # 24.95: 8.32 + 8.32 + 8.31

    exported = run("bill_cycle_export", "--cutoff", "2026-12-20")
    acknowledged = run("bill_simulator", "acknowledge", "B-20261220-001")
    imported = run("bill_ack_import", str(tmp_path / "B-20261220-001.ack.csv"))
    reconciled = run("bill_reconcile", "--cutoff", "2026-12-20")
    settled = run("bill_simulator", "settle", "B-20261220-001")

    batch = ExportBatch.objects.get()
    first = BillCharge.objects.get(sequence=1)
    ack_path = tmp_path / "B-20261220-001.ack.csv"
    assert exported == (
        f"Batch B-20261220-001: 1 charges, 8.32 EUR, B-20261220-001.csv (sha256 {batch.sha256}).\n"
    )
    assert acknowledged == (
        "Batch B-20261220-001: 1 accepted, 0 rejected.\n"
        f"  {ack_path}\n"
        f"Import it with: python manage.py bill_ack_import {ack_path}\n"
    )
    assert imported.startswith("B-20261220-001.ack.csv (imported ")
    ack = AckFile.objects.get()
    assert (ack.lines, ack.accepted, ack.rejected, ack.quarantined) == (1, 1, 0, 0)
    assert (first.status, first.bill_number) == ("accepted", "F202612-41000123")
    assert reconciled == (
        "Cut-off 2026-12-20: batches B-20261220-001\n"
        "  exported        1         8.32 EUR\n"
        "  accepted        1         8.32 EUR\n"
        "  rejected        0         0.00 EUR\n"
        "  in flight       0         0.00 EUR\n"
        "Balanced.\n"
    )
    assert settled.startswith("Batch B-20261220-001: 1 settled.\n")
    assert (tmp_path / "B-20261220-001.settled.csv").read_text() == (
        f"charge_id,result,bill_number,reason\n{first.pk},settled,F202612-41000123,\n"
    )
    assert sorted(BillCharge.objects.values_list("sequence", "status")) == [
        (1, "accepted"),
        (2, "pending"),
        (3, "pending"),
    ]
