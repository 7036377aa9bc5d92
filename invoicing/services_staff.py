"""Invoices staff issue by hand, from the administration: a rectificativa outside
the refund flow (a price agreed down, an error in the amounts). Refunds and
cancellations are rectified by the order services themselves (``ShopInvoicer``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.errors import InvoicingErrorCode as Code
from invoicing.models import Invoice
from invoicing.services import invoice_rectify
from orders.models import Order
from shop.accounts.models import User


@transaction.atomic
def invoice_rectify_by_staff(
    *, actor: User, invoice: Invoice, amount: Decimal | None, reason: str, idempotency_key: str
) -> Invoice:
    """Issue the rectificativa by differences of ``invoice``'s order for ``amount``
    (gross, IVA included; None: everything still invoiced), with the order locked
    as :func:`invoicing.services.invoice_rectify` asks.

    Idempotent on ``idempotency_key`` (made when the form is shown: a form posted
    twice issues one). Raises ``ValidationError``: REQUIRED without a reason,
    INVALID for an amount not above zero or when nothing invoiced is left.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Say why."), code=Code.REQUIRED)})
    if amount is not None and amount <= 0:
        raise ValidationError(
            {"amount": ValidationError(_("Enter an amount above zero."), code=Code.INVALID)}
        )
    order = Order.objects.select_for_update().get(pk=invoice.order_id)
    rectification = invoice_rectify(
        actor=actor,
        order=order,
        amount=amount,
        idempotency_key=f"staff:{idempotency_key}",
        reason=reason,
    )
    if rectification is None:
        raise ValidationError(
            _("Nothing invoiced is left to rectify on this order."), code=Code.INVALID
        )
    return rectification
