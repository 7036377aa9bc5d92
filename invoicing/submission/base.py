"""The interface to whoever receives the VERI*FACTU records, loaded from
``VERIFACTU_CHANNEL``, and what every channel shares.

A channel takes a batch of records (at most 1000, one RegFactuSistemaFacturacion)
and says, for each record, what became of it: ``correct``, ``accepted_with_errors``
(registered by the AEAT, with errors to correct later) or ``incorrect`` (rejected,
not registered), plus how long to wait before the next submission. It raises
:class:`ChannelUnavailable` when it got no answer (nothing may be marked: the
records are sent again later, and the AEAT's duplicate answer makes that safe) and
:class:`SubmissionRefused` when the whole submission was refused.

Channels (``VERIFACTU_CHANNEL``, an alias below or a dotted path):

* ``aeat``: the AEAT's web service (:mod:`.aeat`), with the client certificate;
* ``file``: the submission written to ``VERIFACTU_FILE_DIR`` for another channel
  (:mod:`.file`); its records wait for the answer file to be imported;
* ``simulator``: the web service played in this process (:mod:`.simulator`), for
  the demo and the tests.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string
from lxml import etree

from invoicing import conf
from invoicing.verifactu.xml import SF_NS, submission

CHANNELS = {
    "aeat": "invoicing.submission.aeat.AeatChannel",
    "file": "invoicing.submission.file.FileChannel",
    "simulator": "invoicing.submission.simulator.SimulatorChannel",
}
DUPLICATE_ERROR = 3000  # "Registro de facturación duplicado"
DEFAULT_WAIT_SECONDS = 60  # art. 16.2 Orden HAC/1177/2024: "inicialmente ... 60 segundos"
ALTA, ANULACION = "Alta", "Anulacion"  # TipoOperacion of an answer line


class RecordStatus(enum.StrEnum):
    """EstadoRegistro of one record in the AEAT's answer."""

    CORRECT = "correct"  # Correcto: registered
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"  # AceptadoConErrores: registered
    INCORRECT = "incorrect"  # Incorrecto: rejected, not registered

    @property
    def registered(self) -> bool:
        """Whether the AEAT holds the record: it is no longer pending."""
        return self is not RecordStatus.INCORRECT


class SubmissionStatus(enum.StrEnum):
    """What became of a submission as a whole."""

    CORRECT = "correct"  # EstadoEnvio Correcto
    PARTIALLY_CORRECT = "partially_correct"  # ParcialmenteCorrecto
    INCORRECT = "incorrect"  # Incorrecto: every record rejected
    WRITTEN = "written"  # the file channel wrote it; its answer comes later
    REFUSED = "refused"  # the whole submission refused (SOAP Fault)
    UNAVAILABLE = "unavailable"  # no answer: timeout, connection error, 5xx


ESTADO_ENVIO = {
    "Correcto": SubmissionStatus.CORRECT,
    "ParcialmenteCorrecto": SubmissionStatus.PARTIALLY_CORRECT,
    "Incorrecto": SubmissionStatus.INCORRECT,
}
ESTADO_REGISTRO = {
    "Correcto": RecordStatus.CORRECT,
    "AceptadoConErrores": RecordStatus.ACCEPTED_WITH_ERRORS,
    "Incorrecto": RecordStatus.INCORRECT,
}
# EstadoRegistroDuplicado: what the AEAT already holds under a duplicate. The XSD says
# Correcta / AceptadaConErrores / Anulada; the service has been recorded answering
# "AceptadoConErrores" there too (Odoo's l10n_es_edi_verifactu test answers), so both.
# An annulled record was registered first: the alta it duplicates is not pending.
DUPLICATE_STATES = {
    "Correcta": RecordStatus.CORRECT,
    "Correcto": RecordStatus.CORRECT,
    "AceptadaConErrores": RecordStatus.ACCEPTED_WITH_ERRORS,
    "AceptadoConErrores": RecordStatus.ACCEPTED_WITH_ERRORS,
    "Anulada": RecordStatus.CORRECT,
}


class ChannelError(Exception):
    """The channel could not take the submission; nothing in it counts as sent."""

    def __init__(self, message: str, *, request: bytes = b"", answer: bytes = b"") -> None:
        super().__init__(message)
        self.request, self.answer = request, answer


class ChannelUnavailable(ChannelError):
    """No answer (connection error, timeout, HTTP 5xx): retry later, with the same records."""


class SubmissionRefused(ChannelError):
    """The whole submission was refused (a SOAP Fault, e.g. ``4102`` the XML does not
    follow the schema); ``code`` is the AEAT's error code when it gave one."""

    def __init__(
        self, message: str, *, code: int | None = None, request: bytes = b"", answer: bytes = b""
    ) -> None:
        super().__init__(message, request=request, answer=answer)
        self.code = code


@dataclass(frozen=True)
class RecordKey:
    """How an answer line names its record: the invoice and the operation."""

    issuer_nif: str
    number: str
    issue_date: str  # dd-mm-yyyy, as the XML writes it
    operation: str  # ALTA or ANULACION

    def __str__(self) -> str:
        return f"{self.operation} {self.number} ({self.issue_date})"


def _sf(name: str) -> str:
    return f"{{{SF_NS}}}{name}"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False, remove_blank_text=True)


def record_key(element: etree._Element) -> RecordKey:
    """The key of a RegistroAlta or RegistroAnulacion element."""
    invoice = element.find(_sf("IDFactura"))
    if invoice is None or len(invoice) != 3:
        raise ValueError("The record has no IDFactura.")
    nif, number, issued = (child.text or "" for child in invoice)
    operation = ALTA if element.tag == _sf("RegistroAlta") else ANULACION
    return RecordKey(nif, number, issued, operation)


def _set_flag(element: etree._Element, name: str, value: str, after: tuple[str, ...]) -> None:
    """Set the child ``name`` to ``value``, inserted after the last of ``after`` present
    (the schema's sequence order)."""
    existing = element.find(_sf(name))
    if existing is not None:
        existing.text = value
        return
    anchor = max(
        (element.index(child) for tag in after if (child := element.find(_sf(tag))) is not None),
        default=0,
    )
    flag = etree.Element(_sf(name))
    flag.text = value
    element.insert(anchor + 1, flag)


@dataclass(frozen=True)
class OutgoingRecord:
    """A stored record as it goes out in a submission.

    ``after_rejection``: the AEAT rejected it before, so it goes back flagged as such
    (the flags are not in the huella, so the stored record and its chain stay as they
    are): an alta as an "alta por rechazo" (``Subsanacion=S``, ``RechazoPrevio=X``:
    the AEAT does not hold it), or, when it was itself a subsanación, with
    ``RechazoPrevio=S``; an anulación with ``RechazoPrevio=S``.
    """

    key: RecordKey
    element: etree._Element = field(compare=False)

    @classmethod
    def from_xml(cls, xml: str, *, after_rejection: bool = False) -> OutgoingRecord:
        element = etree.fromstring(xml.encode("utf-8"), _parser())
        key = record_key(element)
        if after_rejection and key.operation == ALTA:
            head = ("IDVersion", "IDFactura", "RefExterna", "NombreRazonEmisor")
            subsanacion = element.find(_sf("Subsanacion"))
            was_correction = subsanacion is not None and subsanacion.text == "S"
            _set_flag(element, "Subsanacion", "S", head)
            _set_flag(
                element, "RechazoPrevio", "S" if was_correction else "X", (*head, "Subsanacion")
            )
        elif after_rejection:
            head = ("IDVersion", "IDFactura", "RefExterna", "SinRegistroPrevio")
            _set_flag(element, "RechazoPrevio", "S", head)
        return cls(key, element)


@dataclass(frozen=True)
class RecordResult:
    """The answer about one record. For a duplicate (error 3000) ``status`` is the state
    of the record the AEAT already holds, and ``duplicate`` is set."""

    key: RecordKey
    status: RecordStatus
    error_code: int | None = None
    error_text: str = ""
    duplicate: bool = False


@dataclass(frozen=True)
class SubmissionResult:
    """A channel's answer to one submission: the state of the whole, the wait before
    the next one (None: the answer did not say), the CSV the AEAT gave it, a result
    per record, and the bytes that went out and came back."""

    status: SubmissionStatus
    records: tuple[RecordResult, ...] = ()
    wait_seconds: int | None = None
    csv: str = ""
    request: bytes = b""
    answer: bytes = b""
    reference: str = ""  # where the channel put it (the file channel's file name)


class VerifactuChannel:
    """Who receives the records. Subclasses implement :meth:`submit`."""

    name = ""

    def submit(self, records: Sequence[OutgoingRecord], *, incident: bool) -> SubmissionResult:
        """Deliver ``records`` (1 to 1000, one issuer, distinct keys, chain order) as one
        submission; ``incident`` marks records sent late (RemisionVoluntaria/Incidencia).

        Returns a result for every record it has an answer for (the file channel, none
        yet). Raises :class:`ChannelUnavailable` when there was no answer, and
        :class:`SubmissionRefused` when the submission was refused as a whole; then no
        record may be taken as registered."""
        raise NotImplementedError


def submission_xml(records: Sequence[OutgoingRecord], *, incident: bool) -> etree._Element:
    """The RegFactuSistemaFacturacion of ``records`` for the issuer from settings."""
    return submission(conf.issuer(), [record.element for record in records], incident=incident)


@functools.cache
def get_channel() -> VerifactuChannel:
    """The configured channel, built once (rebuilt when a VERIFACTU_ setting changes)."""
    configured = settings.VERIFACTU_CHANNEL
    channel: VerifactuChannel = import_string(CHANNELS.get(configured, configured))()
    return channel


@receiver(setting_changed)
def _reset_channel(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith("VERIFACTU_"):
        get_channel.cache_clear()
