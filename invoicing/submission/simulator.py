"""A stand-in for the AEAT's VERI*FACTU web service, for the demo and the tests.

:class:`AeatSimulator` is a real HTTP server on 127.0.0.1 (a thread of this
process) that takes the SOAP posts of :class:`~invoicing.submission.aeat.AeatChannel`
and answers as the service does:

* the submission is checked against the AEAT's schema (a Fault ``4102`` if not);
* each record's huella is recomputed from its own fields and its Encadenamiento
  checked against the records received before (the first record says PrimerRegistro,
  every other names, with its huella, a record already received): a wrong huella is
  ``AceptadoConErrores`` 2000, as the AEAT does; a broken chain
  ``AceptadoConErrores`` 2003;
* an alta of an invoice it already holds is ``Incorrecto`` 3000 with the
  RegistroDuplicado block; an anulación of an invoice it does not hold is 3002, of
  one already cancelled 3001; a record of another issuer 1108;
* every answer carries ``TiempoEsperaEnvio`` (``wait_seconds``) and, unless every
  record was rejected, a CSV.

Faults can be injected: :meth:`AeatSimulator.reject` (the next record of an invoice
is rejected with a code), :meth:`AeatSimulator.accept_with_errors` (registered,
AceptadoConErrores with a code), :meth:`AeatSimulator.fail_next` (HTTP 5xx, nothing
processed) and :meth:`AeatSimulator.timeout_next` (no answer, before or after
processing). Its state lives in memory: what one simulator received is unknown to
another process's.

:class:`SimulatorChannel` is the ``aeat`` channel pointed at ``VERIFACTU_SIMULATOR_URL``
or, when that is empty, at a simulator started in this process on first use.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import secrets
import socket
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.conf import settings
from lxml import etree
from typing_extensions import override

from invoicing.submission.aeat import AeatChannel
from invoicing.submission.answers import R_NS, SOAP_ENV
from invoicing.submission.base import (
    ALTA,
    ANULACION,
    DUPLICATE_ERROR,
    RecordKey,
    RecordStatus,
    record_key,
)
from invoicing.verifactu.huella import SPANISH_TIME, huella
from invoicing.verifactu.xml import LR_NS, SF_NS, XSD_DIR, SchemaInvalid, validate

PATH = "/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"
WRONG_HUELLA = 2000  # "El cálculo de la huella suministrada es incorrecta."
BROKEN_CHAIN = 2003  # "El contenido de la huella del registro anterior no cumple ..."
OTHER_ISSUER = (
    1108  # "El NIF del IDEmisorFactura debe ser el mismo que el NIF del ObligadoEmision."
)
NOT_HELD = 3002  # "No existe el registro de facturación."
ALREADY_CANCELLED = 3001  # "El registro de facturación ya ha sido dado de baja."
_ESTADO = {
    RecordStatus.CORRECT: "Correcto",
    RecordStatus.ACCEPTED_WITH_ERRORS: "AceptadoConErrores",
    RecordStatus.INCORRECT: "Incorrecto",
}
_HELD = {RecordStatus.CORRECT: "Correcta", RecordStatus.ACCEPTED_WITH_ERRORS: "AceptadaConErrores"}
_NO_REGISTRO = (
    "No se ha enviado el nodo RegistroAlta o el anterior al nodo RegistroAlta no es correcto"
)
_CSV_ALPHABET = string.ascii_uppercase + string.digits
_LOCAL = {
    "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd": XSD_DIR / "xmldsig-core-schema.xsd"
}


def _sf(name: str) -> str:
    return f"{{{SF_NS}}}{name}"


def _r(name: str) -> str:
    return f"{{{R_NS}}}{name}"


class _LocalSchemas(etree.Resolver):
    @override
    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        local = _LOCAL.get(system_url)
        return self.resolve_filename(str(local), context) if local is not None else None


def _safe_parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    return parser


@functools.cache
def answer_schema() -> etree.XMLSchema:
    """RespuestaSuministro.xsd: what the service's answers follow."""
    path = Path(XSD_DIR) / "RespuestaSuministro.xsd"
    return etree.XMLSchema(etree.parse(str(path), _safe_parser()))


def huella_of(element: etree._Element) -> str:
    """The huella of a RegistroAlta or RegistroAnulacion recomputed from its own
    fields, as the AEAT does on receipt."""
    invoice = element.find(_sf("IDFactura"))
    if invoice is None:
        raise ValueError("The record has no IDFactura.")
    previous = element.findtext(
        f"{_sf('Encadenamiento')}/{_sf('RegistroAnterior')}/{_sf('Huella')}"
    )
    fields = [(etree.QName(child).localname, child.text or "") for child in invoice]
    if element.tag == _sf("RegistroAlta"):
        fields += [
            (name, element.findtext(_sf(name)) or "")
            for name in ("TipoFactura", "CuotaTotal", "ImporteTotal")
        ]
    fields += [
        ("Huella", previous or ""),
        ("FechaHoraHusoGenRegistro", element.findtext(_sf("FechaHoraHusoGenRegistro")) or ""),
    ]
    return huella(fields)


@dataclass
class Held:
    """A record the simulated AEAT holds for an invoice."""

    status: RecordStatus
    request_id: str
    error_code: int | None = None
    error_text: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class Line:
    """The answer about one record, as the simulator gave it."""

    key: RecordKey
    status: RecordStatus
    error_code: int | None = None
    error_text: str = ""
    held: Held | None = None  # the record it duplicates


@dataclass
class Received:
    """One submission the simulator processed (faults that skip processing excluded)."""

    lines: list[Line]
    incident: bool
    answered: bool = True


@dataclass
class _Fault:
    kind: str  # "fail" | "timeout"
    remaining: int
    status: int = 503
    after_processing: bool = False
    seconds: float = 3.0


@dataclass
class _State:
    held: dict[tuple[str, str, str], Held] = field(default_factory=dict)
    seen: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # huella -> invoice
    # invoice number -> (status, code, text) for its next records
    rejections: dict[str, list[tuple[RecordStatus, int, str]]] = field(default_factory=dict)
    faults: list[_Fault] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    simulator: AeatSimulator


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.simulator._handle(self)

    def answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/xml;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()


def _fault(code: int, text: str) -> bytes:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"env": SOAP_ENV})
    fault = etree.SubElement(
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault"
    )
    etree.SubElement(fault, "faultcode").text = "env:Client"
    etree.SubElement(fault, "faultstring").text = f"Codigo[{code}].{text}"
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


class AeatSimulator:
    """The simulated web service: ``start()`` it, post to ``url``, ``stop()`` it."""

    def __init__(self, *, wait_seconds: int = 60, presenter_nif: str = "") -> None:
        self.wait_seconds = wait_seconds
        self.presenter_nif = presenter_nif
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self.url = ""
        self.errors: list[BaseException] = []  # bugs of the simulator itself (answered 500)
        self.reset()

    def start(self) -> AeatSimulator:
        if self._server is None:
            self._stopping.clear()
            server = _Server(("127.0.0.1", 0), _Handler)
            server.simulator = self
            host, port = server.server_address[:2]
            self.url = f"http://{host!s}:{port}{PATH}"
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.01},
                daemon=True,
                name=f"aeat-simulator-{port}",
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers hanging in an injected timeout
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def reset(self) -> None:
        """Forget every record received and every fault pending."""
        with self._lock:
            self._state = _State()

    # -- fault injection ---------------------------------------------------------------

    def reject(
        self, number: str, *, code: int = 1100, text: str = "Valor o tipo incorrecto del campo."
    ) -> None:
        """The next record received for invoice ``number`` is rejected (Incorrecto)."""
        with self._lock:
            self._state.rejections.setdefault(number, []).append(
                (RecordStatus.INCORRECT, code, text)
            )

    def accept_with_errors(
        self,
        number: str,
        *,
        code: int = 1104,
        text: str = "Valor del campo NombreRazon del bloque IDDestinatario incorrecto.",
    ) -> None:
        """The next record received for invoice ``number`` is registered but
        AceptadoConErrores with ``code``: the AEAT holds it, to be corrected by an
        alta de subsanación."""
        with self._lock:
            self._state.rejections.setdefault(number, []).append(
                (RecordStatus.ACCEPTED_WITH_ERRORS, code, text)
            )

    def fail_next(self, n: int = 1, *, status: int = 503) -> None:
        """The next ``n`` posts get HTTP ``status`` and an HTML page, unprocessed."""
        with self._lock:
            self._state.faults.append(_Fault("fail", n, status=status))

    def timeout_next(
        self, n: int = 1, *, after_processing: bool = False, seconds: float = 3.0
    ) -> None:
        """The next ``n`` posts get no answer: the connection hangs for ``seconds`` and
        closes. With ``after_processing`` the records are registered first (the AEAT
        holds them; the shop never heard)."""
        with self._lock:
            self._state.faults.append(
                _Fault("timeout", n, after_processing=after_processing, seconds=seconds)
            )

    # -- what it holds -----------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._state.received)

    def held(self) -> dict[tuple[str, str, str], Held]:
        """Invoice (NIF, number, dd-mm-yyyy) -> the record the AEAT holds for it."""
        with self._lock:
            return dict(self._state.held)

    # -- the service -------------------------------------------------------------------

    def _take_fault(self) -> _Fault | None:
        with self._lock:
            for fault in self._state.faults:
                if fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
        return None

    def _handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        fault = self._take_fault()
        if fault is not None and fault.kind == "fail":
            page = f"<html><body>HTTP {fault.status}</body></html>".encode()
            handler.send_response(fault.status)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(page)))
            handler.end_headers()
            handler.wfile.write(page)
            return
        if fault is not None and not fault.after_processing:
            self._stopping.wait(fault.seconds)
            handler.drop()
            return
        try:
            status, answer = self.process(body, answered=fault is None)
        except Exception as exc:  # a bug in the simulator: say so, like a server would
            self.errors.append(exc)
            status, answer = 500, _fault(3501, "Error técnico de base de datos.")
        if fault is not None:
            self._stopping.wait(fault.seconds)
            handler.drop()
            return
        handler.answer(status, answer)

    def process(self, body: bytes, *, answered: bool = True) -> tuple[int, bytes]:
        """Process one posted envelope: the HTTP status and body of the answer."""
        try:
            envelope = etree.fromstring(body, _safe_parser())
        except etree.XMLSyntaxError:
            return 500, _fault(4103, "Se ha producido un error inesperado al parsear el XML.")
        document = envelope.find(f"{{{SOAP_ENV}}}Body/{{{LR_NS}}}RegFactuSistemaFacturacion")
        if document is None:
            return 500, _fault(4136, _NO_REGISTRO)
        try:
            validate(document)
        except SchemaInvalid as exc:
            return 500, _fault(4102, f"El XML no cumple el esquema. {exc.errors[0]}")
        # The schema made sure of both.
        header = document.find(f"{{{LR_NS}}}Cabecera")
        issuer = header.find(_sf("ObligadoEmision")) if header is not None else None
        if header is None or issuer is None:
            return 500, _fault(4102, "El XML no cumple el esquema. Cabecera")
        incident = header.findtext(f"{_sf('RemisionVoluntaria')}/{_sf('Incidencia')}") == "S"
        with self._lock:
            lines = [
                self._record(element[0], issuer.findtext(_sf("NIF")) or "")
                for element in document.iterfind(f"{{{LR_NS}}}RegistroFactura")
            ]
            self._state.received.append(Received(lines, incident, answered))
        return 200, self._answer(header, lines)

    def _record(self, element: etree._Element, issuer_nif: str) -> Line:
        key = record_key(element)
        invoice = (key.issuer_nif, key.number, key.issue_date)
        own = huella_of(element)
        stated = element.findtext(_sf("Huella")) or ""
        previous = element.find(f"{_sf('Encadenamiento')}/{_sf('RegistroAnterior')}")
        chained = self._chained(element, previous)
        self._state.seen[stated] = invoice
        rejections = self._state.rejections.get(key.number)
        injected = rejections.pop(0) if rejections else None
        if injected is not None and injected[0] == RecordStatus.INCORRECT:
            return Line(key, *injected)
        if key.issuer_nif != issuer_nif:
            return Line(
                key,
                RecordStatus.INCORRECT,
                OTHER_ISSUER,
                "El NIF del IDEmisorFactura debe ser el mismo que el NIF del ObligadoEmision.",
            )
        held = self._state.held.get(invoice)
        refused = self._refused(element, key, held)
        if refused is not None:
            return refused
        code: int | None = None
        status, text = RecordStatus.CORRECT, ""
        if injected is not None:
            status, code, text = injected
        elif own != stated:
            status, code, text = (
                RecordStatus.ACCEPTED_WITH_ERRORS,
                WRONG_HUELLA,
                "El cálculo de la huella suministrada es incorrecta.",
            )
        elif not chained:
            status, code, text = (
                RecordStatus.ACCEPTED_WITH_ERRORS,
                BROKEN_CHAIN,
                "El registro anterior no es ninguno de los recibidos antes (cadena rota).",
            )
        if key.operation == ANULACION and held is not None:
            held.cancelled = True
        else:
            self._state.held[invoice] = Held(status, f"{next(self._ids):020d}", code, text)
        return Line(key, status, code, text)

    def _chained(self, element: etree._Element, previous: etree._Element | None) -> bool:
        if previous is None:  # PrimerRegistro: nothing else of the issuer received before
            return set(self._state.seen) <= {element.findtext(_sf("Huella")) or ""}
        named = tuple(child.text or "" for child in previous[:3])
        return self._state.seen.get(previous.findtext(_sf("Huella")) or "") == named

    def _refused(self, element: etree._Element, key: RecordKey, held: Held | None) -> Line | None:
        if key.operation == ANULACION:
            if held is None and element.findtext(_sf("SinRegistroPrevio")) != "S":
                return Line(
                    key, RecordStatus.INCORRECT, NOT_HELD, "No existe el registro de facturación."
                )
            if held is not None and held.cancelled:
                return Line(
                    key,
                    RecordStatus.INCORRECT,
                    ALREADY_CANCELLED,
                    "El registro de facturación ya ha sido dado de baja.",
                )
            return None
        correction = element.findtext(_sf("Subsanacion")) == "S"
        not_held_said = element.findtext(_sf("RechazoPrevio")) == "X"
        if held is not None and (not correction or not_held_said):
            return Line(
                key,
                RecordStatus.INCORRECT,
                DUPLICATE_ERROR,
                "Registro de facturación duplicado.",
                held,
            )
        if held is None and correction and not not_held_said:
            return Line(
                key, RecordStatus.INCORRECT, NOT_HELD, "No existe el registro de facturación."
            )
        return None

    def _answer(self, header: etree._Element, lines: list[Line]) -> bytes:
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"env": SOAP_ENV})
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
        body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
        root = etree.SubElement(
            body, _r("RespuestaRegFactuSistemaFacturacion"), nsmap={"tikR": R_NS, "tik": SF_NS}
        )
        statuses = {line.status for line in lines}
        if statuses != {RecordStatus.INCORRECT}:
            etree.SubElement(root, _r("CSV")).text = "A-" + "".join(
                secrets.choice(_CSV_ALPHABET) for _ in range(14)
            )
            presented = etree.SubElement(root, _r("DatosPresentacion"))
            nif = header.findtext(f"{_sf('ObligadoEmision')}/{_sf('NIF')}") or ""
            etree.SubElement(presented, _sf("NIFPresentador")).text = self.presenter_nif or nif
            etree.SubElement(presented, _sf("TimestampPresentacion")).text = (
                datetime.now(SPANISH_TIME).replace(microsecond=0).isoformat()
            )
        copied = etree.SubElement(root, _r("Cabecera"))
        for child in header:
            copied.append(etree.fromstring(etree.tostring(child)))
        etree.SubElement(root, _r("TiempoEsperaEnvio")).text = str(self.wait_seconds)
        if statuses == {RecordStatus.CORRECT}:
            overall = "Correcto"
        elif statuses == {RecordStatus.INCORRECT}:
            overall = "Incorrecto"
        else:
            overall = "ParcialmenteCorrecto"
        etree.SubElement(root, _r("EstadoEnvio")).text = overall
        for line in lines:
            self._line(root, line)
        etree.cleanup_namespaces(envelope)
        return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")

    @staticmethod
    def _line(root: etree._Element, line: Line) -> None:
        element = etree.SubElement(root, _r("RespuestaLinea"))
        invoice = etree.SubElement(element, _r("IDFactura"))
        for name, value in zip(
            ("IDEmisorFactura", "NumSerieFactura", "FechaExpedicionFactura"),
            (line.key.issuer_nif, line.key.number, line.key.issue_date),
            strict=True,
        ):
            etree.SubElement(invoice, _sf(name)).text = value
        operation = etree.SubElement(element, _r("Operacion"))
        etree.SubElement(operation, _sf("TipoOperacion")).text = (
            ALTA if line.key.operation == ALTA else ANULACION
        )
        etree.SubElement(element, _r("EstadoRegistro")).text = _ESTADO[line.status]
        if line.error_code is not None:
            etree.SubElement(element, _r("CodigoErrorRegistro")).text = str(line.error_code)
            etree.SubElement(element, _r("DescripcionErrorRegistro")).text = line.error_text
        if line.held is not None:
            duplicate = etree.SubElement(element, _r("RegistroDuplicado"))
            etree.SubElement(
                duplicate, _sf("IdPeticionRegistroDuplicado")
            ).text = line.held.request_id
            etree.SubElement(duplicate, _sf("EstadoRegistroDuplicado")).text = (
                "Anulada" if line.held.cancelled else _HELD[line.held.status]
            )
            if line.held.error_code is not None:
                etree.SubElement(duplicate, _sf("CodigoErrorRegistro")).text = str(
                    line.held.error_code
                )
                etree.SubElement(
                    duplicate, _sf("DescripcionErrorRegistro")
                ).text = line.held.error_text


@functools.cache
def shared_simulator() -> AeatSimulator:
    """The simulator of this process, started on first use and stopped at exit."""
    simulator = AeatSimulator(wait_seconds=int(settings.VERIFACTU_SIMULATOR_WAIT_SECONDS)).start()
    atexit.register(simulator.stop)
    return simulator


class SimulatorChannel(AeatChannel):
    """The ``aeat`` channel, without certificate, talking to the simulator."""

    name = "simulator"

    def __init__(self) -> None:
        super().__init__(url=settings.VERIFACTU_SIMULATOR_URL or shared_simulator().url, cert=None)
