"""The payment interface. The orders app knows payment methods only through it.

A method is a small class named in ``settings.SHOP_PAYMENT_METHODS`` (alias ->
dotted path) and loaded once by :func:`orders.payments.get_payment_methods`.
The shop stores a ``Payment`` row, with its idempotency key, *before* calling
``start``; it records money that moved in the payment ledger itself, from what
``confirm`` and ``refund`` return. Methods never write orders or the ledger.
"""

from __future__ import annotations

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
    """One way to pay. Subclasses set ``name`` and implement the five methods."""

    code: str = ""  # the alias in SHOP_PAYMENT_METHODS; set by the loader
    name: StrOrPromise = ""  # shown to shoppers (translated)

    def eligibility(self, checkout: Checkout, *, amount: Decimal) -> Eligibility:
        """Whether ``checkout`` may be paid with this method for ``amount`` (gross, EUR)."""
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
        value). Safe to call any number of times; never trusts the browser."""
        raise NotImplementedError

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> Refund:
        """Give back ``amount`` of a charged payment; one refund per key."""
        raise NotImplementedError

    def cancel(self, payment: Payment) -> None:
        """Release a payment that was not charged (an authorisation, a started session)."""
        raise NotImplementedError
