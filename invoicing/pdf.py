"""The invoice as a PDF: what the Reglamento de facturación (RD 1619/2012) asks each
type to show, in the invoice's language, with the VERI*FACTU QR code.

:func:`render_invoice_pdf` draws an :class:`InvoiceDocument`, a plain view of an
issued invoice (``invoicing.rendering.invoice_document`` builds it from the model),
so the layout is tested without a database. What each type shows:

- full invoice (F1, F3; art. 6): number and series, issue date, operation date when
  it differs, issuer's name, NIF and address, recipient's name, NIF and address,
  each line's description, quantity, unit price without tax and rate, the base and
  quota per rate, the total; an F3 lists the simplified invoices it replaces;
- simplified invoice (F2; art. 7): number and series, date, issuer's NIF and name,
  the goods, the rate with "IVA incluido" and the base per rate, the total;
- rectificativa (R1-R5; art. 15): the words "Factura rectificativa", the rectified
  invoice's number and date, the reason, and the (signed) amounts it corrects.

The QR code and its legend (Orden HAC/1177/2024, arts. 20 and 21, and the AEAT's
«Características del QR», as published on the AEAT's VERI*FACTU pages): the code
comes first, before the invoice's content, once, on the first page, near the top
left of a portrait page, between 30 and 40 mm (a 32 mm symbol in its quiet zone),
with "QR tributario:" above it, "VERI*FACTU" right under it and "Factura verificable
en la sede electrónica de la AEAT" below that: both phrases the Orden allows. They
are fixed legal text, printed in Spanish in either language. (The Orden's own text
could not be read from here; this follows the AEAT's pages quoting it.)

Fonts: Bitstream Vera (the typeface DejaVu was made from), shipped inside the
reportlab wheel and embedded as a subset, so "ñ", "€" and "·" print and extract as
themselves on any machine.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import formats, translation
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from invoicing.verifactu.qr import qr_png
from invoicing.verifactu.records import RECTIFYING, InvoiceType
from shop.money import quantize

QR_HEADING = "QR tributario:"
VERIFACTU_LEGEND = "VERI*FACTU"
VERIFIABLE_LEGEND = "Factura verificable en la sede electrónica de la AEAT"
FONT = "InvoiceVera"
FONT_BOLD = "InvoiceVera-Bold"
_MM_PER_INCH = Decimal("25.4")


@dataclass(frozen=True)
class PartyView:
    """Issuer or recipient as printed: name, tax id and address lines."""

    name: str
    tax_id: str
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineView:
    """One line as the order froze it; amounts include IVA, ``tax_rate`` in per cent."""

    description: str
    quantity: int
    unit_price_gross: Decimal
    tax_rate: Decimal
    total_gross: Decimal
    total_tax: Decimal

    @property
    def total_net(self) -> Decimal:
        return self.total_gross - self.total_tax

    @property
    def unit_price_net(self) -> Decimal:
        """Unit price without tax (art. 6.1.f), to the cent: the line's exact base
        divided by its quantity."""
        return quantize(self.total_net / self.quantity) if self.quantity else self.total_net


@dataclass(frozen=True)
class TaxLineView:
    rate: Decimal  # per cent: 21, 10, 4
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class ReferenceView:
    """Another invoice, as cited: its number and issue date."""

    number: str
    issue_date: date


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything the PDF prints, already frozen: amounts are signed (negative on a
    rectificativa by differences), dates are the invoice's own."""

    kind: InvoiceType
    number: str  # full number as the AEAT knows it, e.g. "F2-2027-000001"
    series: str  # e.g. "F2-2027"
    issue_date: date
    operation_date: date | None  # printed only when it differs from the issue date
    language_code: str
    issuer: PartyView
    recipient: PartyView | None  # None for F2/R5
    lines: tuple[LineView, ...]
    tax_lines: tuple[TaxLineView, ...]
    total_net: Decimal
    total_tax: Decimal
    total_gross: Decimal
    qr_url: str
    rectified: tuple[ReferenceView, ...] = ()
    rectification_type: str = ""  # "I" (differences) or "S" (substitution)
    reason: str = ""
    substituted: tuple[ReferenceView, ...] = field(default=())


@cache
def _register_fonts() -> None:
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "VeraBd.ttf")))


def _style(size: float = 9, *, bold: bool = False, align: int = 0) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{bold}{align}",
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.25,
        alignment=align,
    )


def format_amount(amount: Decimal, language: str) -> str:
    """``1.234,56 €`` in Spanish, ``€1,234.56`` in English; signed."""
    text = f"{abs(quantize(amount)):,.2f}"
    sign = "-" if amount < 0 else ""
    if language == "en":
        return f"{sign}€{text}"
    return sign + text.replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


def format_rate(rate: Decimal, language: str) -> str:
    """``21 %`` in Spanish, ``21%`` in English (a rate is given in per cent)."""
    number = format(rate.normalize(), "f")
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return f"{number}%" if language == "en" else f"{number.replace('.', ',')} %"


def format_day(day: date) -> str:
    """The date in the active language's long format."""
    return formats.date_format(day, "DATE_FORMAT")


def title(kind: InvoiceType) -> str:
    """The document's name as printed at its top, in the active language."""
    if kind in RECTIFYING:
        # The words "factura rectificativa" are what art. 15 RD 1619/2012 asks for.
        return _("Corrective invoice (factura rectificativa)")
    if kind is InvoiceType.F2:
        return _("Simplified invoice")
    return _("Invoice")


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _qr_block(url: str) -> list[Flowable]:
    png = qr_png(url)
    with PILImage.open(io.BytesIO(png)) as image:
        side_mm = float(Decimal(image.width) / Decimal(image.info["dpi"][0]) * _MM_PER_INCH)
    return [
        _p(QR_HEADING, _style(7, bold=True, align=1)),
        Image(io.BytesIO(png), width=side_mm * mm, height=side_mm * mm),
        _p(VERIFACTU_LEGEND, _style(8, bold=True, align=1)),
    ]


def _heading(doc: InvoiceDocument) -> list[Flowable]:
    lang = doc.language_code
    rows = [
        _p(title(doc.kind), _style(16, bold=True)),
        Spacer(1, 2 * mm),
        _p(_("Invoice number: %(number)s") % {"number": doc.number}, _style(10, bold=True)),
        _p(_("Series: %(series)s") % {"series": doc.series}, _style()),
        _p(_("Issue date: %(date)s") % {"date": format_day(doc.issue_date)}, _style()),
    ]
    if doc.operation_date and doc.operation_date != doc.issue_date:
        rows.append(
            _p(_("Operation date: %(date)s") % {"date": format_day(doc.operation_date)}, _style())
        )
    rows.append(
        _p(
            _("Total: %(amount)s") % {"amount": format_amount(doc.total_gross, lang)},
            _style(10, bold=True),
        )
    )
    return rows


def _party(label: str, party: PartyView) -> list[Flowable]:
    return [
        _p(label, _style(8, bold=True)),
        _p(party.name, _style()),
        _p(_("NIF: %(tax_id)s") % {"tax_id": party.tax_id}, _style()),
        *(_p(line, _style()) for line in party.address),
    ]


def _parties(doc: InvoiceDocument) -> Table:
    issuer = _party(_("Issuer"), doc.issuer)
    recipient = _party(_("Recipient"), doc.recipient) if doc.recipient else []
    table = Table([[issuer, recipient]], colWidths=[90 * mm, 90 * mm])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


_GRID = [
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
    ("FONTSIZE", (0, 0), (-1, -1), 8),
    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
    ("LINEBELOW", (0, -1), (-1, -1), 0.25, colors.grey),
    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (0, -1), 0),
]


def _header_row(labels: list[str], *, first_left: bool = True) -> list[Flowable]:
    return [
        _p(label, _style(8, bold=True, align=0 if index == 0 and first_left else 2))
        for index, label in enumerate(labels)
    ]


def _lines(doc: InvoiceDocument) -> Table:
    lang = doc.language_code
    cell = _style(8)
    simplified = doc.kind in (InvoiceType.F2, InvoiceType.R5)
    if simplified:
        # Prices as the shopper paid them, IVA included (art. 7.1.g).
        labels = [_("Unit price (VAT incl.)"), _("Amount (VAT incl.)")]
    else:
        labels = [_("Unit price (excl. VAT)"), _("Amount (excl. VAT)")]
    header = _header_row([_("Description"), _("Quantity"), labels[0], _("VAT"), labels[1]])
    rows = [
        [
            _p(line.description, cell),
            str(line.quantity),
            format_amount(line.unit_price_gross if simplified else line.unit_price_net, lang),
            format_rate(line.tax_rate, lang),
            format_amount(line.total_gross if simplified else line.total_net, lang),
        ]
        for line in doc.lines
    ]
    widths = [64 * mm, 22 * mm, 34 * mm, 18 * mm, 42 * mm]
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(_GRID))
    return table


def _taxes(doc: InvoiceDocument) -> Table:
    lang = doc.language_code
    header = _header_row(
        [_("VAT rate"), _("Tax base"), _("VAT quota"), _("Total")], first_left=False
    )
    rows = [
        [
            format_rate(line.rate, lang),
            format_amount(line.base, lang),
            format_amount(line.tax, lang),
            format_amount(line.base + line.tax, lang),
        ]
        for line in doc.tax_lines
    ]
    totals = [
        _("Total"),
        format_amount(doc.total_net, lang),
        format_amount(doc.total_tax, lang),
        format_amount(doc.total_gross, lang),
    ]
    table = Table(
        [header, *rows, totals], colWidths=[30 * mm, 40 * mm, 40 * mm, 40 * mm], hAlign="RIGHT"
    )
    table.setStyle(
        TableStyle(
            [
                *_GRID,
                ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _references(doc: InvoiceDocument) -> list[Flowable]:
    rows: list[Flowable] = []
    if doc.kind in RECTIFYING:
        for ref in doc.rectified:
            rows.append(
                _p(
                    _("Rectifies invoice %(number)s of %(date)s")
                    % {"number": ref.number, "date": format_day(ref.issue_date)},
                    _style(),
                )
            )
        kind = _("by differences") if doc.rectification_type == "I" else _("by substitution")
        rows.append(_p(_("Rectification %(kind)s") % {"kind": kind}, _style()))
        if doc.reason:
            rows.append(_p(_("Reason: %(reason)s") % {"reason": doc.reason}, _style()))
    if doc.substituted:
        rows.append(
            _p(_("Issued in substitution of the simplified invoices:"), _style(9, bold=True))
        )
        rows.extend(
            _p(
                _("%(number)s of %(date)s")
                % {"number": ref.number, "date": format_day(ref.issue_date)},
                _style(),
            )
            for ref in doc.substituted
        )
    return rows


def _story(doc: InvoiceDocument) -> list[Flowable]:
    header = Table([[_qr_block(doc.qr_url), _heading(doc)]], colWidths=[46 * mm, 134 * mm])
    header.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    story: list[Flowable] = [
        header,
        _p(VERIFIABLE_LEGEND, _style(7)),
        Spacer(1, 6 * mm),
        _parties(doc),
        Spacer(1, 6 * mm),
    ]
    references = _references(doc)
    if references:
        story += [*references, Spacer(1, 4 * mm)]
    story += [_lines(doc), Spacer(1, 6 * mm), KeepTogether([_taxes(doc)])]
    if doc.kind in (InvoiceType.F2, InvoiceType.R5):
        story += [Spacer(1, 2 * mm), _p(_("VAT included"), _style(8, align=2))]
    return story


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes, its text in ``doc.language_code`` (English or
    Spanish; anything else falls back to Spanish). Deterministic for a given
    document: the PDF carries no creation time of its own."""
    _register_fonts()
    out = io.BytesIO()
    language = doc.language_code if doc.language_code in ("es", "en") else "es"
    with translation.override(language):
        template = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=12 * mm,
            bottomMargin=15 * mm,
            title=f"{title(doc.kind)} {doc.number}",
            author=doc.issuer.name,
            invariant=True,
        )
        template.build(_story(doc), onFirstPage=_footer(doc), onLaterPages=_footer(doc))
    return out.getvalue()


def _footer(doc: InvoiceDocument) -> Callable[[Canvas, BaseDocTemplate], None]:
    text = f"{doc.issuer.name} · NIF {doc.issuer.tax_id} · {doc.number}"

    def draw(canvas: Canvas, _template: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 8 * mm, text)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()

    return draw
