"""The QR code printed on a VERI*FACTU invoice: the AEAT's verification (cotejo) URL
and the image that carries it.

Source: «Características del QR y especificaciones del servicio de cotejo o remisión
de información por parte del receptor de la factura» (AEAT, v0.5.0), repeating
article 21 of Orden HAC/1177/2024:

- the URL is the ValidarQR service of the AEAT's host (``prewww2.aeat.es`` for tests,
  ``www2.agenciatributaria.gob.es`` in production) with four parameters in this order:
  ``nif`` (IDEmisorFactura), ``numserie`` (NumSerieFactura), ``fecha``
  (FechaExpedicionFactura, dd-mm-yyyy) and ``importe`` (ImporteTotal, with a point);
  the values are URL-encoded in UTF-8 (``12345678&G33`` is ``12345678%26G33``) and
  are printable ASCII;
- the symbol follows ISO/IEC 18004 at error-correction level M and is printed
  between 30x30 and 40x40 mm.

The legend the invoice prints with the code ("VERI*FACTU" or "Factura verificable en
la sede electrónica de la AEAT") belongs to the PDF, not here.
"""

from __future__ import annotations

import enum
import io
import math
import re
from urllib.parse import quote

import segno

from invoicing.verifactu.huella import format_amount, format_date
from invoicing.verifactu.records import AltaRecord


class AeatEnvironment(enum.StrEnum):
    """Which AEAT the shop speaks to: the test environment or the real one."""

    TEST = "test"
    PRODUCTION = "production"


VALIDATION_URLS = {
    AeatEnvironment.TEST: "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR",
    AeatEnvironment.PRODUCTION: "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR",
}
# Printed size of the symbol itself; with the quiet zone round it the whole image
# stays within 40 mm for every URL the shop can make (version 6 and up).
QR_SYMBOL_MM = 32.0
QR_MIN_QUIET_ZONE_MM = 2.0
_MM_PER_INCH = 25.4
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")


def qr_url_for(
    *, nif: str, numserie: str, fecha: str, importe: str, environment: AeatEnvironment
) -> str:
    """The verification URL for values exactly as the registro de alta's XML writes
    them (``importe`` is ImporteTotal's text). Every value is percent-encoded, ``/``
    and spaces included. Raises ``ValueError`` for a value that is empty or not
    printable ASCII."""
    values = {"nif": nif, "numserie": numserie, "fecha": fecha, "importe": importe}
    for name, value in values.items():
        if not _PRINTABLE_ASCII.fullmatch(value):
            raise ValueError(f"{name} must be printable ASCII, got {value!r}.")
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in values.items())
    return f"{VALIDATION_URLS[environment]}?{query}"


def qr_url(record: AltaRecord, *, environment: AeatEnvironment) -> str:
    """The verification URL of the invoice a registro de alta records."""
    return qr_url_for(
        nif=record.invoice.issuer_nif,
        numserie=record.invoice.number,
        fecha=format_date(record.invoice.issue_date),
        importe=format_amount(record.total_amount),
        environment=environment,
    )


def qr_code(url: str) -> segno.QRCode:
    """The symbol: a full QR code (never Micro QR) at level M exactly, not raised
    to a higher level even where it would fit."""
    return segno.make_qr(url, error="m", boost_error=False)


def _layout(code: segno.QRCode) -> tuple[float, int]:
    """The module's side in mm and the quiet zone in modules: ISO's four modules,
    or more if four are narrower than 2 mm."""
    modules = code.symbol_size(border=0)[0]
    module_mm = QR_SYMBOL_MM / modules
    return module_mm, max(4, math.ceil(QR_MIN_QUIET_ZONE_MM / module_mm))


def qr_svg(url: str) -> str:
    """The QR code as an SVG document whose width and height are in millimetres:
    a 32 mm symbol with its quiet zone, printed at that size by any renderer."""
    code = qr_code(url)
    module_mm, border = _layout(code)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=module_mm, border=border, unit="mm", xmldecl=False)
    return out.getvalue().decode("utf-8")


def qr_png(url: str, *, pixels_per_module: int = 10) -> bytes:
    """The QR code as a PNG whose declared resolution prints the symbol at 32 mm
    (with its quiet zone round it)."""
    code = qr_code(url)
    module_mm, border = _layout(code)
    dpi = round(pixels_per_module * _MM_PER_INCH / module_mm)
    out = io.BytesIO()
    code.save(out, kind="png", scale=pixels_per_module, border=border, dpi=dpi)
    return out.getvalue()
