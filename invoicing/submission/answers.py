"""Reading the web service's answer: a SOAP 1.1 envelope whose body holds either a
``RespuestaRegFactuSistemaFacturacion`` (RespuestaSuministro.xsd) or a Fault.

The answer is read by namespace and element name, not validated against the schema:
the service itself has been recorded answering outside it (``AceptadoConErrores``
where the schema's EstadoRegistroDuplicado says ``AceptadaConErrores``), and a
record's fate must not be lost to such a detail. What cannot be read at all is taken
as no answer (:class:`ChannelUnavailable`): the records go again, and a record the
AEAT had registered comes back as a duplicate, counted as registered.
"""

from __future__ import annotations

import re

from lxml import etree

from invoicing.submission.base import (
    ANULACION,
    DUPLICATE_ERROR,
    DUPLICATE_STATES,
    ESTADO_ENVIO,
    ESTADO_REGISTRO,
    ChannelUnavailable,
    RecordKey,
    RecordResult,
    RecordStatus,
    SubmissionRefused,
    SubmissionResult,
)
from invoicing.verifactu.xml import SF_NS

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
R_NS = SF_NS.replace("SuministroInformacion.xsd", "RespuestaSuministro.xsd")
ALREADY_CANCELLED = 3001  # "El registro de facturación ya ha sido dado de baja"
_FAULT_CODE = re.compile(r"Codigo\[(\d+)\]")


def _r(name: str) -> str:
    return f"{{{R_NS}}}{name}"


def _sf(name: str) -> str:
    return f"{{{SF_NS}}}{name}"


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _text(element: etree._Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def parse_answer(answer: bytes, *, request: bytes = b"") -> SubmissionResult:
    """The :class:`SubmissionResult` in ``answer`` (the HTTP body). Raises
    :class:`SubmissionRefused` for a SOAP Fault and :class:`ChannelUnavailable` for
    anything that is not an answer of the service."""
    try:
        envelope = etree.fromstring(
            answer, etree.XMLParser(no_network=True, resolve_entities=False)
        )
    except etree.XMLSyntaxError as exc:
        raise ChannelUnavailable(
            f"The answer is not XML: {exc}", request=request, answer=answer
        ) from exc
    fault = envelope.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    if fault is not None:
        message = _text(fault, "faultstring") or "SOAP Fault without faultstring"
        match = _FAULT_CODE.search(message)
        raise SubmissionRefused(
            message,
            code=int(match.group(1)) if match else None,
            request=request,
            answer=answer,
        )
    root = envelope.find(f"{{{SOAP_ENV}}}Body/{_r('RespuestaRegFactuSistemaFacturacion')}")
    status = ESTADO_ENVIO.get(_text(root, _r("EstadoEnvio"))) if root is not None else None
    if root is None or status is None:
        raise ChannelUnavailable(
            "The answer is not a RespuestaRegFactuSistemaFacturacion.",
            request=request,
            answer=answer,
        )
    try:
        lines = tuple(_line(line) for line in root.iterfind(_r("RespuestaLinea")))
    except (KeyError, ValueError) as exc:
        raise ChannelUnavailable(
            f"An answer line cannot be read: {exc}", request=request, answer=answer
        ) from exc
    return SubmissionResult(
        status=status,
        records=lines,
        wait_seconds=_int(root.findtext(_r("TiempoEsperaEnvio"))),
        csv=_text(root, _r("CSV")),
        request=request,
        answer=answer,
    )


def _line(line: etree._Element) -> RecordResult:
    invoice = line.find(_r("IDFactura"))
    if invoice is None:
        raise ValueError("no IDFactura")
    key = RecordKey(
        issuer_nif=_text(invoice, _sf("IDEmisorFactura")),
        number=_text(invoice, _sf("NumSerieFactura")),
        issue_date=_text(invoice, _sf("FechaExpedicionFactura")),
        operation=_text(line, f"{_r('Operacion')}/{_sf('TipoOperacion')}"),
    )
    status = ESTADO_REGISTRO[_text(line, _r("EstadoRegistro"))]
    code = _int(line.findtext(_r("CodigoErrorRegistro")))
    text = _text(line, _r("DescripcionErrorRegistro"))
    duplicate = line.find(_r("RegistroDuplicado"))
    if code == DUPLICATE_ERROR:
        # The AEAT already holds this record: it counts as what the AEAT holds.
        if duplicate is not None:
            status = DUPLICATE_STATES[_text(duplicate, _sf("EstadoRegistroDuplicado"))]
            held_code = _int(duplicate.findtext(_sf("CodigoErrorRegistro")))
            held_text = _text(duplicate, _sf("DescripcionErrorRegistro"))
            if held_code is not None:
                text = f"{text} [{held_code}] {held_text}".strip()
        else:
            status = RecordStatus.CORRECT
        return RecordResult(key, status, code, text, duplicate=True)
    if code == ALREADY_CANCELLED and key.operation == ANULACION:
        return RecordResult(key, RecordStatus.CORRECT, code, text, duplicate=True)
    return RecordResult(key, status, code, text)
