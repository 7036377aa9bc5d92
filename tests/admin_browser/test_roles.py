"""Staff see only their own area: a catalogue manager finds no billing section
on the index and is refused the billing pages, which export nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from billing_bridge.models import BillCharge, ExportBatch
from shop.accounts.roles import CATALOGUE_MANAGER
from tests.admin_browser.conftest import BackOffice, staff, supply_contract, water_bill_order

pytestmark = pytest.mark.django_db(transaction=True)
BATCHES = "/admin/billing_bridge/exportbatch/"


def test_a_catalogue_manager_cannot_open_the_billing_pages(back_office: BackOffice):
    water_bill_order(supply_contract("100200300", days_to_cutoff=0), email="lucia@example.com")
    manager = staff(CATALOGUE_MANAGER, "catalogo@example.com")
    page = back_office.sign_in(manager)

    expect(page.get_by_role("table", name="Catálogo")).to_be_visible()
    expect(page.get_by_role("table", name="Cobro en la factura del agua")).to_have_count(0)
    expect(page.locator('a[href^="/admin/billing_bridge/"]')).to_have_count(0)
    expect(page.locator("#chart-current-cycle")).to_have_count(0)

    batches = back_office.open(BATCHES)
    assert batches.status == 403
    back_office.shot("billing-refused")
    export = back_office.open(f"{BATCHES}export/")
    assert export.status == 403
    cycles = back_office.open(f"{BATCHES}cycles/")
    assert cycles.status == 403

    assert ExportBatch.objects.count() == 0
    assert list(BillCharge.objects.values_list("status", flat=True)) == [BillCharge.Status.PENDING]
