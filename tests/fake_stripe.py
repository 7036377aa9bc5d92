"""An in-process fake of the parts of the Stripe API the card payment method uses.

It is a real HTTP server on 127.0.0.1, so the real ``stripe`` SDK talks to it over
the wire (form-encoded requests, JSON answers, Stripe's error bodies and status
codes) and every network failure mode can be injected::

    fake = FakeStripe().start()
    client = fake.client(timeout=1)  # or stripe.StripeClient(..., base_addresses={"api": fake.url})
    intent = client.v1.payment_intents.create({"amount": 1234, "currency": "eur"})
    fake.succeed(intent.id)  # the shopper completed Stripe.js
    fake.timeout_next(1, after_processing=True, path="/v1/refunds")
    fake.stop()

Endpoints: ``POST /v1/payment_intents``, ``GET|POST /v1/payment_intents/{id}``,
``POST /v1/payment_intents/{id}/confirm``, ``POST /v1/payment_intents/{id}/cancel``,
``POST /v1/refunds``, ``GET /v1/refunds/{id}``, ``GET /v1/charges/{id}``.

Deliberate simplifications (the fake is stricter than Stripe where they differ):

* every update of a succeeded or canceled intent is refused (Stripe still lets
  metadata and description change), and unknown parameters are refused;
* an injected failure (:meth:`FakeStripe.fail_next`, :meth:`FakeStripe.timeout_next`
  before processing, :meth:`FakeStripe.reset_next`) never reaches the "API", so
  nothing is stored under the idempotency key and a retry with the same key runs
  (:meth:`FakeStripe.slow_next` only delays the request, which then runs);
* only automatic capture, one charge per successful intent, no customers.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Literal, NoReturn
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    import stripe

API_VERSION = "2026-10-28.endive"  # stripe-python 16.1's pinned version
WEBHOOK_SECRET = "whsec_test"  # what the ``stripe_settings`` fixture configures

Json = dict[str, Any]
FaultKind = Literal["fail", "timeout", "reset", "slow"]

# Test payment methods (https://docs.stripe.com/testing#cards) -> outcome of confirm.
SUCCEEDING_PAYMENT_METHODS = frozenset(
    {
        "pm_card_visa",
        "pm_card_visa_debit",
        "pm_card_mastercard",
        "pm_card_amex",
        "pm_card_bypassPending",
        "pm_card_threeDSecureOptional",
    }
)
ACTION_PAYMENT_METHODS = frozenset(
    {
        "pm_card_threeDSecure2Required",
        "pm_card_threeDSecureRequired",
        "pm_card_authenticationRequired",
    }
)
# payment method -> (code, decline_code, message)
DECLINING_PAYMENT_METHODS: dict[str, tuple[str, str | None, str]] = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "pm_card_chargeDeclinedFraudulent": ("card_declined", "fraudulent", "Your card was declined."),
    "pm_card_chargeDeclinedLostCard": ("card_declined", "lost_card", "Your card was declined."),
    "pm_card_chargeDeclinedStolenCard": ("card_declined", "stolen_card", "Your card was declined."),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", None, "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": (
        "incorrect_cvc",
        None,
        "Your card's security code is incorrect.",
    ),
    "pm_card_chargeDeclinedProcessingError": (
        "processing_error",
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}
_PI = "payment_intent"
MINIMUM_AMOUNTS = {"eur": 50, "usd": 50, "chf": 50, "gbp": 30}
UPDATABLE_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE_STATUSES = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")

_CREATE_PARAMS = frozenset(
    {
        "amount",
        "currency",
        "metadata",
        "automatic_payment_methods",
        "description",
        "receipt_email",
        "payment_method",
        "payment_method_types",
        "confirm",
        "return_url",
        "statement_descriptor_suffix",
        "expand",
    }
)
_UPDATE_PARAMS = frozenset(
    {"amount", "currency", "metadata", "description", "receipt_email", "payment_method", "expand"}
)
_CONFIRM_PARAMS = frozenset({"payment_method", "return_url", "receipt_email", "expand"})
_CANCEL_PARAMS = frozenset({"cancellation_reason", "expand"})
_REFUND_PARAMS = frozenset({"payment_intent", "charge", "amount", "reason", "metadata", "expand"})


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header value for ``payload``, as Stripe signs webhooks.

    Verifies with ``stripe.Webhook.construct_event(payload, header, secret)``.
    """
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.{payload.decode('utf-8')}".encode()
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class StripeApiError(Exception):
    """Raised inside a handler; becomes Stripe's ``{"error": {...}}`` answer."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: Json | None = None,
        store: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.store = store  # saved under the idempotency key (not for validation errors)
        self.error: Json = {"type": type, "message": message}
        if code is not None:
            self.error["code"] = code
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if decline_code is not None:
            self.error["decline_code"] = decline_code
        if param is not None:
            self.error["param"] = param
        self.error.update(extra or {})


def _invalid(message: str, *, code: str, param: str | None = None, store: bool = False) -> NoReturn:
    raise StripeApiError(400, message, code=code, param=param, store=store)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: Json
    idempotency_key: str | None
    headers: dict[str, str]


@dataclass
class Fault:
    kind: FaultKind
    remaining: int
    path: str = "/"
    method: str | None = None
    status: int = 500
    after_processing: bool = False
    seconds: float = 3.0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.remaining > 0
            and path.startswith(self.path)
            and (self.method is None or self.method.upper() == method)
        )


@dataclass
class _Stored:
    method: str
    path: str
    params: Json
    status: int
    body: bytes


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _parse_form(pairs: list[tuple[str, str]]) -> Json:
    """``a[b][0]=x`` pairs -> nested dicts; dicts keyed ``0..n-1`` become lists."""
    root: Json = {}
    for key, value in pairs:
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        if match is None:
            _invalid(f"Invalid parameter name: {key}", code="parameter_unknown", param=key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Json) -> Json:
    for key, value in node.items():
        if isinstance(value, dict):
            value = _listify(value)
            if value and all(k.isdigit() for k in value):
                node[key] = [value[k] for k in sorted(value, key=int)]
            else:
                node[key] = value
    return node


def _int_param(params: Json, name: str, *, required: bool = False) -> int | None:
    raw = params.get(name)
    if raw is None:
        if required:
            _invalid(f"Missing required param: {name}.", code="parameter_missing", param=name)
        return None
    if not isinstance(raw, str) or not re.fullmatch(r"-?\d+", raw):
        _invalid(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=name)
    return int(raw)


def _bool_param(params: Json, name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        _invalid(f"Invalid boolean: {raw}", code="parameter_invalid_boolean", param=name)
    return bool(raw == "true")


def _check_unknown(params: Json, allowed: frozenset[str]) -> None:
    for name in params:
        if name not in allowed:
            _invalid(f"Received unknown parameter: {name}", code="parameter_unknown", param=name)


def _apply_metadata(target: Json, raw: Any) -> None:
    """Stripe semantics: keys merge, ``metadata[k]=""`` unsets k, ``metadata=""`` clears."""
    if raw is None:
        return
    if raw == "":
        target["metadata"] = {}
        return
    if not isinstance(raw, dict):
        _invalid("Invalid object", code="parameter_invalid_empty", param="metadata")
    metadata = dict(target.get("metadata") or {})
    for key, value in raw.items():
        if not isinstance(value, str):
            _invalid("Invalid metadata value", code="parameter_invalid_string", param="metadata")
        if len(key) > 40 or len(value) > 500:
            _invalid(
                "Metadata keys are limited to 40 characters and values to 500.",
                code="parameter_invalid_string_size",
                param=f"metadata[{key}]",
            )
        if value == "":
            metadata.pop(key, None)
        else:
            metadata[key] = value
    if len(metadata) > 50:
        _invalid("Metadata is limited to 50 keys.", code="parameter_invalid", param="metadata")
    target["metadata"] = metadata


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeStripe


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: no stale keep-alive sockets
    timeout = 10  # a silent client cannot hold stop() (which joins handler threads) for long

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_DELETE(self) -> None:
        self.server.fake._handle(self)

    def send_answer(self, answer: _Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Request-Id", _new_id("req"))
        self.send_header("Stripe-Version", API_VERSION)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def drop(self, *, reset: bool) -> None:
        """Close the connection without a word; ``reset`` sends a TCP RST."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


class FakeStripe:
    """A fake Stripe API server. ``start()`` it, point the SDK at ``url``, ``stop()`` it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._clients: list[Any] = []
        self.url = ""
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.name = f"fake-stripe-{port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in an injected timeout
        for http_client in self._clients:
            http_client.close()
        self._clients.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget all objects, requests, idempotency keys and pending faults."""
        with self._lock:
            self._intents: dict[str, Json] = {}
            self._charges: dict[str, Json] = {}
            self._refunds: dict[str, Json] = {}
            self._events: list[Json] = []
            self._requests: list[RecordedRequest] = []
            self._idempotency: dict[str, _Stored] = {}
            self._faults: list[Fault] = []
            self.idempotent_replays = 0
            self.errors: list[BaseException] = []  # bugs in the fake itself (answered 500)

    def client(self, *, timeout: float = 1.0, api_key: str = "sk_test_fake") -> stripe.StripeClient:
        """A real SDK client pointed here (no retries, requests-based, closed on stop())."""
        import stripe

        http_client = stripe.RequestsClient(timeout=timeout)
        self._clients.append(http_client)
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": self.url},
            max_network_retries=0,
            http_client=http_client,
        )

    # -- read access ---------------------------------------------------------------------------

    def intent(self, intent_id: str) -> Json:
        with self._lock:
            return copy.deepcopy(self._intents[intent_id])

    def charge(self, charge_id: str) -> Json:
        with self._lock:
            return copy.deepcopy(self._charges[charge_id])

    @property
    def intents(self) -> dict[str, Json]:
        with self._lock:
            return copy.deepcopy(self._intents)

    @property
    def charges(self) -> dict[str, Json]:
        with self._lock:
            return copy.deepcopy(self._charges)

    @property
    def refunds(self) -> dict[str, Json]:
        with self._lock:
            return copy.deepcopy(self._refunds)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path starts with ``path`` (and of ``method``, if given)."""
        return [
            r
            for r in self.requests
            if r.path.startswith(path) and (method is None or r.method == method.upper())
        ]

    @property
    def events(self) -> list[Json]:
        """Every event the fake's state changes would have sent, oldest first."""
        with self._lock:
            return copy.deepcopy(self._events)

    # -- test helpers: what happens in the shopper's browser / at Stripe -----------------------

    def succeed(self, intent_id: str, payment_method: str = "pm_card_visa") -> Json:
        """The shopper completed Stripe.js: the intent succeeded and was charged."""
        with self._lock:
            intent = self._get_intent(intent_id, helper=True)
            self._require_status(intent, UPDATABLE_STATUSES, "confirm", helper=True)
            self._charge_succeeded(intent, payment_method)
            return copy.deepcopy(intent)

    def require_action(self, intent_id: str) -> Json:
        """The card asks for 3-D Secure: the intent waits in ``requires_action``."""
        with self._lock:
            intent = self._get_intent(intent_id, helper=True)
            self._require_status(intent, UPDATABLE_STATUSES, "confirm", helper=True)
            self._action_required(intent, "pm_card_threeDSecure2Required")
            return copy.deepcopy(intent)

    def fail(
        self,
        intent_id: str,
        code: str = "card_declined",
        decline_code: str | None = "generic_decline",
        message: str = "Your card was declined.",
    ) -> Json:
        """The payment attempt failed (``payment_intent.payment_failed``)."""
        with self._lock:
            intent = self._get_intent(intent_id, helper=True)
            self._require_status(intent, UPDATABLE_STATUSES, "confirm", helper=True)
            self._charge_failed(intent, "pm_card_chargeDeclined", code, decline_code, message)
            return copy.deepcopy(intent)

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self, n: int = 1, *, status: int = 500, path: str = "/", method: str | None = None
    ) -> None:
        """The next ``n`` matching requests get ``status`` (5xx: ``api_error``), unprocessed."""
        self._add_fault(Fault("fail", n, path, method, status=status))

    def timeout_next(
        self,
        n: int = 1,
        *,
        after_processing: bool = False,
        seconds: float = 3.0,
        path: str = "/",
        method: str | None = None,
    ) -> None:
        """The next ``n`` matching requests hang for ``seconds``, then the socket closes.

        With ``after_processing`` the request is carried out (and its answer stored under
        its idempotency key) before the hang: Stripe charged, the client timed out.
        """
        self._add_fault(
            Fault("timeout", n, path, method, after_processing=after_processing, seconds=seconds)
        )

    def slow_next(
        self, n: int = 1, *, seconds: float = 0.5, path: str = "/", method: str | None = None
    ) -> None:
        """The next ``n`` matching requests wait ``seconds`` before they are carried
        out and answered as usual: a slow Stripe, so that parallel callers overlap."""
        self._add_fault(Fault("slow", n, path, method, seconds=seconds))

    def reset_next(self, n: int = 1, *, path: str = "/", method: str | None = None) -> None:
        """The next ``n`` matching requests get a TCP reset instead of an answer, unprocessed."""
        self._add_fault(Fault("reset", n, path, method))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    taken = copy.copy(fault)
                    self._faults = [f for f in self._faults if f.remaining > 0]
                    return taken
        return None

    # -- webhooks ------------------------------------------------------------------------------

    def event(self, type: str, obj: Json) -> Json:
        """A Stripe event envelope around ``obj`` (not recorded in :attr:`events`)."""
        return {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type,
        }

    sign = staticmethod(sign)

    def webhook(self, type: str, obj: Json, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
        """``(payload, Stripe-Signature header)`` for an event of ``type`` about ``obj``."""
        payload = json.dumps(self.event(type, obj)).encode()
        return payload, sign(payload, secret)

    def webhook_payloads_for(self, intent_id: str) -> list[Json]:
        """Events so far about the intent, its charges and refunds, oldest first."""
        return [
            e
            for e in self.events
            if intent_id in (e["data"]["object"].get("id"), e["data"]["object"].get(_PI))
        ]

    def _emit(self, type: str, obj: Json) -> None:
        self._events.append(self.event(type, obj))

    # -- HTTP plumbing -------------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        method = handler.command.upper()
        split = urlsplit(handler.path)
        path = unquote(split.path)
        try:
            if method == "GET":
                pairs = parse_qsl(split.query, keep_blank_values=True)
            else:
                length = int(handler.headers.get("Content-Length") or 0)
                body = handler.rfile.read(length).decode("utf-8") if length else ""
                pairs = parse_qsl(body, keep_blank_values=True)
            params = _parse_form(pairs)
        except StripeApiError as exc:
            handler.send_answer(_error_answer(exc))
            return
        key = handler.headers.get("Idempotency-Key") if method == "POST" else None
        with self._lock:
            self._requests.append(
                RecordedRequest(method, path, params, key, dict(handler.headers.items()))
            )

        fault = self._take_fault(method, path)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "reset":
            handler.drop(reset=True)
            return
        if fault is not None and fault.kind == "fail":
            kind = "api_error" if fault.status >= 500 else "invalid_request_error"
            message = f"Injected failure (HTTP {fault.status}) by FakeStripe."
            handler.send_answer(
                _error_answer(StripeApiError(fault.status, message, type=kind, store=False))
            )
            return
        if fault is not None and not fault.after_processing:
            self._stopping.wait(fault.seconds)
            handler.drop(reset=False)
            return

        answer = self._process(method, path, params, key, handler.headers.get("Authorization"))
        if fault is not None:  # timeout after processing
            self._stopping.wait(fault.seconds)
            handler.drop(reset=False)
            return
        handler.send_answer(answer)

    def _process(
        self, method: str, path: str, params: Json, key: str | None, authorization: str | None
    ) -> _Answer:
        if not (authorization or "").startswith(("Bearer sk_test_", "Bearer rk_test_")):
            return _error_answer(
                StripeApiError(
                    401,
                    "Invalid API Key provided: the fake wants a Bearer sk_test_... key.",
                    store=False,
                )
            )
        with self._lock:
            if key is not None and key in self._idempotency:
                stored = self._idempotency[key]
                if (stored.method, stored.path, stored.params) != (method, path, params):
                    return _error_answer(
                        StripeApiError(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                            type="idempotency_error",
                            store=False,
                        )
                    )
                self.idempotent_replays += 1
                return _Answer(
                    stored.status,
                    stored.body,
                    {"Idempotent-Replayed": "true", "Idempotency-Key": key},
                )
            try:
                status, body = 200, self._dispatch(method, path, params)
                store = True
            except StripeApiError as exc:
                status, body, store = exc.status, {"error": exc.error}, exc.store
            except Exception as exc:  # a bug in the fake: answer like Stripe would
                self.errors.append(exc)
                status, store = 500, False
                body = {"error": {"type": "api_error", "message": repr(exc)}}
            raw = json.dumps(body).encode()
            if key is not None and store:
                self._idempotency[key] = _Stored(method, path, params, status, raw)
            headers = {"Idempotency-Key": key} if key else {}
            return _Answer(status, raw, headers)

    _ROUTES: list[tuple[str, str, str]] = [
        ("POST", r"/v1/payment_intents", "_create_intent"),
        ("GET", r"/v1/payment_intents/([^/]+)", "_retrieve_intent"),
        ("POST", r"/v1/payment_intents/([^/]+)", "_update_intent"),
        ("POST", r"/v1/payment_intents/([^/]+)/confirm", "_confirm_intent"),
        ("POST", r"/v1/payment_intents/([^/]+)/cancel", "_cancel_intent"),
        ("POST", r"/v1/refunds", "_create_refund"),
        ("GET", r"/v1/refunds/([^/]+)", "_retrieve_refund"),
        ("GET", r"/v1/charges/([^/]+)", "_retrieve_charge"),
    ]

    def _dispatch(self, method: str, path: str, params: Json) -> Json:
        for route_method, pattern, name in self._ROUTES:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                handler: Callable[..., Json] = getattr(self, name)
                result = handler(params, *match.groups())
                return self._expand(copy.deepcopy(result), params.get("expand"))
        raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).", store=False)

    def _expand(self, obj: Json, expand: Any) -> Json:
        fields = expand if isinstance(expand, list) else []
        if "latest_charge" in fields and isinstance(obj.get("latest_charge"), str):
            obj["latest_charge"] = copy.deepcopy(self._charges[obj["latest_charge"]])
        if "payment_intent" in fields and isinstance(obj.get("payment_intent"), str):
            obj["payment_intent"] = copy.deepcopy(self._intents[obj["payment_intent"]])
        return obj

    # -- payment intents -----------------------------------------------------------------------

    def _get_intent(self, intent_id: str, *, helper: bool = False) -> Json:
        try:
            return self._intents[intent_id]
        except KeyError:
            if helper:
                raise KeyError(f"FakeStripe has no payment intent {intent_id}") from None
            raise StripeApiError(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="intent",
            ) from None

    def _require_status(
        self, intent: Json, allowed: tuple[str, ...], action: str, *, helper: bool = False
    ) -> None:
        if intent["status"] in allowed:
            return
        message = (
            f"You cannot {action} this PaymentIntent because it has a status of "
            f"{intent['status']}. This is only possible with one of the following statuses: "
            f"{', '.join(allowed)}."
        )
        if helper:
            raise ValueError(message)
        raise StripeApiError(
            400,
            message,
            code="payment_intent_unexpected_state",
            extra={"payment_intent": copy.deepcopy(intent)},
        )

    def _amount(self, params: Json, currency: str, *, required: bool) -> int | None:
        amount = _int_param(params, "amount", required=required)
        if amount is None:
            return None
        minimum = MINIMUM_AMOUNTS.get(currency, 1)
        if amount < minimum:
            _invalid(
                f"Amount must be at least {minimum} {currency}",
                code="amount_too_small",
                param="amount",
            )
        if amount > 99_999_999:
            _invalid(
                "Amount must be no more than 99999999.", code="amount_too_large", param="amount"
            )
        return amount

    def _currency(self, params: Json, *, required: bool) -> str | None:
        name = "currency"
        raw = params.get(name)
        if raw is None:
            if required:
                _invalid("Missing required param: currency.", code="parameter_missing", param=name)
            return None
        if not isinstance(raw, str) or not re.fullmatch(r"[A-Za-z]{3}", raw):
            _invalid(f"Invalid currency: {raw}.", code="parameter_invalid_string", param="currency")
        return str(raw).lower()

    def _create_intent(self, params: Json) -> Json:
        _check_unknown(params, _CREATE_PARAMS)
        currency = self._currency(params, required=True)
        assert currency is not None
        amount = self._amount(params, currency, required=True)
        intent_id = _new_id("pi")
        intent: Json = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "automatic_payment_methods": None,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": currency,
            "customer": None,
            "description": params.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": {},
            "next_action": None,
            "payment_method": None,
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "receipt_email": params.get("receipt_email"),
            "statement_descriptor_suffix": params.get("statement_descriptor_suffix"),
            "status": "requires_payment_method",
        }
        apm = params.get("automatic_payment_methods")
        if apm is not None:
            if not isinstance(apm, dict) or _bool_param(apm, "enabled") is None:
                _invalid(
                    "Missing required param: automatic_payment_methods[enabled].",
                    code="parameter_missing",
                    param="automatic_payment_methods[enabled]",
                )
            intent["automatic_payment_methods"] = {
                "enabled": _bool_param(apm, "enabled"),
                "allow_redirects": apm.get("allow_redirects", "always"),
            }
        _apply_metadata(intent, params.get("metadata"))
        if params.get("payment_method"):
            intent["payment_method"] = params["payment_method"]
            intent["status"] = "requires_confirmation"
        self._intents[intent_id] = intent
        self._emit("payment_intent.created", intent)
        if _bool_param(params, "confirm"):
            return self._confirm_intent({}, intent_id)
        return intent

    def _retrieve_intent(self, params: Json, intent_id: str) -> Json:
        _check_unknown(params, frozenset({"client_secret", "expand"}))
        return self._get_intent(intent_id)

    def _update_intent(self, params: Json, intent_id: str) -> Json:
        _check_unknown(params, _UPDATE_PARAMS)
        intent = self._get_intent(intent_id)
        self._require_status(intent, UPDATABLE_STATUSES, "update")
        currency = self._currency(params, required=False) or intent["currency"]
        amount = self._amount(params, currency, required=False)
        changed = (amount is not None and amount != intent["amount"]) or currency != intent[
            "currency"
        ]
        if amount is not None:
            intent["amount"] = amount
        intent["currency"] = currency
        for name in ("description", "receipt_email"):
            if name in params:
                intent[name] = params[name] or None
        _apply_metadata(intent, params.get("metadata"))
        if params.get("payment_method"):
            intent["payment_method"] = params["payment_method"]
            intent["status"] = "requires_confirmation"
        elif changed and intent["status"] == "requires_action":
            intent["status"] = "requires_confirmation"  # the authentication was for the old amount
            intent["next_action"] = None
        return intent

    def _confirm_intent(self, params: Json, intent_id: str) -> Json:
        _check_unknown(params, _CONFIRM_PARAMS)
        intent = self._get_intent(intent_id)
        self._require_status(intent, UPDATABLE_STATUSES, "confirm")
        if "receipt_email" in params:
            intent["receipt_email"] = params["receipt_email"] or None
        payment_method = params.get("payment_method") or intent["payment_method"]
        if not payment_method:
            raise StripeApiError(
                400,
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                code="payment_intent_unexpected_state",
                extra={"payment_intent": copy.deepcopy(intent)},
            )
        if payment_method in SUCCEEDING_PAYMENT_METHODS:
            self._charge_succeeded(intent, payment_method)
        elif payment_method in ACTION_PAYMENT_METHODS:
            self._action_required(intent, payment_method)
        elif payment_method in DECLINING_PAYMENT_METHODS:
            code, decline_code, message = DECLINING_PAYMENT_METHODS[payment_method]
            error = self._charge_failed(intent, payment_method, code, decline_code, message)
            raise StripeApiError(
                402,
                message,
                type="card_error",
                code=code,
                decline_code=decline_code,
                extra={
                    "charge": error["charge"],
                    "payment_method": error["payment_method"],
                    "payment_intent": copy.deepcopy(intent),
                },
            )
        else:
            raise StripeApiError(
                400,
                f"No such PaymentMethod: '{payment_method}'",
                code="resource_missing",
                param="payment_method",
            )
        return intent

    def _cancel_intent(self, params: Json, intent_id: str) -> Json:
        _check_unknown(params, _CANCEL_PARAMS)
        intent = self._get_intent(intent_id)
        reason = params.get("cancellation_reason")
        if reason is not None and reason not in CANCELLATION_REASONS:
            _invalid(
                f"Invalid cancellation_reason: must be one of {', '.join(CANCELLATION_REASONS)}",
                code="parameter_invalid_string",
                param="cancellation_reason",
            )
        if intent["status"] not in CANCELABLE_STATUSES:
            raise StripeApiError(
                400,
                f"You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                f"may be canceled: {', '.join(CANCELABLE_STATUSES)}.",
                code="payment_intent_unexpected_state",
                extra={"payment_intent": copy.deepcopy(intent)},
            )
        intent.update(
            status="canceled",
            canceled_at=int(time.time()),
            cancellation_reason=reason,
            next_action=None,
        )
        self._emit("payment_intent.canceled", intent)
        return intent

    # -- state transitions shared by the API and the helpers ------------------------------------

    def _new_charge(self, intent: Json, payment_method: str, status: str) -> Json:
        succeeded = status == "succeeded"
        charge: Json = {
            "id": _new_id("ch"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"] if succeeded else 0,
            "amount_refunded": 0,
            "captured": succeeded,
            "created": int(time.time()),
            "currency": intent["currency"],
            "failure_code": None,
            "failure_message": None,
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "paid": succeeded,
            "payment_intent": intent["id"],
            "payment_method": payment_method,
            "refunded": False,
            "status": status,
        }
        self._charges[charge["id"]] = charge
        intent["latest_charge"] = charge["id"]
        return charge

    def _charge_succeeded(self, intent: Json, payment_method: str) -> None:
        charge = self._new_charge(intent, payment_method, "succeeded")
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            payment_method=payment_method,
            last_payment_error=None,
            next_action=None,
        )
        self._emit("charge.succeeded", charge)
        self._emit("payment_intent.succeeded", intent)

    def _action_required(self, intent: Json, payment_method: str) -> None:
        intent.update(
            status="requires_action",
            payment_method=payment_method,
            next_action={
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {
                    "type": "three_d_secure_redirect",
                    "stripe_js": f"https://hooks.stripe.com/3d_secure_2/hosted?intent={intent['id']}",
                },
            },
        )
        self._emit("payment_intent.requires_action", intent)

    def _charge_failed(
        self,
        intent: Json,
        payment_method: str,
        code: str,
        decline_code: str | None,
        message: str,
    ) -> Json:
        charge = self._new_charge(intent, payment_method, "failed")
        charge.update(failure_code=code, failure_message=message)
        error: Json = {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code,
            "message": message,
            "charge": charge["id"],
            "payment_method": {"id": payment_method, "object": "payment_method", "type": "card"},
        }
        intent.update(
            status="requires_payment_method",
            payment_method=None,
            next_action=None,
            last_payment_error=error,
        )
        self._emit("charge.failed", charge)
        self._emit("payment_intent.payment_failed", intent)
        return error

    # -- refunds and charges -------------------------------------------------------------------

    def _create_refund(self, params: Json) -> Json:
        _check_unknown(params, _REFUND_PARAMS)
        if params.get("payment_intent"):
            intent = self._get_intent(params["payment_intent"])
            charge_id = intent["latest_charge"]
            if intent["status"] != "succeeded" or charge_id is None:
                raise StripeApiError(
                    400,
                    f"This PaymentIntent ({intent['id']}) does not have a successful charge "
                    "to refund.",
                    code="payment_intent_unexpected_state",
                    param="payment_intent",
                )
        elif params.get("charge"):
            charge_id = params["charge"]
            if charge_id not in self._charges:
                raise StripeApiError(
                    404, f"No such charge: '{charge_id}'", code="resource_missing", param="charge"
                )
        else:
            _invalid(
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        charge = self._charges[charge_id]
        reason = params.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            _invalid(
                f"Invalid reason: must be one of {', '.join(REFUND_REASONS)}",
                code="parameter_invalid_string",
                param="reason",
            )
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeApiError(
                400,
                f"Charge {charge_id} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = _int_param(params, "amount")
        if amount is None:
            amount = remaining
        if amount <= 0:
            _invalid("Refund amount must be positive.", code="parameter_invalid_integer")
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount ({amount} {charge['currency']}) is greater than unrefunded "
                f"amount on charge ({remaining} {charge['currency']})",
                code="amount_too_large",
                param="amount",
            )
        refund: Json = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "charge": charge_id,
            "created": int(time.time()),
            "currency": charge["currency"],
            "metadata": {},
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "status": "succeeded",
        }
        _apply_metadata(refund, params.get("metadata"))
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        self._refunds[refund["id"]] = refund
        self._emit("refund.created", refund)
        self._emit("charge.refunded", charge)
        return refund

    def _retrieve_refund(self, params: Json, refund_id: str) -> Json:
        _check_unknown(params, frozenset({"expand"}))
        try:
            return self._refunds[refund_id]
        except KeyError:
            raise StripeApiError(
                404, f"No such refund: '{refund_id}'", code="resource_missing", param="id"
            ) from None

    def _retrieve_charge(self, params: Json, charge_id: str) -> Json:
        _check_unknown(params, frozenset({"expand"}))
        try:
            return self._charges[charge_id]
        except KeyError:
            raise StripeApiError(
                404, f"No such charge: '{charge_id}'", code="resource_missing", param="id"
            ) from None


def _error_answer(exc: StripeApiError) -> _Answer:
    return _Answer(exc.status, json.dumps({"error": exc.error}).encode())
