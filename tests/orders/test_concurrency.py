"""Concurrent buyers through /graphql/ on real parallel connections.

Each buyer is a thread with its own ``django.test.Client`` and so its own
database connection; a barrier releases them together. Those tests need
PostgreSQL: SQLite has no row locks to queue on. The last test replays one
interleaving deterministically, on any database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest
from django.db import connection
from django.db.models import F, Sum
from django.test import Client
from django.utils import timezone

from catalog.models import ProductVariant, Stock
from orders import models, selectors, services
from orders.payments.memory import gateway
from tests.factories.catalog import StockFactory, VariantFactory, WarehouseFactory
from tests.factories.orders import ShippingMethodFactory, ready_checkout, stocked_variant
from tests.operations import operation
from tests.parallel import run_together

pytestmark = pytest.mark.django_db(transaction=True)

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite ignores row locks: concurrent buyers need PostgreSQL",
)

START = operation("storefront/CheckoutPaymentStart")
COMPLETE = operation("storefront/CheckoutComplete")


def ready_checkouts(
    count: int, lines: list[tuple[ProductVariant, int]], *, method: models.ShippingMethod
) -> list[models.Checkout]:
    """``count`` ready checkouts of ``lines``: one made by the services, the others
    copied from it in bulk (the services would spend seconds on fifty of them)."""
    first = ready_checkout(lines=lines, method=method, email="buyer0@example.com")
    copies = models.Checkout.objects.bulk_create(
        models.Checkout(
            email=f"buyer{n}@example.com",
            language_code=first.language_code,
            shipping_address=first.shipping_address,
            billing_address=first.billing_address,
            shipping_method=first.shipping_method,
            version=first.version,
        )
        for n in range(1, count)
    )
    models.CheckoutLine.objects.bulk_create(
        models.CheckoutLine(checkout=copy, variant=variant, quantity=quantity)
        for copy in copies
        for variant, quantity in lines
    )
    return [first, *copies]


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def top_level_errors(self) -> list[Any]:
        return [] if self.status == 200 and "errors" not in self.body else [self.status, self.body]

    def payload(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = self.body["data"][name]
        return data


def post(client: Client, query: str, variables: dict[str, Any]) -> Answer:
    response = client.post(
        "/graphql/",
        orjson.dumps({"query": query, "variables": variables}),
        content_type="application/json",
    )
    return Answer(response.status_code, orjson.loads(response.content))


def start(client: Client, token: str) -> Answer:
    return post(client, START, {"input": {"token": token, "method": "CARD"}})


def complete(client: Client, token: str) -> Answer:
    return post(client, COMPLETE, {"input": {"token": token}})


def buy(token: str) -> Callable[[Client], list[Answer]]:
    """A buyer's job: start paying, then (if that worked) place the order."""

    def job(client: Client) -> list[Answer]:
        started = start(client, token)
        if started.top_level_errors or started.payload("checkoutPaymentStart")["errors"]:
            return [started]
        return [started, complete(client, token)]

    return job


def complete_only(token: str) -> Callable[[Client], list[Answer]]:
    return lambda client: [complete(client, token)]


def outcome(answers: list[Answer]) -> str | frozenset[str]:
    """The order id the buyer got, or the error codes of their last payload."""
    (payload,) = answers[-1].body["data"].values()
    if payload.get("order"):
        assert payload["errors"] == []
        return str(payload["order"]["id"])
    return frozenset(error["code"] for error in payload["errors"])


def top_level_errors(results: list[list[Answer]]) -> list[Any]:
    """Whatever reached a buyer outside a payload: HTTP errors, GraphQL errors."""
    return [
        answer.top_level_errors
        for answers in results
        for answer in answers
        if answer.top_level_errors
    ]


def stock_of(variant: ProductVariant) -> tuple[int, int]:
    totals = Stock.objects.filter(variant=variant).aggregate(
        quantity=Sum("quantity"), allocated=Sum("allocated")
    )
    return totals["quantity"], totals["allocated"]


def ledger(payment: models.Payment) -> list[tuple[str, str, Decimal]]:
    return list(payment.transactions.order_by("pk").values_list("kind", "status", "amount"))


def gateway_refunds(payment: models.Payment) -> list[Decimal]:
    return [
        amount
        for key, amount in gateway.refunds.items()
        if key.startswith(payment.psp_reference + ":")
    ]


def assert_unplaced_charges_refunded_once() -> None:
    """Every charge that did not become an order was refunded in full, once."""
    for payment in models.Payment.objects.filter(order__isnull=True):
        rows = ledger(payment)
        if rows:
            assert rows == [
                ("charge", "success", payment.amount),
                ("refund", "success", payment.amount),
            ]
            assert gateway_refunds(payment) == [payment.amount]


@pytest.mark.postgres
@needs_row_locks
def test_fifty_buyers_of_five_units_make_exactly_five_orders():
    variant = stocked_variant(quantity=5)
    checkouts = ready_checkouts(50, [(variant, 1)], method=ShippingMethodFactory())

    results = run_together([buy(str(checkout.token)) for checkout in checkouts])

    assert top_level_errors(results) == []
    outcomes = [outcome(answers) for answers in results]
    orders = [item for item in outcomes if isinstance(item, str)]
    assert len(set(orders)) == len(orders) == 5
    assert [item for item in outcomes if not isinstance(item, str)] == [
        frozenset({"INSUFFICIENT_STOCK"})
    ] * 45
    assert models.Order.objects.count() == 5
    assert models.OrderLine.objects.aggregate(units=Sum("quantity"))["units"] == 5
    assert stock_of(variant) == (5, 5)
    assert not Stock.objects.filter(allocated__gt=F("quantity")).exists()
    assert not models.Reservation.objects.exists()
    assert models.Checkout.objects.count() == 45
    assert_unplaced_charges_refunded_once()


@pytest.mark.postgres
@needs_row_locks
def test_fifty_completions_racing_for_five_units_refund_the_other_charges_once():
    variant = stocked_variant(quantity=50)
    checkouts = ready_checkouts(50, [(variant, 1)], method=ShippingMethodFactory())
    for checkout in checkouts:
        services.checkout_payment_start(checkout=checkout, method_code="card")
    assert models.Reservation.objects.aggregate(units=Sum("quantity"))["units"] == 50
    models.Reservation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    Stock.objects.update(quantity=5)

    results = run_together([complete_only(str(checkout.token)) for checkout in checkouts])

    assert top_level_errors(results) == []
    outcomes = [outcome(answers) for answers in results]
    orders = [item for item in outcomes if isinstance(item, str)]
    assert len(set(orders)) == len(orders) == 5
    assert [item for item in outcomes if not isinstance(item, str)] == [
        frozenset({"INSUFFICIENT_STOCK"})
    ] * 45
    assert stock_of(variant) == (5, 5)
    placed = models.Payment.objects.filter(order__isnull=False)
    assert [ledger(payment) for payment in placed] == [
        [("charge", "success", payment.amount)] for payment in placed
    ]
    unplaced = list(models.Payment.objects.filter(order__isnull=True))
    assert len(unplaced) == 45
    for payment in unplaced:
        assert ledger(payment) == [
            ("charge", "success", payment.amount),
            ("refund", "success", payment.amount),
        ]
        assert gateway_refunds(payment) == [payment.amount]
    assert len(gateway.refunds) == 45


@pytest.mark.postgres
@needs_row_locks
def test_ten_concurrent_completions_of_one_checkout_make_one_order():
    variant = stocked_variant(quantity=3)
    checkout = ready_checkout(lines=[(variant, 1)])
    services.checkout_payment_start(checkout=checkout, method_code="card")

    results = run_together([complete_only(str(checkout.token)) for _ in range(10)])

    assert top_level_errors(results) == []
    payloads = [answers[0].payload("checkoutComplete") for answers in results]
    assert [payload["errors"] for payload in payloads] == [[]] * 10
    order = models.Order.objects.get()
    assert {payload["order"]["number"] for payload in payloads} == {order.number}
    assert len({payload["order"]["id"] for payload in payloads}) == 1
    assert list(models.PaymentTransaction.objects.values_list("kind", flat=True)) == ["charge"]
    assert gateway.refunds == {}
    assert stock_of(variant) == (3, 1)


@pytest.mark.postgres
@needs_row_locks
def test_carts_holding_two_variants_in_opposite_orders_never_deadlock():
    first, second = VariantFactory(), VariantFactory()
    warehouses = [WarehouseFactory(), WarehouseFactory()]
    for variant in (first, second):
        for warehouse in warehouses:
            StockFactory(variant=variant, warehouse=warehouse, quantity=10)
    method = ShippingMethodFactory()
    forward, backward = [(first, 1), (second, 1)], [(second, 1), (first, 1)]
    started = ready_checkouts(10, forward, method=method)
    started += ready_checkouts(10, backward, method=method)
    for checkout in started:
        services.checkout_payment_start(checkout=checkout, method_code="card")
    models.Reservation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    Stock.objects.update(quantity=5)
    fresh = ready_checkouts(15, forward, method=method) + ready_checkouts(
        15, backward, method=method
    )
    jobs = [buy(str(checkout.token)) for checkout in fresh]
    jobs += [complete_only(str(checkout.token)) for checkout in started]

    results = run_together(jobs)

    assert top_level_errors(results) == []
    outcomes = [outcome(answers) for answers in results]
    orders = [item for item in outcomes if isinstance(item, str)]
    assert len(set(orders)) == len(orders) == 10
    assert [item for item in outcomes if not isinstance(item, str)] == [
        frozenset({"INSUFFICIENT_STOCK"})
    ] * 40
    assert (stock_of(first), stock_of(second)) == ((10, 10), (10, 10))
    assert models.OrderLine.objects.filter(variant=first).count() == 10
    assert models.OrderLine.objects.filter(variant=second).count() == 10
    assert_unplaced_charges_refunded_once()


def test_a_duplicate_whose_first_request_commits_between_its_lookups_gets_the_order(
    monkeypatch,
):
    """A window real threads hit too rarely to test: the first request places the
    order (deleting the checkout) just before the duplicate looks the checkout up."""
    checkout = ready_checkout(lines=[(stocked_variant(quantity=3), 1)])
    services.checkout_payment_start(checkout=checkout, method_code="card")
    lookup = selectors.checkout_for

    def first_request_commits_meanwhile(user: Any, *, token: str) -> models.Checkout:
        services.checkout_complete(checkout=checkout, actor=None)
        return lookup(user, token=token)

    monkeypatch.setattr(selectors, "checkout_for", first_request_commits_meanwhile)

    answer = complete(Client(), str(checkout.token))

    order = models.Order.objects.get()
    assert answer.payload("checkoutComplete")["errors"] == []
    assert answer.payload("checkoutComplete")["order"]["number"] == order.number
