"""The invoice PDF drawn from a plain document: every field RD 1619/2012 asks each type
to show (arts. 6, 7 and 15), the VERI*FACTU legends and a QR code that reads back
as the verification URL, in Spanish and in English."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from invoicing.pdf import (
    VERIFACTU_LEGEND,
    VERIFIABLE_LEGEND,
    InvoiceDocument,
    LineView,
    PartyView,
    ReferenceView,
    TaxLineView,
    render_invoice_pdf,
)
from invoicing.verifactu.qr import AeatEnvironment, qr_url_for
from invoicing.verifactu.records import InvoiceType
from tests.invoicing.pdf_reading import in_language, pdf_qr_codes, pdf_qr_side_mm, pdf_text

D = Decimal
ISSUER = PartyView(
    name="Aguas de la Tienda Demo, S.A.",
    tax_id="A99999997",
    address=("Calle Torneo 121", "41002 Sevilla (Sevilla)"),
)
RECIPIENT = PartyView(
    name="Ferretería Núñez, S.L.",
    tax_id="B91000008",
    address=("Calle Sierpes 12", "41004 Sevilla (Sevilla)"),
)
# A jug at 21 % and a book at 4 %, with shipping at 21 %: bases and quotas as the
# order froze them (quota per rate over the base, spread over the lines).
LINES = (
    LineView(
        description="Jarra filtrante · 2 l",
        quantity=2,
        unit_price_gross=D("12.10"),
        tax_rate=D("21.00"),
        total_gross=D("24.20"),
        total_tax=D("4.20"),
    ),
    LineView(
        description="Guía del agua de Sevilla",
        quantity=1,
        unit_price_gross=D("10.40"),
        tax_rate=D("4.00"),
        total_gross=D("10.40"),
        total_tax=D("0.40"),
    ),
    LineView(
        description="Envío",
        quantity=1,
        unit_price_gross=D("4.95"),
        tax_rate=D("21.00"),
        total_gross=D("4.95"),
        total_tax=D("0.86"),
    ),
)
TAX_LINES = (
    TaxLineView(rate=D("4.00"), base=D("10.00"), tax=D("0.40")),
    TaxLineView(rate=D("21.00"), base=D("24.09"), tax=D("5.06")),
)


def url(number: str, importe: str) -> str:
    return qr_url_for(
        nif="A99999997",
        numserie=number,
        fecha="05-03-2027",
        importe=importe,
        environment=AeatEnvironment.TEST,
    )


def document(kind: InvoiceType, language: str, **changes) -> InvoiceDocument:
    number = f"{kind}-2027-000007"
    doc = InvoiceDocument(
        kind=kind,
        number=number,
        series=f"{kind}-2027",
        issue_date=date(2027, 3, 5),
        operation_date=date(2027, 3, 5),
        language_code=language,
        issuer=ISSUER,
        recipient=None if kind in (InvoiceType.F2, InvoiceType.R5) else RECIPIENT,
        lines=LINES,
        tax_lines=TAX_LINES,
        total_net=D("34.09"),
        total_tax=D("5.46"),
        total_gross=D("39.55"),
        qr_url=url(number, "39.55"),
    )
    return replace(doc, **changes)


def test_a_full_invoice_in_spanish_shows_every_field_of_article_6():
    doc = document(InvoiceType.F1, "es", operation_date=date(2027, 3, 4))

    text = pdf_text(render_invoice_pdf(doc))

    expected = [
        "QR tributario:",
        VERIFACTU_LEGEND,
        VERIFIABLE_LEGEND,
        in_language("es", "Invoice number: %(number)s", number="F1-2027-000007"),
        in_language("es", "Series: %(series)s", series="F1-2027"),
        in_language("es", "Issue date: %(date)s", date="5 de marzo de 2027"),
        in_language("es", "Operation date: %(date)s", date="4 de marzo de 2027"),
        "Aguas de la Tienda Demo, S.A.",
        in_language("es", "NIF: %(tax_id)s", tax_id="A99999997"),
        "Calle Torneo 121 41002 Sevilla (Sevilla)",
        "Ferretería Núñez, S.L.",
        in_language("es", "NIF: %(tax_id)s", tax_id="B91000008"),
        "Calle Sierpes 12 41004 Sevilla (Sevilla)",
        # description, quantity, unit price without tax, rate, amount without tax
        "Jarra filtrante · 2 l 2 10,00 € 21 % 20,00 €",
        "Guía del agua de Sevilla 1 10,00 € 4 % 10,00 €",
        "Envío 1 4,09 € 21 % 4,09 €",
        # rate, base, quota, total per rate; then the totals
        "4 % 10,00 € 0,40 € 10,40 €",
        "21 % 24,09 € 5,06 € 29,15 €",
        "34,09 € 5,46 € 39,55 €",
    ]
    assert [part for part in expected if part not in text] == []
    assert in_language("es", "VAT included") not in text


def test_a_full_invoice_in_english():
    doc = document(InvoiceType.F1, "en", operation_date=date(2027, 3, 4))

    text = pdf_text(render_invoice_pdf(doc))

    expected = [
        "QR tributario:",
        VERIFACTU_LEGEND,
        VERIFIABLE_LEGEND,
        "Invoice Invoice number: F1-2027-000007 Series: F1-2027",
        "Issue date: March 5, 2027 Operation date: March 4, 2027 Total: €39.55",
        "Issuer Aguas de la Tienda Demo, S.A. NIF: A99999997",
        "Recipient Ferretería Núñez, S.L. NIF: B91000008 Calle Sierpes 12",
        "Description Quantity Unit price (excl. VAT) VAT Amount (excl. VAT)",
        "Jarra filtrante · 2 l 2 €10.00 21% €20.00",
        "VAT rate Tax base VAT quota Total",
        "4% €10.00 €0.40 €10.40",
        "21% €24.09 €5.06 €29.15",
        "Total €34.09 €5.46 €39.55",
    ]
    assert [part for part in expected if part not in text] == []


def test_the_operation_date_is_left_out_when_it_is_the_issue_date():
    text = pdf_text(render_invoice_pdf(document(InvoiceType.F1, "en")))

    assert "Issue date: March 5, 2027" in text
    assert "Operation date" not in text


def test_a_simplified_invoice_shows_article_7_prices_with_vat_and_no_recipient():
    text = pdf_text(render_invoice_pdf(document(InvoiceType.F2, "en")))

    expected = [
        VERIFACTU_LEGEND,
        VERIFIABLE_LEGEND,
        "Simplified invoice Invoice number: F2-2027-000007 Series: F2-2027",
        "Issue date: March 5, 2027",
        "Issuer Aguas de la Tienda Demo, S.A. NIF: A99999997",
        "Description Quantity Unit price (VAT incl.) VAT Amount (VAT incl.)",
        "Jarra filtrante · 2 l 2 €12.10 21% €24.20",
        "Guía del agua de Sevilla 1 €10.40 4% €10.40",
        "Envío 1 €4.95 21% €4.95",
        # the base per rate when the rates differ (art. 7.1.g)
        "4% €10.00 €0.40 €10.40",
        "21% €24.09 €5.06 €29.15",
        "Total €34.09 €5.46 €39.55 VAT included",
    ]
    assert [part for part in expected if part not in text] == []
    assert "Recipient" not in text
    assert "Ferretería" not in text


def test_a_simplified_invoice_in_spanish():
    text = pdf_text(render_invoice_pdf(document(InvoiceType.F2, "es")))

    expected = [
        VERIFACTU_LEGEND,
        VERIFIABLE_LEGEND,
        in_language("es", "Simplified invoice"),
        in_language("es", "Invoice number: %(number)s", number="F2-2027-000007"),
        in_language("es", "Issue date: %(date)s", date="5 de marzo de 2027"),
        "Jarra filtrante · 2 l 2 12,10 € 21 % 24,20 €",
        "21 % 24,09 € 5,06 € 29,15 €",
        "34,09 € 5,46 € 39,55 € " + in_language("es", "VAT included"),
    ]
    assert [part for part in expected if part not in text] == []
    assert "Ferretería" not in text


def corrective(kind: InvoiceType, language: str) -> InvoiceDocument:
    number = f"{kind}-2027-000002"
    return document(
        kind,
        language,
        number=number,
        series=f"{kind}-2027",
        lines=(replace(LINES[0], total_gross=D("-24.20"), total_tax=D("-4.20")),),
        tax_lines=(TaxLineView(rate=D("21.00"), base=D("-20.00"), tax=D("-4.20")),),
        total_net=D("-20.00"),
        total_tax=D("-4.20"),
        total_gross=D("-24.20"),
        qr_url=url(number, "-24.20"),
        rectified=(ReferenceView(number="F2-2027-000007", issue_date=date(2027, 3, 1)),),
        rectification_type="I",
        reason="Devolución de 2 jarras",
    )


def test_a_rectificativa_of_a_simplified_invoice_cites_it_with_the_reason_and_negative_amounts():
    text = pdf_text(render_invoice_pdf(corrective(InvoiceType.R5, "en")))

    expected = [
        VERIFACTU_LEGEND,
        "Corrective invoice (factura rectificativa) Invoice number: R5-2027-000002",
        "Rectifies invoice F2-2027-000007 of March 1, 2027",
        "Rectification by differences",
        "Reason: Devolución de 2 jarras",
        "Jarra filtrante · 2 l 2 €12.10 21% -€24.20",
        "21% -€20.00 -€4.20 -€24.20",
        "Total -€20.00 -€4.20 -€24.20 VAT included",
    ]
    assert [part for part in expected if part not in text] == []


def test_a_rectificativa_of_a_full_invoice_in_spanish_names_the_recipient():
    text = pdf_text(render_invoice_pdf(corrective(InvoiceType.R1, "es")))

    expected = [
        VERIFIABLE_LEGEND,
        in_language("es", "Corrective invoice (factura rectificativa)"),
        in_language(
            "es",
            "Rectifies invoice %(number)s of %(date)s",
            number="F2-2027-000007",
            date="1 de marzo de 2027",
        ),
        in_language("es", "Reason: %(reason)s", reason="Devolución de 2 jarras"),
        "Ferretería Núñez, S.L.",
        in_language("es", "NIF: %(tax_id)s", tax_id="B91000008"),
        "Jarra filtrante · 2 l 2 -10,00 € 21 % -20,00 €",
        "21 % -20,00 € -4,20 € -24,20 €",
    ]
    assert [part for part in expected if part not in text] == []


def test_an_f3_lists_the_simplified_invoices_it_replaces():
    doc = document(
        InvoiceType.F3,
        "en",
        substituted=(
            ReferenceView(number="F2-2027-000005", issue_date=date(2027, 3, 1)),
            ReferenceView(number="F2-2027-000006", issue_date=date(2027, 3, 2)),
        ),
    )

    text = pdf_text(render_invoice_pdf(doc))

    expected = [
        VERIFACTU_LEGEND,
        "Invoice Invoice number: F3-2027-000007",
        "Issued in substitution of the simplified invoices: "
        "F2-2027-000005 of March 1, 2027 F2-2027-000006 of March 2, 2027",
        "Recipient Ferretería Núñez, S.L. NIF: B91000008",
        "Jarra filtrante · 2 l 2 €10.00 21% €20.00",
    ]
    assert [part for part in expected if part not in text] == []


def test_an_f3_in_spanish():
    doc = document(
        InvoiceType.F3,
        "es",
        substituted=(ReferenceView(number="F2-2027-000005", issue_date=date(2027, 3, 1)),),
    )

    text = pdf_text(render_invoice_pdf(doc))

    expected = [
        in_language("es", "Issued in substitution of the simplified invoices:"),
        in_language(
            "es", "%(number)s of %(date)s", number="F2-2027-000005", date="1 de marzo de 2027"
        ),
        "Ferretería Núñez, S.L.",
    ]
    assert [part for part in expected if part not in text] == []


@pytest.mark.parametrize(
    "doc",
    [
        document(InvoiceType.F1, "es"),
        document(InvoiceType.F2, "en"),
        corrective(InvoiceType.R5, "es"),
        document(
            InvoiceType.F3,
            "en",
            substituted=(ReferenceView(number="F2-2027-000005", issue_date=date(2027, 3, 1)),),
        ),
    ],
    ids=["F1", "F2", "R5", "F3"],
)
def test_the_qr_code_is_printed_once_on_the_first_page_and_reads_back_as_the_url(doc):
    pdf = render_invoice_pdf(doc)

    assert pdf_qr_codes(pdf) == [(1, doc.qr_url, "M")]
    assert 30 <= pdf_qr_side_mm(pdf) <= 40


def test_the_qr_heading_comes_before_the_invoices_content():
    text = pdf_text(render_invoice_pdf(document(InvoiceType.F2, "en")))

    assert text.index("QR tributario:") < text.index("Simplified invoice")
    assert text.index(VERIFACTU_LEGEND) < text.index("Invoice number:")


def test_a_long_invoice_runs_onto_more_pages_with_the_qr_code_on_the_first_only():
    many = tuple(replace(LINES[0], description=f"Jarra {index}") for index in range(80))

    pdf = render_invoice_pdf(document(InvoiceType.F2, "en", lines=many))

    text = pdf_text(pdf)
    assert "Jarra 0 " in text
    assert "Jarra 79 " in text
    assert text.count("QR tributario:") == 1
    assert pdf_qr_codes(pdf) == [(1, url("F2-2027-000007", "39.55"), "M")]


def test_the_same_document_renders_to_the_same_bytes():
    doc = document(InvoiceType.F1, "es")

    assert render_invoice_pdf(doc) == render_invoice_pdf(doc)


SPANISH_LABELS = [
    "Factura simplificada",
    "Número de factura: F2-2027-000007",
    "Fecha de expedición: 5 de marzo de 2027",
    "IVA incluido",
]


@pytest.mark.skipif(
    in_language("es", "VAT included") == "VAT included",
    reason="the Spanish catalogue has no translation of the PDF's labels yet (make messages)",
)
def test_the_spanish_labels_read_as_spanish():
    text = pdf_text(render_invoice_pdf(document(InvoiceType.F2, "es")))

    assert [label for label in SPANISH_LABELS if label not in text] == []
