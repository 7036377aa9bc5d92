"""The huella (fingerprint) of a VERI*FACTU record, as the AEAT builds it.

Source: «Detalle de las especificaciones técnicas para la generación de la huella o
hash de los registros de facturación» (AEAT, v0.1.2, 27/08/2024):

- the fields of the record, in a fixed order, written ``name=value`` and joined with
  ``&``: for an alta IDEmisorFactura, NumSerieFactura, FechaExpedicionFactura,
  TipoFactura, CuotaTotal, ImporteTotal, Huella (of the previous record) and
  FechaHoraHusoGenRegistro; for an anulación IDEmisorFacturaAnulada,
  NumSerieFacturaAnulada, FechaExpedicionFacturaAnulada, Huella (of the previous
  record) and FechaHoraHusoGenRegistro;
- each value with the spaces at either end removed; a field without value is still
  written, ``name=`` (the first record of a chain hashes ``Huella=``);
- the values exactly as the record's XML writes them: dates dd-mm-yyyy, amounts with
  a point, the timestamp in ISO 8601 with its offset;
- SHA-256 of the UTF-8 bytes, in upper-case hexadecimal (64 characters).

The same formatting functions write the XML (:mod:`.xml`), so what is hashed is what
is sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from invoicing.verifactu.records import AltaRecord, AnulacionRecord, ChainLink, fits_amount
from shop.money import CENT

# The issuer is in the Peninsula: its records are timed in its own legal time, so a
# timestamp read back from the database (in UTC) is written, and hashed, the same.
SPANISH_TIME = ZoneInfo("Europe/Madrid")
# What "espacios en blanco" at either end can be; the values are ASCII.
_BLANKS = " \t\n\r\f\v"


def format_date(value: date) -> str:
    """A date as the AEAT writes it: ``dd-mm-yyyy``."""
    return value.strftime("%d-%m-%Y")


def format_amount(value: Decimal) -> str:
    """An amount as ImporteSgn12.2Type takes it: optional minus sign, up to twelve
    digits, a point and always two decimals (``121.00``, ``-12.30``; zero is
    ``0.00``, never ``-0.00``).

    Raises ``ValueError`` for more than two decimals (rounding is the invoice's
    business, done once, not here), more than twelve integer digits, NaN or infinity.
    """
    if not fits_amount(value):
        raise ValueError(f"amount {value!r} does not fit 12 digits and 2 decimals.")
    return f"{value.quantize(CENT) + 0:.2f}"  # + 0 turns -0.00 into 0.00


def format_timestamp(value: datetime, zone: ZoneInfo = SPANISH_TIME) -> str:
    """FechaHoraHusoGenRegistro: ISO 8601 to the second with the offset in force in
    ``zone`` at that instant (``2024-01-01T19:20:30+01:00``). Fractions of a second
    are dropped. Raises ``ValueError`` for a datetime without time zone."""
    if value.utcoffset() is None:
        raise ValueError(f"timestamp {value!r} has no time zone.")
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def huella_input(fields: Sequence[tuple[str, str]]) -> str:
    """The text that is hashed: ``name=value`` pairs, values trimmed, joined by ``&``."""
    return "&".join(f"{name}={value.strip(_BLANKS)}" for name, value in fields)


def huella(fields: Sequence[tuple[str, str]]) -> str:
    """SHA-256 of :func:`huella_input` in UTF-8, as 64 upper-case hex digits."""
    return hashlib.sha256(huella_input(fields).encode("utf-8")).hexdigest().upper()


def _previous(link: ChainLink | None) -> str:
    return link.huella if link is not None else ""


def alta_fields(record: AltaRecord) -> tuple[tuple[str, str], ...]:
    """The eight fields of an alta's huella, in the specification's order."""
    return (
        ("IDEmisorFactura", record.invoice.issuer_nif),
        ("NumSerieFactura", record.invoice.number),
        ("FechaExpedicionFactura", format_date(record.invoice.issue_date)),
        ("TipoFactura", record.invoice_type.value),
        ("CuotaTotal", format_amount(record.total_quota)),
        ("ImporteTotal", format_amount(record.total_amount)),
        ("Huella", _previous(record.previous)),
        ("FechaHoraHusoGenRegistro", format_timestamp(record.generated_at)),
    )


def anulacion_fields(record: AnulacionRecord) -> tuple[tuple[str, str], ...]:
    """The five fields of an anulación's huella, in the specification's order."""
    return (
        ("IDEmisorFacturaAnulada", record.invoice.issuer_nif),
        ("NumSerieFacturaAnulada", record.invoice.number),
        ("FechaExpedicionFacturaAnulada", format_date(record.invoice.issue_date)),
        ("Huella", _previous(record.previous)),
        ("FechaHoraHusoGenRegistro", format_timestamp(record.generated_at)),
    )


def huella_alta(record: AltaRecord) -> str:
    """The huella of a registro de alta."""
    return huella(alta_fields(record))


def huella_anulacion(record: AnulacionRecord) -> str:
    """The huella of a registro de anulación."""
    return huella(anulacion_fields(record))
