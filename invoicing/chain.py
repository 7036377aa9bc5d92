"""The issuer's chain of VERI*FACTU records: appending a record and proving the chain.

A record is appended under the lock of the one :class:`VerifactuChain` row, in the
transaction that issues (or cancels) its invoice: the last record read after the
lock is the last committed one, so positions are 1..n without gaps and each record
names the one before it. The XML is built once and stored as sent; verifying
reads the huella's inputs back from it (the XML is the source of truth).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from lxml import etree

from invoicing import conf
from invoicing.models import Invoice, InvoiceTaxLine, VerifactuChain, VerifactuRecord
from invoicing.verifactu import huella as hashing
from invoicing.verifactu import xml
from invoicing.verifactu.records import (
    WITH_RECIPIENT,
    AltaRecord,
    AnulacionRecord,
    ChainLink,
    InvoiceRef,
    InvoiceType,
    Party,
    Rectification,
    RectificationType,
    TaxLine,
)
from shop.accounts.models import User

# Never fetch anything nor expand entities, whatever a stored record says.
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False)


def chain_lock() -> VerifactuChain:
    """Lock the chain row (created on first use), for the rest of the transaction.

    Taken first by every service that issues an invoice, before its series: one
    order of locks, so two issuers never deadlock. Re-entrant in one transaction.
    """
    chain = VerifactuChain.objects.select_for_update().filter(name="default").first()
    if chain is not None:
        return chain
    try:
        with transaction.atomic():
            VerifactuChain.objects.create(name="default")
    except IntegrityError:
        pass  # a parallel first issue created it; wait for its lock below
    return VerifactuChain.objects.select_for_update().get(name="default")


def invoice_ref(invoice: Invoice) -> InvoiceRef:
    return InvoiceRef(
        issuer_nif=invoice.issuer_nif, number=invoice.full_number, issue_date=invoice.issue_date
    )


def _link(last: VerifactuRecord | None) -> ChainLink | None:
    if last is None:
        return None
    return ChainLink(invoice=invoice_ref(last.invoice), huella=last.huella)


def alta_record(
    invoice: Invoice,
    previous: ChainLink | None,
    generated_at: datetime,
    *,
    correction: bool = False,
    tax_lines: Sequence[InvoiceTaxLine] | None = None,
) -> AltaRecord:
    """The registro de alta of ``invoice`` (with its lines, tax lines and
    references); with ``correction``, flagged as an alta de subsanación.
    ``tax_lines``: the invoice's, when the caller has just written them."""
    kind = InvoiceType(invoice.kind)
    rectification = None
    if invoice.is_rectifying:
        rectification = Rectification(
            type=RectificationType(invoice.rectification_type),
            invoices=tuple(invoice_ref(rectified) for rectified in invoice.rectifies.all()),
        )
    operation_date = invoice.operation_date
    return AltaRecord(
        invoice=invoice_ref(invoice),
        issuer_name=invoice.issuer_name,
        invoice_type=kind,
        description=invoice.description,
        tax_lines=tuple(
            TaxLine(rate=line.rate, base=line.base, quota=line.tax)
            for line in (invoice.tax_lines.all() if tax_lines is None else tax_lines)
        ),
        total_quota=invoice.total_tax,
        total_amount=invoice.total_gross,
        previous=previous,
        generated_at=generated_at,
        recipients=(
            (Party(name=invoice.recipient_name, nif=invoice.recipient_tax_id),)
            if kind in WITH_RECIPIENT
            else ()
        ),
        rectification=rectification,
        substituted=(
            tuple(invoice_ref(old) for old in invoice.substituted.order_by("number"))
            if kind is InvoiceType.F3
            else ()
        ),
        operation_date=operation_date if operation_date != invoice.issue_date else None,
        correction=correction,
    )


def record_append(
    *,
    invoice: Invoice,
    kind: VerifactuRecord.Kind,
    generated_at: datetime,
    actor: User | None,
    corrects: VerifactuRecord | None = None,
    tax_lines: Sequence[InvoiceTaxLine] | None = None,
) -> VerifactuRecord:
    """Append the alta (or anulación) record of ``invoice`` to the chain, its XML
    built and validated against the AEAT's schemas; an alta that ``corrects`` an
    earlier one of the invoice goes as a subsanación (``Subsanacion=S``). Call
    with :func:`chain_lock` held. Raises ``SchemaInvalid`` or ``ValueError`` for
    a bug upstream."""
    last = VerifactuRecord.objects.select_related("invoice").order_by("-position").first()
    previous = _link(last)
    record: AltaRecord | AnulacionRecord
    if kind == VerifactuRecord.Kind.ALTA:
        record = alta_record(
            invoice,
            previous,
            generated_at,
            correction=corrects is not None,
            tax_lines=tax_lines,
        )
    else:
        record = AnulacionRecord(
            invoice=invoice_ref(invoice), previous=previous, generated_at=generated_at
        )
    element = xml.registro(record, conf.sistema_informatico())
    xml.validate(element)
    return VerifactuRecord.objects.create(
        position=last.position + 1 if last else 1,
        invoice=invoice,
        kind=kind,
        previous=last,
        corrects=corrects,
        huella=element.findtext(f"{{{xml.SF_NS}}}Huella"),
        generated_at=generated_at,
        xml=etree.tostring(element, encoding="UTF-8").decode("utf-8"),
        created_by=actor,
    )


@dataclass(frozen=True)
class Break:
    """The first record where the chain does not hold, and what differs."""

    position: int
    invoice_number: str
    problem: str


def _text(root: etree._Element, path: str) -> str:
    return root.findtext(path, default="", namespaces={"s": xml.SF_NS})


def huella_fields(root: etree._Element) -> tuple[tuple[str, str], ...]:
    """The huella's inputs, as the record's XML writes them, in the specification's order."""
    names: tuple[tuple[str, str], ...]
    if etree.QName(root).localname == "RegistroAlta":
        names = (
            ("IDEmisorFactura", "s:IDFactura/s:IDEmisorFactura"),
            ("NumSerieFactura", "s:IDFactura/s:NumSerieFactura"),
            ("FechaExpedicionFactura", "s:IDFactura/s:FechaExpedicionFactura"),
            ("TipoFactura", "s:TipoFactura"),
            ("CuotaTotal", "s:CuotaTotal"),
            ("ImporteTotal", "s:ImporteTotal"),
        )
    else:
        names = (
            ("IDEmisorFacturaAnulada", "s:IDFactura/s:IDEmisorFacturaAnulada"),
            ("NumSerieFacturaAnulada", "s:IDFactura/s:NumSerieFacturaAnulada"),
            ("FechaExpedicionFacturaAnulada", "s:IDFactura/s:FechaExpedicionFacturaAnulada"),
        )
    return (
        *((name, _text(root, path)) for name, path in names),
        ("Huella", _text(root, "s:Encadenamiento/s:RegistroAnterior/s:Huella")),
        ("FechaHoraHusoGenRegistro", _text(root, "s:FechaHoraHusoGenRegistro")),
    )


def _expected(record: VerifactuRecord) -> dict[str, str]:
    """What the record's XML must say of its invoice, from the invoice's row."""
    invoice = record.invoice
    if record.kind == VerifactuRecord.Kind.ALTA:
        return {
            "NumSerieFactura": invoice.full_number,
            "TipoFactura": invoice.kind,
            "CuotaTotal": hashing.format_amount(invoice.total_tax),
            "ImporteTotal": hashing.format_amount(invoice.total_gross),
        }
    return {"NumSerieFacturaAnulada": invoice.full_number}


def chain_problem(record: VerifactuRecord, previous: VerifactuRecord | None, position: int) -> str:
    """What is wrong with ``record`` as the ``position``-th of the chain, or ""."""
    if record.position != position:
        return f"position {record.position} where {position} was due (a record is missing)"
    if record.previous_id != (previous.pk if previous else None):
        return "it does not name the record before it"
    try:
        root = etree.fromstring(record.xml.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        return f"its XML does not parse: {exc}"
    fields = huella_fields(root)
    stored = _text(root, "s:Huella")
    if stored != record.huella:
        return f"huella {record.huella} differs from its XML's {stored}"
    recomputed = hashing.huella(fields)
    if recomputed != stored:
        return f"huella {stored} is not that of its fields ({recomputed})"
    linked = dict(fields)["Huella"]
    if linked != (previous.huella if previous else ""):
        return f"it chains to huella {linked!r}, not to the previous record's"
    for name, value in _expected(record).items():
        if dict(fields)[name] != value:
            return f"its XML says {name} {dict(fields)[name]}, the invoice {value}"
    return ""


def chain_verify(*, chunk_size: int = 2000) -> Iterator[int | Break]:
    """Walk the chain in position order, recomputing every huella from the record's
    XML and checking each link and the XML against its invoice. Yields the count of
    records checked so far after each one (for progress), and ends with a
    :class:`Break` at the first record that does not hold. Memory stays flat: the
    records are streamed, only the previous one is kept."""
    previous: VerifactuRecord | None = None
    records = VerifactuRecord.objects.select_related("invoice").order_by("position")
    for position, record in enumerate(records.iterator(chunk_size=chunk_size), start=1):
        problem = chain_problem(record, previous, position)
        if problem:
            yield Break(record.position, record.invoice.full_number, problem)
            return
        previous = record
        yield position
