"""What a VERI*FACTU record says, as plain values: the input of the huella, the XML
and the QR code.

The invoicing services build these from an invoice frozen with its order. Each class
checks, when it is built, what the AEAT's schema (SuministroInformacion.xsd) or its
validation rules would reject, and raises ``ValueError`` naming the field: a refusal
here is a bug upstream, never a customer's mistake. Amounts are ``Decimal`` with at
most two decimals, signed (a rectification by differences is negative).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from shop.money import is_whole_cents

_NIF = re.compile(r"[0-9A-Z]{9}")
_HUELLA = re.compile(r"[0-9A-F]{64}")
# NumSerieFactura: the AEAT takes printable ASCII only (codes 32 to 126), and the
# QR code's URL carries it too.
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")
_AMOUNT_LIMIT = Decimal(10) ** 12  # ImporteSgn12.2Type: twelve digits before the point
MACRODATO_THRESHOLD = Decimal("100000000.00")
MAX_TAX_LINES = 12  # DesgloseType: DetalleDesglose maxOccurs="12"
MAX_REFERENCES = 1000  # recipients, rectified and substituted invoices: maxOccurs="1000"


class InvoiceType(enum.StrEnum):
    """TipoFactura (ClaveTipoFacturaType)."""

    F1 = "F1"  # factura (arts. 6, 7.2 and 7.3 RD 1619/2012)
    F2 = "F2"  # factura simplificada, or without the recipient's id (art. 6.1.d)
    F3 = "F3"  # issued in place of simplified invoices already issued and declared
    R1 = "R1"  # rectificativa: art. 80.1, 80.2 LIVA and error fundado en derecho
    R2 = "R2"  # rectificativa: art. 80.3 LIVA (concurso de acreedores)
    R3 = "R3"  # rectificativa: art. 80.4 LIVA (créditos incobrables)
    R4 = "R4"  # rectificativa: the rest
    R5 = "R5"  # rectificativa of simplified invoices


RECTIFYING = frozenset(
    {InvoiceType.R1, InvoiceType.R2, InvoiceType.R3, InvoiceType.R4, InvoiceType.R5}
)
# Invoices that identify their recipient; F2 and R5 are simplified and name nobody.
WITH_RECIPIENT = frozenset(
    {InvoiceType.F1, InvoiceType.F3, InvoiceType.R1, InvoiceType.R2, InvoiceType.R3, InvoiceType.R4}
)


class RectificationType(enum.StrEnum):
    """TipoRectificativa (ClaveTipoRectificativaType)."""

    SUBSTITUTION = "S"  # the new invoice replaces the rectified one's amounts
    DIFFERENCES = "I"  # the new invoice carries the difference, usually negative


def _check_text(value: str, field: str, max_length: int) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= max_length:
        raise ValueError(f"{field} must be 1 to {max_length} characters, got {value!r}.")


def _check_nif(value: str, field: str) -> None:
    # The check character is verified where a NIF enters the shop (settings,
    # checkout): here only the schema's shape, nine upper-case characters.
    if not isinstance(value, str) or not _NIF.fullmatch(value):
        raise ValueError(f"{field} must be nine upper-case letters or digits, got {value!r}.")


def fits_amount(value: object) -> bool:
    """Whether ``value`` is an amount the AEAT takes (ImporteSgn12.2Type): a finite
    Decimal of at most twelve integer digits and two decimals."""
    return isinstance(value, Decimal) and is_whole_cents(value) and abs(value) < _AMOUNT_LIMIT


def _check_amount(value: Decimal, field: str) -> None:
    if not fits_amount(value):
        raise ValueError(
            f"{field} must be a Decimal of at most 12 digits and 2 decimals, got {value!r}."
        )


def _check_date(value: date, field: str) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{field} must be a date, got {value!r}.")


def _check_aware(value: datetime, field: str) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{field} must be a datetime with its time zone, got {value!r}.")


def _check_count(values: tuple[object, ...], field: str, low: int, high: int) -> None:
    if not low <= len(values) <= high:
        raise ValueError(f"{field} must hold {low} to {high} items, got {len(values)}.")


@dataclass(frozen=True)
class Party:
    """A person or entity with a Spanish NIF: the issuer (ObligadoEmision), a
    recipient (IDDestinatario) or the producer of the SIF."""

    name: str  # NombreRazon, up to 120 characters
    nif: str  # nine characters, already validated with its check character

    def __post_init__(self) -> None:
        _check_text(self.name, "name", 120)
        _check_nif(self.nif, "nif")


@dataclass(frozen=True)
class InvoiceRef:
    """Which invoice: IDFactura (or IDFacturaRectificada, IDFacturaSustituida,
    RegistroAnterior). The three values the AEAT keys an invoice by."""

    issuer_nif: str  # IDEmisorFactura
    number: str  # NumSerieFactura: series and number as printed, 1 to 60 printable ASCII
    issue_date: date  # FechaExpedicionFactura

    def __post_init__(self) -> None:
        _check_nif(self.issuer_nif, "issuer_nif")
        _check_text(self.number, "number", 60)
        # The huella trims spaces at either end: a number that has them would
        # print as one invoice and be hashed as another.
        if not _PRINTABLE_ASCII.fullmatch(self.number) or self.number != self.number.strip():
            raise ValueError(
                f"number must be printable ASCII without spaces at either end, got {self.number!r}."
            )
        _check_date(self.issue_date, "issue_date")


@dataclass(frozen=True)
class TaxLine:
    """One line of the tax breakdown (DetalleDesglose): IVA at one rate, régimen
    general, subject and not exempt (Impuesto 01, ClaveRegimen 01, S1)."""

    rate: Decimal  # TipoImpositivo, per cent: 21, 10, 4
    base: Decimal  # BaseImponibleOimporteNoSujeto
    quota: Decimal  # CuotaRepercutida

    def __post_init__(self) -> None:
        if not isinstance(self.rate, Decimal) or not Decimal(0) <= self.rate < 1000:
            raise ValueError(f"rate must be a Decimal percentage, got {self.rate!r}.")
        _check_amount(self.rate, "rate")
        _check_amount(self.base, "base")
        _check_amount(self.quota, "quota")


@dataclass(frozen=True)
class ChainLink:
    """The record before this one in the issuer's chain (Encadenamiento/
    RegistroAnterior): the invoice it was about and its huella."""

    invoice: InvoiceRef
    huella: str  # 64 upper-case hexadecimal digits

    def __post_init__(self) -> None:
        if not isinstance(self.huella, str) or not _HUELLA.fullmatch(self.huella):
            raise ValueError(f"huella must be 64 upper-case hex digits, got {self.huella!r}.")


@dataclass(frozen=True)
class Rectification:
    """What a rectifying invoice (R1-R5) corrects and how."""

    type: RectificationType
    invoices: tuple[InvoiceRef, ...]  # FacturasRectificadas
    # ImporteRectificacion: the rectified invoices' base and quota, by substitution only.
    base: Decimal | None = None
    quota: Decimal | None = None

    def __post_init__(self) -> None:
        _check_count(self.invoices, "invoices", 1, MAX_REFERENCES)
        by_substitution = self.type is RectificationType.SUBSTITUTION
        if by_substitution and (self.base is None or self.quota is None):
            raise ValueError("base and quota of the rectified invoices are due by substitution.")
        if not by_substitution and (self.base is not None or self.quota is not None):
            raise ValueError("base and quota are given for a rectification by substitution only.")
        if self.base is not None and self.quota is not None:
            _check_amount(self.base, "base")
            _check_amount(self.quota, "quota")


@dataclass(frozen=True)
class AltaRecord:
    """A registro de facturación de alta: one issued invoice.

    Guarantees, once built: one to twelve tax lines whose quotas add up to
    ``total_quota`` and whose bases and quotas add up to ``total_amount`` (exactly:
    the order froze them); recipients exactly for the types that name one;
    ``rectification`` exactly for R1-R5, ``substituted`` exactly for F3.
    """

    invoice: InvoiceRef
    issuer_name: str  # NombreRazonEmisor, up to 120 characters
    invoice_type: InvoiceType
    description: str  # DescripcionOperacion, up to 500 characters
    tax_lines: tuple[TaxLine, ...]
    total_quota: Decimal  # CuotaTotal
    total_amount: Decimal  # ImporteTotal
    previous: ChainLink | None  # None for the first record of the issuer's chain
    generated_at: datetime  # FechaHoraHusoGenRegistro, with its time zone
    recipients: tuple[Party, ...] = ()  # Destinatarios
    rectification: Rectification | None = None
    substituted: tuple[InvoiceRef, ...] = ()  # FacturasSustituidas (F3)
    operation_date: date | None = None  # FechaOperacion, when not the issue date
    # Subsanacion "S": this alta corrects one the AEAT holds (accepted with
    # errors) of the same invoice; not part of the huella.
    correction: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.invoice_type, InvoiceType):
            raise ValueError(f"invoice_type must be an InvoiceType, got {self.invoice_type!r}.")
        _check_text(self.issuer_name, "issuer_name", 120)
        _check_text(self.description, "description", 500)
        _check_count(self.tax_lines, "tax_lines", 1, MAX_TAX_LINES)
        _check_amount(self.total_quota, "total_quota")
        _check_amount(self.total_amount, "total_amount")
        if self.total_quota != sum((line.quota for line in self.tax_lines), Decimal(0)):
            raise ValueError(f"total_quota {self.total_quota} is not the sum of the lines' quotas.")
        if self.total_amount != sum(
            (line.base + line.quota for line in self.tax_lines), Decimal(0)
        ):
            raise ValueError(
                f"total_amount {self.total_amount} is not the lines' bases plus quotas."
            )
        _check_aware(self.generated_at, "generated_at")
        if self.operation_date is not None:
            _check_date(self.operation_date, "operation_date")
        if self.invoice_type in WITH_RECIPIENT:
            _check_count(self.recipients, "recipients", 1, MAX_REFERENCES)
        elif self.recipients:
            raise ValueError(f"recipients: a {self.invoice_type} invoice names no recipient.")
        if (self.rectification is not None) != (self.invoice_type in RECTIFYING):
            raise ValueError(
                "rectification is given for the rectifying types R1-R5 only, and always."
            )
        if self.invoice_type is InvoiceType.F3:
            _check_count(self.substituted, "substituted", 1, MAX_REFERENCES)
        elif self.substituted:
            raise ValueError("substituted invoices are listed by an F3 only.")


@dataclass(frozen=True)
class AnulacionRecord:
    """A registro de facturación de anulación: an invoice whose alta record is
    cancelled (it should not have been issued)."""

    invoice: InvoiceRef  # the cancelled invoice (IDFactura of the anulación)
    previous: ChainLink | None
    generated_at: datetime

    def __post_init__(self) -> None:
        _check_aware(self.generated_at, "generated_at")


@dataclass(frozen=True)
class SistemaInformatico:
    """The SIF that generates the records (SistemaInformaticoType), from settings."""

    vendor: Party  # who produced the software: NombreRazon and NIF
    name: str  # NombreSistemaInformatico, up to 30 characters
    system_id: str  # IdSistemaInformatico, up to 2 characters
    version: str  # up to 50 characters
    installation_number: str  # NumeroInstalacion, up to 100 characters
    only_verifactu: bool  # TipoUsoPosibleSoloVerifactu
    multi_taxpayer: bool  # TipoUsoPosibleMultiOT: can serve several taxpayers
    multiple_taxpayers: bool  # IndicadorMultiplesOT: serves several now

    def __post_init__(self) -> None:
        _check_text(self.name, "name", 30)
        _check_text(self.system_id, "system_id", 2)
        _check_text(self.version, "version", 50)
        _check_text(self.installation_number, "installation_number", 100)
