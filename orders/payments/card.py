"""Card payments with Stripe PaymentIntents, through the official SDK.

One intent per checkout: starting again after a cart change updates its amount.
Intents capture automatically, so a payment never stops at AUTHORIZED here (the
interface's ``capture`` is not needed).
The shop never sees card data: the storefront confirms the intent with Stripe.js
and the client secret. Whether money moved is always read from Stripe (re-fetching
the intent), never taken from the browser. Every write carries the idempotency
key the shop stored before calling, so a retry after a time-out repeats nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from orders.payments.base import (
    Eligibility,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentError,
    PaymentMethod,
    PaymentSession,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from shop.money import from_minor_units, to_minor_units

if TYPE_CHECKING:
    from orders.models import Checkout, Payment

log = logging.getLogger(__name__)
MINIMUM = Decimal("0.50")  # Stripe's smallest charge in euros

INTENT_STATUS = {
    "requires_payment_method": PaymentStatus.PENDING,
    "requires_confirmation": PaymentStatus.PENDING,
    "processing": PaymentStatus.PENDING,
    "requires_action": PaymentStatus.ACTION_REQUIRED,
    "requires_capture": PaymentStatus.AUTHORIZED,
    "succeeded": PaymentStatus.CHARGED,
    "canceled": PaymentStatus.CANCELLED,
}
REFUND_STATUS = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.SUCCESS,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


def intent_status(intent: stripe.PaymentIntent) -> PaymentStatus:
    return INTENT_STATUS.get(intent.status, PaymentStatus.PENDING)


def refund_status(refund: stripe.Refund) -> RefundStatus:
    return REFUND_STATUS.get(refund.status or "", RefundStatus.PENDING)


def client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


@contextmanager
def stripe_errors() -> Iterator[None]:
    """Stripe's exceptions as the payment interface's: retryable or declined."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        log.warning("Stripe unavailable: %s", exc)
        raise GatewayUnavailable(gettext("Stripe did not answer.")) from exc
    except stripe.CardError as exc:
        raise PaymentDeclined(exc.user_message or gettext("The card was declined.")) from exc
    except stripe.StripeError as exc:
        raise PaymentError(str(exc)) from exc


class StripeCardPaymentMethod(PaymentMethod):
    name = _("Card")

    @override
    def eligibility(
        self, checkout: Checkout, *, amount: Decimal, options: Mapping[str, Any] | None = None
    ) -> Eligibility:
        if not settings.STRIPE_SECRET_KEY:
            return Eligibility(False, gettext("Card payments are not available right now."))
        if amount < MINIMUM:
            return Eligibility(
                False, gettext("Card payments start at %(minimum)s €.") % {"minimum": MINIMUM}
            )
        return Eligibility.ok()

    @override
    def start(
        self, payment: Payment, *, options: dict[str, Any], idempotency_key: str
    ) -> PaymentSession:
        checkout = payment.checkout
        metadata = {"payment": str(payment.pk), "checkout": str(checkout.token if checkout else "")}
        request = {"idempotency_key": idempotency_key}
        with stripe_errors():
            if payment.psp_reference:
                intent = client().v1.payment_intents.update(
                    payment.psp_reference,
                    {"amount": to_minor_units(payment.amount), "metadata": metadata},
                    request,  # type: ignore[arg-type]
                )
            else:
                intent = client().v1.payment_intents.create(
                    {
                        "amount": to_minor_units(payment.amount),
                        "currency": payment.currency.lower(),
                        "automatic_payment_methods": {"enabled": True},
                        "metadata": metadata,
                    },
                    request,  # type: ignore[arg-type]
                )
        return PaymentSession(
            status=intent_status(intent),
            psp_reference=intent.id,
            client_data={
                "clientSecret": intent.client_secret,
                "publishableKey": settings.STRIPE_PUBLISHABLE_KEY,
            },
        )

    def confirm(self, payment: Payment) -> PaymentStatus:
        with stripe_errors():
            intent = client().v1.payment_intents.retrieve(payment.psp_reference)
        status = intent_status(intent)
        if status == PaymentStatus.CHARGED:
            received = from_minor_units(intent.amount_received)
            if received != payment.amount:
                # Paid for another amount (an older cart): record what Stripe took,
                # so the shop refunds exactly that when it refuses the payment.
                payment.amount = received
                payment.save(update_fields=["amount", "updated_at"])
        return status

    def refund(self, payment: Payment, amount: Decimal, *, idempotency_key: str) -> Refund:
        with stripe_errors():
            refund = client().v1.refunds.create(
                {
                    "payment_intent": payment.psp_reference,
                    "amount": to_minor_units(amount),
                    # Lets the webhook find a refund whose answer never arrived.
                    "metadata": {"ledger_key": idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            )
        return Refund(status=refund_status(refund), psp_reference=refund.id)

    def cancel(self, payment: Payment) -> None:
        with stripe_errors():
            intent = client().v1.payment_intents.retrieve(payment.psp_reference)
            if intent.status not in ("canceled", "succeeded"):
                client().v1.payment_intents.cancel(payment.psp_reference)
