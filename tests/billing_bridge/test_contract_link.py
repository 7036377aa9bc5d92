"""A customer links a contract by its number and the amount of its last bill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing_bridge import services
from billing_bridge.exchange.base import get_exchange
from billing_bridge.models import ContractLink, SupplyContract
from billing_bridge.services import LINK_ATTEMPTS
from tests.factories import UserFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db
LINK = operation("storefront/WaterContractLink")


@pytest.fixture
def simulator(settings, tmp_path):
    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.simulator.BillingSimulator"
    simulator = get_exchange()
    for number in ("41000123", "41000999"):
        simulator.seed(number, holder="Lucía Romero", last_bill_amount=Decimal("48.20"))
        SupplyContract.objects.create(
            number=number,
            holder_name="Lucía Romero",
            supply_address="Calle Betis 12",
            postal_code="41010",
            next_cutoff=date(2026, 12, 20),
        )
    return simulator


def link(gql, user, number, amount):
    variables = {"input": {"contractNumber": number, "lastBillAmount": amount}}
    return gql(LINK, variables, user=user)["data"]["waterContractLink"]


def test_the_right_amount_links_the_contract(gql, simulator):
    user = UserFactory()
    payload = link(gql, user, "41000123", "48.20")
    assert payload["errors"] == []
    assert payload["waterContract"]["number"] == "41000123"
    assert ContractLink.objects.get().source == ContractLink.Source.VERIFIED


def test_a_wrong_amount_and_an_unknown_contract_fail_alike(gql, simulator):
    user = UserFactory()
    wrong = link(gql, user, "41000123", "48.21")
    unknown = link(gql, user, "49999999", "48.20")
    assert wrong == unknown
    assert [error["code"] for error in wrong["errors"]] == ["NOT_VERIFIED"]
    assert not ContractLink.objects.exists()


def test_attempts_are_limited_per_customer_and_per_contract(gql, simulator):
    guesser = UserFactory()
    for attempt in range(LINK_ATTEMPTS):
        link(gql, guesser, "41000123", f"1.{attempt:02d}")
    throttled = link(gql, guesser, "41000999", "48.20")  # even the right answer
    assert [error["code"] for error in throttled["errors"]] == ["THROTTLED"]
    other = UserFactory()
    per_contract = link(gql, other, "41000123", "48.20")
    assert [error["code"] for error in per_contract["errors"]] == ["THROTTLED"]
    assert not ContractLink.objects.exists()


def test_linking_needs_a_signed_in_customer(gql, simulator):
    body = gql(LINK, {"input": {"contractNumber": "41000123", "lastBillAmount": "48.20"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not ContractLink.objects.exists()


def test_attempts_arriving_while_one_is_verified_count_against_the_limit(
    gql, simulator, monkeypatch
):
    # given: while the first guess is being checked with the billing system, five
    # more arrive (one interleaving of parallel requests, replayed deterministically)
    guesser = UserFactory()
    verify = simulator.verify_last_bill
    verified: list[Decimal] = []
    arrived: list[str] = []

    def verifying(number: str, amount: Decimal) -> bool:
        verified.append(amount)
        if len(verified) == 1:
            for n in range(5):
                try:
                    services.water_contract_link(
                        user=guesser, number="41000123", last_bill_amount=Decimal(f"2.0{n}")
                    )
                except ValidationError as exc:
                    arrived.append(str(exc.error_list[0].code))
        return verify(number, amount)

    monkeypatch.setattr(simulator, "verify_last_bill", verifying)

    # when
    payload = link(gql, guesser, "41000123", "1.00")

    # then: five amounts asked in all; the sixth guess was refused unasked
    assert verified == [Decimal(amount) for amount in ("1.00", "2.00", "2.01", "2.02", "2.03")]
    assert arrived == ["not_verified"] * 4 + ["throttled"]
    assert [error["code"] for error in payload["errors"]] == ["NOT_VERIFIED"]
    assert not ContractLink.objects.exists()


def test_an_unanswered_attempt_is_not_counted(gql, simulator, monkeypatch):
    # given: the billing system did not answer as many times as the limit allows
    guesser = UserFactory()

    def unreachable(number: str, amount: Decimal) -> bool:
        raise OSError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(simulator, "verify_last_bill", unreachable)
        failures = [link(gql, guesser, "41000123", "48.20") for _ in range(LINK_ATTEMPTS)]

    # when
    payload = link(gql, guesser, "41000123", "48.20")

    # then
    assert {error["code"] for f in failures for error in f["errors"]} == {"UNAVAILABLE"}
    assert payload["errors"] == []
    assert ContractLink.objects.get().contract.number == "41000123"
