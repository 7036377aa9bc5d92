"""Idempotency keys of payments and of their ledger rows, built and read here only.

A payment's key names its checkout, its method and which attempt of that
checkout it is. Every other key extends it, so a key read back (from the
ledger, from Stripe's refund metadata) says which payment it belongs to::

    checkout:<token>:<method>:<attempt>            Payment.idempotency_key
    checkout:<token>:<method>:<attempt>:v<version> a start, sent to the provider
    checkout:<token>:<method>:<attempt>:charge     the charge's ledger row
    checkout:<token>:<method>:<attempt>:refund:<reason>
                                                   a refund's ledger row, also sent
                                                   to the provider

A refund's reason is one of :class:`RefundReason` (the shop giving the whole
payment back) or ``staff:<caller's key>:<n>``, the n-th payment's part of a
refund staff asked for with their own key (a claim's refunds use
:func:`claim_refund_key`). The formats are stored in the
ledger and at the providers: changing one repeats money already moved.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

_PREFIX = "checkout"
_CHARGE = "charge"
_REFUND = "refund"
_STAFF = "staff"


class RefundReason(enum.StrEnum):
    """Why the shop gives a whole payment back (one refund per payment and reason)."""

    SUPERSEDED = "superseded"  # the checkout was paid again, or the cart changed
    UNPLACED = "unplaced"  # paid, but the order could not be placed
    CANCELLED = "cancel"  # the order was cancelled


def payment_key(*, checkout_token: uuid.UUID | str, method: str, attempt: int) -> str:
    """The key of the ``attempt``-th payment (from 1) of a checkout."""
    if ":" in method or attempt < 1:
        raise ValueError(f"No payment key for method {method!r}, attempt {attempt}.")
    return f"{_PREFIX}:{checkout_token}:{method}:{attempt}"


def start_key(payment_key: str, *, checkout_version: int) -> str:
    """The key of starting a payment for one version of its checkout: a start
    repeated for the same version is the same call at the provider."""
    return f"{payment_key}:v{checkout_version}"


def charge_key(payment_key: str) -> str:
    return f"{payment_key}:{_CHARGE}"


def refund_key(payment_key: str, reason: str) -> str:
    """The ledger (and provider) key of refunding a payment for ``reason``: a
    :class:`RefundReason` or a :func:`staff_reason`."""
    return f"{payment_key}:{_REFUND}:{reason}"


def staff_reason(caller_key: str, index: int) -> str:
    """The reason of the ``index``-th payment's part (from 0) of a refund staff
    asked for under ``caller_key``."""
    return f"{_STAFF}:{caller_key}:{index}"


def claim_refund_key(claim_id: int, attempt: int) -> str:
    """The caller's key of the ``attempt``-th refund (from 0) resolving a claim."""
    return f"claim-{claim_id}-{attempt}"


def claim_refunds_containing(claim_id: int) -> str:
    """What the ledger key of every refund resolving the claim contains (for
    ``idempotency_key__contains``); the trailing dash keeps claim 1 from matching 12."""
    return f":{_REFUND}:{_STAFF}:claim-{claim_id}-"


@dataclass(frozen=True)
class ParsedKey:
    """A key read back: the payment it belongs to and what it was for."""

    checkout_token: str
    method: str
    attempt: int
    kind: str  # "payment", "start", "charge" or "refund"
    checkout_version: int | None = None  # of a start
    reason: str = ""  # of a refund

    @property
    def payment_key(self) -> str:
        return payment_key(
            checkout_token=self.checkout_token, method=self.method, attempt=self.attempt
        )

    @property
    def staff_key(self) -> str | None:
        """The caller's key of a staff refund, else None."""
        prefix, _sep, rest = self.reason.partition(":")
        if prefix != _STAFF or ":" not in rest:
            return None
        return rest.rsplit(":", 1)[0]


def parse(key: str) -> ParsedKey:
    """Read a key built by this module; ``ValueError`` for any other string."""
    parts = key.split(":", 4)
    if len(parts) < 4 or parts[0] != _PREFIX or not parts[3].isdigit():
        raise ValueError(f"Not a payment key: {key!r}.")
    tail = parts[4] if len(parts) == 5 else None
    kind, version, reason = "payment", None, ""
    if tail == _CHARGE:
        kind = "charge"
    elif tail and tail.startswith("v") and tail[1:].isdigit():
        kind, version = "start", int(tail[1:])
    elif tail is not None:
        prefix, _sep, reason = tail.partition(":")
        if prefix != _REFUND or not reason:
            raise ValueError(f"Not a payment key: {key!r}.")
        kind = "refund"
    return ParsedKey(parts[1], parts[2], int(parts[3]), kind, version, reason)
