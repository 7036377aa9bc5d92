"""An in-memory payment method: the test double of a card provider.

It behaves like a provider that honours idempotency keys: starting twice with
one key makes one payment, refunding twice with one key makes one refund.
Tests steer it through :data:`gateway` (the outcome of the next confirmations,
faults) and read what it was asked to do. It keeps state in this process only,
so it is for tests and the local demo: a payment this process has not seen
(the demo server restarted) is taken as the provider would have recorded it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from orders.payments.base import (
    Eligibility,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentMethod,
    PaymentSession,
    PaymentStatus,
    Refund,
    RefundStatus,
)

if TYPE_CHECKING:
    from orders.models import Checkout, Payment


@dataclass
class MemoryGateway:
    # What confirm() answers for a payment not yet final: charged, authorized, pending, failed.
    outcome: str = PaymentStatus.CHARGED
    unavailable: bool = False  # every call raises GatewayUnavailable
    declined: bool = False  # start() raises PaymentDeclined
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)  # by psp reference
    refunds: dict[str, Decimal] = field(default_factory=dict)  # by idempotency key
    cancelled: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.outcome, self.unavailable, self.declined = PaymentStatus.CHARGED, False, False
            self.payments.clear()
            self.refunds.clear()
            self.cancelled.clear()

    def refunded(self, reference: str) -> Decimal:
        return sum(
            (amount for key, amount in self.refunds.items() if key.startswith(reference + ":")),
            Decimal(0),
        )


gateway = MemoryGateway()
CAPTURABLE = (PaymentStatus.AUTHORIZED, PaymentStatus.CHARGED)


class InMemoryPaymentMethod(PaymentMethod):
    name = _("Test payment (no money moves)")

    @override
    def eligibility(
        self, checkout: Checkout, *, amount: Decimal, options: Mapping[str, Any] | None = None
    ) -> Eligibility:
        return Eligibility.ok()

    @override
    def start(
        self, payment: Payment, *, options: dict[str, Any], idempotency_key: str
    ) -> PaymentSession:
        self._check_available()
        if gateway.declined:
            raise PaymentDeclined(_("The card was declined."))
        with gateway.lock:
            reference = next(
                (ref for ref, p in gateway.payments.items() if p["key"] == idempotency_key),
                None,
            )
            if reference is None and payment.psp_reference in gateway.payments:
                reference = payment.psp_reference  # the amount changed: update, as Stripe does
                gateway.payments[reference].update(key=idempotency_key, amount=payment.amount)
            if reference is None:
                reference = f"mem_{uuid.uuid4().hex[:16]}"
                gateway.payments[reference] = {"key": idempotency_key, "amount": payment.amount}
        return PaymentSession(
            status=PaymentStatus.PENDING,
            psp_reference=reference,
            client_data={"reference": reference},
        )

    def confirm(self, payment: Payment) -> PaymentStatus:
        self._check_available()
        with gateway.lock:
            known = self._known(payment)
            if known is None:
                return PaymentStatus.FAILED
            if payment.psp_reference in gateway.cancelled:
                return PaymentStatus.CANCELLED
            # Pending stays open (the shopper may still pay); anything else is final.
            if known.get("status", PaymentStatus.PENDING) == PaymentStatus.PENDING:
                known["status"] = PaymentStatus(gateway.outcome)
            return PaymentStatus(known["status"])

    def capture(self, payment: Payment) -> PaymentStatus:
        self._check_available()
        with gateway.lock:
            known = self._known(payment)
            if known is None or known.get("status") not in CAPTURABLE:
                raise PaymentDeclined(_("The payment was declined."))
            known["status"] = PaymentStatus.CHARGED
        return PaymentStatus.CHARGED

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> Refund:
        self._check_available()
        with gateway.lock:
            key = f"{payment.psp_reference}:{idempotency_key}"
            known = self._known(payment)
            if known is None:
                raise PaymentDeclined(_("Unknown payment."))
            charged = known["amount"]
            if key not in gateway.refunds:
                if gateway.refunded(payment.psp_reference) + amount > charged:
                    raise PaymentDeclined(_("The refund exceeds what was charged."))
                gateway.refunds[key] = amount
        return Refund(status=RefundStatus.SUCCESS, psp_reference=key)

    def cancel(self, payment: Payment) -> None:
        self._check_available()
        with gateway.lock:
            gateway.cancelled.add(payment.psp_reference)

    @staticmethod
    def _known(payment: Payment) -> dict[str, Any] | None:
        if not payment.psp_reference.startswith("mem_"):
            return None
        return gateway.payments.setdefault(
            payment.psp_reference, {"key": payment.idempotency_key, "amount": payment.amount}
        )

    def _check_available(self) -> None:
        if gateway.unavailable:
            raise GatewayUnavailable("The in-memory gateway is switched off.")


class DevelopmentCardPaymentMethod(InMemoryPaymentMethod):
    """The demo's card route when no Stripe keys are configured: every payment
    succeeds and no money moves. Refused whenever DEBUG is off."""

    name = _("Development card (no real payment)")

    @override
    def eligibility(
        self, checkout: Checkout, *, amount: Decimal, options: Mapping[str, Any] | None = None
    ) -> Eligibility:
        if not settings.DEBUG:
            return Eligibility(False, gettext("Card payments are not available right now."))
        return Eligibility.ok()

    def start(
        self, payment: Payment, *, options: dict[str, Any], idempotency_key: str
    ) -> PaymentSession:
        if not settings.DEBUG:
            raise PaymentDeclined(gettext("Card payments are not available right now."))
        return super().start(payment, options=options, idempotency_key=idempotency_key)
