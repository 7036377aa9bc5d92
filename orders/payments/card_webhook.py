"""Stripe's webhook: ``POST /webhooks/stripe/``.

Stripe may deliver an event late, twice, out of order or in parallel. So the
signature is checked (constant time, five minutes' tolerance), events already
applied are skipped by id, and an event is only a hint: the intent or refund it
names is fetched again and the shop's state only moves forward from what Stripe
says now. Handling is idempotent, so parallel duplicates apply once.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.invoicer import get_invoicer
from orders.models import Order, OrderEvent, Payment, PaymentTransaction, ProviderEvent
from orders.payments.base import GatewayUnavailable, PaymentError
from orders.payments.card import client, refund_status, stripe_errors
from orders.services.give_backs import payment_supersede
from orders.services.orders import order_event
from orders.services.payments import checkout_complete, payment_confirm

log = logging.getLogger(__name__)
PROVIDER = "stripe"
INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.amount_capturable_updated",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
}
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return HttpResponse(status=404)
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), secret, tolerance=300
        )
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponse("Invalid signature or payload.", status=400)
    try:
        event_id, event_type, obj = event.id, event.type, event.data.object.to_dict()
    except AttributeError:
        return HttpResponse("Not an event.", status=400)
    if ProviderEvent.objects.filter(provider=PROVIDER, event_id=event_id).exists():
        return HttpResponse(status=200)
    try:
        handle_event(event_type, obj)
    except GatewayUnavailable:
        return HttpResponse("Stripe did not answer; retry later.", status=503)
    except PaymentError:
        log.exception("Stripe event %s (%s) could not be applied", event_id, event_type)
    # A parallel delivery of the same event may have recorded it first.
    ProviderEvent.objects.get_or_create(
        provider=PROVIDER, event_id=event_id, defaults={"type": event_type}
    )
    return HttpResponse(status=200)


def handle_event(type: str, obj: dict[str, Any]) -> None:
    """Apply one event (its object as a dict); safe to repeat. Raises
    GatewayUnavailable to be retried."""
    if type in INTENT_EVENTS:
        intent_changed(obj["id"])
    elif type in REFUND_EVENTS:
        refund_changed(obj["id"], ledger_key=(obj.get("metadata") or {}).get("ledger_key", ""))
    elif type == "charge.refunded":
        # A charge no longer lists its refunds: settle the intent's pending ones.
        pending = PaymentTransaction.objects.filter(
            payment__psp_reference=obj.get("payment_intent") or "",
            kind=PaymentTransaction.Kind.REFUND,
            status=PaymentTransaction.Status.PENDING,
        ).exclude(psp_reference="")
        for row in pending:
            refund_changed(row.psp_reference)
    elif type == "charge.dispute.created":
        dispute_opened(obj)


def intent_changed(intent_id: str) -> None:
    """Bring the payment up to date with its intent; a paid checkout whose shopper
    never came back is completed here.

    A payment that can no longer become an order -- given back by the shop
    already (CANCELLED), or whose checkout is gone without an order (merged
    away at sign-in, deleted with its account) -- is given back again through
    ``payment_supersede``: money taken since is refunded, an open session is
    cancelled, and a repeat finds it done (nothing refunded twice). One the
    provider did not answer is retried by ``orders.tasks.payments_give_back_retry_due``;
    a refused one waits for staff (the payments' admin)."""
    payment = Payment.objects.filter(psp_reference=intent_id).select_related("checkout").first()
    if payment is None:
        return
    if payment.order_id is not None:
        payment_confirm(payment)
        return
    if payment.status == Payment.Status.CANCELLED or payment.checkout is None:
        payment_supersede(payment=payment, actor=None)
        return
    if payment_confirm(payment) not in (Payment.Status.CHARGED, Payment.Status.AUTHORIZED):
        return
    try:
        checkout_complete(checkout=payment.checkout, actor=None)
    except ValidationError as exc:
        # Not placed: the stock ran out (checkout_complete refunded it), or the
        # cart changed after this payment (outdated). Money that cannot become
        # an order is given back; the shopper can pay the new cart again.
        log.info("Paid checkout %s not completed: %s", payment.checkout.token, exc.messages)
        payment.refresh_from_db()
        if payment.order_id is None:
            payment_supersede(payment=payment, actor=None)


def refund_changed(refund_id: str, *, ledger_key: str = "") -> None:
    """Move a refund's ledger row forward (pending -> succeeded or failed); a row
    whose answer never arrived is found by the key the shop sent with it."""
    rows = PaymentTransaction.objects.select_related("payment")
    row = rows.filter(psp_reference=refund_id).first()
    if row is None and ledger_key:
        row = rows.filter(idempotency_key=ledger_key, psp_reference="").first()
        if row is not None:
            row.psp_reference = refund_id
            row.save(update_fields=["psp_reference"])
    if row is None or row.status != PaymentTransaction.Status.PENDING:
        return
    with stripe_errors():
        refund = client().v1.refunds.retrieve(refund_id)
    status = refund_status(refund)
    if status == row.status:
        return
    with transaction.atomic():
        updated = PaymentTransaction.objects.filter(
            pk=row.pk, status=PaymentTransaction.Status.PENDING
        ).update(status=status)
        order = row.payment.order
        if updated and order is not None and status == PaymentTransaction.Status.FAILED:
            order_event(order, OrderEvent.Type.REFUND_FAILED, None, amount=str(row.amount))
        if updated and order is not None and status == PaymentTransaction.Status.SUCCESS:
            # A refund that settles late is invoiced (rectified) when it settles.
            row.status = status
            get_invoicer().order_refunded(Order.objects.select_for_update().get(pk=order.pk), row)


def dispute_opened(dispute: dict[str, Any]) -> None:
    """Flag the order for staff (once)."""
    payment = Payment.objects.filter(psp_reference=dispute.get("payment_intent") or "").first()
    if payment is None or payment.order_id is None:
        return
    with transaction.atomic():
        flagged = Order.objects.filter(pk=payment.order_id, disputed_at__isnull=True).update(
            disputed_at=timezone.now()
        )
        if flagged:
            order = Order.objects.get(pk=payment.order_id)
            order_event(
                order,
                OrderEvent.Type.DISPUTED,
                None,
                str(dispute.get("reason", "")),
                amount=str(dispute.get("amount", "")),
            )
