"""A billing operator runs a water-bill cycle from the back office: exports the
charges due into a batch, imports the billing system's acknowledgement, and
reads the cycle's reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.utils import formats, translation
from playwright.sync_api import expect

from billing_bridge.exchange.base import ContractInfo
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import AckFile, BillCharge, ExportBatch
from shop.accounts.roles import BILLING_OPERATOR
from tests.admin_browser.conftest import BackOffice, staff, supply_contract, water_bill_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_billing_operator_exports_the_charges_due_imports_the_answer_and_sees_it_balance(
    back_office: BackOffice,
):
    active = supply_contract("100200300")
    suspended = supply_contract("100200400")  # suspended by the utility since the purchase
    water_bill_order(active, email="lucia@example.com")  # 24.95
    water_bill_order(suspended, email="pedro@example.com", price="5.00", quantity=1)  # 9.95
    cutoff = active.next_cutoff
    number = f"B-{cutoff:%Y%m%d}-001"
    billing_system = BillingSimulator(
        {
            "100200300": ContractInfo("100200300", "active", "Titular 100200300"),
            "100200400": ContractInfo("100200400", "suspended", "Titular 100200400"),
        }
    )
    operator = staff(BILLING_OPERATOR, "facturacion@example.com")
    with translation.override("es"):
        day = formats.date_format(cutoff, "SHORT_DATE_FORMAT")
    page = back_office.sign_in(operator)

    billing = page.get_by_role("table", name="Cobro en la factura del agua")
    billing.get_by_role("link", name="Lotes de exportación").click()
    page.get_by_role("link", name="Exportar cargos a facturar").click()
    page.get_by_label("Cierre de facturación").fill(cutoff.isoformat())
    page.get_by_role("button", name="Exportar").click()

    batch = ExportBatch.objects.get()
    expect(page).to_have_url(
        back_office.url(f"/admin/billing_bridge/exportbatch/{batch.pk}/change/")
    )
    exported = f"Lote {number} exportado: 2 cargos con vencimiento hasta el {day}, 34,90 €."
    expect(page.get_by_text(exported)).to_be_visible()
    expect(
        page.get_by_text(
            "Exportado 2 / 34,90 € = aceptado 0 / 0,00 € + rechazado 0 / 0,00 € "
            "+ pendiente de respuesta 2 / 34,90 €. Cuadra."
        )
    ).to_be_visible()
    back_office.shot("batch-exported")
    assert (batch.number, batch.cutoff, batch.count, batch.total, batch.status) == (
        number,
        cutoff,
        2,
        Decimal("34.90"),
        ExportBatch.Status.EXPORTED,
    )
    assert (batch.created_by, batch.sent_at is not None) == (operator, True)

    acknowledgement = billing_system.acknowledge(batch.number)
    page.get_by_role("link", name="Inicio").click()
    billing.get_by_role("link", name="Ficheros de acuse").click()
    page.get_by_role("link", name="Importar un fichero de acuse").click()
    page.get_by_label("Fichero de acuse").set_input_files(acknowledgement.path)
    page.get_by_role("button", name="Importar").click()

    ack = AckFile.objects.get()
    expect(page).to_have_url(back_office.url(f"/admin/billing_bridge/ackfile/{ack.pk}/change/"))
    imported = (
        f"Se ha importado {number}.ack.csv. Líneas: 2; aceptados: 1; rechazados: 1; "
        "liquidados: 0; en cuarentena: 0."
    )
    expect(page.get_by_text(imported)).to_be_visible()
    back_office.shot("acknowledgement-imported")
    assert (ack.file_name, ack.lines, ack.accepted, ack.rejected, ack.settled, ack.quarantined) == (
        f"{number}.ack.csv",
        2,
        1,
        1,
        0,
        0,
    )
    assert ack.imported_by == operator
    assert sorted(
        BillCharge.objects.values_list("contract__number", "amount", "status", "bill_number")
    ) == [
        ("100200300", Decimal("24.95"), BillCharge.Status.ACCEPTED, f"F{cutoff:%Y%m}-100200300"),
        ("100200400", Decimal("9.95"), BillCharge.Status.REJECTED, ""),
    ]

    page.get_by_role("link", name="Inicio").click()
    billing.get_by_role("link", name="Lotes de exportación").click()
    page.get_by_role("link", name="Ciclos y conciliación").click()
    page.get_by_role("link", name=day).click()

    expect(page.get_by_role("heading", name=f"Conciliación del ciclo del {day}")).to_be_visible()
    tallies = page.locator("#tallies")
    expect(tallies.get_by_role("row")).to_have_count(5)  # the headings and four tallies
    for row in (
        "Exportados 2 34,90 €",
        "Aceptados 1 24,95 €",
        "Rechazados 1 9,95 €",
        "Pendientes de respuesta 0 0,00 €",
    ):
        expect(tallies.get_by_role("row", name=row, exact=True)).to_be_visible()
    expect(
        page.get_by_text("Cuadra: todos los cargos exportados están contabilizados.")
    ).to_be_visible()
    back_office.shot("cycle-reconciliation")
    batch.refresh_from_db()
    assert batch.status == ExportBatch.Status.ACKNOWLEDGED
    assert list(
        LogEntry.objects.order_by("pk").values_list(
            "user__email", "content_type__model", "object_id", "action_flag", "change_message"
        )
    ) == [
        ("facturacion@example.com", "exportbatch", str(batch.pk), ADDITION, exported),
        ("facturacion@example.com", "ackfile", str(ack.pk), ADDITION, imported),
    ]
