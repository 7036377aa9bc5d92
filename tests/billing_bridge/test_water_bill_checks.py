"""The water bill's choices are checked as input at payment start, and the contract
is checked again when the order is placed: through /graphql/."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from orders import models
from orders.payments.memory import gateway
from tests.factories import UserFactory
from tests.factories.orders import ready_checkout, stocked_variant
from tests.operations import operation

pytestmark = pytest.mark.django_db

START = operation("storefront/CheckoutPaymentStart")
COMPLETE = operation("storefront/CheckoutComplete")
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    gateway.reset()
    yield
    gateway.reset()


def contract(number: str = "100200300", **fields) -> SupplyContract:
    return SupplyContract.objects.create(
        number=number,
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=date(2026, 12, 20),
        **fields,
    )


@pytest.fixture
def customer():
    user = UserFactory()
    ContractLink.objects.create(user=user, contract=contract(), source=ContractLink.Source.PORTAL)
    return user


def cart_of(user) -> models.Checkout:
    """24.95 € with shipping."""
    return ready_checkout(lines=[(stocked_variant(price="10.00"), 2)], user=user)


def start(gql, user, checkout, **choices) -> dict:
    variables = {"input": {"token": str(checkout.token), "method": "WATER_BILL", **choices}}
    payload: dict = gql(START, variables, user=user, headers=ENGLISH)["data"][
        "checkoutPaymentStart"
    ]
    return payload


def complete(gql, user, checkout) -> dict:
    variables = {"input": {"token": str(checkout.token)}}
    payload: dict = gql(COMPLETE, variables, user=user, headers=ENGLISH)["data"]["checkoutComplete"]
    return payload


def assert_nothing_started(checkout) -> None:
    assert not models.Payment.objects.exists()
    assert not models.Reservation.objects.filter(line__checkout=checkout).exists()
    assert not BillCharge.objects.exists()


@pytest.mark.parametrize("installments", [0, -1, 4, 5, 12])
def test_installments_other_than_1_2_3_or_6_are_refused_on_their_field(gql, customer, installments):
    checkout = cart_of(customer)

    payload = start(gql, customer, checkout, waterContract="100200300", installments=installments)

    assert payload["payment"] is None
    assert payload["errors"] == [
        {
            "field": "installments",
            "code": "INVALID_INSTALLMENTS",
            "message": "Choose 1, 2, 3 or 6 installments.",
        }
    ]
    assert_nothing_started(checkout)


def test_installments_under_five_euros_are_refused_on_their_field(gql, customer):
    checkout = cart_of(customer)

    payload = start(gql, customer, checkout, waterContract="100200300", installments=6)

    assert payload["errors"] == [
        {
            "field": "installments",
            "code": "INSTALLMENT_BELOW_MINIMUM",
            "message": "Each installment must be at least 5.00 €; choose fewer installments.",
        }
    ]
    assert_nothing_started(checkout)


@pytest.mark.parametrize("number", ["", "   ", "999999999"])
def test_an_empty_or_unlinked_contract_is_refused_on_its_field(gql, customer, number):
    contract("999999999")  # exists, but is not the customer's
    checkout = cart_of(customer)

    payload = start(gql, customer, checkout, waterContract=number, installments=1)

    assert payload["errors"] == [
        {
            "field": "waterContract",
            "code": "INVALID_WATER_CONTRACT",
            "message": "This supply contract is not linked to your account.",
        }
    ]
    assert_nothing_started(checkout)


def test_no_installments_given_means_one_bill(gql, customer):
    checkout = cart_of(customer)

    payload = start(gql, customer, checkout, waterContract="100200300")

    assert payload["errors"] == []
    assert payload["payment"]["clientData"]["schedule"] == [
        {"amount": "24.95", "cutoff": "2026-12-20"}
    ]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (SupplyContract.Status.SUSPENDED, "The supply contract is not active."),
        (SupplyContract.Status.TERMINATED, "The supply contract is not active."),
    ],
)
def test_a_contract_that_stopped_being_active_after_the_start_is_refused_at_completion(
    gql, customer, status, reason
):
    checkout = cart_of(customer)
    assert start(gql, customer, checkout, waterContract="100200300", installments=3)["errors"] == []
    SupplyContract.objects.update(status=status)

    payload = complete(gql, customer, checkout)

    assert payload["order"] is None
    assert payload["errors"] == [
        {"field": "method", "code": "PAYMENT_METHOD_NOT_AVAILABLE", "message": reason}
    ]
    assert not models.Order.objects.exists()
    assert not BillCharge.objects.exists()
    assert models.Payment.objects.get().status == models.Payment.Status.CANCELLED
    assert models.Checkout.objects.filter(pk=checkout.pk).exists()


def test_credit_used_up_by_another_order_after_the_start_is_refused_at_completion(gql, customer):
    SupplyContract.objects.update(credit_limit=Decimal("40.00"))
    first, second = cart_of(customer), None
    assert start(gql, customer, first, waterContract="100200300", installments=1)["errors"] == []
    # The same customer pays a second cart from another device and places it first.
    models.Checkout.objects.filter(pk=first.pk).update(user=None)
    second = cart_of(customer)
    assert start(gql, customer, second, waterContract="100200300")["errors"] == []
    assert complete(gql, customer, second)["errors"] == []
    models.Checkout.objects.filter(pk=first.pk).update(user=customer)

    payload = complete(gql, customer, first)

    assert payload["errors"] == [
        {
            "field": "method",
            "code": "PAYMENT_METHOD_NOT_AVAILABLE",
            "message": "The amount is over the credit left on this contract (15.05 €).",
        }
    ]
    assert models.Order.objects.count() == 1
    assert list(BillCharge.objects.values_list("amount", flat=True)) == [Decimal("24.95")]


def test_a_checkout_refused_at_completion_can_then_be_paid_by_card(gql, customer):
    checkout = cart_of(customer)
    start(gql, customer, checkout, waterContract="100200300", installments=2)
    SupplyContract.objects.update(has_unpaid_bills=True)
    assert complete(gql, customer, checkout)["errors"][0]["code"] == "PAYMENT_METHOD_NOT_AVAILABLE"

    card = gql(START, {"input": {"token": str(checkout.token), "method": "CARD"}}, user=customer)[
        "data"
    ]["checkoutPaymentStart"]
    placed = complete(gql, customer, checkout)

    assert card["errors"] == []
    assert placed["errors"] == []
    assert placed["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert not BillCharge.objects.exists()
