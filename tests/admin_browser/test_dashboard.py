"""The dashboard a shop administrator opens the back office on: its figures are
the shop's orders, claims, bill charges and stock, and its links lead to them."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import formats, translation
from playwright.sync_api import expect

from catalog.models import Stock
from orders.models import Order
from shop.accounts.roles import SHOP_ADMINISTRATOR
from tests.admin_browser.conftest import BackOffice, staff, supply_contract, water_bill_order
from tests.admin_ui.test_claims_admin import open_claim, shipped_order
from tests.factories.orders import place_order, stocked_variant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _low_stock_threshold(settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5


def test_a_shop_administrator_sees_the_dashboard_of_the_shops_activity(back_office: BackOffice):
    to_ship = place_order(lines=[(stocked_variant(quantity=10, price="10.00"), 2)])  # 24.95
    claimed = shipped_order(stocked_variant(quantity=10, price="10.00"), email="ana@example.com")
    claim = open_claim(claimed)  # on an order of 34.95, shipped
    contract = supply_contract("100200300")
    on_the_bill = water_bill_order(contract, email="lucia@example.com")  # 24.95, one installment
    last_units = stocked_variant(quantity=3, price="4.50", sku="FILTRO-3")
    administrator = staff(SHOP_ADMINISTRATOR, "admin@example.com")
    with translation.override("es"):
        cutoff = formats.date_format(contract.next_cutoff, "SHORT_DATE_FORMAT")

    page = back_office.sign_in(administrator)

    dashboard = page.get_by_role("region", name="Panel de control")
    expect(dashboard.get_by_role("list").first.get_by_role("listitem")).to_have_text(
        [
            "84,85 € Ventas, últimos 30 días",
            "0,00 € Reembolsado de esas ventas",
            "2 Pedidos por enviar",
            "1 Reclamaciones abiertas",
            f"24,95 € En las facturas del {cutoff}",
            "1 Variantes con pocas existencias",
            "0 Códigos promocionales usados, últimos 30 días",
            "0,00 € Descuentos concedidos, últimos 30 días",
        ]
    )
    expect(
        dashboard.get_by_role(
            "img",
            name="Ventas por día y medio de pago Cobrado por los pedidos de los últimos 30 días: "
            "84,85 €. Tarjeta: 59,90 €; Factura del agua: 24,95 €.",
        )
    ).to_be_visible()
    expect(
        dashboard.get_by_role(
            "img",
            name="Pedidos por estado Sin enviar: 2; Enviado en parte: 0; Enviado: 1; Cancelado: 0",
        )
    ).to_be_visible()
    expect(
        dashboard.get_by_role(
            "img",
            name="Reclamaciones abiertas por antigüedad Hace menos de 2 días: 1; "
            "Hace de 2 a 7 días: 0; Hace más de 7 días: 0",
        )
    ).to_be_visible()
    expect(
        dashboard.get_by_role("heading", name=f"Ciclo actual: cierre del {cutoff}")
    ).to_be_visible()
    expect(dashboard.get_by_role("heading", name="Ciclo anterior: sin cargos")).to_be_visible()
    low_stock = dashboard.get_by_role("table", name="Variantes con menos de 5 unidades disponibles")
    expect(
        low_stock.get_by_role("row").filter(has_text="FILTRO-3").get_by_role("cell").last
    ).to_have_text("3")
    back_office.shot("dashboard")

    page.get_by_role("link", name="2 Pedidos por enviar").click()

    expect(page.get_by_role("heading", name="Seleccione pedido para ver", level=1)).to_be_visible()
    listed = page.locator("#result_list tbody th a")
    expect(listed).to_have_text(sorted([to_ship.number, on_the_bill.number], reverse=True))
    assert sorted(
        Order.objects.filter(status=Order.Status.UNFULFILLED).values_list("number", flat=True)
    ) == sorted([to_ship.number, on_the_bill.number])
    assert Order.objects.get(pk=claimed.pk).status == Order.Status.FULFILLED
    claim.refresh_from_db()
    assert claim.status == "open"
    stock = Stock.objects.get(variant=last_units)
    assert (stock.quantity, stock.allocated) == (3, 0)
    assert LogEntry.objects.count() == 0
