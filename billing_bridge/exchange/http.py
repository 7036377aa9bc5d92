"""The exchange over the billing system's REST API (``BILLING_HTTP_URL``).

Protocol (ours; the billing system implements it):

* ``PUT /batches/{batch}``: the batch CSV (``text/csv``, the bytes of
  ``batch_csv_chunks``) with ``Idempotency-Key: {batch}``, ``X-Batch-SHA256``,
  ``X-Batch-Count`` and ``X-Batch-Total``. 2xx: delivered. The same key with the
  same body must answer 2xx again; with another body, 409.
* ``GET /contracts/{number}``: 200 ``{"number", "status", "holder"}`` plus,
  optional, ``last_bill_amount`` (a decimal string), ``supply_address``,
  ``postal_code``, ``billing_period_months``, ``next_cutoff`` (ISO date) and
  ``has_unpaid_bills``; 404 unknown.
* ``POST /contracts/{number}/last-bill-check`` with ``{"amount": "12.34"}``:
  200 ``{"match": true|false}``; 404 unknown (read as no match).
* Every request is signed: ``X-Shop-Key-Id``, ``X-Shop-Timestamp`` (unix
  seconds) and ``X-Shop-Signature: v1=<hex HMAC-SHA256 with BILLING_HTTP_SECRET>``
  over ``"{timestamp}\\n{METHOD}\\n{path}\\n{hex SHA-256 of the body}"``, where
  ``path`` is the URL path as sent (percent-encoded, base path included, no query).
* Connection errors, timeouts, 429 and 5xx are retried up to
  ``BILLING_HTTP_ATTEMPTS`` times, ``BILLING_HTTP_BACKOFF`` seconds doubling each
  time (or ``Retry-After`` seconds, up to ``MAX_RETRY_AFTER``), each attempt
  signed afresh with the same key and body. Other answers are final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from billing_bridge.exchange.base import (
    BatchRow,
    BillingExchange,
    ContractInfo,
    ExchangeError,
    batch_csv_chunks,
)
from shop.money import is_whole_cents

if TYPE_CHECKING:
    from collections.abc import Iterable

    from billing_bridge.models import ExportBatch

logger = logging.getLogger(__name__)

SPOOL_MEMORY_BYTES = 4 * 1024 * 1024  # larger batches spill to a temporary file
SEND_CHUNK_BYTES = 64 * 1024
MAX_RETRY_AFTER = 10.0  # seconds; an export, or a shopper linking a contract, waits
CONTRACT_STATUSES = frozenset({"active", "suspended", "terminated"})
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
T = TypeVar("T")

_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


class _SpooledBody:
    """One attempt's view of the spooled CSV: a length, so that requests sends
    ``Content-Length`` (not chunked), and the bytes from the start."""

    def __init__(self, spool: IO[bytes], size: int) -> None:
        self.spool, self.size = spool, size

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[bytes]:
        self.spool.seek(0)
        while chunk := self.spool.read(SEND_CHUNK_BYTES):
            yield chunk


def _wire_path(url: str) -> str:
    """The path of ``url`` exactly as requests will send it (and so as signed)."""
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    return urlsplit(str(prepared.url)).path


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds; the HTTP-date form is ignored."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _detail(response: requests.Response) -> str:
    return " ".join(response.text[:200].split())


def _json(response: requests.Response, what: str) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise ExchangeError(f"The billing system's {what} answer is not JSON.") from exc


class HttpExchange(BillingExchange):
    """The billing system over HTTP, configured by the ``BILLING_HTTP_*`` settings.

    Raises ``ImproperlyConfigured`` when built without ``BILLING_HTTP_URL`` or
    ``BILLING_HTTP_SECRET`` or with impossible numbers. Each call uses its own
    ``requests.Session`` (closed when it returns), so the cached instance is
    safe to share between threads."""

    def __init__(self) -> None:
        self.url = settings.BILLING_HTTP_URL.rstrip("/")
        self.key_id = settings.BILLING_HTTP_KEY_ID
        secret = settings.BILLING_HTTP_SECRET
        if not self.url or not secret:
            raise ImproperlyConfigured(
                "The http billing exchange needs BILLING_HTTP_URL and BILLING_HTTP_SECRET."
            )
        self._secret = secret.encode("utf-8")
        self.timeout = float(settings.BILLING_HTTP_TIMEOUT)
        self.attempts = int(settings.BILLING_HTTP_ATTEMPTS)
        self.backoff = float(settings.BILLING_HTTP_BACKOFF)
        if self.timeout <= 0 or self.attempts < 1 or self.backoff < 0:
            raise ImproperlyConfigured(
                "BILLING_HTTP_TIMEOUT must be > 0, BILLING_HTTP_ATTEMPTS >= 1 "
                "and BILLING_HTTP_BACKOFF >= 0."
            )

    def send_batch(self, batch: ExportBatch, rows: Iterable[BatchRow]) -> None:
        """``PUT`` the batch, retried with the same key and the same bytes.

        The CSV is spooled once (memory, then a temporary file), so ``rows`` is
        read once and memory stays bounded. Raises ``ExchangeError`` when the
        spooled CSV does not match ``batch.sha256`` (nothing is sent), when the
        billing system refuses it, or when it cannot be reached."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
            digest, size = hashlib.sha256(), 0
            for chunk in batch_csv_chunks(rows):
                spool.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            if digest.hexdigest() != batch.sha256:
                raise ExchangeError(f"Batch {batch.number}: the rows do not match its SHA-256.")
            headers = {
                "Content-Type": "text/csv; charset=utf-8",
                "Idempotency-Key": batch.number,
                "X-Batch-SHA256": batch.sha256,
                "X-Batch-Count": str(batch.count),
                "X-Batch-Total": f"{batch.total:.2f}",
            }
            response = self._call(
                "PUT",
                f"/batches/{quote(batch.number, safe='')}",
                body_sha256=batch.sha256,
                body=lambda: _SpooledBody(spool, size),
                headers=headers,
            )
        if not response.ok:
            raise ExchangeError(
                f"The billing system refused batch {batch.number}: "
                f"HTTP {response.status_code} {_detail(response)}"
            )

    def lookup_contract(self, number: str) -> ContractInfo | None:
        """``GET`` the contract; None on 404. Raises ``ExchangeError`` on any other
        answer, or when the answer is malformed or names another contract."""
        response = self._call("GET", f"/contracts/{quote(number, safe='')}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ExchangeError(f"Contract lookup failed: HTTP {response.status_code}.")
        payload = _json(response, "contract")
        if not isinstance(payload, dict):
            raise ExchangeError("The billing system's contract answer is malformed.")
        return _contract_info(number, payload)

    def verify_last_bill(self, number: str, amount: Decimal) -> bool:
        """Ask the billing system; False on 404 and, without asking, for an amount
        that is not a whole number of cents. Raises ``ExchangeError`` on any other
        answer than 200 ``{"match": bool}``."""
        if not is_whole_cents(amount):
            return False
        body = json.dumps({"amount": f"{amount:.2f}"}).encode("utf-8")
        response = self._call(
            "POST",
            f"/contracts/{quote(number, safe='')}/last-bill-check",
            body_sha256=hashlib.sha256(body).hexdigest(),
            body=lambda: body,
            headers={"Content-Type": "application/json"},
        )
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise ExchangeError(f"Last-bill check failed: HTTP {response.status_code}.")
        payload = _json(response, "last-bill check")
        match = payload.get("match") if isinstance(payload, dict) else None
        if not isinstance(match, bool):
            raise ExchangeError("The billing system's last-bill check answer is malformed.")
        return match

    def _signature(self, method: str, path: str, body_sha256: str) -> dict[str, str]:
        timestamp = str(int(time.time()))
        message = f"{timestamp}\n{method}\n{path}\n{body_sha256}".encode()
        signature = hmac.new(self._secret, message, hashlib.sha256).hexdigest()
        return {
            "X-Shop-Key-Id": self.key_id,
            "X-Shop-Timestamp": timestamp,
            "X-Shop-Signature": f"v1={signature}",
        }

    def _call(
        self,
        method: str,
        path: str,
        *,
        body_sha256: str = EMPTY_SHA256,
        body: Callable[[], bytes | _SpooledBody] = lambda: b"",
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """The first answer that is not to be retried (2xx, 3xx, 4xx but 429).

        ``body`` gives each attempt its body, whose SHA-256 is ``body_sha256``.
        Raises ``ExchangeError`` when every attempt failed, or when ``Retry-After``
        asks for more than ``MAX_RETRY_AFTER``. Messages carry no secrets."""
        failure = ""
        with requests.Session() as session:
            for attempt in range(1, self.attempts + 1):
                response, failure, wait = self._attempt(
                    session, method, path, body_sha256=body_sha256, body=body, headers=headers
                )
                if response is not None:
                    return response
                delay = max(self.backoff * 2 ** (attempt - 1), wait)
                if attempt < self.attempts:
                    logger.warning(
                        "Billing system %s %s: %s; attempt %d of %d in %.1f s.",
                        method,
                        path,
                        failure,
                        attempt + 1,
                        self.attempts,
                        delay,
                    )
                    if delay:
                        time.sleep(delay)
        raise ExchangeError(
            f"Billing system {method} {path}: gave up after {self.attempts} attempts "
            f"(last: {failure})."
        )

    def _attempt(
        self,
        session: requests.Session,
        method: str,
        path: str,
        *,
        body_sha256: str,
        body: Callable[[], bytes | _SpooledBody],
        headers: Mapping[str, str] | None,
    ) -> tuple[requests.Response | None, str, float]:
        """One signed request: ``(answer, "", 0)`` when it is not to be retried,
        else ``(None, why, seconds Retry-After asks for or 0)``. Raises
        ``ExchangeError`` on a request that cannot succeed, or when
        ``Retry-After`` asks for more than ``MAX_RETRY_AFTER``."""
        url = self.url + path
        try:
            response = session.request(
                method,
                url,
                data=body(),
                headers={
                    **(headers or {}),
                    **self._signature(method, _wire_path(url), body_sha256),
                },
                timeout=self.timeout,
                allow_redirects=False,  # a redirect would take the request elsewhere
            )
        except _NETWORK_ERRORS as exc:
            return None, type(exc).__name__, 0.0
        except requests.RequestException as exc:
            raise ExchangeError(f"Billing system {method} {path}: {type(exc).__name__}") from exc
        if not _retryable(response.status_code):
            return response, "", 0.0
        failure = f"HTTP {response.status_code}"
        wait = _retry_after(response)
        if wait is not None and wait > MAX_RETRY_AFTER:
            raise ExchangeError(
                f"Billing system {method} {path}: {failure}, asked to retry after {wait:.0f} s."
            )
        return None, failure, wait or 0.0


def _contract_info(number: str, payload: dict[str, Any]) -> ContractInfo:
    """The contract in ``payload``; raises ``ExchangeError`` unless it is well formed
    and names ``number``."""
    try:
        status, holder = payload["status"], payload["holder"]
        if payload["number"] != number or status not in CONTRACT_STATUSES:
            raise ValueError("another contract or an unknown status")
        return ContractInfo(
            number=number,
            status=status,
            holder=_typed(holder, str),
            last_bill_amount=_optional(payload, "last_bill_amount", _amount),
            supply_address=_optional(payload, "supply_address", lambda v: _typed(v, str)),
            postal_code=_optional(payload, "postal_code", lambda v: _typed(v, str)),
            billing_period_months=_optional(
                payload, "billing_period_months", lambda v: _typed(v, int)
            ),
            next_cutoff=_optional(payload, "next_cutoff", lambda v: date.fromisoformat(v)),
            has_unpaid_bills=_optional(payload, "has_unpaid_bills", lambda v: _typed(v, bool)),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ExchangeError("The billing system's contract answer is malformed.") from exc


def _typed(value: Any, kind: type[T]) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}")
    return value


def _optional(payload: dict[str, Any], name: str, parse: Callable[[Any], T]) -> T | None:
    value = payload.get(name)
    return None if value is None else parse(value)


def _amount(value: Any) -> Decimal:
    amount = Decimal(_typed(value, str))  # a decimal string, never a float
    if not amount.is_finite():
        raise ValueError("not a finite amount")
    return amount
