"""The invoicing interface: what the order services tell whoever issues invoices.

Spanish invoices must be numbered without gaps and every placed order must get
its invoice when VAT accrues, so the numbers are allocated inside the order's own
transaction: if the order's change rolls back, so does its invoice, and no
committed change is left without one. The outbox runs only after commit, which is
too late for that; hence an explicit call. The invoicer owes its own after-commit
work (the PDF, the submission to the AEAT) through the outbox.

The orders app never imports ``invoicing``: it calls the :class:`Invoicer` named
by ``settings.SHOP_INVOICER`` (a dotted path, default
``"invoicing.services.ShopInvoicer"``), loaded once by :func:`get_invoicer`.

Contract of every method:

- it is called by the orders services INSIDE the transaction of the change,
  after the change is written, with the order locked (``select_for_update``);
- it may write its own rows and enqueue outbox messages; it may NOT move money,
  change the order, its payments or its stock, nor call a provider;
- a repeat for the same event (the same order, fulfilment or refund row) is a
  no-op, so the services need not remember having called it;
- what it raises rolls the change back: it raises only for bugs (an invoice
  that cannot be issued is a programming error, never a customer's).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from orders.models import Fulfillment, Order, Payment, PaymentTransaction


class Invoicer:
    """Does nothing: the shop without invoicing. Subclass and override."""

    def order_placed(self, order: Order, payment: Payment) -> None:
        """``order`` was just placed, paid (charged or captured) by ``payment``."""

    def order_fulfilled(self, order: Order, fulfillment: Fulfillment) -> None:
        """``fulfillment`` (with its lines) was just shipped or handed over."""

    def order_refunded(self, order: Order, refund_transaction: PaymentTransaction) -> None:
        """A refund of ``order`` succeeded: ``refund_transaction`` is its ledger row
        (kind refund, status success). Called once per row that succeeds."""

    def order_cancelled(self, order: Order) -> None:
        """``order`` was just cancelled, after what was paid was given back (or
        the attempt recorded as failed, for staff to retry)."""


@functools.cache
def get_invoicer() -> Invoicer:
    """The configured invoicer, built once."""
    path = getattr(settings, "SHOP_INVOICER", "invoicing.services.ShopInvoicer")
    invoicer = import_string(path)()
    if not isinstance(invoicer, Invoicer):
        raise TypeError(f"{path} is not an Invoicer.")
    return invoicer


@receiver(setting_changed)
def _reset(*, setting: str, **_kwargs: Any) -> None:
    if setting == "SHOP_INVOICER":
        get_invoicer.cache_clear()
