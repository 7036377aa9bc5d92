"""Nobody reads or changes a checkout or an order that is not theirs: customers
see their own, guests theirs by its secret token, order staff every order;
anybody else finds nothing, and nothing changes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from catalog.models import Stock
from orders import models, services
from orders.payments.memory import gateway
from shop.accounts import roles
from tests.factories import StaffFactory, UserFactory
from tests.factories.orders import (
    API_ADDRESS,
    ShippingMethodFactory,
    gid,
    place_order,
    ready_checkout,
    staff_in_role,
    stocked_variant,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

MADRID_ADDRESS = {**API_ADDRESS, "streetAddress1": "Calle Mayor 1", "postalCode": "28013"}
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Order { number }
    ... on OrderLine { sku }
  }
}
"""
ORDER_EVENTS = """
query OrderEvents($id: ID!) {
  order(id: $id) { number events { type actorEmail } }
}
"""


def not_found(field: str) -> dict[str, Any]:
    with translation.override("es"):
        return {"field": field, "code": "NOT_FOUND", "message": gettext("Not found.")}


def top_level_code(body: dict[str, Any]) -> str:
    assert body["data"] is None
    code: str = body["errors"][0]["extensions"]["code"]
    return code


# Checkouts.


@pytest.fixture
def theirs():
    """A customer's checkout, ready and with its payment started (completing it
    would place an order), another customer and order staff."""
    owner = UserFactory(email="owner@example.com")
    variant, spare = stocked_variant(quantity=10), stocked_variant(quantity=10)
    method = ShippingMethodFactory()
    checkout = ready_checkout(lines=[(variant, 2)], user=owner, method=method)
    services.checkout_payment_start(checkout=checkout, method_code="card")
    return {
        "owner": owner,
        "checkout": checkout,
        "variant": variant,
        "spare": spare,
        "method": method,
        "guest": None,
        "another customer": UserFactory(email="other@example.com"),
        "order staff": staff_in_role(roles.ORDER_MANAGER),
    }


def checkout_state(checkout: models.Checkout) -> dict[str, Any]:
    """Everything a refused checkout mutation must leave as it was."""
    row = models.Checkout.objects.get(pk=checkout.pk)
    return {
        "user": row.user_id,
        "email": row.email,
        "shipping_address": row.shipping_address,
        "billing_address": row.billing_address,
        "shipping_method": row.shipping_method_id,
        "version": row.version,
        "lines": dict(row.lines.values_list("variant_id", "quantity")),
        "payments": list(models.Payment.objects.values_list("pk", "status", "checkout_id")),
        "reservations": list(models.Reservation.objects.values_list("pk", "quantity")),
        "checkouts": models.Checkout.objects.count(),
        "orders": models.Order.objects.count(),
        "charges": models.PaymentTransaction.objects.count(),
    }


def _line(variant, quantity):
    return [{"variantId": gid("ProductVariant", variant.pk), "quantity": quantity}]


CHECKOUT_MUTATIONS = {
    "CheckoutLinesAdd": lambda t: {"lines": _line(t["spare"], 1)},
    "CheckoutLinesUpdate": lambda t: {"lines": _line(t["variant"], 5)},
    "CheckoutLinesDelete": lambda t: {"variantIds": [gid("ProductVariant", t["variant"].pk)]},
    "CheckoutEmailUpdate": lambda _t: {"email": "intruder@example.com"},
    "CheckoutShippingAddressUpdate": lambda _t: {"address": MADRID_ADDRESS},
    "CheckoutBillingAddressUpdate": lambda _t: {"address": MADRID_ADDRESS},
    "CheckoutShippingMethodUpdate": lambda t: {
        "shippingMethodId": gid("ShippingMethod", t["method"].pk)
    },
    "CheckoutPaymentStart": lambda _t: {"method": "CARD"},
    "CheckoutComplete": lambda _t: {},
    "CheckoutCustomerAttach": lambda _t: {},
}


def checkout_mutation(gql, name: str, input: dict[str, Any], user) -> dict[str, Any]:
    return gql(operation(f"storefront/{name}"), {"input": input}, user=user)


@pytest.mark.parametrize("actor", ["guest", "another customer", "order staff"])
def test_a_customers_checkout_cannot_be_read_by_anybody_else(gql, theirs, actor):
    token = str(theirs["checkout"].token)

    body = gql(operation("storefront/Checkout"), {"token": token}, user=theirs[actor])

    assert body == {"data": {"checkout": None}}


def test_a_customer_reads_their_own_checkout(gql, theirs):
    token = str(theirs["checkout"].token)

    body = gql(operation("storefront/Checkout"), {"token": token}, user=theirs["owner"])

    assert body["data"]["checkout"]["token"] == token
    assert body["data"]["checkout"]["email"] == "lucia@example.com"


# Guests cannot attach at all (UNAUTHENTICATED): tested on its own below.
INTRUSIONS = [
    (actor, name)
    for actor in ("guest", "another customer", "order staff")
    for name in sorted(CHECKOUT_MUTATIONS)
    if (actor, name) != ("guest", "CheckoutCustomerAttach")
]


@pytest.mark.parametrize(("actor", "name"), INTRUSIONS)
def test_a_customers_checkout_cannot_be_changed_by_anybody_else(gql, theirs, actor, name):
    checkout = theirs["checkout"]
    before = checkout_state(checkout)
    input = {"token": str(checkout.token), **CHECKOUT_MUTATIONS[name](theirs)}

    body = checkout_mutation(gql, name, input, theirs[actor])

    payload = body["data"][name[0].lower() + name[1:]]
    assert payload["errors"] == [not_found("token")]
    assert payload.get("checkout") is None
    assert payload.get("order") is None
    assert checkout_state(checkout) == before
    assert Stock.objects.get(variant=theirs["variant"]).allocated == 0


def test_a_guest_cannot_attach_a_customers_checkout(gql, theirs):
    checkout = theirs["checkout"]
    before = checkout_state(checkout)

    body = checkout_mutation(gql, "CheckoutCustomerAttach", {"token": str(checkout.token)}, None)

    assert top_level_code(body) == "UNAUTHENTICATED"
    assert checkout_state(checkout) == before


@pytest.mark.parametrize("actor", ["guest", "another customer"])
def test_completing_a_placed_customer_checkout_does_not_reveal_the_order(gql, theirs, actor):
    checkout = theirs["checkout"]
    order = services.checkout_complete(checkout=checkout, actor=theirs["owner"])

    body = checkout_mutation(gql, "CheckoutComplete", {"token": str(checkout.token)}, theirs[actor])

    assert body["data"]["checkoutComplete"] == {"order": None, "errors": [not_found("token")]}
    assert list(models.Order.objects.values_list("pk", flat=True)) == [order.pk]


def test_a_random_token_finds_no_checkout(gql, theirs):
    random = str(uuid.uuid4())
    before = checkout_state(theirs["checkout"])

    read = gql(operation("storefront/Checkout"), {"token": random}, user=theirs["owner"])
    changed = checkout_mutation(
        gql, "CheckoutEmailUpdate", {"token": random, "email": "x@example.com"}, theirs["owner"]
    )
    completed = checkout_mutation(gql, "CheckoutComplete", {"token": random}, theirs["owner"])

    assert read == {"data": {"checkout": None}}
    assert changed["data"]["checkoutEmailUpdate"] == {
        "checkout": None,
        "errors": [not_found("token")],
    }
    assert completed["data"]["checkoutComplete"] == {"order": None, "errors": [not_found("token")]}
    assert checkout_state(theirs["checkout"]) == before


def test_a_malformed_token_is_a_graphql_error(gql, theirs):
    before = checkout_state(theirs["checkout"])

    read = gql(operation("storefront/Checkout"), {"token": "not-a-token"})
    changed = checkout_mutation(
        gql, "CheckoutEmailUpdate", {"token": "1234", "email": "x@example.com"}, None
    )

    assert read == {
        "data": None,
        "errors": [
            {
                "message": "Variable '$token' has invalid value: Value cannot represent a UUID: "
                '"not-a-token". badly formed hexadecimal UUID string',
                "locations": [{"line": 1, "column": 16}],
            }
        ],
    }
    assert changed == {
        "data": None,
        "errors": [
            {
                "message": "Variable '$input' has invalid value at .token: Value cannot "
                'represent a UUID: "1234". badly formed hexadecimal UUID string',
                "locations": [{"line": 1, "column": 30}],
            }
        ],
    }
    assert checkout_state(theirs["checkout"]) == before


# Orders.


@pytest.fixture
def placed():
    """A customer's paid order (two units of one variant, stock 10), a guest's
    paid order, and everybody who might ask for them."""
    owner = UserFactory(email="owner@example.com")
    variant = stocked_variant(quantity=10, price="12.10")
    method = ShippingMethodFactory(price="4.95")
    order = place_order(lines=[(variant, 2)], user=owner, method=method)
    guest_order = place_order(lines=[(stocked_variant(), 1)], method=method, email="g@example.com")
    return {
        "order": order,
        "line": order.lines.get(),
        "variant": variant,
        "guest_order": guest_order,
        "owner": owner,
        "guest": None,
        "another customer": UserFactory(email="other@example.com"),
        "catalogue manager": staff_in_role(roles.CATALOGUE_MANAGER),
        "order manager": staff_in_role(roles.ORDER_MANAGER, email="manager@example.com"),
    }


def order_state(order: models.Order) -> dict[str, Any]:
    """Everything a refused order mutation must leave as it was."""
    row = models.Order.objects.get(pk=order.pk)
    return {
        "status": row.status,
        "fulfilled": list(row.lines.values_list("pk", "quantity_fulfilled")),
        "fulfillments": row.fulfillments.count(),
        "events": list(row.events.values_list("type", flat=True)),
        "stock": list(Stock.objects.order_by("pk").values_list("quantity", "allocated")),
        "ledger": list(
            models.PaymentTransaction.objects.order_by("pk").values_list("kind", "status", "amount")
        ),
        "payments": list(models.Payment.objects.order_by("pk").values_list("status", flat=True)),
        "refunds": dict(gateway.refunds),
        "cancelled": set(gateway.cancelled),
    }


NOBODY = ["guest", "another customer", "catalogue manager"]
ENTITLED = ["owner", "order manager"]


@pytest.mark.parametrize("actor", NOBODY)
def test_an_order_cannot_be_read_by_id_by_anybody_else(gql, placed, actor):
    order_id = gid("Order", placed["order"].pk)

    body = gql(operation("storefront/Order"), {"id": order_id}, user=placed[actor])

    assert body == {"data": {"order": None}}


@pytest.mark.parametrize("actor", ENTITLED)
def test_an_order_is_read_by_id_by_its_owner_and_order_staff(gql, placed, actor):
    order_id = gid("Order", placed["order"].pk)

    body = gql(operation("storefront/Order"), {"id": order_id}, user=placed[actor])

    assert body["data"]["order"]["id"] == order_id
    assert body["data"]["order"]["number"] == placed["order"].number


@pytest.mark.parametrize("actor", NOBODY)
@pytest.mark.parametrize("type_name", ["Order", "OrderLine"])
def test_an_order_and_its_lines_are_not_nodes_for_anybody_else(gql, placed, actor, type_name):
    obj = placed["order"] if type_name == "Order" else placed["line"]

    body = gql(NODE, {"id": gid(type_name, obj.pk)}, user=placed[actor])

    assert body == {"data": {"node": None}}


@pytest.mark.parametrize("actor", ENTITLED)
def test_an_order_and_its_lines_are_nodes_for_the_owner_and_order_staff(gql, placed, actor):
    order, line = placed["order"], placed["line"]

    as_order = gql(NODE, {"id": gid("Order", order.pk)}, user=placed[actor])
    as_line = gql(NODE, {"id": gid("OrderLine", line.pk)}, user=placed[actor])

    assert as_order == {"data": {"node": {"id": gid("Order", order.pk), "number": order.number}}}
    assert as_line == {"data": {"node": {"id": gid("OrderLine", line.pk), "sku": line.sku}}}


def test_a_wrong_order_token_finds_nothing(gql, placed):
    body = gql(operation("storefront/OrderByToken"), {"token": str(uuid.uuid4())})

    assert body == {"data": {"orderByToken": None}}


def test_a_guest_finds_their_order_by_its_token(gql, placed):
    order = placed["guest_order"]

    body = gql(operation("storefront/OrderByToken"), {"token": str(order.token)})

    assert body["data"]["orderByToken"]["number"] == order.number
    assert body["data"]["orderByToken"]["email"] == "g@example.com"


def test_my_orders_lists_only_the_customers_own(gql, placed):
    mine = gql(operation("storefront/MyOrders"), user=placed["owner"])
    others = gql(operation("storefront/MyOrders"), user=placed["another customer"])
    staff = gql(operation("storefront/MyOrders"), user=placed["order manager"])
    guest = gql(operation("storefront/MyOrders"))

    assert mine["data"]["me"]["orders"]["totalCount"] == 1
    assert [edge["node"]["number"] for edge in mine["data"]["me"]["orders"]["edges"]] == [
        placed["order"].number
    ]
    for body in (others, staff):
        assert body["data"]["me"]["orders"] == {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }
    assert guest == {"data": {"me": None}}


@pytest.mark.parametrize("actor", NOBODY)
def test_an_order_cannot_be_cancelled_by_id_by_anybody_else(gql, placed, actor):
    order = placed["order"]
    before = order_state(order)

    body = gql(
        operation("storefront/OrderCancel"),
        {"input": {"id": gid("Order", order.pk)}},
        user=placed[actor],
    )

    assert body["data"]["orderCancel"] == {"order": None, "errors": [not_found("id")]}
    assert order_state(order) == before
    assert Stock.objects.get(variant=placed["variant"]).allocated == 2
    assert not models.PaymentTransaction.objects.filter(kind="refund").exists()


def test_an_order_cannot_be_cancelled_by_staff_who_may_only_view_orders(gql, placed):
    viewer = StaffFactory(permissions=["orders.view_order"])
    order = placed["order"]
    before = order_state(order)

    body = gql(
        operation("storefront/OrderCancel"), {"input": {"id": gid("Order", order.pk)}}, user=viewer
    )

    assert body["data"]["orderCancel"] == {"order": None, "errors": [not_found("id")]}
    assert order_state(order) == before


def test_a_wrong_token_cancels_nothing(gql, placed):
    before = order_state(placed["guest_order"])

    body = gql(operation("storefront/OrderCancel"), {"input": {"token": str(uuid.uuid4())}})

    assert body["data"]["orderCancel"] == {"order": None, "errors": [not_found("id")]}
    assert order_state(placed["guest_order"]) == before


def test_a_guest_cancels_their_order_with_its_token(gql, placed):
    order = placed["guest_order"]

    body = gql(operation("storefront/OrderCancel"), {"input": {"token": str(order.token)}})

    assert body["data"]["orderCancel"] == {
        "order": {
            "id": gid("Order", order.pk),
            "number": order.number,
            "status": "CANCELLED",
            "paymentStatus": "FULLY_REFUNDED",
            "totalRefunded": {"amount": str(order.total_gross)},
        },
        "errors": [],
    }
    assert models.Order.objects.get(pk=placed["order"].pk).status == "unfulfilled"


def _staff_calls(placed) -> dict[str, tuple[str, dict[str, Any]]]:
    order_id = gid("Order", placed["order"].pk)
    return {
        "orderFulfill": (
            "staff/OrderFulfill",
            {
                "input": {
                    "id": order_id,
                    "lines": [{"lineId": gid("OrderLine", placed["line"].pk), "quantity": 1}],
                    "trackingNumber": "TRK-1",
                }
            },
        ),
        "orderRefund": (
            "staff/OrderRefund",
            {"input": {"id": order_id, "amount": "5.00", "idempotencyKey": "k-1"}},
        ),
        "orderNoteAdd": ("staff/OrderNoteAdd", {"input": {"id": order_id, "message": "Hola"}}),
        "orders": ("staff/Orders", {}),
    }


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        ("guest", "UNAUTHENTICATED"),
        ("owner", "PERMISSION_DENIED"),
        ("another customer", "PERMISSION_DENIED"),
        ("catalogue manager", "PERMISSION_DENIED"),
    ],
)
@pytest.mark.parametrize("field", ["orderFulfill", "orderRefund", "orderNoteAdd", "orders"])
def test_staff_order_operations_are_refused_to_everybody_else(gql, placed, actor, code, field):
    document, variables = _staff_calls(placed)[field]
    before = order_state(placed["order"])

    body = gql(operation(document), variables, user=placed[actor])

    assert top_level_code(body) == code
    assert body["errors"][0]["path"] == [field]
    assert order_state(placed["order"]) == before


def test_order_events_are_hidden_from_the_owner(gql, placed):
    order = placed["order"]

    body = gql(ORDER_EVENTS, {"id": gid("Order", order.pk)}, user=placed["owner"])

    assert body == {"data": {"order": {"number": order.number, "events": []}}}


def test_order_events_are_shown_to_order_staff(gql, placed):
    order = placed["order"]

    body = gql(ORDER_EVENTS, {"id": gid("Order", order.pk)}, user=placed["order manager"])

    assert body == {
        "data": {
            "order": {
                "number": order.number,
                "events": [
                    {"type": "PLACED", "actorEmail": "owner@example.com"},
                    {"type": "PAYMENT_CHARGED", "actorEmail": None},
                ],
            }
        }
    }


def test_a_guest_sees_the_lines_of_the_order_found_by_its_token(gql, placed):
    order = placed["guest_order"]
    document = "query($token: UUID!) { orderByToken(token: $token) { lines { sku quantity } } }"

    body = gql(document, {"token": str(order.token)})

    assert body["data"]["orderByToken"]["lines"] == [
        {"sku": line.sku, "quantity": line.quantity} for line in order.lines.order_by("pk")
    ]
    assert body["data"]["orderByToken"]["lines"] != []
