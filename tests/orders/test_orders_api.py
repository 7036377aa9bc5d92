"""Orders after checkout through /graphql/: staff fulfill, cancel and refund with
the staff documents; customers cancel and page through their orders."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from catalog.models import Stock
from orders import models
from orders.payments.memory import gateway
from shop.accounts import roles
from tests.factories import UserFactory
from tests.factories.orders import (
    ShippingMethodFactory,
    gid,
    place_order,
    staff_in_role,
    stocked_variant,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db


def in_spanish(message: str) -> str:
    with translation.override("es"):
        return gettext(message)


@pytest.fixture
def shop():
    """A customer's paid order: 3 x 12.10 and 2 x 5.00 plus 4.95 shipping = 51.25,
    each variant stocked with 10; and an order manager."""
    first, second = stocked_variant(quantity=10, price="12.10"), stocked_variant(price="5.00")
    customer = UserFactory(email="customer@example.com")
    order = place_order(
        lines=[(first, 3), (second, 2)], user=customer, method=ShippingMethodFactory(price="4.95")
    )
    line_a, line_b = order.lines.order_by("pk")
    return {
        "order": order,
        "first": first,
        "second": second,
        "line_a": line_a,
        "line_b": line_b,
        "customer": customer,
        "manager": staff_in_role(roles.ORDER_MANAGER, email="manager@example.com"),
    }


def error(field: str | None, code: str, message: str) -> dict[str, Any]:
    with translation.override("es"):
        return {"field": field, "code": code, "message": gettext(message)}


def staff_call(gql, name: str, input: dict[str, Any], user) -> dict[str, Any]:
    """The payload of the staff mutation ``name`` (e.g. ``"OrderFulfill"``)."""
    document = "OrderCancelStaff" if name == "OrderCancel" else name
    body = gql(operation(f"staff/{document}"), {"input": input}, user=user)
    payload: dict[str, Any] = body["data"][name[0].lower() + name[1:]]
    return payload


def fulfill(gql, shop, quantities, tracking: str = "") -> dict[str, Any]:
    return staff_call(
        gql,
        "OrderFulfill",
        {
            "id": gid("Order", shop["order"].pk),
            "lines": [
                {"lineId": gid("OrderLine", line.pk), "quantity": quantity}
                for line, quantity in quantities
            ],
            "trackingNumber": tracking,
        },
        shop["manager"],
    )


def refund(gql, shop, amount: str, key: str) -> dict[str, Any]:
    return staff_call(
        gql,
        "OrderRefund",
        {"id": gid("Order", shop["order"].pk), "amount": amount, "idempotencyKey": key},
        shop["manager"],
    )


def stock(variant) -> tuple[int, int]:
    row = Stock.objects.get(variant=variant)
    return row.quantity, row.allocated


def refunds() -> list[tuple[str, Decimal]]:
    rows = models.PaymentTransaction.objects.filter(kind=models.PaymentTransaction.Kind.REFUND)
    return list(rows.order_by("pk").values_list("status", "amount"))


def order_state(order: models.Order) -> dict[str, Any]:
    """Everything a refused order mutation must leave as it was."""
    row = models.Order.objects.get(pk=order.pk)
    return {
        "status": row.status,
        "fulfilled": list(row.lines.order_by("pk").values_list("quantity_fulfilled", flat=True)),
        "fulfillments": row.fulfillments.count(),
        "events": list(row.events.order_by("pk").values_list("type", flat=True)),
        "stock": list(Stock.objects.order_by("pk").values_list("quantity", "allocated")),
        "ledger": list(
            models.PaymentTransaction.objects.order_by("pk").values_list("kind", "status", "amount")
        ),
        "refunds": dict(gateway.refunds),
    }


def line_view(line: models.OrderLine, fulfilled: int) -> dict[str, Any]:
    return {
        "id": gid("OrderLine", line.pk),
        "sku": line.sku,
        "quantity": line.quantity,
        "quantityFulfilled": fulfilled,
    }


# Fulfillment.


def test_an_order_is_fulfilled_in_two_shipments(gql, shop):
    line_a, line_b = shop["line_a"], shop["line_b"]

    first = fulfill(gql, shop, [(line_a, 2)], tracking="TRK-1")

    assert first["errors"] == []
    assert first["order"]["status"] == "PARTIALLY_FULFILLED"
    assert first["order"]["lines"] == [line_view(line_a, 2), line_view(line_b, 0)]
    assert first["order"]["fulfillments"] == [
        {
            "trackingNumber": "TRK-1",
            "lines": [{"quantity": 2, "line": {"id": gid("OrderLine", line_a.pk)}}],
        }
    ]
    assert stock(shop["first"]) == (8, 1)
    assert stock(shop["second"]) == (10, 2)

    second = fulfill(gql, shop, [(line_a, 1), (line_b, 2)], tracking="TRK-2")

    assert second["errors"] == []
    assert second["order"]["status"] == "FULFILLED"
    assert second["order"]["lines"] == [line_view(line_a, 3), line_view(line_b, 2)]
    assert second["order"]["fulfillments"] == [
        {
            "trackingNumber": "TRK-1",
            "lines": [{"quantity": 2, "line": {"id": gid("OrderLine", line_a.pk)}}],
        },
        {
            "trackingNumber": "TRK-2",
            "lines": [
                {"quantity": 1, "line": {"id": gid("OrderLine", line_a.pk)}},
                {"quantity": 2, "line": {"id": gid("OrderLine", line_b.pk)}},
            ],
        },
    ]
    assert stock(shop["first"]) == (7, 0)
    assert stock(shop["second"]) == (8, 0)
    assert [
        (event["type"], event["actorEmail"])
        for event in second["order"]["events"]
        if event["type"] in ("STATUS_CHANGED", "FULFILLED")
    ] == [
        ("STATUS_CHANGED", "manager@example.com"),
        ("FULFILLED", "manager@example.com"),
        ("STATUS_CHANGED", "manager@example.com"),
        ("FULFILLED", "manager@example.com"),
    ]
    assert second["order"]["paymentStatus"] == "FULLY_CHARGED"


def test_fulfilling_more_than_is_left_is_refused(gql, shop):
    line_a = shop["line_a"]
    assert fulfill(gql, shop, [(line_a, 2)])["errors"] == []
    before = order_state(shop["order"])

    payload = fulfill(gql, shop, [(line_a, 2)])

    assert payload == {
        "order": None,
        "errors": [
            error(
                "lines",
                "INVALID_QUANTITY",
                "Ship at least one unit and no more than is left to ship of each line.",
            )
        ],
    }
    assert order_state(shop["order"]) == before
    assert stock(shop["first"]) == (8, 1)


def test_a_line_of_another_order_cannot_be_fulfilled(gql, shop):
    stranger = place_order(lines=[(stocked_variant(), 1)]).lines.get()
    before = order_state(shop["order"])

    payload = fulfill(gql, shop, [(stranger, 1)])

    assert payload == {
        "order": None,
        "errors": [error("lines", "NOT_FOUND", "The line is not part of this order.")],
    }
    assert order_state(shop["order"]) == before
    assert models.OrderLine.objects.get(pk=stranger.pk).quantity_fulfilled == 0


def test_a_cancelled_order_cannot_be_fulfilled(gql, shop):
    cancelled = staff_call(
        gql, "OrderCancel", {"id": gid("Order", shop["order"].pk)}, shop["manager"]
    )
    assert cancelled["order"]["status"] == "CANCELLED"
    before = order_state(shop["order"])

    payload = fulfill(gql, shop, [(shop["line_a"], 1)])

    assert payload == {
        "order": None,
        "errors": [error(None, "CANNOT_FULFILL", "This order cannot be shipped.")],
    }
    assert order_state(shop["order"]) == before


def test_an_order_partly_shipped_cannot_be_cancelled(gql, shop):
    assert fulfill(gql, shop, [(shop["line_a"], 1)])["errors"] == []
    before = order_state(shop["order"])

    payload = staff_call(
        gql, "OrderCancel", {"id": gid("Order", shop["order"].pk)}, shop["manager"]
    )

    assert payload == {
        "order": None,
        "errors": [error(None, "CANNOT_CANCEL", "Only orders not yet shipped can be cancelled.")],
    }
    assert order_state(shop["order"]) == before
    assert refunds() == []


# Refunds.


def test_an_order_is_refunded_in_two_parts(gql, shop):
    part = refund(gql, shop, "20.00", "r-1")

    assert part["errors"] == []
    assert part["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert part["order"]["totalCharged"] == {"amount": "51.25"}
    assert part["order"]["totalRefunded"] == {"amount": "20.00"}

    rest = refund(gql, shop, "31.25", "r-2")

    assert rest["errors"] == []
    assert rest["order"]["paymentStatus"] == "FULLY_REFUNDED"
    assert rest["order"]["totalRefunded"] == {"amount": "51.25"}
    assert refunds() == [("success", Decimal("20.00")), ("success", Decimal("31.25"))]
    assert sorted(gateway.refunds.values()) == [Decimal("20.00"), Decimal("31.25")]
    assert [e["type"] for e in rest["order"]["events"] if e["type"] == "REFUNDED"] == [
        "REFUNDED",
        "REFUNDED",
    ]


def test_a_refund_beyond_what_is_left_is_refused(gql, shop):
    assert refund(gql, shop, "20.00", "r-1")["errors"] == []
    before = order_state(shop["order"])

    payload = refund(gql, shop, "31.26", "r-2")

    assert payload == {
        "order": None,
        "errors": [
            error(
                "amount",
                "REFUND_EXCEEDS_PAYMENT",
                "The refund exceeds what was paid and not yet refunded.",
            )
        ],
    }
    assert order_state(shop["order"]) == before
    assert refunds() == [("success", Decimal("20.00"))]


@pytest.mark.parametrize("amount", ["0.00", "-1.00", "1.005"])
def test_a_refund_of_an_invalid_amount_is_refused(gql, shop, amount):
    before = order_state(shop["order"])

    payload = refund(gql, shop, amount, "r-1")

    assert payload == {
        "order": None,
        "errors": [error("amount", "INVALID", "Enter a positive amount in euros and cents.")],
    }
    assert order_state(shop["order"]) == before


def test_a_refund_submitted_twice_with_one_key_refunds_once(gql, shop):
    first = refund(gql, shop, "10.00", "double-click")
    again = refund(gql, shop, "10.00", "double-click")

    assert first["errors"] == again["errors"] == []
    assert again["order"]["totalRefunded"] == {"amount": "10.00"}
    assert again["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert list(gateway.refunds.values()) == [Decimal("10.00")]
    assert refunds() == [("success", Decimal("10.00"))]


def test_a_refund_with_the_gateway_down_stays_pending_and_counts_as_refunded(gql, shop):
    gateway.unavailable = True

    payload = refund(gql, shop, "10.00", "r-1")

    # The provider may have made it: it is neither lost nor spendable twice.
    assert payload["errors"] == [
        {
            "field": None,
            "code": "GATEWAY_UNAVAILABLE",
            "message": in_spanish("No answer from the payment service yet; retry to settle it."),
        }
    ]
    assert payload["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert payload["order"]["totalRefunded"] == {"amount": "10.00"}
    assert refunds() == [("pending", Decimal("10.00"))]
    assert gateway.refunds == {}


def test_an_unanswered_refund_retried_with_the_same_key_settles_once(gql, shop):
    gateway.unavailable = True
    assert refund(gql, shop, "10.00", "r-1")["errors"][0]["code"] == "GATEWAY_UNAVAILABLE"
    gateway.unavailable = False

    retry = refund(gql, shop, "10.00", "r-1")

    assert retry["errors"] == []
    assert retry["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert retry["order"]["totalRefunded"] == {"amount": "10.00"}
    assert refunds() == [("success", Decimal("10.00"))]
    assert list(gateway.refunds.values()) == [Decimal("10.00")]
    assert [e["type"] for e in retry["order"]["events"]][-1] == "REFUNDED"


# Customers.


def test_a_customer_cancels_their_order_and_is_refunded(gql, shop):
    order = shop["order"]

    body = gql(
        operation("storefront/OrderCancel"),
        {"input": {"id": gid("Order", order.pk), "reason": "Me equivoqué"}},
        user=shop["customer"],
    )

    assert body["data"]["orderCancel"] == {
        "order": {
            "id": gid("Order", order.pk),
            "number": order.number,
            "status": "CANCELLED",
            "paymentStatus": "FULLY_REFUNDED",
            "totalRefunded": {"amount": "51.25"},
        },
        "errors": [],
    }
    assert stock(shop["first"]) == (10, 0)
    assert stock(shop["second"]) == (10, 0)
    assert refunds() == [("success", Decimal("51.25"))]
    assert list(gateway.refunds.values()) == [Decimal("51.25")]


def test_my_orders_are_paged_newest_first_with_their_total_count(gql):
    customer = UserFactory()
    method = ShippingMethodFactory()
    placed = [place_order(user=customer, method=method) for _ in range(3)]
    place_order(method=method)  # somebody else's

    first = gql(operation("storefront/MyOrders"), {"first": 2}, user=customer)
    page = first["data"]["me"]["orders"]
    rest = gql(
        operation("storefront/MyOrders"),
        {"first": 2, "after": page["pageInfo"]["endCursor"]},
        user=customer,
    )["data"]["me"]["orders"]

    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["number"] for edge in page["edges"]] == [
        placed[2].number,
        placed[1].number,
    ]
    assert rest["totalCount"] == 3
    assert rest["pageInfo"]["hasNextPage"] is False
    assert [edge["node"]["number"] for edge in rest["edges"]] == [placed[0].number]


# Query counts.


def queries(run: Callable[[], dict[str, Any]]) -> int:
    with CaptureQueriesContext(connection) as captured:
        body = run()
    assert "errors" not in body, body
    return len(captured)


def orders_of(customer, count: int) -> None:
    method = models.ShippingMethod.objects.first() or ShippingMethodFactory()
    for _ in range(count):
        place_order(
            lines=[(stocked_variant(), 1), (stocked_variant(), 2)], user=customer, method=method
        )


def test_my_orders_run_as_many_queries_for_five_orders_as_for_one(gql):
    one, five = UserFactory(), UserFactory()
    orders_of(one, 1)
    orders_of(five, 5)
    gql(operation("storefront/MyOrders"), user=one)  # warm the per-process caches

    for_one = queries(lambda: gql(operation("storefront/MyOrders"), user=one))
    for_five = queries(lambda: gql(operation("storefront/MyOrders"), user=five))

    assert for_one == for_five
    assert for_five == 4  # the user, the page of orders, their lines, the count


def test_staff_orders_run_as_many_queries_for_five_orders_as_for_one(gql):
    manager = staff_in_role(roles.ORDER_MANAGER)
    customer = UserFactory()
    orders_of(customer, 1)
    gql(operation("staff/Orders"), user=manager)  # warm the per-process caches

    for_one = queries(lambda: gql(operation("staff/Orders"), user=manager))
    orders_of(customer, 4)
    for_five = queries(lambda: gql(operation("staff/Orders"), user=manager))

    assert for_one == for_five
    assert for_five == 5  # the user, their two permission sets, the page, the count
