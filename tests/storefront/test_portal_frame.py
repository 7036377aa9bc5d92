"""Inside the demo portal's frame: the portal vouches for its customer with a
signed token, and the customer buys on the water bill without a shop password."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from playwright.sync_api import expect

from billing_bridge.models import BillCharge, ContractLink, SupplyContract
from orders import services
from orders.models import Claim, Order
from shop.accounts.models import User
from tests.factories import StaffFactory
from tests.storefront.conftest import Visit, catalogue, portal_demo_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal(settings: Any) -> None:
    settings.DEBUG = True  # /portal-demo/ exists only in development
    settings.PORTAL_JWKS_URL = ""
    settings.PORTAL_JWT_SECRET = "a-demo-portal-secret-for-the-browser-tests"
    settings.PORTAL_JWT_ISSUER = "oficina-virtual-demo"


def test_a_portal_customer_buys_two_articles_on_the_water_bill_and_opens_a_claim(
    storefront: Visit, portal: None
) -> None:
    catalogue()
    contract = SupplyContract.objects.create(
        number="41000123",
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=date.today() + timedelta(days=20),
    )
    page = storefront.page
    page.goto(portal_demo_url(storefront.base, "OV-0001"))
    shop = page.frame_locator("iframe.portal-shop")
    frame = page.wait_for_selector("iframe.portal-shop").content_frame()
    assert frame is not None

    expect(shop.get_by_role("link", name="Mi cuenta")).to_be_visible()
    customer = User.objects.get(portal_subject="OV-0001")
    assert customer.email == "lucia.romero@correo.example"
    assert not customer.has_usable_password()
    assert [link.contract for link in ContractLink.objects.filter(user=customer)] == [contract]
    assert "portalToken" not in frame.url  # the token left the address at once
    expect(shop.get_by_role("heading", level=1)).to_have_text("Tienda del Agua")
    storefront.shot("portal-home")

    for count, (slug, name) in enumerate(
        [("jarra-filtrante", "Jarra filtrante"), ("filtros-recambio", "Filtros de recambio")], 1
    ):
        frame.goto(f"{storefront.base}/storefront/#/product/{slug}")
        expect(shop.get_by_role("heading", level=1)).to_have_text(name)
        shop.get_by_role("button", name="Añadir al carrito").click()
        expect(shop.get_by_test_id("cart-link")).to_contain_text(f"{count} artículos")
    shop.get_by_test_id("cart-link").click()
    shop.get_by_role("link", name="Tramitar el pedido").click()
    expect(shop.get_by_label("Correo electrónico")).to_have_value(customer.email)
    address = shop.get_by_role("group", name="Dirección de envío")
    address.get_by_label("Nombre").fill("Lucía")
    address.get_by_label("Apellidos").fill("Romero")
    address.get_by_label("Dirección", exact=True).fill("Calle Betis 12")
    address.get_by_label("Código postal").fill("41010")
    address.get_by_label("Localidad").fill("Sevilla")
    shop.get_by_role("button", name="Guardar y continuar").click()
    shop.get_by_role("radio", name=re.compile("Mensajería")).check()
    expect(shop.get_by_test_id("grand-total")).to_have_text("41,25 €")
    shop.get_by_role("radio", name="Pagar en tu factura del agua").check()
    expect(shop.get_by_label("Contrato de suministro")).to_contain_text("41000123")
    shop.get_by_label("Plazos en la factura del agua").select_option("3")
    storefront.shot("portal-checkout-water-bill")
    shop.get_by_role("button", name="Pagar y confirmar el pedido").click()
    expect(shop.get_by_role("heading", level=1)).to_have_text(re.compile("¡Gracias!"))

    order = Order.objects.get()
    assert (order.user, order.total_gross, order.lines.count()) == (
        customer,
        Decimal("41.25"),
        2,
    )
    charges = BillCharge.objects.order_by("sequence")
    assert [(c.sequence, c.amount, c.contract) for c in charges] == [
        (1, Decimal("13.75"), contract),
        (2, Decimal("13.75"), contract),
        (3, Decimal("13.75"), contract),
    ]

    shop.get_by_role("link", name="Mi cuenta").click()
    shop.get_by_role("link", name=f"Pedido {order.number}").click()
    schedule = shop.get_by_test_id("installments")
    expect(schedule.get_by_role("rowheader")).to_have_text(["1 de 3", "2 de 3", "3 de 3"])
    expect(schedule.get_by_text("Pendiente")).to_have_count(3)
    schedule.scroll_into_view_if_needed()
    storefront.shot("portal-order-installments")

    services.order_fulfill(
        actor=cast(User, StaffFactory()),
        order=order,
        quantities=[(line, line.quantity) for line in order.lines.all()],
    )
    frame.evaluate("location.reload()")
    expect(shop.get_by_test_id("order-status")).to_have_text("Enviado")
    shop.get_by_role("link", name="Abrir una reclamación").click()
    shop.get_by_label("Motivo").select_option("MISSING_ITEM")
    shop.get_by_label(re.compile("Filtros de recambio .*unidades afectadas")).fill("1")
    shop.get_by_label("Descripción").fill("Faltan los filtros en la caja.")
    shop.get_by_role("button", name="Enviar la reclamación").click()

    expect(shop.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Reclamación R-\d+$"))
    claim = Claim.objects.get()
    expect(shop.get_by_role("heading", level=1)).to_have_text(f"Reclamación {claim.number}")
    assert (claim.order, claim.reason) == (order, "missing_item")
    storefront.shot("portal-claim")
