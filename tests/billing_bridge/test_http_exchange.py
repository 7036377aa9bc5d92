"""The ``http`` exchange against a real HTTP server on 127.0.0.1 playing the billing
system: it checks every signature, keeps batches by idempotency key, answers contract
look-ups and last-bill checks, and injects faults (status codes, dropped connections,
answers slower than the client's timeout)."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from billing_bridge import services_exchange as exchange
from billing_bridge.exchange import http as http_module
from billing_bridge.exchange.base import (
    BatchRow,
    ContractInfo,
    ExchangeError,
    batch_csv,
    get_exchange,
)
from billing_bridge.exchange.http import HttpExchange
from billing_bridge.models import BatchLine, BillCharge, ExportBatch
from orders.payments.memory import gateway

KEY_ID = "water-shop-1"
SECRET = "billing-test-secret"
PREFIX = "/billing/v1"  # the API is not at the server's root: signed paths include it
CUTOFF = date(2026, 12, 20)
HTTP_ADAPTER = "billing_bridge.exchange.http.HttpExchange"

# The order builders of the water-bill tests, loaded by name: mypy would otherwise
# follow the import into that untyped test module and its factories.
water_bill_tests = importlib.import_module("tests.billing_bridge.test_water_bill_payment")


@dataclass(frozen=True)
class Seen:
    """A request as the billing system received it."""

    method: str
    path: str  # as on the wire, percent-encoded
    headers: dict[str, str]
    body: bytes
    signed: bool  # key id, timestamp and signature all valid


@dataclass
class Fault:
    kind: Literal["status", "drop", "slow"]
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    billing: FakeBillingSystem

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and left is expected here


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.billing.handle(self)

    def do_PUT(self) -> None:
        self.server.billing.handle(self)

    def do_POST(self) -> None:
        self.server.billing.handle(self)

    def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class FakeBillingSystem:
    """The billing system's REST API as ``billing_bridge.exchange.http`` documents it.

    ``contracts``: number -> the JSON the API answers; ``batches``: idempotency
    key -> the CSV stored; ``seen``: every request; ``answers``: every status sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.contracts: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, bytes] = {}
        self.seen: list[Seen] = []
        self.answers: list[int] = []
        self.faults: list[Fault] = []
        self.errors: list[BaseException] = []

    def start(self) -> FakeBillingSystem:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.billing = self
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}/"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers delaying an answer
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def fail_next(
        self, n: int, *, status: int = 503, headers: dict[str, str] | None = None
    ) -> None:
        self.faults += [Fault("status", status, dict(headers or {})) for _ in range(n)]

    def drop_next(self, n: int = 1) -> None:
        """Read the request, then close the connection without a word."""
        self.faults += [Fault("drop") for _ in range(n)]

    def slow_next(self, n: int = 1, *, seconds: float) -> None:
        """Carry out the request, but answer only after ``seconds``."""
        self.faults += [Fault("slow", seconds=seconds) for _ in range(n)]

    def handle(self, handler: _Handler) -> None:
        try:
            self._handle(handler)
        except OSError:
            pass  # the client is gone (it timed out)
        except Exception as exc:  # a bug in the fake: fail the test that met it
            self.errors.append(exc)
            handler.answer(500, {"error": repr(exc)})

    def _handle(self, handler: _Handler) -> None:
        method, path = handler.command, urlsplit(handler.path).path
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = dict(handler.headers.items())
        signed = _valid_signature(method, path, headers, body)
        with self._lock:
            self.seen.append(Seen(method, path, headers, body, signed))
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None and fault.kind == "drop":
            handler.close_connection = True
            handler.connection.close()
            return
        if fault is not None and fault.kind == "status":
            status, payload, extra = fault.status, {"error": "injected"}, fault.headers
        elif not signed:
            status, payload, extra = 401, {"error": "bad signature"}, {}
        else:
            with self._lock:
                status, payload = self._route(method, path, headers, body)
            extra = {}
        with self._lock:
            self.answers.append(status)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds)
        handler.answer(status, payload, extra)

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        if not path.startswith(f"{PREFIX}/"):
            return 404, {"error": "not found"}
        parts = [unquote(part) for part in path[len(PREFIX) + 1 :].split("/")]
        match method, parts:
            case "PUT", ["batches", number]:
                return self._put_batch(number, headers, body)
            case "GET", ["contracts", number] if number in self.contracts:
                return 200, self.contracts[number]
            case "POST", ["contracts", number, "last-bill-check"] if number in self.contracts:
                amount = json.loads(body)["amount"]
                return 200, {"match": self.contracts[number].get("last_bill_amount") == amount}
        return 404, {"error": "not found"}

    def _put_batch(self, number: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        key = headers.get("Idempotency-Key")
        if key != number or not headers.get("Content-Type", "").startswith("text/csv"):
            return 400, {"error": "bad request"}
        if headers.get("X-Batch-SHA256") != hashlib.sha256(body).hexdigest():
            return 400, {"error": "body does not match X-Batch-SHA256"}
        if headers.get("X-Batch-Count") != str(body.count(b"\n") - 1):
            return 400, {"error": "body does not match X-Batch-Count"}
        stored = self.batches.get(key)
        if stored is None:
            self.batches[key] = body
            return 201, {"batch": number}
        if stored == body:
            return 200, {"batch": number}
        return 409, {"error": "this key was used with another body"}


def _valid_signature(method: str, path: str, headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers.get("X-Shop-Timestamp", "")
    if headers.get("X-Shop-Key-Id") != KEY_ID or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > 300:
        return False
    message = f"{timestamp}\n{method}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()
    expected = "v1=" + hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Shop-Signature", ""))


@pytest.fixture
def billing(settings: Any) -> Iterator[FakeBillingSystem]:
    fake = FakeBillingSystem().start()
    settings.BILLING_HTTP_URL = fake.url
    settings.BILLING_HTTP_KEY_ID = KEY_ID
    settings.BILLING_HTTP_SECRET = SECRET
    settings.BILLING_HTTP_TIMEOUT = 2
    settings.BILLING_HTTP_ATTEMPTS = 4
    settings.BILLING_HTTP_BACKOFF = 0
    try:
        yield fake
    finally:
        fake.stop()
    assert not fake.errors, f"the fake billing system itself failed: {fake.errors!r}"


def rows(count: int = 2) -> list[BatchRow]:
    return [
        BatchRow(
            charge_id=pk,
            contract="100200300",
            amount=Decimal("8.32"),
            cutoff=CUTOFF,
            kind="installment",
            installment=1,
            installments=3,
        )
        for pk in range(1, count + 1)
    ]


def batch_for(batch_rows: list[BatchRow], number: str = "B-20261220-001") -> ExportBatch:
    """An unsaved batch as ``bill_cycle_export`` fills it in before sending."""
    return ExportBatch(
        number=number,
        cutoff=CUTOFF,
        file_name=f"{number}.csv",
        sha256=hashlib.sha256(batch_csv(batch_rows)).hexdigest(),
        count=len(batch_rows),
        total=sum((row.amount for row in batch_rows), Decimal("0.00")),
    )


def once(items: list[BatchRow]) -> Iterator[BatchRow]:
    """A stream that can be read only once, as the export's rows are."""
    yield from items


# -- batches -------------------------------------------------------------------------------
HEADERS = (
    "Content-Type",
    "Content-Length",
    "Idempotency-Key",
    "X-Batch-SHA256",
    "X-Batch-Count",
    "X-Batch-Total",
    "X-Shop-Key-Id",
)


def test_a_batch_is_delivered_as_the_exact_csv_with_its_headers_and_a_valid_signature(
    billing: FakeBillingSystem,
) -> None:
    batch_rows = rows(2)
    batch = batch_for(batch_rows)

    HttpExchange().send_batch(batch, once(batch_rows))

    assert billing.batches == {"B-20261220-001": batch_csv(batch_rows)}
    assert billing.answers == [201]
    [seen] = billing.seen
    assert (seen.method, seen.path, seen.signed) == (
        "PUT",
        "/billing/v1/batches/B-20261220-001",
        True,
    )
    assert seen.body == batch_csv(batch_rows)
    assert {name: seen.headers[name] for name in HEADERS} == {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Length": str(len(batch_csv(batch_rows))),
        "Idempotency-Key": "B-20261220-001",
        "X-Batch-SHA256": batch.sha256,
        "X-Batch-Count": "2",
        "X-Batch-Total": "16.64",
        "X-Shop-Key-Id": KEY_ID,
    }
    assert seen.headers["X-Shop-Signature"].startswith("v1=")


@pytest.mark.parametrize(
    ("inject", "answers"),
    [
        pytest.param(lambda fake: fake.fail_next(2, status=503), [503, 503, 201], id="503-twice"),
        pytest.param(
            lambda fake: fake.fail_next(1, status=429, headers={"Retry-After": "0"}),
            [429, 201],
            id="429-retry-after-0",
        ),
        pytest.param(lambda fake: fake.drop_next(1), [201], id="connection-dropped"),
        # Stored, but answered after the client gave up: the retry is a replay.
        pytest.param(lambda fake: fake.slow_next(1, seconds=0.6), [201, 200], id="timeout"),
    ],
)
def test_a_failed_delivery_is_retried_with_the_same_key_and_identical_signed_bytes(
    billing: FakeBillingSystem,
    settings: Any,
    inject: Callable[[FakeBillingSystem], None],
    answers: list[int],
) -> None:
    settings.BILLING_HTTP_TIMEOUT = 0.3
    batch_rows = rows(3)
    inject(billing)

    HttpExchange().send_batch(batch_for(batch_rows), once(batch_rows))

    assert billing.batches == {"B-20261220-001": batch_csv(batch_rows)}
    assert billing.answers == answers
    attempts = len(answers) + (1 if answers == [201] else 0)  # the dropped one has no answer
    assert len(billing.seen) == attempts
    assert {seen.headers["Idempotency-Key"] for seen in billing.seen} == {"B-20261220-001"}
    assert {seen.body for seen in billing.seen} == {batch_csv(batch_rows)}
    assert [seen.signed for seen in billing.seen] == [True] * attempts


def test_a_large_batch_spills_to_disk_is_read_once_and_every_retry_sends_the_same_bytes(
    billing: FakeBillingSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    rollovers: list[int] = []

    class WatchedSpool(tempfile.SpooledTemporaryFile):
        def rollover(self) -> None:
            rollovers.append(1)
            super().rollover()

    monkeypatch.setattr(http_module, "SPOOL_MEMORY_BYTES", 16 * 1024)
    monkeypatch.setattr(http_module.tempfile, "SpooledTemporaryFile", WatchedSpool)
    batch_rows = rows(3000)  # ~130 KB of CSV
    billing.fail_next(1, status=502)

    HttpExchange().send_batch(batch_for(batch_rows), once(batch_rows))

    assert rollovers == [1]
    assert billing.batches == {"B-20261220-001": batch_csv(batch_rows)}
    assert [len(seen.body) for seen in billing.seen] == [len(batch_csv(batch_rows))] * 2
    assert billing.seen[0].body == billing.seen[1].body


def test_rows_that_do_not_match_the_batch_fingerprint_are_not_sent(
    billing: FakeBillingSystem,
) -> None:
    batch = batch_for(rows(2))

    with pytest.raises(ExchangeError, match="do not match its SHA-256"):
        HttpExchange().send_batch(batch, once(rows(3)))

    assert billing.seen == []


def test_sending_the_same_batch_again_is_harmless(billing: FakeBillingSystem) -> None:
    batch_rows = rows(2)
    exchange_ = HttpExchange()
    exchange_.send_batch(batch_for(batch_rows), once(batch_rows))

    exchange_.send_batch(batch_for(batch_rows), once(batch_rows))

    assert billing.answers == [201, 200]
    assert billing.batches == {"B-20261220-001": batch_csv(batch_rows)}


def test_the_same_batch_number_with_other_content_is_refused_and_not_retried(
    billing: FakeBillingSystem,
) -> None:
    first = rows(2)
    HttpExchange().send_batch(batch_for(first), once(first))
    other = rows(3)

    with pytest.raises(ExchangeError, match="refused batch B-20261220-001: HTTP 409"):
        HttpExchange().send_batch(batch_for(other), once(other))

    assert billing.answers == [201, 409]
    assert billing.batches == {"B-20261220-001": batch_csv(first)}


def test_a_client_error_is_not_retried(billing: FakeBillingSystem) -> None:
    billing.fail_next(1, status=400)
    batch_rows = rows(2)

    with pytest.raises(ExchangeError, match="HTTP 400"):
        HttpExchange().send_batch(batch_for(batch_rows), once(batch_rows))

    assert billing.answers == [400]
    assert billing.batches == {}


def test_a_wrong_secret_is_refused_by_the_billing_system_and_not_retried_or_revealed(
    billing: FakeBillingSystem, settings: Any
) -> None:
    settings.BILLING_HTTP_SECRET = "not-the-shared-secret"
    batch_rows = rows(2)

    with pytest.raises(ExchangeError, match="HTTP 401") as raised:
        HttpExchange().send_batch(batch_for(batch_rows), once(batch_rows))

    assert billing.answers == [401]
    assert [seen.signed for seen in billing.seen] == [False]
    assert billing.batches == {}
    assert "not-the-shared-secret" not in str(raised.value)


@pytest.mark.parametrize(
    ("inject", "last"),
    [
        (lambda fake: fake.fail_next(5, status=503), "HTTP 503"),
        (lambda fake: fake.drop_next(5), "ConnectionError"),
    ],
    ids=["503", "dropped"],
)
def test_after_the_last_attempt_the_exchange_gives_up(
    billing: FakeBillingSystem,
    settings: Any,
    inject: Callable[[FakeBillingSystem], None],
    last: str,
) -> None:
    settings.BILLING_HTTP_ATTEMPTS = 3
    inject(billing)
    batch_rows = rows(2)

    with pytest.raises(ExchangeError) as raised:
        HttpExchange().send_batch(batch_for(batch_rows), once(batch_rows))

    assert str(raised.value) == (
        f"Billing system PUT /batches/B-20261220-001: gave up after 3 attempts (last: {last})."
    )
    assert len(billing.seen) == 3
    assert billing.batches == {}
    assert SECRET not in str(raised.value)


def test_retries_back_off_exponentially_and_wait_as_long_as_retry_after_asks(
    billing: FakeBillingSystem, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BILLING_HTTP_BACKOFF = 0.25
    waits: list[float] = []
    monkeypatch.setattr(http_module.time, "sleep", waits.append)
    billing.fail_next(2, status=500)
    billing.fail_next(1, status=429, headers={"Retry-After": "2"})
    batch_rows = rows(1)

    HttpExchange().send_batch(batch_for(batch_rows), once(batch_rows))

    assert waits == [0.25, 0.5, 2.0]
    assert billing.answers == [500, 500, 429, 201]


def test_a_long_retry_after_is_not_waited_for(billing: FakeBillingSystem) -> None:
    billing.fail_next(1, status=503, headers={"Retry-After": "3600"})
    batch_rows = rows(1)

    with pytest.raises(ExchangeError, match="asked to retry after 3600 s"):
        HttpExchange().send_batch(batch_for(batch_rows), once(batch_rows))

    assert billing.answers == [503]


# -- contracts -----------------------------------------------------------------------------


def test_a_contract_is_looked_up_with_its_number_quoted_in_the_path(
    billing: FakeBillingSystem,
) -> None:
    billing.contracts["41/000"] = {
        "number": "41/000",
        "status": "suspended",
        "holder": "Lucía Romero",
        "last_bill_amount": "31.20",
        "next_cutoff": "2027-02-20",
        "has_unpaid_bills": True,
    }

    info = HttpExchange().lookup_contract("41/000")

    assert info == ContractInfo(
        number="41/000",
        status="suspended",
        holder="Lucía Romero",
        last_bill_amount=Decimal("31.20"),
        next_cutoff=date(2027, 2, 20),
        has_unpaid_bills=True,
    )
    [seen] = billing.seen
    assert (seen.method, seen.path, seen.body, seen.signed) == (
        "GET",
        "/billing/v1/contracts/41%2F000",
        b"",
        True,
    )


def test_a_contract_without_a_last_bill_and_an_unknown_one(billing: FakeBillingSystem) -> None:
    billing.contracts["100200300"] = {"number": "100200300", "status": "active", "holder": "Ana"}
    exchange_ = HttpExchange()

    known, unknown = exchange_.lookup_contract("100200300"), exchange_.lookup_contract("41")

    assert known == ContractInfo("100200300", "active", "Ana", None)
    assert unknown is None
    assert billing.answers == [200, 404]


@pytest.mark.parametrize(
    "answer",
    [
        {"number": "7", "status": "active", "holder": "Ana", "last_bill_amount": 12.5},
        {"number": "7", "status": "closed", "holder": "Ana"},
        {"number": "8", "status": "active", "holder": "Ana"},
        {"number": "7", "status": "active"},
        {"number": "7", "status": "active", "holder": "Ana", "next_cutoff": "soon"},
    ],
    ids=["float-amount", "unknown-status", "another-contract", "no-holder", "bad-date"],
)
def test_a_malformed_contract_answer_is_an_exchange_error(
    billing: FakeBillingSystem, answer: dict[str, Any]
) -> None:
    billing.contracts["7"] = answer

    with pytest.raises(ExchangeError, match="contract answer is malformed"):
        HttpExchange().lookup_contract("7")


def test_a_lookup_is_retried_when_the_billing_system_is_unavailable(
    billing: FakeBillingSystem,
) -> None:
    billing.contracts["42"] = {"number": "42", "status": "active", "holder": "Ana"}
    billing.fail_next(1, status=503)

    info = HttpExchange().lookup_contract("42")

    assert info == ContractInfo("42", "active", "Ana")
    assert billing.answers == [503, 200]


def test_the_last_bill_check_answers_match_or_not_never_why(billing: FakeBillingSystem) -> None:
    billing.contracts["41/000"] = {
        "number": "41/000",
        "status": "active",
        "holder": "Ana",
        "last_bill_amount": "31.20",
    }
    exchange_ = HttpExchange()

    answers = [
        exchange_.verify_last_bill("41/000", Decimal("31.2")),
        exchange_.verify_last_bill("41/000", Decimal("31.21")),
        exchange_.verify_last_bill("41/001", Decimal("31.20")),
    ]

    assert answers == [True, False, False]
    assert billing.answers == [200, 200, 404]
    assert [(seen.method, seen.path, seen.body, seen.signed) for seen in billing.seen] == [
        ("POST", "/billing/v1/contracts/41%2F000/last-bill-check", b'{"amount": "31.20"}', True),
        ("POST", "/billing/v1/contracts/41%2F000/last-bill-check", b'{"amount": "31.21"}', True),
        ("POST", "/billing/v1/contracts/41%2F001/last-bill-check", b'{"amount": "31.20"}', True),
    ]
    assert {seen.headers["Content-Type"] for seen in billing.seen} == {"application/json"}


def test_an_amount_finer_than_a_cent_never_matches_and_is_not_sent(
    billing: FakeBillingSystem,
) -> None:
    billing.contracts["42"] = {"number": "42", "status": "active", "holder": "Ana"}

    matched = HttpExchange().verify_last_bill("42", Decimal("31.204"))

    assert matched is False
    assert billing.seen == []


def test_a_refused_last_bill_check_is_an_exchange_error(billing: FakeBillingSystem) -> None:
    billing.fail_next(1, status=403)

    with pytest.raises(ExchangeError, match="Last-bill check failed: HTTP 403"):
        HttpExchange().verify_last_bill("42", Decimal("31.20"))

    assert billing.answers == [403]


# -- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["BILLING_HTTP_URL", "BILLING_HTTP_SECRET"])
def test_the_adapter_is_not_built_without_its_url_or_secret(
    billing: FakeBillingSystem, settings: Any, missing: str
) -> None:
    setattr(settings, missing, "")

    with pytest.raises(ImproperlyConfigured, match="BILLING_HTTP_URL and BILLING_HTTP_SECRET"):
        HttpExchange()


def test_changing_an_http_setting_rebuilds_the_configured_exchange(
    billing: FakeBillingSystem, settings: Any
) -> None:
    settings.BILLING_EXCHANGE_ADAPTER = HTTP_ADAPTER
    first = get_exchange()

    settings.BILLING_HTTP_URL = "https://billing.example/api/"
    second = get_exchange()

    assert isinstance(first, HttpExchange)
    assert isinstance(second, HttpExchange)
    assert (first.url, second.url) == (billing.url.rstrip("/"), "https://billing.example/api")
    assert get_exchange() is second


# -- end to end: the export service over HTTP ----------------------------------------------


@pytest.fixture
def http_exchange(settings: Any, billing: FakeBillingSystem) -> FakeBillingSystem:
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    settings.BILLING_EXCHANGE_ADAPTER = HTTP_ADAPTER
    gateway.reset()
    return billing


def charges_in_three_installments() -> list[BillCharge]:
    user, _contract = water_bill_tests.linked_customer()
    water_bill_tests.water_bill_order(user, installments=3)  # 24.95: 8.32 + 8.32 + 8.31
    return list(BillCharge.objects.order_by("sequence"))


@pytest.mark.django_db
def test_the_cycle_export_delivers_its_batch_over_http(http_exchange: FakeBillingSystem) -> None:
    first, *_later = charges_in_three_installments()

    batch = exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)

    assert batch is not None
    expected = (
        "charge_id,contract,amount,cutoff,kind,installment,installments\n"
        f"{first.pk},100200300,8.32,2026-12-20,installment,1,3\n"
    ).encode()
    assert http_exchange.batches == {"B-20261220-001": expected}
    assert batch.sha256 == hashlib.sha256(expected).hexdigest()
    [seen] = http_exchange.seen
    assert (seen.headers["X-Batch-Count"], seen.headers["X-Batch-Total"], seen.signed) == (
        "1",
        "8.32",
        True,
    )
    assert sorted(BillCharge.objects.values_list("sequence", "status")) == [
        (1, "exported"),
        (2, "pending"),
        (3, "pending"),
    ]


@pytest.mark.django_db
def test_when_the_billing_system_keeps_failing_the_claimed_batch_is_sent_by_the_next_export(
    http_exchange: FakeBillingSystem,
) -> None:
    first, *_later = charges_in_three_installments()
    http_exchange.fail_next(4, status=503)

    with pytest.raises(ExchangeError, match="gave up after 4 attempts"):
        exchange.bill_cycle_export(cutoff=CUTOFF, actor=None)

    batch = ExportBatch.objects.get()
    assert (batch.number, batch.sent_at) == ("B-20261220-001", None)
    assert BatchLine.objects.get().charge == first
    assert http_exchange.batches == {}
    assert http_exchange.answers == [503] * 4

    assert exchange.bill_cycle_export(cutoff=CUTOFF, actor=None) is None  # nothing new due

    batch.refresh_from_db()
    assert batch.sent_at is not None
    assert list(http_exchange.batches) == ["B-20261220-001"]
    assert hashlib.sha256(http_exchange.batches["B-20261220-001"]).hexdigest() == batch.sha256
    assert http_exchange.answers == [503] * 4 + [201]
    assert BatchLine.objects.count() == 1
