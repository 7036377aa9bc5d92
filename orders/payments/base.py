"""The payment interface. The orders app knows payment methods only through it.

A method is a small class named in ``settings.SHOP_PAYMENT_METHODS`` (alias ->
dotted path) and loaded once by :func:`orders.payments.get_payment_methods`.
The shop stores a ``Payment`` row, with its idempotency key, *before* calling
``start``; it records money that moved in the payment ledger itself, from what
``confirm`` and ``refund`` return. Methods never write orders or the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from orders.models import Checkout, Payment


class PaymentError(Exception):
    """A payment method could not do what was asked."""


class PaymentDeclined(PaymentError):
    """Refused by the provider or the method's rules; the message is safe to show."""


class GatewayUnavailable(PaymentError):
    """The provider did not answer (time-out, 5xx, reset): retry with the same key."""


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str = ""  # translated, shown to the shopper when not eligible
    # Where a refusal points: the method itself, or one of the shopper's choices
    # ("installments", "waterContract"); ``code`` is a ``CheckoutErrorCode`` value
    # ("" means PAYMENT_METHOD_NOT_AVAILABLE).
    field: str = "method"
    code: str = ""

    @classmethod
    def ok(cls) -> Eligibility:
        return cls(True)


@dataclass(frozen=True)
class PaymentSession:
    """What a storefront needs to go on paying (e.g. a client secret for Stripe.js)."""

    status: str  # a ``Payment.Status`` value
    psp_reference: str = ""
    client_data: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # kept on the Payment row


@dataclass(frozen=True)
class Refund:
    status: str  # a ``PaymentTransaction.Status`` value
    psp_reference: str = ""
    message: str = ""


class PaymentMethod:
    """One way to pay. Subclasses set ``name`` and implement the methods below
    (``capture`` only if their payments stop at AUTHORIZED)."""

    code: str = ""  # the alias in SHOP_PAYMENT_METHODS; set by the loader
    name: StrOrPromise = ""  # shown to shoppers (translated)

    def eligibility(
        self, checkout: Checkout, *, amount: Decimal, options: Mapping[str, Any] | None = None
    ) -> Eligibility:
        """Whether ``checkout`` may be paid with this method for ``amount`` (gross,
        EUR) and, given ``options``, with those choices too. Read-only: called
        when listing methods, before anything is stored at payment start, and
        again at completion (things change in between). A refusal names the
        choice it is about in ``field``/``code``."""
        raise NotImplementedError

    def start(
        self, payment: Payment, *, options: dict[str, Any], idempotency_key: str
    ) -> PaymentSession:
        """Begin paying ``payment`` (already stored, with its amount and checkout).

        ``options`` are the shopper's choices for this method. Calling twice with
        the same key must not start a second payment. Raises ``PaymentDeclined``
        for a refusal the shopper can read, ``GatewayUnavailable`` to retry.
        """
        raise NotImplementedError

    def confirm(self, payment: Payment) -> str:
        """The payment's status as the provider sees it now (a ``Payment.Status``
        value). A read: it takes no money and may be called any number of times,
        in or out of a transaction; never trusts the browser. It may correct
        ``payment.amount`` to what the provider actually took."""
        raise NotImplementedError

    def capture(self, payment: Payment) -> str:
        """Take a payment ``confirm`` reported AUTHORIZED, for the order being
        placed: called inside the transaction that places it, with the checkout
        locked, after the order's rows are written (a failure rolls them back).
        Returns the new status (CHARGED); raises ``PaymentDeclined`` with a reason
        the shopper can read when it can no longer be taken. A repeat takes
        nothing more. Methods that never report AUTHORIZED need not override it."""
        raise PaymentError(f"{type(self).__name__} cannot capture an authorisation.")

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> Refund:
        """Give back ``amount`` of a charged payment; one refund per key."""
        raise NotImplementedError

    def cancel(self, payment: Payment) -> None:
        """Release a payment that was not charged (an authorisation, a started session)."""
        raise NotImplementedError
