"""The payment interface. The orders app knows payment methods only through it.

A method is a small class named in ``settings.SHOP_PAYMENT_METHODS`` (alias ->
dotted path) and loaded once by :func:`orders.payments.get_payment_methods`.

The life of a payment, as the shop calls the methods (``orders.services.payments``):

1. ``eligibility`` whenever methods are listed, at the start and at completion;
2. ``start`` once the ``Payment`` row, with its amount and idempotency key, is
   committed; again, with a new key, after the cart changed;
3. ``confirm`` whenever the shop needs to know where the money is: at
   completion, on the provider's webhook, before giving a payment back;
4. ``capture`` inside the transaction that places the order, for a payment
   ``confirm`` reported AUTHORIZED;
5. ``refund`` and ``cancel`` when the shop gives money back (a cancelled or
   unplaced order, a superseded start, staff refunds).

The shop records money that moved in its ledger itself, from what ``confirm``,
``capture`` and ``refund`` return. Methods never write orders, checkouts or the
ledger; they may keep their own rows (the water bill's bill charges) and
``Payment.amount``/``details`` where a method says so. Every key a method
receives is built by ``orders.payments.keys`` and is stable across retries.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from orders.models import Checkout, Payment


class PaymentStatus(enum.StrEnum):
    """Where a payment's money is, as its method reports it (``Payment.status``
    stores these values)."""

    PENDING = "pending"  # started; the shopper has not paid yet
    ACTION_REQUIRED = "action_required"  # the shopper must act (3-D Secure, ...)
    AUTHORIZED = "authorized"  # held or promised, not taken: ``capture`` takes it
    CHARGED = "charged"  # taken
    FAILED = "failed"  # refused; nothing was taken
    CANCELLED = "cancelled"  # released, or given back by the shop


class RefundStatus(enum.StrEnum):
    """A refund's outcome (``PaymentTransaction.status`` stores these values)."""

    PENDING = "pending"  # asked; the provider settles it later (webhook)
    SUCCESS = "success"
    FAILED = "failed"


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

    status: PaymentStatus
    psp_reference: str = ""
    client_data: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # kept on the Payment row


@dataclass(frozen=True)
class Refund:
    status: RefundStatus
    psp_reference: str = ""
    message: str = ""


class PaymentMethod:
    """One way to pay. Subclasses set ``name`` and implement the methods below
    (``capture`` only if their payments stop at AUTHORIZED).

    Each method states when the shop calls it, in which transaction, what it
    may and may not do, and what a repeat does. Raising ``GatewayUnavailable``
    always means "unknown, retry with the same arguments"; ``PaymentDeclined``
    carries a message the shopper can read.
    """

    code: str = ""  # the alias in SHOP_PAYMENT_METHODS; set by the loader
    name: StrOrPromise = ""  # shown to shoppers (translated)

    def eligibility(
        self, checkout: Checkout, *, amount: Decimal, options: Mapping[str, Any] | None = None
    ) -> Eligibility:
        """Whether ``checkout`` may be paid with this method for ``amount`` (gross,
        EUR) and, given ``options``, with those choices too.

        Called when listing methods, before anything is stored at payment start
        (under the checkout's lock) and again at completion, because things
        change in between (a contract suspended, credit used up). A read: it
        may NOT write anything or call the provider to move money, and answers
        the same for the same state however often it is called. A refusal
        names the choice it is about in ``field``/``code``.
        """
        raise NotImplementedError

    def start(
        self, payment: Payment, *, options: dict[str, Any], idempotency_key: str
    ) -> PaymentSession:
        """Begin paying ``payment`` and return what the storefront needs to go on.

        Called in a short transaction holding the payment's row lock, so
        parallel starts queue and the provider is asked once per key; the row,
        with its amount, checkout and key, was committed before (a retry after
        a time-out sends the same key). ``options`` are the shopper's choices,
        already accepted by ``eligibility``. It may create or update the
        payment at the provider (a started one has ``psp_reference``: update
        its amount rather than start a second), and return ``details`` to keep
        on the row. It may NOT take money the shopper has not agreed to, nor
        write the shop's rows. A repeat with the same key starts nothing new
        and returns the same session. Raises ``PaymentDeclined`` (the payment
        is then FAILED) or ``GatewayUnavailable`` (the shopper retries; the
        key is the same, so a start the provider did make is not repeated).
        """
        raise NotImplementedError

    def confirm(self, payment: Payment) -> PaymentStatus:
        """The payment's status as the provider sees it now.

        Called in or out of a transaction, any number of times: at completion
        (with the checkout locked), from webhooks, before a payment is given
        back. Never trusts the browser: it asks the provider (or its own
        rows). It takes no money and moves nothing; the one write it may make
        is correcting ``payment.amount`` to what the provider actually took
        (an older cart's amount), so the shop records and refunds exactly
        that. The shop records a CHARGED answer in the ledger once, however
        many times it is given.
        """
        raise NotImplementedError

    def capture(self, payment: Payment) -> PaymentStatus:  # noqa: ARG002 (the interface)
        """Take a payment ``confirm`` reported AUTHORIZED, for the order being
        placed: where money (or the water bill's installments) is committed.

        Called inside the transaction that places the order, with the checkout
        locked, just before the order's rows are written: if placing the order
        fails after it, its writes roll back with the order's and the shop
        releases the authorisation with ``cancel``.
        It must check again whatever the start relied on and may have changed.
        Returns CHARGED; raises ``PaymentDeclined`` with a reason the shopper
        can read when it can no longer be taken. A repeat takes nothing more
        and returns the status. Methods that never report AUTHORIZED need not
        override it.
        """
        raise PaymentError(f"{type(self).__name__} cannot capture an authorisation.")

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> Refund:
        """Give back ``amount`` (at most what is charged and not yet refunded) of a
        CHARGED payment.

        Called once the shop has written the ledger row (PENDING, with the
        same key), often inside the caller's transaction that holds the
        order's lock, under which the shop checked the amount against the
        ledger. One refund per key: a repeat returns
        the first refund's outcome and moves no money. Returns PENDING when
        the provider settles it later (the shop then follows its webhook);
        raises ``PaymentDeclined`` for a refusal (the row becomes FAILED) or
        ``GatewayUnavailable`` (the row stays PENDING: it may have been made,
        and a retry with the key settles it).
        """
        raise NotImplementedError

    def cancel(self, payment: Payment) -> None:
        """Release a payment that was not charged: an authorisation, or a session
        the shopper may still pay.

        Called when the shop gives a payment back (``payment_give_back``), in
        or out of a transaction; the shop then stores it as CANCELLED. It may
        NOT refund: a payment charged meanwhile is the shop's to refund (it
        confirms first). A repeat, or cancelling what the provider already
        cancelled, does nothing.
        """
        raise NotImplementedError
