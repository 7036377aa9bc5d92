"""Water-bill billing in the admin: readable by the billing operator, not by others."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group

from billing_bridge.models import SupplyContract
from shop.accounts.roles import BILLING_OPERATOR, CATALOGUE_MANAGER
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PAGES = ("supplycontract", "contractlink", "billcharge", "exportbatch", "ackfile")


def staff(role):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def contract():
    return SupplyContract.objects.create(
        number="41000123",
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12",
        postal_code="41010",
        next_cutoff=date(2026, 12, 20),
    )


@pytest.mark.parametrize("page", PAGES)
def test_the_billing_operator_reads_the_billing_pages(client, contract, page):
    client.force_login(staff(BILLING_OPERATOR))
    response = client.get(f"/admin/billing_bridge/{page}/")
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_a_catalogue_manager_cannot_open_the_billing_pages(client, contract, page):
    client.force_login(staff(CATALOGUE_MANAGER))
    assert client.get(f"/admin/billing_bridge/{page}/").status_code == 403


def test_contracts_show_the_credit_left_and_cannot_be_edited(client, contract):
    client.force_login(staff(BILLING_OPERATOR))
    listing = client.get("/admin/billing_bridge/supplycontract/")
    assert "300.00 €" in listing.content.decode()
    assert (
        client.post(
            f"/admin/billing_bridge/supplycontract/{contract.pk}/change/", {"status": "terminated"}
        ).status_code
        == 403
    )
    contract.refresh_from_db()
    assert contract.status == SupplyContract.Status.ACTIVE


def test_a_batch_page_shows_its_reconciliation(client, tmp_path, settings):
    from billing_bridge import services_exchange
    from tests.billing_bridge.test_water_bill_payment import linked_customer, water_bill_order

    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)
    batch = services_exchange.bill_cycle_export(cutoff=date(2026, 12, 31), actor=None)
    client.force_login(staff(BILLING_OPERATOR))

    page = client.get(
        f"/admin/billing_bridge/exportbatch/{batch.pk}/change/", headers={"Accept-Language": "en"}
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert (
        "Exported 1 / 24.95 € = accepted 0 / 0.00 € + rejected 0 / 0.00 € + in flight 1 / 24.95 €."
        in text
    )
    assert "Balanced." in text
