"""Retention: what an account's deletion kept for tax law, erased once tax law
no longer needs it.

Deleting an account (``shop.accounts.privacy``) keeps its orders detached from
the person, and keeps one piece of personal data on them: a billing address
with a tax id (the full invoice's recipient, which the order's later invoices
copy). Once ``SHOP_ORDER_RETENTION_YEARS`` have passed, :func:`orders_retention_erase`
blanks what is left: the addresses down to country and province (the tax
territory their taxes were computed for), the customer's note, and the free text
of the orders' events (staff notes may name the person). The e-mail is already
the account's placeholder.

Never touched: the amounts, lines, numbers, payments and bill charges (the
accounts need them, and they name nobody), and the invoices: invoices are
immutable and their recipient's name and tax id are fields the invoicing
regulation requires (RD 1619/2012, art. 6); they are kept or destroyed as a
whole by the invoicing app's own rules, never edited here.

Why six years, counted from the end of the order's year. The Ley General
Tributaria lets the tax authority assess for four years (art. 66), but that
runs from the end of the filing period of the return (for IVA, the quarter's,
filed the month after) and any action of the authority or the taxpayer starts
it again (art. 68): four years from the order is not always enough. The Código
de Comercio (art. 30) keeps the documents behind the books for six years from
the books' last entry, i.e. the close of the year (the shop's financial year is
the calendar year). So an order of year Y is erased from 1 January of
Y + 1 + ``SHOP_ORDER_RETENTION_YEARS``: the longer of both periods, with no
guessing about interruptions.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orders.models import Order, OrderEvent
from shop.accounts.models import ADDRESS_FIELDS
from shop.accounts.privacy import (
    DELETED_EMAIL_DOMAIN,
    KEPT_ADDRESS_KEYS,
    address_territory,
    order_person_erase,
)

log = logging.getLogger(__name__)
BATCH = 500
# Every address key that is not the tax territory: anything that finds the person.
PERSONAL_ADDRESS_KEYS = (
    *(key for key in ADDRESS_FIELDS if key not in KEPT_ADDRESS_KEYS),
    "tax_id",
)


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Orders placed before this instant are past retention (module docstring)."""
    today = timezone.localtime(now or timezone.now())
    start = datetime(today.year - settings.SHOP_ORDER_RETENTION_YEARS, 1, 1)
    return timezone.make_aware(start, timezone.get_current_timezone())


def _due(now: datetime | None) -> QuerySet[Order]:
    noted = OrderEvent.objects.filter(order=OuterRef("pk")).exclude(message="")
    return Order.objects.filter(
        user=None,
        email__endswith=f"@{DELETED_EMAIL_DOMAIN}",
        created_at__lt=retention_cutoff(now),
    ).filter(
        Q(billing_address__has_any_keys=PERSONAL_ADDRESS_KEYS)
        | Q(shipping_address__has_any_keys=PERSONAL_ADDRESS_KEYS)
        | ~Q(customer_note="")
        | Exists(noted)
    )


def orders_retention_erase(*, now: datetime | None = None) -> int:
    """Erase the personal data left on the detached orders of deleted accounts
    placed before :func:`retention_cutoff`; returns how many orders changed.
    Idempotent (a second run finds nothing), in batches of ``BATCH`` orders per
    transaction, each order locked while it is rewritten. Guest orders and
    customers' orders are not touched: only deletion detaches an order."""
    erased = 0
    while True:
        with transaction.atomic():
            batch = list(_due(now).select_for_update(skip_locked=True).order_by("pk")[:BATCH])
            for order in batch:
                billing = address_territory(order.billing_address) or {}
                order.save(update_fields=order_person_erase(order, billing_address=billing))
            OrderEvent.objects.filter(order__in=batch).exclude(message="").update(message="")
        erased += len(batch)
        if len(batch) < BATCH:
            break
    log.info("Retention: personal data erased from %d orders of deleted accounts.", erased)
    return erased
