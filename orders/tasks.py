"""Background work of the orders app."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from orders import claim_emails, emails
from orders.services import give_backs
from orders.services.stock import reservations_delete_expired


@shared_task
def reservations_release_expired() -> int:
    """Delete expired stock reservations and release the promo-code uses held
    with them (scheduled every minute by beat). Returns the reservations deleted."""
    from discounts.services import voucher_holds_release_expired

    voucher_holds_release_expired()
    return reservations_delete_expired()


@shared_task
def payments_give_back_retry_due() -> int:
    """Retry giving back the payments no order will use whose provider did not
    answer, once their retry is due (scheduled every 5 minutes by beat). Returns
    how many were given back."""
    return give_backs.payments_give_back_retry_due()


# The e-mail tasks are owed through the outbox (shop.outbox), which retries them:
# they do not retry themselves.
@shared_task
def order_email_send(order_id: int, kind: str, **extra: Any) -> None:
    """Send the customer's e-mail about an order (confirmation, shipped, cancelled)."""
    emails.order_email_send(order_id, kind, **extra)


@shared_task
def claim_email_send(claim_id: int, kind: str) -> None:
    """Tell the customer about their claim (opened, answered, resolved)."""
    claim_emails.claim_email_send(claim_id, kind)
