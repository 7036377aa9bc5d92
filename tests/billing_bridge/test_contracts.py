"""Contracts, credit and installments of the water-bill route."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from billing_bridge import selectors, services
from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from tests.factories import UserFactory
from tests.factories.orders import place_order

pytestmark = pytest.mark.django_db


def contract(number="100200300", **fields):
    defaults = {
        "holder_name": "Lucía Romero",
        "supply_address": "Calle Betis 12, Sevilla",
        "postal_code": "41010",
        "next_cutoff": date(2026, 12, 20),
    }
    return SupplyContract.objects.create(number=number, **{**defaults, **fields})


@given(
    total=st.decimals(min_value="0.01", max_value="99999.99", places=2),
    installments=st.sampled_from(selectors.INSTALLMENT_CHOICES),
)
def test_installments_add_up_to_the_total_and_differ_by_at_most_a_cent(total, installments):
    amounts = selectors.installment_amounts(total, installments)
    assert len(amounts) == installments
    assert sum(amounts) == total
    assert max(amounts) - min(amounts) <= Decimal("0.01")
    assert amounts == sorted(amounts, reverse=True)  # leftover cents go first


def test_installments_fall_on_the_next_bills():
    bimonthly = contract(next_cutoff=date(2026, 12, 31), billing_period_months=2)
    assert selectors.installment_cutoffs(bimonthly, 3) == [
        date(2026, 12, 31),
        date(2027, 2, 28),
        date(2027, 4, 30),
    ]


def test_the_portal_vouches_for_contracts_once():
    user = UserFactory()
    known = contract()
    first = services.contracts_link_vouched(user=user, numbers=["100200300", "999"])
    again = services.contracts_link_vouched(user=user, numbers=[" 100200300 "])
    assert [link.contract for link in first] == [known]
    assert [link.pk for link in again] == [first[0].pk]
    assert ContractLink.objects.get().source == ContractLink.Source.PORTAL


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": SupplyContract.Status.SUSPENDED}, "The supply contract is not active."),
        ({"status": SupplyContract.Status.TERMINATED}, "The supply contract is not active."),
        ({"has_unpaid_bills": True}, "The supply contract has unpaid bills."),
        (
            {"credit_limit": Decimal("20.00")},
            "The amount is over the credit left on this contract (20.00 €).",
        ),
    ],
)
def test_charging_is_refused_with_a_reason(change, reason):
    user = UserFactory()
    linked = contract(**change)
    ContractLink.objects.create(user=user, contract=linked, source="portal")
    with translation.override("en"):
        verdict = selectors.charge_eligibility(user, linked, amount=Decimal("30.00"))
    assert verdict == selectors.Verdict(False, reason)


def test_charging_needs_a_signed_in_customer_with_a_linked_contract():
    assert not selectors.charge_eligibility(None, None, amount=Decimal("1.00")).eligible
    user = UserFactory()
    assert not selectors.charge_eligibility(user, None, amount=Decimal("1.00")).eligible
    unlinked = contract()
    assert not selectors.charge_eligibility(user, unlinked, amount=Decimal("1.00")).eligible
    ContractLink.objects.create(user=user, contract=unlinked, source="portal")
    assert selectors.charge_eligibility(user, None, amount=Decimal("1.00")).eligible


def test_installments_too_small_are_refused():
    user = UserFactory()
    linked = contract()
    ContractLink.objects.create(user=user, contract=linked, source="portal")
    small = selectors.charge_eligibility(user, linked, amount=Decimal("29.99"), installments=6)
    fine = selectors.charge_eligibility(user, linked, amount=Decimal("30.00"), installments=6)
    assert (small.eligible, fine.eligible) == (False, True)
    with translation.override("es"):  # amounts written as a Spanish reader writes them
        assert str(small.reason) == ("Cada plazo debe ser de al menos 5,00 €; elige menos plazos.")
    assert not selectors.charge_eligibility(
        user, linked, amount=Decimal("30"), installments=4
    ).eligible


def test_outstanding_charges_use_up_the_credit():
    user = UserFactory()
    linked = contract(credit_limit=Decimal("100.00"))
    payment = place_order().payments.get()
    for status, amount in [
        (BillCharge.Status.PENDING, "30.00"),
        (BillCharge.Status.ACCEPTED, "20.00"),
        (BillCharge.Status.SETTLED, "40.00"),
        (BillCharge.Status.CANCELLED, "40.00"),
    ]:
        BillCharge.objects.create(
            contract=linked,
            payment=payment,
            kind=BillCharge.Kind.INSTALLMENT,
            sequence=BillCharge.objects.count() + 1,
            installments=4,
            amount=Decimal(amount),
            due_cutoff=linked.next_cutoff,
            status=status,
        )
    BillCharge.objects.create(
        contract=linked,
        payment=payment,
        kind=BillCharge.Kind.CREDIT,
        sequence=1,
        installments=1,
        amount=Decimal("-5.00"),
        due_cutoff=linked.next_cutoff,
    )
    assert selectors.outstanding(linked) == Decimal("45.00")
    assert selectors.credit_left(linked) == Decimal("55.00")
    ContractLink.objects.create(user=user, contract=linked, source="portal")
    assert not selectors.charge_eligibility(user, linked, amount=Decimal("55.01")).eligible
    assert selectors.charge_eligibility(user, linked, amount=Decimal("55.00")).eligible


def test_the_demo_customer_holds_an_active_a_defaulting_and_a_terminated_contract():
    from billing_bridge import demo

    user = UserFactory(email="cliente@example.com")
    demo.seed("cliente@example.com", today=date(2026, 12, 5))
    demo.seed("cliente@example.com", today=date(2026, 12, 5))  # idempotent
    contracts = {c.number: c for c in selectors.contracts_of(user)}
    assert sorted(contracts) == ["41000123", "41000456", "41000789"]
    assert contracts["41000123"].next_cutoff == date(2027, 1, 20)
    verdicts = {
        number: selectors.charge_eligibility(user, c, amount=Decimal("10.00")).eligible
        for number, c in contracts.items()
    }
    assert verdicts == {"41000123": True, "41000456": False, "41000789": False}
