"""Records to submit, built as the invoicing services store them, and the AEAT
simulator the submission tests talk to."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from lxml import etree

from invoicing import conf
from invoicing.models import Invoice, VerifactuRecord
from invoicing.submission.simulator import AeatSimulator
from invoicing.verifactu.records import AltaRecord, ChainLink, InvoiceRef, InvoiceType, TaxLine
from invoicing.verifactu.xml import SF_NS, registro
from tests.factories.orders import place_order

ISSUE_DATE = datetime(2027, 1, 4, 10, 30, tzinfo=timezone.get_fixed_timezone(60))


def add_records(count: int) -> list[VerifactuRecord]:
    """The records of ``count`` new orders, each invoiced by the invoicing services
    as it is placed (paid by card), in chain order."""
    last = VerifactuRecord.objects.order_by("-position").first()
    for _ in range(count):
        place_order()
    after = last.position if last else 0
    records = list(VerifactuRecord.objects.filter(position__gt=after).order_by("position"))
    assert len(records) == count
    return records


def number(position: int) -> str:
    """The invoice number of the record at ``position``."""
    return (
        VerifactuRecord.objects.select_related("invoice").get(position=position).invoice.full_number
    )


def add_forged_record(*, previous_huella: str) -> VerifactuRecord:
    """An alta of a new F2 invoice of 12.10 EUR chained after the last record but
    naming ``previous_huella`` as that record's huella: a broken chain."""
    order = place_order()
    issuer, sif = conf.issuer(), conf.sistema_informatico()
    last = VerifactuRecord.objects.select_related("invoice").order_by("-position").first()
    assert last is not None
    position = last.position + 1
    number = f"FORGED-{position:06d}"
    invoice = Invoice.objects.create(
        order=order,
        kind="F2",
        series="FORGED",
        number=position,
        full_number=number,
        issued_at=ISSUE_DATE,
        operation_date=ISSUE_DATE.date(),
        language_code="es",
        issuer_nif=issuer.nif,
        issuer_name=issuer.name,
        total_net=Decimal("10.00"),
        total_tax=Decimal("2.10"),
        total_gross=Decimal("12.10"),
        idempotency_key=f"forged:{position}",
    )
    previous = InvoiceRef(issuer.nif, last.invoice.full_number, last.invoice.issued_at.date())
    generated_at = timezone.now()
    element = registro(
        AltaRecord(
            invoice=InvoiceRef(issuer.nif, number, ISSUE_DATE.date()),
            issuer_name=issuer.name,
            invoice_type=InvoiceType.F2,
            description="Venta de artículos de la Tienda del Agua",
            tax_lines=(TaxLine(Decimal("21.00"), Decimal("10.00"), Decimal("2.10")),),
            total_quota=Decimal("2.10"),
            total_amount=Decimal("12.10"),
            previous=ChainLink(previous, previous_huella),
            generated_at=generated_at,
        ),
        sif,
    )
    return VerifactuRecord.objects.create(
        position=position,
        invoice=invoice,
        kind=VerifactuRecord.Kind.ALTA,
        previous=last,
        huella=element.findtext(f"{{{SF_NS}}}Huella"),
        generated_at=generated_at,
        xml=etree.tostring(element, encoding="unicode"),
    )


@pytest.fixture(name="aeat")
def aeat_simulator(settings: Any) -> Iterator[AeatSimulator]:
    """A running AEAT simulator that the ``simulator`` channel posts to, with a short
    client timeout (the injected time-outs hang for longer)."""
    simulator = AeatSimulator(wait_seconds=60).start()
    settings.VERIFACTU_CHANNEL = "simulator"
    settings.VERIFACTU_SIMULATOR_URL = simulator.url
    settings.VERIFACTU_TIMEOUT = 0.5
    settings.VERIFACTU_BATCH_SIZE = 1000
    settings.VERIFACTU_RETRY_REJECTED_AFTER = 3600
    try:
        yield simulator
    finally:
        simulator.stop()
    assert simulator.errors == []
