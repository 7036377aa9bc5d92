"""A customer's claim, answered and resolved by staff, through /graphql/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders import models
from shop.accounts.roles import ORDER_MANAGER
from tests.factories import UserFactory
from tests.factories.orders import gid, shipped_order, staff_in_role
from tests.operations import operation

pytestmark = pytest.mark.django_db


def test_a_customer_claims_and_staff_refund_part_of_the_order(gql):
    customer = UserFactory()
    order = shipped_order(customer)
    line = order.lines.get()
    opened = gql(
        operation("storefront/ClaimCreate"),
        {
            "input": {
                "orderId": gid("Order", order.pk),
                "reason": "DAMAGED",
                "description": "Una jarra llegó rota.",
                "lines": [{"lineId": gid("OrderLine", line.pk), "quantity": 1}],
            }
        },
        user=customer,
    )["data"]["claimCreate"]
    assert opened["errors"] == []
    claim = opened["claim"]
    assert (claim["status"], claim["lines"][0]["quantity"]) == ("OPEN", 1)
    staff = staff_in_role(ORDER_MANAGER)
    resolved = gql(
        operation("staff/ClaimResolve"),
        {
            "input": {
                "id": claim["id"],
                "resolution": "REFUND",
                "refundAmount": "10.00",
                "message": "Le devolvemos el importe de la jarra.",
            }
        },
        user=staff,
    )["data"]["claimResolve"]
    assert resolved["errors"] == []
    assert resolved["claim"]["status"] == "RESOLVED"
    assert resolved["claim"]["refundAmount"] == {"amount": "10.00"}
    again = gql(
        operation("staff/ClaimResolve"),
        {
            "input": {
                "id": claim["id"],
                "resolution": "REFUND",
                "refundAmount": "10.00",
                "message": "x",
            }
        },
        user=staff,
    )["data"]["claimResolve"]
    assert [error["code"] for error in again["errors"]] == ["INVALID_TRANSITION"]
    refunds = models.PaymentTransaction.objects.filter(kind="refund")
    assert list(refunds.values_list("amount", flat=True)) == [Decimal("10.00")]
    seen = gql(operation("storefront/Claim"), {"id": claim["id"]}, user=customer)["data"]["claim"]
    assert [message["fromStaff"] for message in seen["messages"]] == [True]


def test_a_claim_about_articles_must_name_them_but_a_billing_claim_need_not(gql):
    customer = UserFactory()
    order = shipped_order(customer)

    def create(reason):
        return gql(
            operation("storefront/ClaimCreate"),
            {
                "input": {
                    "orderId": gid("Order", order.pk),
                    "reason": reason,
                    "description": "Algo no cuadra.",
                    "lines": [],
                }
            },
            user=customer,
        )["data"]["claimCreate"]

    damaged = create("DAMAGED")
    assert [(e["field"], e["code"]) for e in damaged["errors"]] == [("lines", "REQUIRED")]
    assert not models.Claim.objects.exists()
    billing = create("BILLING")
    assert billing["errors"] == []
    assert billing["claim"]["lines"] == []
