"""A signed-in customer pays on the water bill in three installments, sees them
on the order, and opens a claim once the order has shipped."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import cast

import pytest
from playwright.sync_api import Page, expect

from billing_bridge.models import BillCharge
from orders import services
from orders.models import Claim, Order
from shop.accounts.models import User
from tests.factories import StaffFactory
from tests.storefront.conftest import CUSTOMER_PASSWORD, Visit, catalogue, water_bill_customer

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, email: str) -> None:
    page.get_by_role("link", name="Iniciar sesión").click()
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(CUSTOMER_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", level=1, name="Mi cuenta")).to_be_focused()


def test_a_customer_pays_on_the_water_bill_in_three_installments_and_opens_a_claim(
    storefront: Visit,
) -> None:
    catalogue()
    user, contract = water_bill_customer()
    page = storefront.open("/")
    sign_in(page, user.email)
    expect(page.get_by_text("100200300")).to_be_visible()
    storefront.shot("account")

    page.goto(f"{storefront.base}/storefront/#/product/jarra-filtrante")
    page.get_by_label("Cantidad").fill("2")
    page.get_by_role("button", name="Añadir al carrito").click()
    expect(page.get_by_test_id("cart-link")).to_contain_text("2")
    page.get_by_test_id("cart-link").click()
    page.get_by_role("link", name="Tramitar el pedido").click()
    expect(page.get_by_label("Correo electrónico")).to_have_value(user.email)
    address = page.get_by_role("group", name="Dirección de envío")
    address.get_by_label("Nombre").fill("Lucía")
    address.get_by_label("Apellidos").fill("Romero")
    address.get_by_label("Dirección", exact=True).fill("Calle Betis 12")
    address.get_by_label("Código postal").fill("41010")
    address.get_by_label("Localidad").fill("Sevilla")
    page.get_by_role("button", name="Guardar y continuar").click()

    page.get_by_role("radio", name=re.compile("Recogida en oficina")).check()
    expect(page.get_by_role("status")).to_have_text("Total actualizado: 48,40 €")
    expect(page.get_by_label("Oficina de recogida")).to_contain_text("Oficina Plaza Nueva")
    expect(page.get_by_test_id("grand-total")).to_have_text("48,40 €")
    expect(page.get_by_role("radio", name="Pago de prueba (no se mueve dinero)")).to_be_checked()
    page.get_by_role("radio", name="Pagar en tu factura del agua").check()
    expect(page.get_by_label("Contrato de suministro")).to_contain_text("100200300")
    page.get_by_label("Plazos en la factura del agua").select_option("3")
    storefront.shot("checkout-water-bill")
    page.get_by_role("button", name="Pagar y confirmar el pedido").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("¡Gracias!"))

    order = Order.objects.get()
    assert (order.user, order.total_gross, (order.pickup_point or {}).get("name")) == (
        user,
        Decimal("48.40"),
        "Oficina Plaza Nueva",
    )
    charges = list(BillCharge.objects.order_by("sequence"))
    assert [(c.sequence, c.installments, c.amount, c.contract) for c in charges] == [
        (1, 3, Decimal("16.14"), contract),
        (2, 3, Decimal("16.13"), contract),
        (3, 3, Decimal("16.13"), contract),
    ]

    page.get_by_role("link", name="Mi cuenta").click()
    page.get_by_role("link", name=f"Pedido {order.number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pedido {order.number}")
    schedule = page.get_by_test_id("installments")
    expect(schedule.get_by_role("row")).to_have_count(4)  # the header and three bills
    expect(schedule.get_by_role("rowheader")).to_have_text(["1 de 3", "2 de 3", "3 de 3"])
    expect(schedule).to_contain_text("16,14 €")
    expect(schedule.get_by_text("Pendiente")).to_have_count(3)
    storefront.shot("order-installments")

    line = order.lines.get()
    staff = cast(User, StaffFactory())
    services.order_fulfill(actor=staff, order=order, quantities=[(line, 2)])
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Enviado")
    page.get_by_role("link", name="Abrir una reclamación").click()
    page.get_by_label("Motivo").select_option("DAMAGED")
    page.get_by_label(re.compile("Jarra filtrante .*unidades afectadas")).fill("1")
    page.get_by_label("Descripción").fill("Una jarra llegó con el asa rota.")
    storefront.shot("claim-form")
    page.get_by_role("button", name="Enviar la reclamación").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Reclamación R-\d+$"))
    claim = Claim.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reclamación {claim.number}")
    expect(page.get_by_test_id("claim-status")).to_have_text("Abierta")
    assert (claim.reason, claim.description, claim.order) == (
        "damaged",
        "Una jarra llegó con el asa rota.",
        order,
    )
    assert [(cl.order_line, cl.quantity) for cl in claim.lines.all()] == [(line, 1)]

    page.get_by_label("Mensaje").fill("Os adjunto el número de pedido para la reposición.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Mensaje enviado")
    expect(page.get_by_test_id("thread")).to_contain_text("Os adjunto el número de pedido")
    storefront.shot("claim-thread")
    assert claim.messages.filter(from_staff=False).count() == 1
