"""Reading the AEAT's answers, and the records as they go out again after a rejection.

The answers are the AEAT test service's own, as recorded by Odoo's
``l10n_es_edi_verifactu`` tests (see aeat_answers/README.md for each file's source)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from invoicing import conf
from invoicing.submission.answers import parse_answer
from invoicing.submission.base import (
    ChannelUnavailable,
    OutgoingRecord,
    RecordKey,
    RecordResult,
    RecordStatus,
    SubmissionRefused,
    SubmissionStatus,
    submission_xml,
)
from invoicing.verifactu.records import (
    AltaRecord,
    AnulacionRecord,
    InvoiceRef,
    InvoiceType,
    TaxLine,
)
from invoicing.verifactu.xml import SF_NS, registro, registro_anulacion, validate

ANSWERS = Path(__file__).parent / "aeat_answers"
ACCEPTED = (ANSWERS / "accepted.xml").read_bytes()
REJECTED = (ANSWERS / "rejected.xml").read_bytes()
WITH_ERRORS = (ANSWERS / "accepted_with_errors.xml").read_bytes()
DUPLICATE = (ANSWERS / "duplicate.xml").read_bytes()
FAULT = (ANSWERS / "soapfault.xml").read_bytes()
_IMPORTE = (
    "El campo ImporteTotal tiene un valor incorrecto para el valor de los campos "
    "BaseImponibleOimporteNoSujeto, CuotaRepercutida y CuotaRecargoEquivalencia suministrados."
)


def _key(number: str, issued: str) -> RecordKey:
    return RecordKey("A39200019", number, issued, "Alta")


def test_an_accepted_answer_of_the_aeat() -> None:
    result = parse_answer(ACCEPTED)

    assert (result.status, result.csv, result.wait_seconds) == (
        SubmissionStatus.CORRECT,
        "A-YDSW8NLFLANWPM",
        60,
    )
    assert result.records == (
        RecordResult(_key("INV/2024/00026", "30-12-2024"), RecordStatus.CORRECT),
    )
    assert result.answer == ACCEPTED


def test_a_rejected_answer_of_the_aeat() -> None:
    result = parse_answer(REJECTED)

    assert (result.status, result.csv) == (SubmissionStatus.INCORRECT, "")
    assert result.records == (
        RecordResult(
            _key("INV/2024/00006", "11-12-2024"),
            RecordStatus.INCORRECT,
            1244,
            "El campo FechaHoraHusoGenRegistro tiene un formato incorrecto.",
        ),
    )
    assert not result.records[0].status.registered


def test_an_answer_accepted_with_errors_of_the_aeat() -> None:
    result = parse_answer(WITH_ERRORS)

    assert result.status is SubmissionStatus.PARTIALLY_CORRECT
    assert result.records == (
        RecordResult(
            _key("INV/2024/00007", "17-12-2024"), RecordStatus.ACCEPTED_WITH_ERRORS, 2005, _IMPORTE
        ),
    )
    assert result.records[0].status.registered


def test_a_duplicate_counts_as_what_the_aeat_already_holds() -> None:
    result = parse_answer(DUPLICATE)

    assert result.status is SubmissionStatus.INCORRECT
    assert result.records == (
        RecordResult(
            _key("INV/2019/00006", "11-12-2024"),
            RecordStatus.ACCEPTED_WITH_ERRORS,
            3000,
            f"Registro de facturación duplicado. [2005] {_IMPORTE}",
            duplicate=True,
        ),
    )


def test_a_soap_fault_refuses_the_whole_submission() -> None:
    with pytest.raises(SubmissionRefused) as refused:
        parse_answer(FAULT, request=b"<sent/>")

    assert refused.value.code == 4102
    assert str(refused.value) == (
        "Codigo[4102].El XML no cumple el esquema. Falta informar campo obligatorio.: NombreRazon"
    )
    assert (refused.value.request, refused.value.answer) == (b"<sent/>", FAULT)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"<html><body>Error 403</body></html", "The answer is not XML"),
        (
            b"<html><body>Error 403</body></html>",
            "The answer is not a RespuestaRegFactuSistemaFacturacion.",
        ),
        (
            ACCEPTED.replace(b">Correcto</tikR:EstadoRegistro>", b">Quiza</tikR:EstadoRegistro>"),
            "An answer line",
        ),
    ],
)
def test_what_is_not_an_answer_is_taken_as_no_answer(answer: bytes, message: str) -> None:
    with pytest.raises(ChannelUnavailable) as unavailable:
        parse_answer(answer)

    assert str(unavailable.value).startswith(message)


# -- records going out again ---------------------------------------------------------------


def _sf(name: str) -> str:
    return f"{{{SF_NS}}}{name}"


MADRID = ZoneInfo("Europe/Madrid")
GENERATED = datetime(2027, 1, 4, 10, 30, 5, tzinfo=MADRID)


def _invoice(number: str = "F2-2027-000001") -> InvoiceRef:
    return InvoiceRef(conf.issuer().nif, number, date(2027, 1, 4))


def _alta_xml(*, correction: bool = False) -> str:
    element = registro(
        AltaRecord(
            invoice=_invoice(),
            issuer_name=conf.issuer().name,
            invoice_type=InvoiceType.F2,
            description="Venta",
            tax_lines=(TaxLine(Decimal("21.00"), Decimal("10.00"), Decimal("2.10")),),
            total_quota=Decimal("2.10"),
            total_amount=Decimal("12.10"),
            previous=None,
            generated_at=GENERATED,
        ),
        conf.sistema_informatico(),
    )
    if correction:  # an alta de subsanación, as the invoicing services would make it
        flag = etree.Element(_sf("Subsanacion"))
        flag.text = "S"
        element.insert(element.index(element.find(_sf("NombreRazonEmisor"))) + 1, flag)
    return etree.tostring(element, encoding="unicode")


def _children(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def test_an_alta_goes_as_it_was_stored_when_never_rejected() -> None:
    stored = _alta_xml()

    outgoing = OutgoingRecord.from_xml(stored)

    assert etree.tostring(outgoing.element, encoding="unicode") == stored
    assert outgoing.key == RecordKey(conf.issuer().nif, "F2-2027-000001", "04-01-2027", "Alta")


def test_a_rejected_alta_goes_again_as_an_alta_por_rechazo_that_the_schema_takes() -> None:
    outgoing = OutgoingRecord.from_xml(_alta_xml(), after_rejection=True)

    element = outgoing.element
    assert _children(element)[:6] == [
        "IDVersion",
        "IDFactura",
        "NombreRazonEmisor",
        "Subsanacion",
        "RechazoPrevio",
        "TipoFactura",
    ]
    assert (element.findtext(_sf("Subsanacion")), element.findtext(_sf("RechazoPrevio"))) == (
        "S",
        "X",
    )
    validate(submission_xml([outgoing], incident=False))


def test_a_rejected_subsanacion_goes_again_with_rechazo_previo_s() -> None:
    outgoing = OutgoingRecord.from_xml(_alta_xml(correction=True), after_rejection=True)

    element = outgoing.element
    assert _children(element)[2:5] == ["NombreRazonEmisor", "Subsanacion", "RechazoPrevio"]
    assert (element.findtext(_sf("Subsanacion")), element.findtext(_sf("RechazoPrevio"))) == (
        "S",
        "S",
    )
    validate(submission_xml([outgoing], incident=False))


def test_a_rejected_anulacion_goes_again_with_rechazo_previo_s() -> None:
    stored = registro_anulacion(
        AnulacionRecord(invoice=_invoice(), previous=None, generated_at=GENERATED),
        conf.sistema_informatico(),
    )

    outgoing = OutgoingRecord.from_xml(
        etree.tostring(stored, encoding="unicode"), after_rejection=True
    )

    assert outgoing.key.operation == "Anulacion"
    assert _children(outgoing.element)[:4] == [
        "IDVersion",
        "IDFactura",
        "RechazoPrevio",
        "Encadenamiento",
    ]
    assert outgoing.element.findtext(_sf("RechazoPrevio")) == "S"
    validate(submission_xml([outgoing], incident=False))
