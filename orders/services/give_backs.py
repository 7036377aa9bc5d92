"""Giving back payments no order will use, until it is done.

A card payment whose checkout is gone (merged away at sign-in, deleted with its
account), or that the shop already gave up (cancelled), is given back by
:func:`payment_supersede`, whoever asks: the card webhook, the retry task for
attempts the provider did not answer, staff from the payments' list. Each call
locks the payment, so two at once queue and the second finds the refund made
under the same ledger and provider key (``keys.refund_key``): nothing is
refunded twice. Failures are kept on the payment (attempts, last error, next
retry) for the task and for staff.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.models import Checkout, Payment
from orders.payments.base import GatewayUnavailable, PaymentError
from orders.payments.keys import RefundReason
from orders.selectors import payment_give_backs_unsettled, payments_to_give_back
from orders.services.payments import payment_confirm, payment_give_back, supersede_confirmed
from shop.accounts.models import User
from shop.audit import record_change
from shop.outbox.services import retry_delay

RETRY_FIRST = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=6)
RETRY_BATCH = 50


def payment_supersede(*, payment: Payment, actor: User | None) -> Payment:
    """Give back ``payment``, which no checkout will use: money taken is refunded
    in full (reason SUPERSEDED), an open session is cancelled at the provider,
    and it then counts as cancelled; an earlier give-back of it refused or never
    answered is retried first with its own key. A payment placed in an order
    meanwhile is left alone. Returns the payment as locked and updated.

    Under the locks of its checkout (if any) and its own row: a parallel call
    waits, then finds it given back (it asks the provider for the payment's
    state, refunds nothing).
    A provider failure is recorded on the payment (``give_back_attempts``,
    ``give_back_error``) with the ledger row, and raised. When the provider did
    not answer (``GatewayUnavailable``) a retry is scheduled
    (``give_back_retry_at``: 5 minutes, doubling, at most 6 hours) until
    ``SHOP_GIVE_BACK_ATTEMPTS`` attempts have failed; a refusal schedules none,
    staff decide. Success clears the error and the retry.
    """
    failure: PaymentError | None = None
    with transaction.atomic():
        # Its checkout first, as checkoutComplete locks them: an order being
        # placed from it is placed, or sees the payment given back, never both.
        checkout = Payment.objects.filter(pk=payment.pk).values("checkout_id")
        list(Checkout.objects.select_for_update().filter(pk__in=checkout).values_list("pk"))
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.order_id is not None:
            return locked
        try:
            status = payment_confirm(locked)
            # An earlier give-back (the order could not be placed) refused or never
            # answered is retried with its own key first: never answered, it counts
            # as refunded, so superseding alone would refund nothing and leave it.
            for reason in payment_give_backs_unsettled(locked):
                if reason != RefundReason.SUPERSEDED:
                    payment_give_back(
                        payment=locked, reason=RefundReason(reason), actor=actor, status=status
                    )
            supersede_confirmed(locked, status, actor)
        except PaymentError as exc:
            failure = exc
            _failed(locked, exc)
        else:
            _settled(locked)
    if failure is not None:
        raise failure
    return locked


def _failed(payment: Payment, exc: PaymentError) -> None:
    payment.give_back_attempts += 1
    payment.give_back_error = (str(exc) or type(exc).__name__)[:300]
    retry = isinstance(exc, GatewayUnavailable) and (
        payment.give_back_attempts < settings.SHOP_GIVE_BACK_ATTEMPTS
    )
    payment.give_back_retry_at = (
        timezone.now() + retry_delay(payment.give_back_attempts, first=RETRY_FIRST, most=RETRY_MAX)
        if retry
        else None
    )
    payment.save(
        update_fields=["give_back_attempts", "give_back_error", "give_back_retry_at", "updated_at"]
    )


def _settled(payment: Payment) -> None:
    if payment.give_back_error or payment.give_back_retry_at is not None:
        payment.give_back_error = ""
        payment.give_back_retry_at = None
        payment.save(update_fields=["give_back_error", "give_back_retry_at", "updated_at"])


def payments_give_back_retry_due(*, now: datetime | None = None, limit: int = RETRY_BATCH) -> int:
    """Retry the give-backs whose retry is due (``give_back_retry_at`` passed),
    the longest waiting first, at most ``limit``, each through
    :func:`payment_supersede` (which records a new failure and its next retry).
    Returns how many were given back."""
    due = Payment.objects.filter(give_back_retry_at__lte=now or timezone.now())
    done = 0
    for payment in due.order_by("give_back_retry_at", "pk")[:limit]:
        try:
            payment_supersede(payment=payment, actor=None)
        except PaymentError:
            continue  # recorded on the payment, with its next retry if any
        done += 1
    return done


@dataclass(frozen=True)
class GiveBackRetry:
    given_back: int
    failed: int
    skipped: int  # not (any more) a payment to give back


def payments_give_back_retry(*, actor: User, ids: Collection[int]) -> GiveBackRetry:
    """Staff retry giving back the payments among ``ids`` that are to give back
    (``orders.selectors.payments_to_give_back``), each through
    :func:`payment_supersede` with ``actor``; others are skipped. Each payment
    given back is recorded in the administration's history with ``actor``; a
    failure stays on the payment (and its ledger) for the next try."""
    chosen = list(payments_to_give_back().filter(pk__in=ids).order_by("pk"))
    given_back = failed = 0
    for payment in chosen:
        try:
            payment_supersede(payment=payment, actor=actor)
        except PaymentError:
            failed += 1
            continue
        given_back += 1
        record_change(actor=actor, obj=payment, action="change", message="Given back")
    return GiveBackRetry(given_back, failed, len(set(ids)) - len(chosen))
