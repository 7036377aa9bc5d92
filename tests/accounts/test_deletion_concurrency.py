"""Deleting an account while an order is being placed for it: real parallel
connections on PostgreSQL, through /graphql/. Both lock the user's row first,
so one waits for the other: never an order left on a deleted person."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test import Client

from orders import services as order_services
from orders.models import Checkout, Order, Payment
from orders.payments.memory import InMemoryPaymentMethod, gateway
from shop.accounts import privacy
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from tests.factories import UserFactory
from tests.factories.invoicing import METHODS
from tests.factories.orders import ready_checkout
from tests.operations import operation
from tests.parallel import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="parallel connections need PostgreSQL (SQLite serialises them)",
    ),
]


@pytest.fixture(autouse=True)
def _methods(settings: Any) -> Any:
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()
    yield
    gateway.reset()


def _post(client: Client, name: str, variables: dict[str, Any], token: str) -> Any:
    response = client.post(
        "/graphql/",
        orjson.dumps({"query": operation(f"storefront/{name}"), "variables": variables}),
        content_type="application/json",
        headers={"Accept-Language": "en", "Authorization": f"Bearer {token}"},
    )
    return orjson.loads(response.content)


def test_an_order_being_placed_makes_the_deletion_wait_and_refuse(monkeypatch):
    # given: a paid-for cart whose completion asks the provider slowly, holding
    # its locks, and a valid deletion link
    user = UserFactory(email="lucia@example.com", first_name="Lucía")
    checkout = ready_checkout(user=user, email=user.email)
    order_services.checkout_payment_start(checkout=checkout, method_code="card")
    deletion_token = privacy.deletion_tokens.make_token(user)
    access = create_token(user, "access")
    confirming = threading.Event()
    confirm = InMemoryPaymentMethod.confirm

    def slow_confirm(self: InMemoryPaymentMethod, payment: Payment) -> Any:
        confirming.set()
        threading.Event().wait(0.5)
        return confirm(self, payment)

    monkeypatch.setattr(InMemoryPaymentMethod, "confirm", slow_confirm)

    def complete(client: Client) -> Any:
        return _post(client, "CheckoutComplete", {"input": {"token": str(checkout.token)}}, access)

    def delete(client: Client) -> Any:
        assert confirming.wait(10), "the completion never reached the provider"
        return _post(client, "AccountDelete", {"token": deletion_token}, access)

    # when
    completed, deleted = run_together([complete, delete])

    # then: the order is placed for the person, whose account stays
    assert completed["data"]["checkoutComplete"]["errors"] == []
    assert deleted["data"]["accountDelete"]["deleted"] is False
    assert [e["code"] for e in deleted["data"]["accountDelete"]["errors"]] == ["ORDERS_IN_PROGRESS"]
    order = Order.objects.get()
    assert (order.user_id, order.email, order.shipping_address["first_name"]) == (
        user.pk,
        "lucia@example.com",
        checkout.shipping_address["first_name"],
    )
    user = User.objects.get(pk=user.pk)
    assert (user.email, user.first_name, user.is_active) == ("lucia@example.com", "Lucía", True)


def test_a_deletion_under_way_makes_the_order_wait_and_find_no_cart(monkeypatch):
    # given: a deletion that erases slowly, holding the user's row
    user = UserFactory(email="lucia@example.com")
    checkout = ready_checkout(user=user, email=user.email)
    order_services.checkout_payment_start(checkout=checkout, method_code="card")
    deletion_token = privacy.deletion_tokens.make_token(user)
    access = create_token(user, "access")
    erasing = threading.Event()
    claims_erase = privacy._claims_erase

    def slow_claims_erase(user: User) -> None:
        erasing.set()
        threading.Event().wait(0.5)
        claims_erase(user)

    monkeypatch.setattr(privacy, "_claims_erase", slow_claims_erase)

    def delete(client: Client) -> Any:
        return _post(client, "AccountDelete", {"token": deletion_token}, access)

    def complete(client: Client) -> Any:
        assert erasing.wait(10), "the deletion never started erasing"
        return _post(client, "CheckoutComplete", {"input": {"token": str(checkout.token)}}, access)

    # when
    deleted, completed = run_together([delete, complete])

    # then: deleted; the order was never placed, nothing of the person is left
    assert deleted["data"]["accountDelete"] == {"deleted": True, "errors": []}
    payload = completed["data"]["checkoutComplete"]
    assert payload["order"] is None
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    assert Order.objects.count() == 0
    assert Checkout.objects.count() == 0
    user = User.objects.get(pk=user.pk)
    assert (user.is_active, user.email.endswith("@deleted.invalid")) == (False, True)
