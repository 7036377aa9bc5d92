"""Issuing invoices, in the transaction of the order's change that makes them due.

**When VAT accrues (art. 75 LIVA), and so when the invoice is issued.**
:func:`accrues_at_delivery` decides it, per payment method, from the order's
``Payment`` row, in this one place:

- orders paid in full by card at checkout: at placement. The price is paid
  before the goods are delivered, and art. 75.Dos LIVA makes the tax accrue on
  a prepayment when it is received, for the amount received: the whole order.
- orders charged to the water bill (``"water_bill"``): at delivery (art.
  75.Uno.1º, "puesta a disposición"). Nothing is paid in advance (the
  installments are billed with later water bills, after the delivery), so one
  invoice per fulfilment, for the units fulfilled; shipping goes with the first.
  A pickup at an office is a fulfilment too (collected is delivered).
  The invoices follow what the customer is charged: money given back before a
  delivery is invoiced (a refund before any delivery, or the part of a refund
  beyond what was invoiced) is taken off the next delivery invoices as negative
  lines per rate, never below zero; a delivery it covers entirely gets no
  invoice (see :func:`_credit_left`).
- claim replacements (no payment, no price) are not sales: no invoice.

**Kinds.** F2 (factura simplificada, art. 4 RD 1619/2012) unless the shopper gave a
tax id with the billing address: F1, naming them. F3 replaces an order's F2
invoices when the customer asks for a full one later (:func:`invoice_exchange_full`);
the order's later invoices are then F1 to the same recipient.

**Rectificativas** (:func:`invoice_rectify`), by differences (TipoRectificativa
"I"): a refund, a claim resolved with a refund and a cancellation after issue
give one rectifying invoice with negative amounts per rate. R5 when every
invoice corrected is simplified, R1 otherwise: art. 15 RD 1619/2012 lets a
simplified invoice be corrected by a simplified rectificativa (R5), while the
correction of a full invoice for the reasons of art. 80.Dos LIVA (a sale
cancelled or a price reduced after the operation, e.g. a refund) is an R1.

Numbers are allocated under the row lock of the series (kind, year), records
chained under the chain's lock (taken first, see ``invoicing.chain``), both in
the caller's transaction: an order that rolls back leaves no number used. The
PDF and the submission to the AEAT are owed through the outbox, after commit.
Nothing here updates or deletes an invoice or a record (see ``invoicing.models``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoicing import chain, conf
from invoicing.errors import InvoicingErrorCode as Code
from invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    InvoiceTaxLine,
    RecordAnswer,
    VerifactuRecord,
)
from invoicing.verifactu.huella import SPANISH_TIME
from invoicing.verifactu.records import InvoiceType, RectificationType
from orders.invoicer import Invoicer
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderLine,
    Payment,
    PaymentTransaction,
)
from orders.pricing import spread, tax_included
from shop.accounts.models import User
from shop.accounts.services import clean_address
from shop.money import quantize
from shop.outbox.services import outbox_enqueue, outbox_enqueue_many
from shop.tax_ids import tax_id_clean
from shop.validation import field_error

WATER_BILL = "water_bill"
ORIGINALS = (InvoiceType.F1, InvoiceType.F2, InvoiceType.F3)
# Invoices of deliveries; an F3 only copies the F2 invoices it replaces.
DELIVERY_KINDS = (InvoiceType.F1, InvoiceType.F2)
_FULL = (InvoiceType.F1, InvoiceType.F3)
_HUNDRED = Decimal(100)


def accrues_at_delivery(payment: Payment | None) -> bool:
    """Whether the order paid by ``payment`` is invoiced at each delivery (water
    bill: nothing paid in advance) rather than at placement (paid in full)."""
    return payment is not None and payment.method == WATER_BILL


@dataclass(frozen=True)
class _Line:
    order_line: OrderLine | None
    description: str
    quantity: int
    unit_price_gross: Decimal
    tax_rate: Decimal  # per cent: 21.00
    total_gross: Decimal
    total_tax: Decimal


@dataclass(frozen=True)
class _Recipient:
    tax_id: str
    name: str
    address: dict[str, str]


def _percent(fraction: Decimal) -> Decimal:
    return quantize(Decimal(fraction) * _HUNDRED)


def _rate_text(rate: Decimal) -> str:
    """21.00 as "21", 5.50 as "5.5"."""
    return f"{rate:f}".rstrip("0").rstrip(".")


def _series_create(kind: InvoiceType, year: int) -> None:
    """The series of ``kind`` and ``year``, created on first use (a parallel
    creator's row is waited for, never duplicated)."""
    try:
        with transaction.atomic():
            InvoiceSeries.objects.create(kind=kind, year=year, prefix=f"{kind}-{year}")
    except IntegrityError:
        pass


def _number_bump(kind: InvoiceType, year: int) -> tuple[str, int] | None:
    """The series' prefix and the number taken from it, in one ``UPDATE ...
    RETURNING`` that locks its row until the transaction ends (PostgreSQL, and
    SQLite 3.35+); None when the series does not exist yet."""
    table = connection.ops.quote_name(InvoiceSeries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_number = next_number + 1"  # noqa: S608 (model table name)
            " WHERE kind = %s AND year = %s RETURNING prefix, next_number - 1",
            [str(kind), year],
        )
        row = cursor.fetchone()
    return (row[0], int(row[1])) if row else None


def _issue(
    *,
    order: Order,
    kind: InvoiceType,
    lines: Sequence[_Line],
    idempotency_key: str,
    actor: User | None,
    description: str,
    recipient: _Recipient | None = None,
    rectifies: Sequence[Invoice] = (),
    reason: str = "",
    substituted: Sequence[Invoice] = (),
    operation_date: date | None = None,
) -> Invoice:
    """Number, store and register one invoice, under the chain's lock (taken
    here, first, before the series: one order of locks)."""
    chain.chain_lock()
    issued_at = timezone.now()
    prefix, number = _number_take(kind, issued_at)
    by_rate = _sums_by_rate(lines)
    total_gross = sum((gross for gross, _tax in by_rate.values()), Decimal(0))
    total_tax = sum((tax for _gross, tax in by_rate.values()), Decimal(0))
    invoice = Invoice.objects.create(
        order=order,
        kind=kind,
        series=prefix,
        number=number,
        full_number=f"{prefix}-{number:06d}",
        issued_at=issued_at,
        operation_date=operation_date or issued_at.astimezone(SPANISH_TIME).date(),
        language_code=order.language_code,
        currency=order.currency,
        **_parties(recipient),
        total_net=total_gross - total_tax,
        total_tax=total_tax,
        total_gross=total_gross,
        rectified=rectifies[0] if rectifies else None,
        rectification_type=RectificationType.DIFFERENCES if rectifies else "",
        reason=reason,
        description=description[:500],
        idempotency_key=idempotency_key,
        issued_by=actor,
    )
    if rectifies:
        invoice.rectifies.add(*rectifies)
    if substituted:
        invoice.substituted.add(*substituted)
    _register(invoice, lines=lines, by_rate=by_rate, actor=actor)
    return invoice


def _number_take(kind: InvoiceType, issued_at: datetime) -> tuple[str, int]:
    """The next number of the series of ``kind`` for the year of ``issued_at``
    (Spanish time), taken, with the series' prefix: the series stays locked
    until the transaction ends."""
    year = issued_at.astimezone(SPANISH_TIME).year
    taken = _number_bump(kind, year)
    if taken is None:
        _series_create(kind, year)
        taken = _number_bump(kind, year)
    if taken is None:
        raise InvoiceSeries.DoesNotExist(f"{kind}-{year}")
    return taken


def _sums_by_rate(lines: Sequence[_Line]) -> dict[Decimal, list[Decimal]]:
    """Gross and tax of ``lines`` summed per tax rate: ``{rate: [gross, tax]}``."""
    by_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        by_rate[line.tax_rate][0] += line.total_gross
        by_rate[line.tax_rate][1] += line.total_tax
    return by_rate


def _parties(recipient: _Recipient | None) -> dict[str, Any]:
    """The issuer's fields (from the settings) and the recipient's ("" without one)."""
    issuer = conf.issuer()
    return {
        "issuer_nif": issuer.nif,
        "issuer_name": issuer.name,
        "issuer_address": conf.issuer_address(),
        "recipient_tax_id": recipient.tax_id if recipient else "",
        "recipient_name": recipient.name if recipient else "",
        "recipient_address": recipient.address if recipient else None,
    }


def _register(
    invoice: Invoice,
    *,
    lines: Sequence[_Line],
    by_rate: dict[Decimal, list[Decimal]],
    actor: User | None,
) -> None:
    """Store the new invoice's lines and tax lines, append its record to the
    chain and owe its PDF and its submission (after commit, by the outbox)."""
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=invoice, **line.__dict__) for line in lines)
    tax_lines = InvoiceTaxLine.objects.bulk_create(
        InvoiceTaxLine(invoice=invoice, rate=rate, base=gross - tax, tax=tax)
        for rate, (gross, tax) in sorted(by_rate.items(), reverse=True)
    )
    chain.record_append(
        invoice=invoice,
        kind=VerifactuRecord.Kind.ALTA,
        generated_at=invoice.issued_at,
        actor=actor,
        tax_lines=tax_lines,
    )
    outbox_enqueue_many(
        messages=[
            ("invoicing.tasks.invoice_pdf_render", {"invoice_id": invoice.pk}),
            ("invoicing.tasks.verifactu_submit_pending", {}),
        ]
    )


def _line_name(line: OrderLine, language: str) -> str:
    product = (line.product_name_en if language == "en" else "") or line.product_name
    variant = (line.variant_name_en if language == "en" else "") or line.variant_name
    return f"{product} ({variant})" if variant else product


def _shipping_line(order: Order) -> list[_Line]:
    if order.shipping_gross == 0:
        return []
    name = (
        order.shipping_method_name_en if order.language_code == "en" else ""
    ) or order.shipping_method_name
    return [
        _Line(
            order_line=None,
            description=name,
            quantity=1,
            unit_price_gross=order.shipping_gross,
            tax_rate=_percent(order.shipping_tax_rate),
            total_gross=order.shipping_gross,
            total_tax=order.shipping_tax,
        )
    ]


def _unit_paid(line: OrderLine) -> Decimal:
    """The unit price the customer paid: after the line's discount (promotions,
    promo code), which lowers its total and so its tax base."""
    if not line.discount_gross:
        return line.unit_price_gross
    return quantize(line.total_gross / line.quantity)


def _sold(order: Order, line: OrderLine, quantity: int, gross: Decimal, tax: Decimal) -> _Line:
    """``quantity`` units of ``line`` at the unit price paid, worth ``gross`` with ``tax``."""
    return _Line(
        order_line=line,
        description=_line_name(line, order.language_code),
        quantity=quantity,
        unit_price_gross=_unit_paid(line),
        tax_rate=_percent(line.tax_rate),
        total_gross=gross,
        total_tax=tax,
    )


def _order_lines(order: Order) -> list[_Line]:
    """Every line and the shipping, exactly as the order froze them; checked
    against the order's tax per rate (a difference is a bug, never issued)."""
    lines = [
        _sold(order, line, line.quantity, line.total_gross, line.total_tax)
        for line in order.lines.all()
    ] + _shipping_line(order)
    tax: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        tax[line.tax_rate] += line.total_tax
    frozen = {
        _percent(Decimal(rate)): Decimal(amount) for rate, amount in order.tax_by_rate.items()
    }
    if any(tax.get(rate, 0) != frozen.get(rate, 0) for rate in {*tax, *frozen}):
        raise ValueError(f"Order {order.number}: the lines' IVA {dict(tax)} is not {frozen}.")
    return lines


def _part(line: OrderLine, units: int) -> tuple[Decimal, Decimal]:
    """(gross, tax) of the first ``units`` delivered of ``line``: its frozen total
    and tax in proportion (rounded half up), all of them for every unit."""
    if units >= line.quantity:
        return line.total_gross, line.total_tax
    return (
        quantize(line.total_gross * units / line.quantity),
        quantize(line.total_tax * units / line.quantity),
    )


def _delivered_lines(order: Order, fulfillment: Fulfillment) -> tuple[list[_Line], Decimal]:
    """The units of ``fulfillment`` and the value delivered before it (gross).

    Each line's part is what its units delivered so far are worth less what the
    units delivered before were worth (:func:`_part`), so the parts of a line
    delivered in several fulfilments add up to its total exactly. The shipping
    goes with the order's first fulfilment. Both come from the fulfilments, not
    from the invoices: a delivery that was not invoiced (covered by a refund
    given before it) still counts as delivered."""
    earlier = dict(
        FulfillmentLine.objects.filter(fulfillment__order=order, fulfillment__pk__lt=fulfillment.pk)
        .values_list("line")
        .annotate(units=Sum("quantity"))
    )
    lines = []
    for shipped in fulfillment.lines.select_related("line"):
        line = shipped.line
        before = earlier.get(line.pk, 0)
        gross_to, tax_to = _part(line, before + shipped.quantity)
        gross_before, tax_before = _part(line, before)
        lines.append(
            _sold(order, line, shipped.quantity, gross_to - gross_before, tax_to - tax_before)
        )
    first = not order.fulfillments.filter(pk__lt=fulfillment.pk).exists()
    delivered_before = Decimal(0) if first else order.shipping_gross
    lines_by_pk = {line.pk: line for line in order.lines.all()}
    for line_pk, units in earlier.items():
        delivered_before += _part(lines_by_pk[line_pk], units)[0]
    return lines + (_shipping_line(order) if first else []), delivered_before


def _credit_left(order: Order, delivered_before: Decimal) -> Decimal:
    """What was given back on ``order`` (refunds that succeeded) and not yet taken
    off any invoice: neither rectified nor netted from a delivery.

    What was taken off is what was delivered before less what the order's
    invoices stand at (replaced F2s left out, annulled ones kept: an anulación
    corrects a record issued in error, it gives nothing back)."""
    invoiced = order.invoices.filter(substituted_by__isnull=True).aggregate(
        total=Sum("total_gross")
    )["total"]
    taken_off = delivered_before - quantize(Decimal(invoiced or 0))
    return max(Decimal(0), _refunded(order) - taken_off)


def _given_back(parts: dict[Decimal, tuple[Decimal, Decimal]], description: str) -> list[_Line]:
    """One negative line per rate of ``parts`` ({rate: (gross, tax)}, positive), the
    highest rate first, each described by ``description`` with its ``%(rate)s``."""
    return [
        _Line(
            order_line=None,
            description=description % {"rate": _rate_text(rate)},
            quantity=1,
            unit_price_gross=-gross,
            tax_rate=rate,
            total_gross=-gross,
            total_tax=-tax,
        )
        for rate, (gross, tax) in sorted(parts.items(), reverse=True)
    ]


def _net_of_credit(order: Order, lines: list[_Line], credit: Decimal) -> list[_Line]:
    """``lines`` of a delivery with ``credit`` (money given back before it) taken
    off as one negative line per rate, never below zero: the credit is spread
    over the delivery's rates like a partial refund (:func:`_refund_parts`).
    Returns [] when the credit covers the whole delivery (nothing to invoice)."""
    if credit <= 0:
        return lines
    delivery: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        delivery[line.tax_rate][0] += line.total_gross
        delivery[line.tax_rate][1] += line.total_tax
    if credit >= sum((gross for gross, _tax in delivery.values()), Decimal(0)):
        return []
    parts = _refund_parts({rate: (g, t) for rate, (g, t) in delivery.items()}, credit)
    with translation.override(order.language_code):
        return lines + _given_back(parts, _("Refunded before delivery, at %(rate)s %% IVA"))


def _recipient(order: Order) -> _Recipient | None:
    """Who a full invoice of ``order`` names: the recipient of its F3 if it was
    exchanged, else the billing address's tax id (checked at checkout); None: F2."""
    exchanged = order.invoices.filter(kind=InvoiceType.F3).order_by("pk").first()
    if exchanged is not None:
        return _Recipient(
            exchanged.recipient_tax_id,
            exchanged.recipient_name,
            exchanged.recipient_address or {},
        )
    return _billing_recipient(order)


def _billing_recipient(order: Order) -> _Recipient | None:
    """The recipient the billing address names (its tax id, checked at checkout)."""
    address: dict[str, Any] = order.billing_address or {}
    tax_id = address.get("tax_id") or ""
    if not tax_id:
        return None
    name = address.get("company_name") or f"{address['first_name']} {address['last_name']}"
    return _Recipient(tax_id, name.strip()[:120], dict(address))


def _sale_description(order: Order) -> str:
    return f"Venta de artículos de la tienda online, pedido {order.number}"


@transaction.atomic
def invoice_issue_for_order(
    *,
    actor: User | None,
    order: Order,
    idempotency_key: str,
    fulfillment: Fulfillment | None = None,
) -> Invoice | None:
    """Issue the invoice of ``order`` (the whole order), or of one ``fulfillment``
    (its units, and the shipping with the first): F1 when the order names a
    recipient, else F2. Call inside the order's transaction, the order locked.

    A fulfilment's invoice is net of the money given back on the order and not
    yet taken off an invoice (:func:`_net_of_credit`).

    Idempotent: a repeat of ``idempotency_key`` returns the invoice issued first.
    Returns None when there is nothing to invoice (a delivery the refunds cover).
    Raises ``ValueError`` when the lines do not add up to the order's frozen tax
    (a bug: nothing is issued).
    """
    # The caller holds the order's lock, so a repeat of the key waits for it; the
    # chain's lock is taken only for numbering and chaining (see _issue), since
    # it serialises every issuer until the order's transaction commits.
    issued = Invoice.objects.filter(idempotency_key=idempotency_key).first()
    if issued is not None:
        return issued
    if fulfillment is None:
        lines = _order_lines(order)
    else:
        lines, delivered_before = _delivered_lines(order, fulfillment)
        lines = _net_of_credit(order, lines, _credit_left(order, delivered_before))
    if not lines:
        return None
    recipient = _recipient(order)
    return _issue(
        order=order,
        kind=InvoiceType.F1 if recipient else InvoiceType.F2,
        lines=lines,
        idempotency_key=idempotency_key,
        actor=actor,
        description=_sale_description(order),
        recipient=recipient,
    )


def invoice_issue_for_new_order(*, order: Order) -> Invoice:
    """The invoice of an order placed in the current transaction (the whole
    order: F1 when its billing address names a tax id, else F2), as
    :func:`invoice_issue_for_order` issues it with the key ``placed:<order>``.
    Call inside ``order_place``'s transaction: it is the unit that rolls back, so
    no savepoint of its own; and a new order has no invoice yet to look for."""
    recipient = _billing_recipient(order)
    return _issue(
        order=order,
        kind=InvoiceType.F1 if recipient else InvoiceType.F2,
        lines=_order_lines(order),
        idempotency_key=f"placed:{order.pk}",
        actor=None,
        description=_sale_description(order),
        recipient=recipient,
    )


def _standing(order: Order) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """What the order's invoices add up to per rate (gross, tax): every invoice
    not replaced by an F3 nor cancelled by an anulación, rectificativas included."""
    totals: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = InvoiceTaxLine.objects.filter(
        invoice__order=order, invoice__substituted_by__isnull=True
    ).exclude(invoice__records__kind=VerifactuRecord.Kind.ANULACION)
    for row in rows:
        totals[row.rate][0] += row.base + row.tax
        totals[row.rate][1] += row.tax
    return {rate: (gross, tax) for rate, (gross, tax) in totals.items() if gross or tax}


def _refund_parts(
    standing: dict[Decimal, tuple[Decimal, Decimal]], amount: Decimal | None
) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """The (gross, tax) to take off per rate, positive. Everything left for
    ``amount`` None or at least what is left (exact, so the order ends at zero);
    otherwise ``amount`` spread over the rates in proportion to what is left at
    each, by largest remainder (the shares add up to ``amount`` to the cent),
    the IVA inside each share rounded half up, never beyond what is left."""
    left = sum((gross for gross, _tax in standing.values()), Decimal(0))
    if amount is None or amount >= left:
        return dict(standing)
    rates = sorted(standing, reverse=True)
    shares = spread(amount, [standing[rate][0] for rate in rates])
    parts = {}
    for rate, share in zip(rates, shares, strict=True):
        gross, tax = standing[rate]
        if share:
            parts[rate] = (
                share,
                tax if share == gross else min(tax, tax_included(share, rate / _HUNDRED)),
            )
    return parts


@transaction.atomic
def invoice_rectify(
    *,
    actor: User | None,
    order: Order,
    amount: Decimal | None,
    idempotency_key: str,
    reason: str,
) -> Invoice | None:
    """Issue the rectificativa by differences for ``amount`` given back on
    ``order`` (None: everything invoiced, e.g. a cancellation), with negative
    amounts per rate (see :func:`_refund_parts`); it lists every invoice of the
    order still standing (R5 for simplified ones, R1 otherwise: see the module).
    Call inside the order's transaction, the order locked.

    Idempotent: a repeat of ``idempotency_key`` (``"refund:<transaction id>"``)
    returns the rectificativa issued first. Returns None when nothing invoiced is
    left to rectify: a water-bill order refunded before any delivery has no
    invoice yet, and what was already rectified is never rectified twice (a
    refund beyond what is invoiced rectifies only what is invoiced). What is
    not rectified is taken off the order's next delivery invoices instead.
    """
    issued = Invoice.objects.filter(idempotency_key=idempotency_key).first()
    if issued is not None:
        return issued
    standing = _standing(order)
    if sum((gross for gross, _tax in standing.values()), Decimal(0)) <= 0:
        return None
    originals = list(
        order.invoices.filter(kind__in=ORIGINALS, substituted_by__isnull=True)
        .exclude(records__kind=VerifactuRecord.Kind.ANULACION)
        .order_by("pk")
    )
    full = [invoice for invoice in originals if invoice.kind in _FULL]
    with translation.override(order.language_code):
        lines = _given_back(_refund_parts(standing, amount), _("Refund at %(rate)s %% IVA"))
    numbers = ", ".join(invoice.full_number for invoice in originals)
    last = full[-1] if full else None
    return _issue(
        order=order,
        kind=InvoiceType.R1 if full else InvoiceType.R5,
        lines=lines,
        idempotency_key=idempotency_key,
        actor=actor,
        description=f"Rectificación por diferencias de {numbers}: {reason}",
        recipient=(
            _Recipient(last.recipient_tax_id, last.recipient_name, last.recipient_address or {})
            if last
            else None
        ),
        rectifies=originals,
        reason=reason,
    )


@transaction.atomic
def invoice_exchange_full(
    *, actor: User | None, order: Order, tax_id: str, name: str, address: dict[str, Any]
) -> Invoice:
    """Issue an F3 naming the customer in place of the order's simplified (F2)
    invoices, listed as FacturasSustituidas, for exactly their lines and amounts;
    the order's later invoices are F1 to the same recipient.

    Raises ``ValidationError``: INVALID_TAX_ID on ``taxId``, REQUIRED on ``name``,
    the address's own errors, NO_SIMPLIFIED_INVOICE when the order has no F2,
    ALREADY_FULL when it has an F1 or an F3 already. Nothing is issued then.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    try:
        clean_tax_id = tax_id_clean(tax_id)
    except ValidationError as exc:
        raise ValidationError({"tax_id": exc}) from exc
    name = name.strip()
    if not name or len(name) > 120:
        raise field_error(
            "name", _("Enter the name or company name (120 characters at most)."), Code.REQUIRED
        )
    clean = clean_address(address)
    if order.invoices.filter(kind__in=_FULL).exists():
        raise field_error(None, _("This order already has a full invoice."), Code.ALREADY_FULL)
    simplified = list(
        order.invoices.filter(kind=InvoiceType.F2)
        .exclude(records__kind=VerifactuRecord.Kind.ANULACION)
        .order_by("pk")
    )
    if not simplified:
        raise field_error(
            None, _("This order has no simplified invoice to exchange."), Code.NO_SIMPLIFIED_INVOICE
        )
    lines = [
        _Line(
            order_line=line.order_line,
            description=line.description,
            quantity=line.quantity,
            unit_price_gross=line.unit_price_gross,
            tax_rate=line.tax_rate,
            total_gross=line.total_gross,
            total_tax=line.total_tax,
        )
        for line in InvoiceLine.objects.filter(invoice__in=simplified).order_by("invoice", "pk")
    ]
    numbers = ", ".join(invoice.full_number for invoice in simplified)
    return _issue(
        order=order,
        kind=InvoiceType.F3,
        lines=lines,
        idempotency_key=f"exchange:{order.pk}",
        actor=actor,
        description=f"{_sale_description(order)}, en sustitución de {numbers}",
        recipient=_Recipient(clean_tax_id, name, {**clean, "tax_id": clean_tax_id}),
        substituted=simplified,
        operation_date=simplified[0].operation_date,
    )


@transaction.atomic
def invoice_record_cancel(*, actor: User, invoice: Invoice) -> VerifactuRecord:
    """Staff: register the anulación of ``invoice``, issued in error (it should not
    exist: a duplicate, the wrong order). Not for refunds, which are rectified.
    The invoice stays (append-only) but no longer counts for its order.
    Raises ALREADY_CANCELLED when it was cancelled before; nothing is written then.
    """
    chain.chain_lock()
    if invoice.records.filter(kind=VerifactuRecord.Kind.ANULACION).exists():
        raise field_error(
            None, _("This invoice's record is cancelled already."), Code.ALREADY_CANCELLED
        )
    record = chain.record_append(
        invoice=invoice,
        kind=VerifactuRecord.Kind.ANULACION,
        generated_at=timezone.now(),
        actor=actor,
    )
    outbox_enqueue(task="invoicing.tasks.verifactu_submit_pending")
    return record


@transaction.atomic
def verifactu_record_correct(*, actor: User | None, record: VerifactuRecord) -> VerifactuRecord:
    """Append the alta de subsanación of ``record``, an alta the AEAT accepted
    with errors (its last answer says so): a new alta of the same invoice
    (``Subsanacion=S``; no ``RechazoPrevio``, the AEAT holds the record it
    corrects), rebuilt from the invoice and the current SIF settings, chained
    after the last record like any other, and owed to the channel.

    Raises ``ValidationError``: NOT_ACCEPTED_WITH_ERRORS for an anulación or an
    alta whose last answer is not "accepted with errors" (a rejected record is
    resent flagged by the channel itself); ALREADY_CORRECTED when it was
    corrected before; ALREADY_CANCELLED when its invoice was cancelled since.
    Nothing is written then.
    """
    chain.chain_lock()
    record = VerifactuRecord.objects.select_related("invoice").get(pk=record.pk)
    last_answer = record.answers.order_by("-created_at", "-pk").first()
    if (
        record.kind != VerifactuRecord.Kind.ALTA
        or last_answer is None
        or last_answer.status != RecordAnswer.Status.ACCEPTED_WITH_ERRORS
    ):
        raise field_error(
            None,
            _("Only a registration the AEAT accepted with errors can be corrected."),
            Code.NOT_ACCEPTED_WITH_ERRORS,
        )
    if VerifactuRecord.objects.filter(corrects=record).exists():
        raise field_error(None, _("This record was corrected already."), Code.ALREADY_CORRECTED)
    if record.invoice.records.filter(
        kind=VerifactuRecord.Kind.ANULACION, position__gt=record.position
    ).exists():
        raise field_error(
            None, _("This invoice's record is cancelled already."), Code.ALREADY_CANCELLED
        )
    correction = chain.record_append(
        invoice=record.invoice,
        kind=VerifactuRecord.Kind.ALTA,
        generated_at=timezone.now(),
        actor=actor,
        corrects=record,
    )
    outbox_enqueue(task="invoicing.tasks.verifactu_submit_pending")
    return correction


def _placing_payment(order: Order) -> Payment | None:
    return order.payments.order_by("pk").first()


def _refunded(order: Order) -> Decimal:
    """What was given back on ``order``: its refunds that succeeded."""
    total = PaymentTransaction.objects.filter(
        payment__order=order,
        kind=PaymentTransaction.Kind.REFUND,
        status=PaymentTransaction.Status.SUCCESS,
    ).aggregate(total=Sum("amount"))["total"]
    return quantize(Decimal(total or 0))


def _over_invoiced(order: Order) -> Decimal:
    """How much the order's standing invoices exceed what the customer is charged
    for what accrued: the whole order for one paid at placement, the units
    delivered (and the shipping, once delivered) for a water-bill order, less
    the refunds. A refund rectifies at most this, so a refund already netted
    from a delivery, or a repeated call, rectifies nothing."""
    if accrues_at_delivery(_placing_payment(order)):
        lines = order.lines.all()
        accrued = sum((_part(line, line.quantity_fulfilled)[0] for line in lines), Decimal(0))
        if order.fulfillments.exists():
            accrued += order.shipping_gross
    else:
        accrued = order.total_gross
    standing = sum((gross for gross, _tax in _standing(order).values()), Decimal(0))
    return standing - max(Decimal(0), accrued - _refunded(order))


class ShopInvoicer(Invoicer):
    """The shop's invoicer (``settings.SHOP_INVOICER``): see the module for when
    each invoice is issued. Idempotency keys: ``placed:<order>``,
    ``fulfilled:<fulfilment>``, ``refund:<transaction>``, ``cancelled:<order>``."""

    def order_placed(self, order: Order, payment: Payment) -> None:
        if not accrues_at_delivery(payment):
            invoice_issue_for_new_order(order=order)

    def order_fulfilled(self, order: Order, fulfillment: Fulfillment) -> None:
        if accrues_at_delivery(_placing_payment(order)):
            invoice_issue_for_order(
                actor=fulfillment.created_by,
                order=order,
                idempotency_key=f"fulfilled:{fulfillment.pk}",
                fulfillment=fulfillment,
            )

    def order_refunded(self, order: Order, refund_transaction: PaymentTransaction) -> None:
        amount = min(refund_transaction.amount, _over_invoiced(order))
        if amount <= 0:
            return  # nothing invoiced beyond what is charged: netted at delivery
        with translation.override(order.language_code):
            reason = _("Refund of %(amount)s EUR") % {"amount": refund_transaction.amount}
        invoice_rectify(
            actor=refund_transaction.actor,
            order=order,
            amount=amount,
            idempotency_key=f"refund:{refund_transaction.pk}",
            reason=reason,
        )

    def order_cancelled(self, order: Order) -> None:
        # Refunds rectified what they gave back; what is left (a refund the
        # provider refused) is rectified now: a cancelled sale is no sale.
        with translation.override(order.language_code):
            reason = _("Order cancelled")
        invoice_rectify(
            actor=None,
            order=order,
            amount=None,
            idempotency_key=f"cancelled:{order.pk}",
            reason=reason,
        )
