"""Issued invoices written straight as rows, for the tests of what happens after issue
(the PDF, its link, its e-mail). Issuing itself is invoicing.services' business and
has its own tests; these rows hold what it freezes: a jug line at 21 % and shipping."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from invoicing.models import Invoice, InvoiceLine, InvoiceTaxLine
from orders.models import Order

MADRID = ZoneInfo("Europe/Madrid")
D = Decimal
FISCAL_ADDRESS = {
    "street_address_1": "Calle Feria 40",
    "postal_code": "41003",
    "city": "Sevilla",
    "province": "Sevilla",
    "country": "ES",
}


def issued_invoice(
    order: Order,
    *,
    kind: str = "F2",
    number: int = 1,
    sign: int = 1,
    language: str = "es",
    issued_at: datetime | None = None,
    recipient: bool | None = None,
    **fields: object,
) -> Invoice:
    """An invoice of ``order`` for 29.15 € (24.09 € base, 5.06 € IVA at 21 %), its
    amounts negated when ``sign`` is -1 (a rectificativa by differences)."""
    series = f"{kind}-2027"
    with_recipient = kind in ("F1", "F3", "R1") if recipient is None else recipient
    invoice = Invoice.objects.create(
        order=order,
        kind=kind,
        series=series,
        number=number,
        full_number=f"{series}-{number:06d}",
        issued_at=issued_at or datetime(2027, 3, 5, 0, 30, tzinfo=MADRID),
        operation_date=date(2027, 3, 5),
        language_code=language,
        issuer_nif="A99999997",
        issuer_name="Aguas de la Tienda Demo, S.A.",
        recipient_tax_id="B91000008" if with_recipient else "",
        recipient_name="Ferretería Núñez, S.L." if with_recipient else "",
        recipient_address=FISCAL_ADDRESS if with_recipient else None,
        total_net=sign * D("24.09"),
        total_tax=sign * D("5.06"),
        total_gross=sign * D("29.15"),
        idempotency_key=f"test:{series}-{number}",
        description="Venta de artículos de la Tienda del Agua",
        **fields,
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        description="Jarra filtrante",
        quantity=2,
        unit_price_gross=D("12.10"),
        tax_rate=D("21.00"),
        total_gross=sign * D("24.20"),
        total_tax=sign * D("4.20"),
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        description="Envío",
        quantity=1,
        unit_price_gross=D("4.95"),
        tax_rate=D("21.00"),
        total_gross=sign * D("4.95"),
        total_tax=sign * D("0.86"),
    )
    InvoiceTaxLine.objects.create(
        invoice=invoice, rate=D("21.00"), base=sign * D("24.09"), tax=sign * D("5.06")
    )
    return invoice
