"""Staff: every invoice, filtered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import strawberry
import strawberry_django
from strawberry.types import Info

from invoicing import selectors
from invoicing.api.types import InvoiceType
from invoicing.models import Invoice
from invoicing.verifactu import records
from shop.api.context import ShopContext
from shop.api.permissions import require_permission
from shop.api.relay import ShopConnection


@strawberry.input(description="Which invoices to list; every condition given must hold.")
class InvoiceFilterInput:
    kinds: list[records.InvoiceType] | None = None
    search: str | None = strawberry.field(
        default=None, description="Part of the invoice's number, its order's or the tax id."
    )
    issued_from: date | None = strawberry.field(default=None, description="Inclusive.")
    issued_to: date | None = strawberry.field(default=None, description="Inclusive.")


@strawberry.type
class InvoiceQueries:
    @strawberry_django.connection(
        ShopConnection[InvoiceType],
        description="Staff with `invoicing.view_invoice`: every invoice, newest first.",
    )
    def invoices(
        self, info: Info[ShopContext, None], filter: InvoiceFilterInput | None = None
    ) -> Iterable[Invoice]:
        user = require_permission(info, selectors.VIEW_INVOICES)
        spec = filter or InvoiceFilterInput()
        return selectors.invoices_search(
            selectors.invoices_visible_to(user),
            kinds=[kind.value for kind in spec.kinds or []],
            search=spec.search or "",
            issued_from=spec.issued_from,
            issued_to=spec.issued_to,
        )
