"""Paying on the water bill through the payment interface."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from orders import services
from orders.errors import CheckoutErrorCode
from orders.payments.memory import gateway
from orders.selectors import ChargeStatus, payment_balance
from shop.accounts.roles import ORDER_MANAGER
from tests.factories import UserFactory
from tests.factories.orders import ready_checkout, staff_in_role, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    gateway.reset()


def linked_customer(**contract_fields):
    user = UserFactory()
    contract = SupplyContract.objects.create(
        number="100200300",
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=date(2026, 12, 20),
        **contract_fields,
    )
    ContractLink.objects.create(user=user, contract=contract, source=ContractLink.Source.PORTAL)
    return user, contract


def water_bill_order(user, installments=3, price="10.00", quantity=2):
    checkout = ready_checkout(lines=[(stocked_variant(price=price), quantity)], user=user)
    services.checkout_payment_start(
        checkout=checkout,
        method_code="water_bill",
        options={"contract": "100200300", "installments": installments},
    )
    return services.checkout_complete(checkout=checkout, actor=user)


def test_an_order_on_the_water_bill_is_charged_at_once_in_installments_that_add_up():
    user, contract = linked_customer()
    order = water_bill_order(user, installments=3)  # 20.00 + 4.95 shipping
    charges = list(BillCharge.objects.order_by("sequence"))
    assert [(c.sequence, c.amount, c.due_cutoff, c.status) for c in charges] == [
        (1, Decimal("8.32"), date(2026, 12, 20), "pending"),
        (2, Decimal("8.32"), date(2027, 2, 20), "pending"),
        (3, Decimal("8.31"), date(2027, 4, 20), "pending"),
    ]
    assert sum(c.amount for c in charges) == order.total_gross == Decimal("24.95")
    assert payment_balance(order).status == ChargeStatus.FULLY_CHARGED
    assert {c.contract for c in charges} == {contract}


def test_a_refund_cancels_pending_installments_and_credits_the_rest():
    user, _contract = linked_customer()
    order = water_bill_order(user, installments=3)
    manager = staff_in_role(ORDER_MANAGER)
    services.order_refund(actor=manager, order=order, amount=Decimal("10.00"), idempotency_key="r1")
    rows = sorted(BillCharge.objects.values_list("kind", "sequence", "amount", "status"))
    assert rows == [
        ("credit", 1, Decimal("-1.69"), "pending"),
        ("installment", 1, Decimal("8.32"), "pending"),
        ("installment", 2, Decimal("8.32"), "pending"),
        ("installment", 3, Decimal("8.31"), "cancelled"),
    ]
    services.order_refund(actor=manager, order=order, amount=Decimal("10.00"), idempotency_key="r1")
    assert BillCharge.objects.count() == 4  # the same key refunds once


def test_cancelling_the_order_cancels_every_installment():
    user, _contract = linked_customer()
    order = water_bill_order(user, installments=2)
    services.order_cancel(actor=user, order=order)
    assert set(BillCharge.objects.values_list("status", flat=True)) == {"cancelled"}
    assert payment_balance(order).status == ChargeStatus.FULLY_REFUNDED


NOT_AVAILABLE = ("method", CheckoutErrorCode.PAYMENT_METHOD_NOT_AVAILABLE)


@pytest.mark.parametrize(
    ("fields", "installments", "refusal"),
    [
        ({"has_unpaid_bills": True}, 1, NOT_AVAILABLE),
        ({"status": SupplyContract.Status.SUSPENDED}, 1, NOT_AVAILABLE),
        ({"credit_limit": Decimal("20.00")}, 1, NOT_AVAILABLE),
        # 24.95 / 6 is under the minimum installment
        ({}, 6, ("installments", CheckoutErrorCode.INSTALLMENT_BELOW_MINIMUM)),
    ],
)
def test_an_ineligible_contract_is_refused_at_payment_start_and_nothing_is_charged(
    fields, installments, refusal
):
    user, _contract = linked_customer(**fields)
    checkout = ready_checkout(lines=[(stocked_variant(price="10.00"), 2)], user=user)
    with pytest.raises(ValidationError) as exc:
        services.checkout_payment_start(
            checkout=checkout,
            method_code="water_bill",
            options={"contract": "100200300", "installments": installments},
        )
    codes = {(field, e.code) for field, errors in exc.value.error_dict.items() for e in errors}
    assert codes == {refusal}
    assert not BillCharge.objects.exists()
    assert not checkout.payments.exists()


def test_guests_and_customers_without_a_contract_are_told_why(gql):
    from tests.operations import operation

    guest = ready_checkout()
    body = gql(operation("storefront/Checkout"), {"token": str(guest.token)})
    options = {o["code"]: o for o in body["data"]["checkout"]["availablePaymentMethods"]}
    assert options["WATER_BILL"]["eligible"] is False
    assert options["WATER_BILL"]["reason"]
    assert options["CARD"]["eligible"] is True


def test_a_customer_pays_on_the_water_bill_through_the_api(gql):
    from tests.operations import operation

    user, _contract = linked_customer()
    checkout = ready_checkout(lines=[(stocked_variant(price="10.00"), 2)], user=user)
    contracts = gql(operation("storefront/WaterContracts"), user=user)["data"]["me"]
    assert contracts["waterContracts"] == [
        {
            "number": "100200300",
            "holderName": "Lucía Romero",
            "supplyAddress": "Calle Betis 12, Sevilla",
            "status": "ACTIVE",
            "nextBillDate": "2026-12-20",
            "hasUnpaidBills": False,
            "creditLeft": {"amount": "300.00", "currency": "EUR"},
        }
    ]
    started = gql(
        operation("storefront/CheckoutPaymentStart"),
        {
            "input": {
                "token": str(checkout.token),
                "method": "WATER_BILL",
                "waterContract": "100200300",
                "installments": 2,
            }
        },
        user=user,
    )["data"]["checkoutPaymentStart"]
    assert started["errors"] == []
    assert started["payment"]["clientData"]["installments"] == 2
    placed = gql(
        operation("storefront/CheckoutComplete"),
        {"input": {"token": str(checkout.token)}},
        user=user,
    )["data"]["checkoutComplete"]
    assert placed["errors"] == []
    assert placed["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert [
        (c["sequence"], c["amount"]["amount"], c["billDate"], c["status"])
        for c in placed["order"]["billCharges"]
    ] == [(1, "12.48", "2026-12-20", "PENDING"), (2, "12.47", "2027-02-20", "PENDING")]
    again = gql(operation("storefront/WaterContracts"), user=user)["data"]["me"]
    assert again["waterContracts"][0]["creditLeft"]["amount"] == "275.05"
    seen = gql(operation("storefront/Order"), {"id": placed["order"]["id"]}, user=user)
    assert len(seen["data"]["order"]["billCharges"]) == 2


def test_a_terminated_contract_moves_its_outstanding_installments_to_its_final_bill():
    from billing_bridge import services as billing

    user, contract = linked_customer()
    water_bill_order(user, installments=3)
    BillCharge.objects.filter(sequence=1).update(status=BillCharge.Status.EXPORTED)

    moved = billing.contract_terminate(
        actor=None, contract=contract, final_cutoff=date(2027, 1, 15)
    )

    assert moved == 2
    rows = list(BillCharge.objects.order_by("sequence").values_list("due_cutoff", "status"))
    assert rows == [
        (date(2026, 12, 20), "exported"),
        (date(2027, 1, 15), "pending"),
        (date(2027, 1, 15), "pending"),
    ]
    contract.refresh_from_db()
    assert contract.status == SupplyContract.Status.TERMINATED
