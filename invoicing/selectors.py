"""Reads of the invoicing app: querysets and computed views for the API and admin."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from invoicing.chain import Break, chain_problem
from invoicing.models import ChainVerification, Invoice, VerifactuRecord
from orders.models import Order, OrderEvent
from shop.accounts.models import User
from shop.accounts.selectors import staff_may

PDF_LINK_SALT = "invoice-pdf"
# Staff who may read every invoice, and who may issue one by hand (a
# rectificativa, an exchange for a full invoice) or send the records again.
VIEW_INVOICES = "invoicing.view_invoice"
ISSUE_INVOICES = "invoicing.add_invoice"
SUBMIT_RECORDS = "invoicing.add_submission"


def invoices_for_order(order: Order) -> QuerySet[Invoice]:
    """The order's invoices, oldest first, with their lines and tax lines."""
    return (
        Invoice.objects.filter(order=order)
        .prefetch_related("lines", "tax_lines")
        .order_by("issued_at", "pk")
    )


def order_invoices_prefetch() -> Prefetch:
    """``Order.invoices`` for many orders in one query, oldest first (the order of
    :func:`invoices_for_order`): the orders' API prefetches it for lists."""
    return Prefetch("invoices", queryset=Invoice.objects.order_by("issued_at", "pk"))


def invoices_visible_to(user: User | None) -> QuerySet[Invoice]:
    """Every invoice for staff holding ``VIEW_INVOICES``, the customer's own
    orders' invoices otherwise, none for guests (they reach theirs through the
    order's token, on the order)."""
    if user is None or not user.is_authenticated:
        return Invoice.objects.none()
    if staff_may(user, VIEW_INVOICES):
        return Invoice.objects.all()
    return Invoice.objects.filter(order__user=user)


def invoices_search(
    invoices: QuerySet[Invoice],
    *,
    kinds: list[str] | None = None,
    search: str = "",
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> QuerySet[Invoice]:
    """``invoices`` of ``kinds``, issued between the two days (inclusive, the
    shop's time), whose number, order number or recipient tax id contains
    ``search``; newest first."""
    if kinds:
        invoices = invoices.filter(kind__in=kinds)
    if issued_from is not None:
        invoices = invoices.filter(issued_at__date__gte=issued_from)
    if issued_to is not None:
        invoices = invoices.filter(issued_at__date__lte=issued_to)
    text = search.strip()[:100]
    if text:
        invoices = invoices.filter(
            Q(full_number__icontains=text)
            | Q(order__number__icontains=text)
            | Q(recipient_tax_id__icontains=text)
        )
    return invoices.order_by("-issued_at", "-pk")


def confirmation_sent(order: Order) -> bool:
    """Whether the order's confirmation e-mail has gone out (its EMAIL_SENT event)."""
    return OrderEvent.objects.filter(
        order=order, type=OrderEvent.Type.EMAIL_SENT, data__kind="confirmation"
    ).exists()


def _pdf_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=PDF_LINK_SALT)


def invoice_pdf_url(invoice: Invoice, *, request: HttpRequest | None = None) -> str | None:
    """A link to the invoice's PDF that works for ``INVOICE_PDF_LINK_SECONDS``
    without signing in, for whoever the caller has let see the invoice (its
    customer, the holder of the order token, staff: see ``orders.selectors.order_for``):
    ``/invoices/<id>/pdf/?sig=...``, absolute when ``request`` is given. ``None``
    while the PDF is not drawn yet."""
    if not invoice.pdf:
        return None
    value = _pdf_signer().sign(str(invoice.pk))
    signature = value.split(":", 1)[1]  # timestamp:signature, the id is in the path
    url = f"{reverse('invoice-pdf', args=[invoice.pk])}?sig={signature}"
    return request.build_absolute_uri(url) if request is not None else url


def invoice_pdf_signature_valid(invoice_id: int, signature: str) -> bool:
    """Whether ``signature`` was made by :func:`invoice_pdf_url` for this invoice
    and has not expired."""
    try:
        _pdf_signer().unsign(f"{invoice_id}:{signature}", max_age=settings.INVOICE_PDF_LINK_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return True


@dataclass(frozen=True)
class ChainState:
    """What :func:`invoicing.chain.chain_verify` found: ``checked`` records hold,
    in position order, and ``broken`` is the first that does not (None: all do)."""

    checked: int
    broken: Break | None


def chain_page_state(records: Iterable[VerifactuRecord]) -> ChainState:
    """Verify only ``records`` (a page of the list), each against the record
    before it: its huella recomputed, its link to its predecessor's huella and
    position, its XML against its invoice. One query for the predecessors, so a
    page costs the same at 100 records or 100,000; ``invoice_chain_verify`` is
    the full check (its last run: :func:`last_chain_verification`)."""
    page = sorted(records, key=lambda record: record.position)
    previous_ids = {record.previous_id for record in page if record.previous_id}
    previous = VerifactuRecord.objects.only("pk", "position", "huella").in_bulk(previous_ids)
    for checked, record in enumerate(page):
        before = previous.get(record.previous_id) if record.previous_id else None
        position = before.position + 1 if before is not None else 1
        problem = chain_problem(record, before, position)
        if problem:
            return ChainState(checked, Break(record.position, record.invoice.full_number, problem))
    return ChainState(len(page), None)


def last_chain_verification() -> ChainVerification | None:
    """The last full run of ``invoice_chain_verify``, if any."""
    return ChainVerification.objects.order_by("-checked_at", "-pk").first()
