"""Invoices as customers and staff see them.

A customer sees an order's invoices through the order (``order.invoices``), so
whoever may see the order -- its customer, the holder of its token, order staff
-- sees them; by ID (``node``) only the order's customer and invoicing staff do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from invoicing import selectors
from invoicing.errors import InvoicingErrorCode
from invoicing.models import Invoice
from invoicing.rendering import invoice_qr_url
from invoicing.verifactu import records
from orders.models import Order
from shop.api.context import ShopContext
from shop.api.errors import ShopError
from shop.api.mutations import PayloadErrors
from shop.api.relay import ModelNode
from shop.api.types import MoneyType, TaxedMoneyType

strawberry.enum(InvoicingErrorCode, name="InvoiceErrorCode")
strawberry.enum(
    records.InvoiceType,
    name="InvoiceKind",
    description=(
        "F1 full, F2 simplified, F3 full in place of simplified ones; "
        "R1-R5 rectifying (R5: of simplified invoices)."
    ),
)


@strawberry.type
class InvoiceError(ShopError):
    code: InvoicingErrorCode


invoice_errors = PayloadErrors(InvoiceError, InvoicingErrorCode)


def _money(amount: Any, currency: str) -> MoneyType:
    return MoneyType(amount=amount, currency=currency)


@strawberry_django.type(Invoice, name="Invoice")
class InvoiceType(ModelNode):
    issued_at: datetime

    @strawberry.field(description="The invoice's number as printed, e.g. F2-2027-000001.")
    def number(self, root: Invoice) -> str:
        return root.full_number

    @strawberry.field
    def kind(self, root: Invoice) -> records.InvoiceType:
        return records.InvoiceType(root.kind)

    @strawberry.field(description="Totals; negative on a rectifying invoice.")
    def total(self, root: Invoice) -> TaxedMoneyType:
        currency = root.currency
        return TaxedMoneyType(
            net=_money(root.total_net, currency),
            gross=_money(root.total_gross, currency),
            tax=_money(root.total_tax, currency),
            currency=currency,
        )

    @strawberry.field(
        description="A signed link to the PDF, valid for a while; null until it is drawn."
    )
    def pdf_url(self, root: Invoice, info: Info[ShopContext, None]) -> str | None:
        return selectors.invoice_pdf_url(root, request=info.context.request)

    @strawberry.field(description="The AEAT's page verifying the invoice (its QR code).")
    def verification_url(self, root: Invoice) -> str:
        return invoice_qr_url(root)

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Invoice], info: Info, **_kwargs: Any
    ) -> QuerySet[Invoice]:
        return queryset & selectors.invoices_visible_to(info.context.user)


def order_invoices(order: Order) -> list[InvoiceType]:
    """For ``Order.invoices``: the prefetched invoices (see
    :func:`invoicing.selectors.order_invoices_prefetch`), else the selector's."""
    cache = getattr(order, "_prefetched_objects_cache", {})
    invoices = cache["invoices"] if "invoices" in cache else selectors.invoices_for_order(order)
    return cast(list[InvoiceType], list(invoices))
