"""The XML of VERI*FACTU records and of a RegFactuSistemaFacturacion submission,
validated against the AEAT's own schemas (SuministroLR.xsd, SuministroInformacion.xsd
and the W3C xmldsig schema they import; see invoicing/verifactu/xsd/README.md)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from invoicing.verifactu.huella import huella_alta, huella_anulacion
from invoicing.verifactu.records import (
    AltaRecord,
    AnulacionRecord,
    ChainLink,
    InvoiceRef,
    InvoiceType,
    Party,
    Rectification,
    RectificationType,
    SistemaInformatico,
    TaxLine,
)
from invoicing.verifactu.xml import (
    LR_NS,
    MAX_RECORDS_PER_SUBMISSION,
    SF_NS,
    XSD_DIR,
    SchemaInvalid,
    registro,
    registro_alta,
    registro_anulacion,
    submission,
    to_bytes,
    validate,
)

MADRID = ZoneInfo("Europe/Madrid")
ISSUER = Party(name="Aguas de la Tienda Demo, S.A.", nif="A99999997")
CUSTOMER = Party(name="Lucía Romero Díaz", nif="12345678Z")
SIF = SistemaInformatico(
    vendor=ISSUER,
    name="Tienda del Agua",
    system_id="TA",
    version="1.0",
    installation_number="1",
    only_verifactu=True,
    multi_taxpayer=False,
    multiple_taxpayers=False,
)
SIMPLIFIED = InvoiceRef(
    issuer_nif="A99999997", number="F2-2027-000001", issue_date=date(2027, 1, 15)
)
NS = {"sf": SF_NS, "lr": LR_NS}


def simplified(**changes: object) -> AltaRecord:
    record = AltaRecord(
        invoice=SIMPLIFIED,
        issuer_name=ISSUER.name,
        invoice_type=InvoiceType.F2,
        description="Venta en la Tienda del Agua, pedido 1001",
        tax_lines=(
            TaxLine(rate=Decimal("21"), base=Decimal("10.00"), quota=Decimal("2.10")),
            TaxLine(rate=Decimal("10"), base=Decimal("20.00"), quota=Decimal("2.00")),
        ),
        total_quota=Decimal("4.10"),
        total_amount=Decimal("34.10"),
        previous=None,
        generated_at=datetime(2027, 1, 15, 10, 30, 0, tzinfo=MADRID),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def text(element: etree._Element, path: str) -> list[str]:
    return [node.text for node in element.xpath(path, namespaces=NS)]


def test_a_simplified_invoices_alta_is_written_exactly_as_the_schema_orders_it():
    expected_huella = (
        hashlib.sha256(
            b"IDEmisorFactura=A99999997&NumSerieFactura=F2-2027-000001"
            b"&FechaExpedicionFactura=15-01-2027&TipoFactura=F2&CuotaTotal=4.10"
            b"&ImporteTotal=34.10&Huella=&FechaHoraHusoGenRegistro=2027-01-15T10:30:00+01:00"
        )
        .hexdigest()
        .upper()
    )

    written = etree.tostring(
        registro_alta(simplified(), SIF), encoding="unicode", pretty_print=True
    )

    assert (
        written
        == f"""\
<sum1:RegistroAlta xmlns:sum1="{SF_NS}">
  <sum1:IDVersion>1.0</sum1:IDVersion>
  <sum1:IDFactura>
    <sum1:IDEmisorFactura>A99999997</sum1:IDEmisorFactura>
    <sum1:NumSerieFactura>F2-2027-000001</sum1:NumSerieFactura>
    <sum1:FechaExpedicionFactura>15-01-2027</sum1:FechaExpedicionFactura>
  </sum1:IDFactura>
  <sum1:NombreRazonEmisor>Aguas de la Tienda Demo, S.A.</sum1:NombreRazonEmisor>
  <sum1:TipoFactura>F2</sum1:TipoFactura>
  <sum1:DescripcionOperacion>Venta en la Tienda del Agua, pedido 1001</sum1:DescripcionOperacion>
  <sum1:Desglose>
    <sum1:DetalleDesglose>
      <sum1:Impuesto>01</sum1:Impuesto>
      <sum1:ClaveRegimen>01</sum1:ClaveRegimen>
      <sum1:CalificacionOperacion>S1</sum1:CalificacionOperacion>
      <sum1:TipoImpositivo>21.00</sum1:TipoImpositivo>
      <sum1:BaseImponibleOimporteNoSujeto>10.00</sum1:BaseImponibleOimporteNoSujeto>
      <sum1:CuotaRepercutida>2.10</sum1:CuotaRepercutida>
    </sum1:DetalleDesglose>
    <sum1:DetalleDesglose>
      <sum1:Impuesto>01</sum1:Impuesto>
      <sum1:ClaveRegimen>01</sum1:ClaveRegimen>
      <sum1:CalificacionOperacion>S1</sum1:CalificacionOperacion>
      <sum1:TipoImpositivo>10.00</sum1:TipoImpositivo>
      <sum1:BaseImponibleOimporteNoSujeto>20.00</sum1:BaseImponibleOimporteNoSujeto>
      <sum1:CuotaRepercutida>2.00</sum1:CuotaRepercutida>
    </sum1:DetalleDesglose>
  </sum1:Desglose>
  <sum1:CuotaTotal>4.10</sum1:CuotaTotal>
  <sum1:ImporteTotal>34.10</sum1:ImporteTotal>
  <sum1:Encadenamiento>
    <sum1:PrimerRegistro>S</sum1:PrimerRegistro>
  </sum1:Encadenamiento>
  <sum1:SistemaInformatico>
    <sum1:NombreRazon>Aguas de la Tienda Demo, S.A.</sum1:NombreRazon>
    <sum1:NIF>A99999997</sum1:NIF>
    <sum1:NombreSistemaInformatico>Tienda del Agua</sum1:NombreSistemaInformatico>
    <sum1:IdSistemaInformatico>TA</sum1:IdSistemaInformatico>
    <sum1:Version>1.0</sum1:Version>
    <sum1:NumeroInstalacion>1</sum1:NumeroInstalacion>
    <sum1:TipoUsoPosibleSoloVerifactu>S</sum1:TipoUsoPosibleSoloVerifactu>
    <sum1:TipoUsoPosibleMultiOT>N</sum1:TipoUsoPosibleMultiOT>
    <sum1:IndicadorMultiplesOT>N</sum1:IndicadorMultiplesOT>
  </sum1:SistemaInformatico>
  <sum1:FechaHoraHusoGenRegistro>2027-01-15T10:30:00+01:00</sum1:FechaHoraHusoGenRegistro>
  <sum1:TipoHuella>01</sum1:TipoHuella>
  <sum1:Huella>{expected_huella}</sum1:Huella>
</sum1:RegistroAlta>
"""
    )
    validate(registro_alta(simplified(), SIF))


def test_a_chained_full_invoice_names_its_recipient_and_the_previous_record():
    previous = ChainLink(invoice=SIMPLIFIED, huella=huella_alta(simplified()))
    record = simplified(
        invoice=replace(SIMPLIFIED, number="F1-2027-000001"),
        invoice_type=InvoiceType.F1,
        recipients=(CUSTOMER,),
        operation_date=date(2027, 1, 14),
        previous=previous,
    )

    element = registro_alta(record, SIF)

    validate(element)
    assert text(element, "sf:Destinatarios/sf:IDDestinatario/*") == [CUSTOMER.name, CUSTOMER.nif]
    assert text(element, "sf:FechaOperacion") == ["14-01-2027"]
    assert text(element, "sf:Encadenamiento/sf:RegistroAnterior/*") == [
        "A99999997",
        "F2-2027-000001",
        "15-01-2027",
        previous.huella,
    ]
    assert text(element, "sf:Huella") == [huella_alta(record)]


def test_a_rectification_by_differences_carries_negative_amounts_and_the_rectified_invoice():
    record = simplified(
        invoice=replace(SIMPLIFIED, number="R5-2027-000001", issue_date=date(2027, 2, 1)),
        invoice_type=InvoiceType.R5,
        rectification=Rectification(type=RectificationType.DIFFERENCES, invoices=(SIMPLIFIED,)),
        tax_lines=(TaxLine(rate=Decimal("21"), base=Decimal("-10.00"), quota=Decimal("-2.10")),),
        total_quota=Decimal("-2.10"),
        total_amount=Decimal("-12.10"),
        previous=ChainLink(invoice=SIMPLIFIED, huella=huella_alta(simplified())),
    )

    element = registro_alta(record, SIF)

    validate(element)
    assert text(element, "sf:TipoFactura | sf:TipoRectificativa") == ["R5", "I"]
    assert text(element, "sf:FacturasRectificadas/sf:IDFacturaRectificada/*") == [
        "A99999997",
        "F2-2027-000001",
        "15-01-2027",
    ]
    assert text(element, "sf:ImporteRectificacion") == []
    assert text(element, "sf:CuotaTotal | sf:ImporteTotal") == ["-2.10", "-12.10"]
    assert text(element, ".//sf:BaseImponibleOimporteNoSujeto | .//sf:CuotaRepercutida") == [
        "-10.00",
        "-2.10",
    ]


def test_a_rectification_by_substitution_carries_the_rectified_base_and_quota():
    full = replace(SIMPLIFIED, number="F1-2027-000001")
    record = simplified(
        invoice=replace(SIMPLIFIED, number="R1-2027-000001"),
        invoice_type=InvoiceType.R1,
        recipients=(CUSTOMER,),
        rectification=Rectification(
            type=RectificationType.SUBSTITUTION,
            invoices=(full,),
            base=Decimal("30.00"),
            quota=Decimal("4.10"),
        ),
    )

    element = registro_alta(record, SIF)

    validate(element)
    assert text(element, "sf:TipoRectificativa") == ["S"]
    assert text(element, "sf:ImporteRectificacion/*") == ["30.00", "4.10"]


def test_an_f3_lists_the_simplified_invoices_it_replaces():
    record = simplified(
        invoice=replace(SIMPLIFIED, number="F3-2027-000001", issue_date=date(2027, 1, 20)),
        invoice_type=InvoiceType.F3,
        recipients=(CUSTOMER,),
        substituted=(SIMPLIFIED,),
    )

    element = registro_alta(record, SIF)

    validate(element)
    assert text(element, "sf:FacturasSustituidas/sf:IDFacturaSustituida/*") == [
        "A99999997",
        "F2-2027-000001",
        "15-01-2027",
    ]


def test_an_invoice_of_a_hundred_million_euros_or_more_is_marked_as_macrodato():
    record = simplified(
        tax_lines=(
            TaxLine(rate=Decimal("21"), base=Decimal("82644628.10"), quota=Decimal("17355371.90")),
        ),
        total_quota=Decimal("17355371.90"),
        total_amount=Decimal("100000000.00"),
    )

    element = registro_alta(record, SIF)

    validate(element)
    assert text(element, "sf:Macrodato") == ["S"]
    assert text(registro_alta(simplified(), SIF), "sf:Macrodato") == []


def test_an_anulacion_names_the_invoice_it_cancels_and_chains_to_the_previous_record():
    previous = ChainLink(invoice=SIMPLIFIED, huella=huella_alta(simplified()))
    record = AnulacionRecord(
        invoice=SIMPLIFIED,
        previous=previous,
        generated_at=datetime(2027, 1, 15, 11, 0, 0, tzinfo=MADRID),
    )

    element = registro_anulacion(record, SIF)

    validate(element)
    assert element.tag == f"{{{SF_NS}}}RegistroAnulacion"
    assert text(element, "sf:IDFactura/*") == ["A99999997", "F2-2027-000001", "15-01-2027"]
    assert text(element, "sf:Encadenamiento/sf:RegistroAnterior/sf:Huella") == [previous.huella]
    assert text(element, "sf:FechaHoraHusoGenRegistro | sf:TipoHuella | sf:Huella") == [
        "2027-01-15T11:00:00+01:00",
        "01",
        huella_anulacion(record),
    ]


def test_a_submission_wraps_the_records_under_the_issuers_header_and_validates():
    alta = simplified()
    anulacion = AnulacionRecord(
        invoice=SIMPLIFIED,
        previous=ChainLink(invoice=SIMPLIFIED, huella=huella_alta(alta)),
        generated_at=datetime(2027, 1, 15, 11, 0, 0, tzinfo=MADRID),
    )
    records = [registro(alta, SIF), registro(anulacion, SIF)]

    document = submission(ISSUER, records)

    validate(document)
    validate(to_bytes(document))
    assert document.tag == f"{{{LR_NS}}}RegFactuSistemaFacturacion"
    assert text(document, "lr:Cabecera/sf:ObligadoEmision/*") == [ISSUER.name, ISSUER.nif]
    assert [child[0].tag for child in document.xpath("lr:RegistroFactura", namespaces=NS)] == [
        f"{{{SF_NS}}}RegistroAlta",
        f"{{{SF_NS}}}RegistroAnulacion",
    ]
    # The caller's elements are copied, not moved into the document.
    assert [record.getparent() for record in records] == [None, None]
    assert to_bytes(document).startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<sum:Reg")


def test_a_submission_after_an_incident_says_so_in_its_header():
    document = submission(ISSUER, [registro(simplified(), SIF)], incident=True)

    validate(document)
    assert text(document, "lr:Cabecera/sf:RemisionVoluntaria/sf:Incidencia") == ["S"]


def test_a_submission_takes_one_to_a_thousand_records_of_its_issuer_only():
    one = registro(simplified(), SIF)
    other = registro(simplified(invoice=replace(SIMPLIFIED, issuer_nif="12345678Z")), SIF)

    assert MAX_RECORDS_PER_SUBMISSION == 1000
    with pytest.raises(ValueError, match="1000"):
        submission(ISSUER, [one] * 1001)
    with pytest.raises(ValueError, match="at least one"):
        submission(ISSUER, [])
    with pytest.raises(ValueError, match="12345678Z"):
        submission(ISSUER, [one, other])


def test_a_document_against_the_schema_is_refused_with_the_schemas_reasons():
    element = registro_alta(simplified(), SIF)
    element.find(f"{{{SF_NS}}}TipoFactura").text = "F9"
    element.remove(element.find(f"{{{SF_NS}}}Desglose"))

    with pytest.raises(SchemaInvalid) as refused:
        validate(element)

    assert len(refused.value.errors) == 2
    assert "TipoFactura" in refused.value.errors[0]
    assert "'F9'" in refused.value.errors[0]
    assert "Desglose" in refused.value.errors[1]


def test_a_document_that_is_not_xml_is_refused():
    with pytest.raises(SchemaInvalid, match="not XML"):
        validate(b"<RegFactuSistemaFacturacion>")


def test_the_vendored_schemas_are_the_bytes_their_readme_lists():
    readme = (XSD_DIR / "README.md").read_text(encoding="utf-8")
    listed = {
        name: digest
        for digest, name in (
            line.split()
            for line in readme.splitlines()
            if re.fullmatch(r"[0-9a-f]{64}  \S+\.xsd", line)
        )
    }

    assert listed == {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in XSD_DIR.glob("*.xsd")
    }
    assert len(listed) == 4
