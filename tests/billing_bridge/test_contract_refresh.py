"""The contract mirror refreshed from the billing system."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing_bridge.exchange.base import ContractInfo, ExchangeError
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from billing_bridge.services import contracts_refresh, water_contract_link
from orders.payments.memory import gateway
from tests.billing_bridge.test_water_bill_payment import linked_customer, water_bill_order
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MIRRORED = (
    "number",
    "status",
    "holder_name",
    "supply_address",
    "postal_code",
    "billing_period_months",
    "next_cutoff",
    "has_unpaid_bills",
    "refreshed_at",
)


class FlakyBillingSystem(BillingSimulator):
    """The simulator, except that looking up 41000456 times out."""

    def lookup_contract(self, number: str) -> ContractInfo | None:
        if number == "41000456":
            raise ExchangeError("the billing system timed out")
        return super().lookup_contract(number)


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


def mirrored(number: str, **fields) -> SupplyContract:
    values = {
        "holder_name": "Lucía Romero",
        "supply_address": "Calle Betis 12, 41010 Sevilla",
        "postal_code": "41010",
        "next_cutoff": date(2026, 12, 20),
        **fields,
    }
    return SupplyContract.objects.create(number=number, **values)


def row(number: str) -> tuple:
    return SupplyContract.objects.filter(number=number).values_list(*MIRRORED).get()


def test_the_mirror_takes_what_the_billing_system_says():
    mirrored("41000123")
    BillingSimulator().put(
        ContractInfo(
            number="41000123",
            status="suspended",
            holder="Lucía Romero Díaz",
            supply_address="Calle Betis 14, 41010 Sevilla",
            postal_code="41010",
            billing_period_months=1,
            next_cutoff=date(2026, 12, 5),
            has_unpaid_bills=True,
        )
    )
    before = timezone.now()

    report = contracts_refresh(actor=None)

    contract = SupplyContract.objects.get()
    assert before <= contract.refreshed_at <= timezone.now()
    assert row("41000123")[:-1] == (
        "41000123",
        "suspended",
        "Lucía Romero Díaz",
        "Calle Betis 14, 41010 Sevilla",
        "41010",
        1,
        date(2026, 12, 5),
        True,
    )
    assert report.refreshed == ["41000123"]
    assert report.changed == {
        "41000123": [
            "billing_period_months",
            "has_unpaid_bills",
            "holder_name",
            "next_cutoff",
            "status",
            "supply_address",
        ]
    }
    assert (report.terminated, report.unknown, report.failed, report.not_mirrored) == (
        {},
        [],
        {},
        [],
    )


def test_what_the_billing_system_leaves_out_is_kept():
    mirrored("41000123", has_unpaid_bills=True)
    BillingSimulator().seed("41000123", status="active", holder="")

    report = contracts_refresh(actor=None)

    assert row("41000123")[:-1] == (
        "41000123",
        "active",
        "Lucía Romero",
        "Calle Betis 12, 41010 Sevilla",
        "41010",
        2,
        date(2026, 12, 20),
        True,
    )
    assert report.refreshed == ["41000123"]
    assert report.changed == {}


def test_a_contract_now_terminated_moves_its_installments_to_its_final_bill():
    user, contract = linked_customer()
    water_bill_order(user, installments=3)  # due 2026-12-20, 2027-02-20, 2027-04-20
    BillCharge.objects.filter(sequence=1).update(status=BillCharge.Status.EXPORTED)
    BillingSimulator().put(
        ContractInfo("100200300", "terminated", "Lucía Romero", next_cutoff=date(2027, 1, 15))
    )

    report = contracts_refresh(actor=None)

    contract.refresh_from_db()
    assert (contract.status, contract.next_cutoff) == ("terminated", date(2027, 1, 15))
    assert report.terminated == {"100200300": 2}
    assert report.changed == {"100200300": ["next_cutoff", "status"]}
    assert list(BillCharge.objects.order_by("sequence").values_list("due_cutoff", "status")) == [
        (date(2026, 12, 20), "exported"),
        (date(2027, 1, 15), "pending"),
        (date(2027, 1, 15), "pending"),
    ]


def test_a_terminated_contract_without_a_final_cutoff_ends_at_its_next_bill():
    user, _contract = linked_customer()
    water_bill_order(user, installments=3)
    BillingSimulator().seed("100200300", status="terminated", holder="Lucía Romero")

    report = contracts_refresh(actor=None)

    assert report.terminated == {"100200300": 2}
    assert list(BillCharge.objects.order_by("sequence").values_list("due_cutoff", flat=True)) == [
        date(2026, 12, 20),
        date(2026, 12, 20),
        date(2026, 12, 20),
    ]


def test_contracts_the_billing_system_does_not_know_are_listed_and_left_alone():
    mirrored("41000123")
    mirrored("41000999")
    BillingSimulator().seed("41000123", status="suspended", holder="Lucía Romero")
    untouched = row("41000999")

    report = contracts_refresh(actor=None)

    assert report.unknown == ["41000999"]
    assert report.refreshed == ["41000123"]
    assert row("41000999") == untouched
    assert untouched[-1] is None
    assert row("41000123")[1] == "suspended"


def test_a_failed_look_up_is_reported_and_the_others_go_on(settings):
    settings.BILLING_EXCHANGE_ADAPTER = (
        "tests.billing_bridge.test_contract_refresh.FlakyBillingSystem"
    )
    for number in ("41000123", "41000456", "41000789"):
        mirrored(number)
        BillingSimulator().seed(number, status="suspended", holder="Lucía Romero")
    untouched = row("41000456")

    report = contracts_refresh(actor=None)

    assert report.failed == {"41000456": "the billing system timed out"}
    assert report.refreshed == ["41000123", "41000789"]
    assert row("41000456") == untouched
    assert [row(number)[1] for number in ("41000123", "41000456", "41000789")] == [
        "suspended",
        "active",
        "suspended",
    ]


def test_a_status_the_mirror_does_not_have_is_a_failure_and_changes_nothing(tmp_path):
    mirrored("41000123")
    (tmp_path / "simulator.json").write_text(
        '{"contracts": {"41000123": {"status": "closed", "holder": "X"}}}'
    )
    untouched = row("41000123")

    report = contracts_refresh(actor=None)

    assert report.failed == {"41000123": "unknown status 'closed'"}
    assert report.refreshed == []
    assert row("41000123") == untouched


def test_a_value_the_mirror_cannot_hold_is_a_failure_and_the_others_go_on():
    mirrored("41000123")
    mirrored("41000456")
    BillingSimulator().put(
        ContractInfo("41000123", "suspended", "Lucía Romero", billing_period_months=0),
        ContractInfo("41000456", "suspended", "Lucía Romero"),
    )
    untouched = row("41000123")

    report = contracts_refresh(actor=None)

    assert list(report.failed) == ["41000123"]
    assert report.failed["41000123"].startswith("not stored: ")
    assert "billing_contract_period_gte_1" in report.failed["41000123"]
    assert report.refreshed == ["41000456"]
    assert row("41000123") == untouched
    assert row("41000456")[1] == "suspended"


def test_only_the_numbers_given_are_refreshed_and_the_unmirrored_listed():
    mirrored("41000123")
    mirrored("41000456")
    BillingSimulator().seed("41000123", status="suspended", holder="Lucía Romero")
    BillingSimulator().seed("41000456", status="suspended", holder="Lucía Romero")

    report = contracts_refresh(actor=None, numbers=[" 41000456", "49999999"])

    assert report.refreshed == ["41000456"]
    assert report.not_mirrored == ["49999999"]
    assert row("41000123")[1] == "active"
    assert row("41000456")[1] == "suspended"


def test_the_file_exchange_cannot_look_up_contracts_so_nothing_changes(settings):
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"
    mirrored("41000123")
    mirrored("41000456", status=SupplyContract.Status.SUSPENDED)
    before = [row("41000123"), row("41000456")]

    report = contracts_refresh(actor=None)

    assert report.unknown == ["41000123", "41000456"]
    assert (report.refreshed, report.changed, report.terminated, report.failed) == ([], {}, {}, {})
    assert [row("41000123"), row("41000456")] == before


def test_the_command_prints_what_happened_to_each_contract(settings):
    settings.BILLING_EXCHANGE_ADAPTER = (
        "tests.billing_bridge.test_contract_refresh.FlakyBillingSystem"
    )
    user, _contract = linked_customer()
    water_bill_order(user, installments=3)
    mirrored("41000123")
    mirrored("41000456")
    mirrored("41000999")
    BillingSimulator().seed("100200300", status="terminated", holder="Lucía Romero")
    BillingSimulator().put(
        ContractInfo("41000123", "active", "Lucía Romero", has_unpaid_bills=True)
    )
    out = io.StringIO()

    call_command("bill_contracts_refresh", stdout=out, stderr=io.StringIO())
    call_command("bill_contracts_refresh", "41000123", "49999999", stdout=out, stderr=io.StringIO())

    assert out.getvalue() == (
        "4 contracts looked up: 2 refreshed (2 changed, 1 terminated), 1 unknown, 1 failed.\n"
        "  100200300: status changed\n"
        "  41000123: has_unpaid_bills changed\n"
        "  100200300: terminated, 2 installments moved to its final bill\n"
        "  41000999: unknown to the billing system, left as it was\n"
        "  41000456: failed (the billing system timed out), left as it was\n"
        "1 contracts looked up: 1 refreshed (0 changed, 0 terminated), 0 unknown, 0 failed.\n"
        "  49999999: not in the mirror\n"
    )


def test_the_nightly_task_refreshes_every_contract(settings):
    from billing_bridge.tasks import contracts_refresh_all

    mirrored("41000123")
    mirrored("41000999")
    BillingSimulator().seed("41000123", status="suspended", holder="Lucía Romero")

    result = contracts_refresh_all()

    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-supply-contracts"]
    assert schedule["task"] == "billing_bridge.tasks.contracts_refresh_all"
    assert result == {"refreshed": 1, "terminated": 0, "unknown": 1, "failed": 0}
    assert row("41000123")[1] == "suspended"


def test_linking_a_contract_refreshes_it():
    mirrored("41000123")
    BillingSimulator().put(
        ContractInfo("41000123", "active", "Lucía Romero", Decimal("48.20"), has_unpaid_bills=True)
    )
    user = UserFactory()

    link = water_contract_link(user=user, number="41000123", last_bill_amount=Decimal("48.20"))

    assert link.contract.has_unpaid_bills is True
    assert link.contract.refreshed_at is not None
    assert ContractLink.objects.get().contract.has_unpaid_bills is True
