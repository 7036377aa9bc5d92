"""The XML of VERI*FACTU records and of a submission, and its validation against the
AEAT's schemas (vendored in ``xsd/``; see its README for where they came from).

A record is built once, when it is generated, and kept as it was sent: the
submission copies stored record elements under its Cabecera. Elements are written in
the order the schema's sequences require; values use the same formatting as the
huella (:mod:`.huella`), so the Huella of a record is that of its own text.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from pathlib import Path

from lxml import etree
from typing_extensions import override

from invoicing.verifactu.huella import (
    format_amount,
    format_date,
    format_timestamp,
    huella_alta,
    huella_anulacion,
)
from invoicing.verifactu.records import (
    MACRODATO_THRESHOLD,
    AltaRecord,
    AnulacionRecord,
    ChainLink,
    InvoiceRef,
    Party,
    SistemaInformatico,
)

_BASE = "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/"
SF_NS = _BASE + "SuministroInformacion.xsd"
LR_NS = _BASE + "SuministroLR.xsd"
ID_VERSION = "1.0"  # VersionType: the only version the schema takes
MAX_RECORDS_PER_SUBMISSION = 1000  # RegistroFactura maxOccurs="1000"
XSD_DIR = Path(__file__).resolve().parent / "xsd"
# SuministroInformacion.xsd imports the W3C's schema by its URL: read the copy here.
_LOCAL_SCHEMAS = {
    "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd": XSD_DIR
    / "xmldsig-core-schema.xsd",
}
_INVOICE_ID = ("IDEmisorFactura", "NumSerieFactura", "FechaExpedicionFactura")
_CANCELLED_ID = (
    "IDEmisorFacturaAnulada",
    "NumSerieFacturaAnulada",
    "FechaExpedicionFacturaAnulada",
)
_IVA = "01"  # Impuesto: IVA
_REGIMEN_GENERAL = "01"  # ClaveRegimen: operación de régimen general
_SUBJECT_NOT_EXEMPT = "S1"  # CalificacionOperacion: sujeta y no exenta, sin inversión
_SHA256 = "01"  # TipoHuella


class SchemaInvalid(ValueError):
    """A document the AEAT's schema refuses; ``errors`` holds the schema's reasons."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(self.errors))


def _sf(name: str) -> str:
    return f"{{{SF_NS}}}{name}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _sf(name))
    if text is not None:
        element.text = text
    return element


def _yes_no(flag: bool) -> str:
    return "S" if flag else "N"


def _invoice(
    parent: etree._Element, name: str, ref: InvoiceRef, names: tuple[str, str, str] = _INVOICE_ID
) -> etree._Element:
    element = _add(parent, name)
    for field, value in zip(
        names, (ref.issuer_nif, ref.number, format_date(ref.issue_date)), strict=True
    ):
        _add(element, field, value)
    return element


def _party(parent: etree._Element, name: str, party: Party) -> None:
    element = _add(parent, name)
    _add(element, "NombreRazon", party.name)
    _add(element, "NIF", party.nif)


def _chain(parent: etree._Element, previous: ChainLink | None) -> None:
    element = _add(parent, "Encadenamiento")
    if previous is None:
        _add(element, "PrimerRegistro", "S")
    else:
        _add(_invoice(element, "RegistroAnterior", previous.invoice), "Huella", previous.huella)


def _system(parent: etree._Element, sif: SistemaInformatico) -> None:
    element = _add(parent, "SistemaInformatico")
    _add(element, "NombreRazon", sif.vendor.name)
    _add(element, "NIF", sif.vendor.nif)
    _add(element, "NombreSistemaInformatico", sif.name)
    _add(element, "IdSistemaInformatico", sif.system_id)
    _add(element, "Version", sif.version)
    _add(element, "NumeroInstalacion", sif.installation_number)
    _add(element, "TipoUsoPosibleSoloVerifactu", _yes_no(sif.only_verifactu))
    _add(element, "TipoUsoPosibleMultiOT", _yes_no(sif.multi_taxpayer))
    _add(element, "IndicadorMultiplesOT", _yes_no(sif.multiple_taxpayers))


def _rectification(parent: etree._Element, record: AltaRecord) -> None:
    """TipoRectificativa to ImporteRectificacion, in the order the XSD sets."""
    rectification = record.rectification
    if rectification is not None:
        _add(parent, "TipoRectificativa", rectification.type.value)
        rectified = _add(parent, "FacturasRectificadas")
        for ref in rectification.invoices:
            _invoice(rectified, "IDFacturaRectificada", ref)
    if record.substituted:
        substituted = _add(parent, "FacturasSustituidas")
        for ref in record.substituted:
            _invoice(substituted, "IDFacturaSustituida", ref)
    if (
        rectification is not None
        and rectification.base is not None
        and rectification.quota is not None
    ):
        amounts = _add(parent, "ImporteRectificacion")
        _add(amounts, "BaseRectificada", format_amount(rectification.base))
        _add(amounts, "CuotaRectificada", format_amount(rectification.quota))


def _breakdown(parent: etree._Element, record: AltaRecord) -> None:
    breakdown = _add(parent, "Desglose")
    for line in record.tax_lines:
        detail = _add(breakdown, "DetalleDesglose")
        _add(detail, "Impuesto", _IVA)
        _add(detail, "ClaveRegimen", _REGIMEN_GENERAL)
        _add(detail, "CalificacionOperacion", _SUBJECT_NOT_EXEMPT)
        _add(detail, "TipoImpositivo", format_amount(line.rate))
        _add(detail, "BaseImponibleOimporteNoSujeto", format_amount(line.base))
        _add(detail, "CuotaRepercutida", format_amount(line.quota))


def _seal(
    root: etree._Element,
    record: AltaRecord | AnulacionRecord,
    sif: SistemaInformatico,
    huella: str,
) -> None:
    """How every record ends: the link to the previous one, the system that
    generated it, when, and its ``huella``."""
    _chain(root, record.previous)
    _system(root, sif)
    _add(root, "FechaHoraHusoGenRegistro", format_timestamp(record.generated_at))
    _add(root, "TipoHuella", _SHA256)
    _add(root, "Huella", huella)


def registro_alta(record: AltaRecord, sif: SistemaInformatico) -> etree._Element:
    """The ``sum1:RegistroAlta`` element of an alta, its Huella computed."""
    root = etree.Element(_sf("RegistroAlta"), nsmap={"sum1": SF_NS})
    _add(root, "IDVersion", ID_VERSION)
    _invoice(root, "IDFactura", record.invoice)
    _add(root, "NombreRazonEmisor", record.issuer_name)
    if record.correction:
        _add(root, "Subsanacion", "S")
    _add(root, "TipoFactura", record.invoice_type.value)
    _rectification(root, record)
    if record.operation_date is not None:
        _add(root, "FechaOperacion", format_date(record.operation_date))
    _add(root, "DescripcionOperacion", record.description)
    if abs(record.total_amount) >= MACRODATO_THRESHOLD:
        _add(root, "Macrodato", "S")
    if record.recipients:
        recipients = _add(root, "Destinatarios")
        for party in record.recipients:
            _party(recipients, "IDDestinatario", party)
    _breakdown(root, record)
    _add(root, "CuotaTotal", format_amount(record.total_quota))
    _add(root, "ImporteTotal", format_amount(record.total_amount))
    _seal(root, record, sif, huella_alta(record))
    return root


def registro_anulacion(record: AnulacionRecord, sif: SistemaInformatico) -> etree._Element:
    """The ``sum1:RegistroAnulacion`` element of an anulación, its Huella computed."""
    root = etree.Element(_sf("RegistroAnulacion"), nsmap={"sum1": SF_NS})
    _add(root, "IDVersion", ID_VERSION)
    _invoice(root, "IDFactura", record.invoice, _CANCELLED_ID)
    _seal(root, record, sif, huella_anulacion(record))
    return root


def registro(record: AltaRecord | AnulacionRecord, sif: SistemaInformatico) -> etree._Element:
    """The element of either kind of record."""
    if isinstance(record, AltaRecord):
        return registro_alta(record, sif)
    return registro_anulacion(record, sif)


def submission(
    issuer: Party, registros: Sequence[etree._Element], *, incident: bool = False
) -> etree._Element:
    """A ``sum:RegFactuSistemaFacturacion``: the issuer's Cabecera, then each record
    (copied: the caller's elements stay where they were) in its RegistroFactura.

    ``incident`` marks records generated while they could not be sent
    (RemisionVoluntaria/Incidencia). Raises ``ValueError`` for no record, more than
    1000, or a record of another issuer.
    """
    if not registros:
        raise ValueError("A submission holds at least one record.")
    if len(registros) > MAX_RECORDS_PER_SUBMISSION:
        raise ValueError(
            f"A submission holds at most {MAX_RECORDS_PER_SUBMISSION} records,"
            f" got {len(registros)}."
        )
    for element in registros:
        nif = element.find(_sf("IDFactura"))[0].text
        if nif != issuer.nif:
            raise ValueError(f"A record of {nif} cannot go in a submission of {issuer.nif}.")
    root = etree.Element(
        f"{{{LR_NS}}}RegFactuSistemaFacturacion", nsmap={"sum": LR_NS, "sum1": SF_NS}
    )
    header = etree.SubElement(root, f"{{{LR_NS}}}Cabecera")
    _party(header, "ObligadoEmision", issuer)
    if incident:
        _add(_add(header, "RemisionVoluntaria"), "Incidencia", "S")
    for element in registros:
        etree.SubElement(root, f"{{{LR_NS}}}RegistroFactura").append(copy.deepcopy(element))
    etree.cleanup_namespaces(root)
    return root


def to_bytes(element: etree._Element) -> bytes:
    """The document as the AEAT receives it: UTF-8 with its XML declaration."""
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


class _LocalSchemas(etree.Resolver):
    @override
    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        local = _LOCAL_SCHEMAS.get(system_url)
        return self.resolve_filename(str(local), context) if local is not None else None


def _parser() -> etree.XMLParser:
    # Never fetch anything, nor expand entities, whatever a document asks.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    return parser


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / "SuministroLR.xsd"), _parser()))


def validate(document: etree._Element | bytes) -> None:
    """Check a submission, or a single RegistroAlta or RegistroAnulacion, against the
    AEAT's schemas. Raises :class:`SchemaInvalid` with every reason the schema gives
    (or that the bytes are not XML); returns nothing when the document is valid."""
    if isinstance(document, bytes):
        try:
            document = etree.fromstring(document, _parser())
        except etree.XMLSyntaxError as exc:
            raise SchemaInvalid([f"The document is not XML: {exc}"]) from exc
    schema = _schema()
    if not schema.validate(document):
        raise SchemaInvalid([error.message for error in schema.error_log])
