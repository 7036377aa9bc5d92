"""Checkout benchmarks for ``make bench``: figures printed, never asserted.

- the whole guest checkout through ``/graphql/`` with the storefront's documents
  (create with two lines, shipping address, billing address, shipping method,
  payment start, complete), ``BENCH_CHECKOUT_FLOWS`` times: p50/p95 per step and
  per flow;
- the SQL statements of one order, all of them and those of the requests alone
  (without the outbox's tasks run after the commits);
- throughput: ``BENCH_CHECKOUT_BUYERS`` threads (own client, own database
  connection) buying the same few variants for ``BENCH_CHECKOUT_SECONDS``:
  orders per second, p50/p95 of ``checkoutComplete``, and a check that the stock
  allocated equals the units ordered; once with the outbox's tasks run inline,
  once with them left in the outbox for a worker.

Payments go through the in-memory method; the outbox's tasks (confirmation
e-mail, invoice PDF and submission) run eagerly after commit (no broker), so
their cost is part of ``checkoutComplete`` unless said otherwise.
Call :func:`bench_checkout` on a throw-away database (``tests.bench`` makes one).
"""

from __future__ import annotations

import logging
import os
import statistics
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from strawberry.relay import to_base64

from catalog.models import Category, Product, ProductVariant, Stock, Warehouse
from orders.models import Order, OrderLine, ShippingMethod, ShippingZone
from orders.payments.memory import gateway
from shop.warmup import collect_after_response
from tests.bench.summary import latency, record
from tests.operations import operation

FLOWS = int(os.environ.get("BENCH_CHECKOUT_FLOWS", "50"))
SECONDS = float(os.environ.get("BENCH_CHECKOUT_SECONDS", "10"))
BUYERS = int(os.environ.get("BENCH_CHECKOUT_BUYERS", "8"))
UNITS = 1_000_000  # per variant: the throughput run never runs out

ADDRESS = {
    "firstName": "Lucía",
    "lastName": "Martín",
    "streetAddress1": "Calle Sierpes 12",
    "postalCode": "41004",
    "city": "Sevilla",
    "phone": "+34 600 123 456",
}
STEPS = (
    "CheckoutCreate",
    "CheckoutShippingAddressUpdate",
    "CheckoutBillingAddressUpdate",
    "CheckoutShippingMethodUpdate",
    "CheckoutPaymentStart",
    "CheckoutComplete",
)
DOCUMENTS = {name: operation(f"storefront/{name}") for name in STEPS}


class FlowFailed(Exception):
    """A step answered with a top-level error or payload errors."""


@dataclass
class Shop:
    variants: list[ProductVariant]
    method: ShippingMethod


@dataclass
class Flow:
    """One buyer's timings (ms) per step, and the units bought per variant."""

    timings: dict[str, float] = field(default_factory=dict)
    units: dict[int, int] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.timings.values())


def percentiles(timings: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 (the same p95 as ``tests.bench.measure``)."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)]


def seed(slug: str = "bench-checkout") -> Shop:
    """Three published variants with plenty of stock, and a zone delivering to Spain."""
    category = Category.objects.create(name=f"Banco de pruebas {slug}", slug=slug)
    warehouse = Warehouse.objects.create(name=f"Bench {slug}", slug=slug)
    variants = []
    for index, price in enumerate(["12.10", "3.99", "24.50"]):
        product = Product.objects.create(
            category=category,
            name=f"Filtro de banco {index}",
            slug=f"{slug}-{index}",
            is_published=True,
        )
        variant = ProductVariant.objects.create(
            product=product, sku=f"{slug.upper()}-{index}", price=Decimal(price)
        )
        Stock.objects.create(variant=variant, warehouse=warehouse, quantity=UNITS)
        variants.append(variant)
    zone = ShippingZone.objects.create(name=f"Bench España {slug}", countries=["ES"])
    method = ShippingMethod.objects.create(zone=zone, name="Bench envío", price=Decimal("4.95"))
    return Shop(variants, method)


def _step(client: Client, flow: Flow, name: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = orjson.dumps({"query": DOCUMENTS[name], "variables": variables})
    before = len(connection.queries)
    start = time.perf_counter()
    response = client.post("/graphql/", body, content_type="application/json")
    flow.timings[name] = (time.perf_counter() - start) * 1000
    collect_after_response()  # as gunicorn's post_request, after the response is sent
    flow.statements[name] = len(connection.queries) - before
    answer = orjson.loads(response.content)
    if response.status_code != 200 or "errors" in answer:
        raise FlowFailed(f"{name}: HTTP {response.status_code} {response.content[:300]!r}")
    payload: dict[str, Any] = answer["data"][name[0].lower() + name[1:]]
    if payload["errors"]:
        raise FlowFailed(f"{name}: {payload['errors']}")
    return payload


def buy(client: Client, shop: Shop, lines: Sequence[tuple[ProductVariant, int]]) -> Flow:
    """A guest's whole checkout; raises FlowFailed on any error."""
    flow = Flow(units={variant.pk: quantity for variant, quantity in lines})
    created = _step(
        client,
        flow,
        "CheckoutCreate",
        {
            "input": {
                "email": "bench@example.com",
                "lines": [
                    {"variantId": to_base64("ProductVariant", variant.pk), "quantity": quantity}
                    for variant, quantity in lines
                ],
            }
        },
    )
    token = created["checkout"]["token"]
    for name in ("CheckoutShippingAddressUpdate", "CheckoutBillingAddressUpdate"):
        _step(client, flow, name, {"input": {"token": token, "address": ADDRESS}})
    method_id = to_base64("ShippingMethod", shop.method.pk)
    _step(
        client,
        flow,
        "CheckoutShippingMethodUpdate",
        {"input": {"token": token, "shippingMethodId": method_id}},
    )
    # The demo content publishes terms of sale: the shopper accepts them, as the
    # storefront asks before paying.
    _step(
        client,
        flow,
        "CheckoutPaymentStart",
        {"input": {"token": token, "method": "CARD", "acceptTermsOfSale": True}},
    )
    _step(client, flow, "CheckoutComplete", {"input": {"token": token}})
    return flow


def _lines(shop: Shop, turn: int) -> list[tuple[ProductVariant, int]]:
    """Two of the shop's variants, rotating, 1 or 2 units each."""
    first = shop.variants[turn % len(shop.variants)]
    second = shop.variants[(turn + 1) % len(shop.variants)]
    return [(first, 1 + turn % 2), (second, 1)]


def bench_flow(shop: Shop) -> None:
    client = Client()
    buy(client, shop, _lines(shop, 0))  # warm-up
    flows = [buy(client, shop, _lines(shop, turn)) for turn in range(FLOWS)]
    print(f"\n== guest checkout through /graphql/, {FLOWS} flows, one client")
    for name in STEPS:
        p50, p95 = percentiles([flow.timings[name] for flow in flows])
        print(f"{name:<32} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   p95/p50 {p95 / p50:4.2f}")
        record(f"guest checkout {name} p50 / p95", latency(p50, p95))
    p50, p95 = percentiles([flow.total for flow in flows])
    print(f"{'whole flow (6 requests)':<32} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")
    record("guest checkout whole flow p50 / p95", latency(p50, p95))
    relayed = [0]
    with CaptureQueriesContext(connection) as queries, _relays_counted(relayed):
        counted = buy(client, shop, _lines(shop, 1))
    per_step = ", ".join(f"{name} {counted.statements[name]}" for name in STEPS)
    print(f"SQL statements per order: {len(queries)} ({per_step})")
    print(
        f"  of which {relayed[0]} after the commits, by the outbox's tasks (the e-mail, the"
        " invoice's PDF and submission: eager here, without a broker; a worker's in"
        f" production): {len(queries) - relayed[0]} in the requests"
    )
    record("guest checkout SQL statements per order", str(len(queries)))
    record(
        "guest checkout SQL statements per order in the requests (outbox tasks apart)",
        str(len(queries) - relayed[0]),
    )


_SKIPPED: list[bool] = []


def _relays_run() -> bool:
    return not _SKIPPED


@contextmanager
def _relays_skipped() -> Iterator[None]:
    """Inside, messages enqueued stay in the outbox (nothing relayed after commit)."""
    from shop.outbox import services as outbox

    original = outbox.outbox_relay
    outbox.outbox_relay = lambda **_kwargs: 0
    _SKIPPED.append(True)
    try:
        yield
    finally:
        _SKIPPED.pop()
        outbox.outbox_relay = original


@contextmanager
def _relays_counted(counter: list[int]) -> Iterator[None]:
    """Count in ``counter`` the statements of the outbox's relays (and the tasks
    they run eagerly) while inside. A message's relay is bound when it is
    enqueued, by name, so replacing the module's function reaches them."""
    from shop.outbox import services as outbox

    original = outbox.outbox_relay

    def relay(*args: Any, **kwargs: Any) -> int:
        before = len(connection.queries)
        try:
            return original(*args, **kwargs)
        finally:
            counter[0] += len(connection.queries) - before

    outbox.outbox_relay = relay
    try:
        yield
    finally:
        outbox.outbox_relay = original


@dataclass
class Buyer:
    flows: list[Flow] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def bench_throughput(shop: Shop, *, tasks_inline: bool = True) -> None:
    """``tasks_inline``: the outbox's tasks (e-mail, invoice PDF and submission)
    run after each commit, in the buyer's request, as without a broker; otherwise
    they are left in the outbox, as a worker would take them (what the requests
    alone sustain)."""
    if not tasks_inline:
        with _relays_skipped():
            bench_throughput(shop)
        return
    buyers = BUYERS if connection.vendor == "postgresql" else 1
    results = [Buyer() for _ in range(buyers)]
    barrier = threading.Barrier(buyers + 1)
    deadline: list[float] = []

    def run(index: int) -> None:
        client, mine = Client(), results[index]
        try:
            barrier.wait()
            turn = index
            while time.perf_counter() < deadline[0]:
                try:
                    mine.flows.append(buy(client, shop, _lines(shop, turn)))
                except FlowFailed as exc:
                    mine.failures.append(str(exc))
                turn += buyers
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(buyers)]
    for thread in threads:
        thread.start()
    deadline.append(time.perf_counter() + SECONDS)
    start = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start

    flows = [flow for buyer in results for flow in buyer.flows]
    failures = [failure for buyer in results for failure in buyer.failures]
    note = (
        "threads of one process: Python runs one at a time, the database serves them all"
        if buyers == BUYERS
        else "SQLite: one writer at a time, so one buyer"
    )
    where = "" if _relays_run() else ", outbox tasks left to a worker"
    print(f"\n== throughput: {buyers} parallel buyers for {SECONDS:.0f} s ({note}){where}")
    if not flows:
        print(f"no order placed; first failures: {failures[:5]}")
        return
    p50, p95 = percentiles([flow.timings["CheckoutComplete"] for flow in flows])
    record(
        f"checkout throughput, {buyers} parallel buyers{where}",
        f"{len(flows) / elapsed:.1f} orders/s",
    )
    print(
        f"{len(flows)} orders in {elapsed:.1f} s: {len(flows) / elapsed:6.1f} orders/s"
        f" | checkoutComplete p50 {p50:7.2f} ms p95 {p95:7.2f} ms"
        f" | failed flows: {len(failures)}"
    )
    for failure in failures[:5]:
        print(f"  failed: {failure}")


def report_stock(shop: Shop) -> None:
    """Units allocated on the bench's stock rows against units on its orders."""
    allocated = Stock.objects.filter(variant__in=shop.variants).aggregate(units=Sum("allocated"))
    ordered = OrderLine.objects.filter(
        variant__in=shop.variants, order__status=Order.Status.UNFULFILLED
    ).aggregate(units=Sum("quantity"))
    same = "equal" if allocated["units"] == ordered["units"] else "MISMATCH"
    print(
        f"stock allocated {allocated['units']:,} | units ordered {ordered['units']:,}"
        f" | {same}; orders placed {Order.objects.count():,}"
    )


def bench_checkout() -> None:
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per e-mail task
    gateway.reset()
    shop = seed()
    bench_flow(shop)
    bench_throughput(shop)
    bench_throughput(shop, tasks_inline=False)
    report_stock(shop)
    gateway.reset()
