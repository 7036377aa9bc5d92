"""Invoice mutations: a customer exchanges an order's simplified invoice for a
full one naming them."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from invoicing import selectors, services
from invoicing.api.types import InvoiceError, InvoiceType, invoice_errors
from orders.selectors import order_for
from shop.accounts.api.mutations import AddressInput
from shop.api.context import ShopContext
from shop.api.inputs import given_fields
from shop.api.mutations import mutation
from shop.api.relay import decode_id


@strawberry.input(description="Name the order by ID (signed in) or by its token (guests).")
class InvoiceRequestFullInput:
    order: strawberry.ID | None = None
    token: uuid.UUID | None = None
    tax_id: str = strawberry.field(description="The NIF, NIE or CIF the invoice names.")
    name: str = strawberry.field(description="The person's or the company's name.")
    address: AddressInput = strawberry.field(description="The fiscal address (Spanish).")


@strawberry.type
class InvoiceRequestFullPayload:
    invoice: InvoiceType | None = None
    errors: list[InvoiceError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoiceMutations:
    @strawberry.mutation(
        description="A full invoice (F3) in place of the order's simplified ones, naming "
        "the customer: for its customer, the holder of its token, or staff with "
        "`invoicing.add_invoice`. INVALID_TAX_ID on taxId, NOT_FOUND on order, "
        "ALREADY_FULL when it has one, NO_SIMPLIFIED_INVOICE when none was issued yet."
    )
    @mutation(InvoiceRequestFullPayload, invoice_errors, not_found="order")
    def invoice_request_full(
        self, info: Info[ShopContext, None], input: InvoiceRequestFullInput
    ) -> InvoiceRequestFullPayload:
        user = info.context.user
        pk = decode_id(input.order, "Order") if input.order is not None else None
        order = order_for(user, id=pk, token=input.token, staff_permission=selectors.ISSUE_INVOICES)
        invoice = services.invoice_exchange_full(
            actor=user,
            order=order,
            tax_id=input.tax_id,
            name=input.name,
            address=given_fields(input.address),
        )
        return InvoiceRequestFullPayload(invoice=invoice)  # type: ignore[arg-type]
