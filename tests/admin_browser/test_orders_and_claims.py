"""An order manager at work: ships an order with its tracking number from the
order's page, then answers a claim and resolves it with a refund."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE
from playwright.sync_api import expect

from orders.models import Claim, ClaimEvent, Fulfillment, Order, OrderEvent, PaymentTransaction
from orders.payments.memory import gateway
from orders.selectors import payment_balance
from shop.accounts.roles import ORDER_MANAGER
from tests.admin_browser.conftest import BackOffice, staff
from tests.admin_ui.test_claims_admin import open_claim, shipped_order
from tests.factories.audit import logged
from tests.factories.orders import place_order, stocked_variant

pytestmark = pytest.mark.django_db(transaction=True)
TRACKING = "PK123456789ES"


def test_an_order_manager_ships_an_order_with_its_tracking_number(back_office: BackOffice):
    variant = stocked_variant(quantity=10, price="10.00", sku="JARRA-1")
    order = place_order(lines=[(variant, 2)])  # 20.00 + 4.95 shipping, paid by card
    manager = staff(ORDER_MANAGER, "pedidos@example.com")
    page = back_office.sign_in(manager)

    page.get_by_role("link", name="1 Pedidos por enviar").click()
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("heading", name=order.number, level=2)).to_be_visible()
    page.get_by_role("link", name="Enviar artículos").click()
    expect(
        page.get_by_role("heading", name=f"Enviar artículos del pedido {order.number}")
    ).to_be_visible()
    expect(page.get_by_label(f"{variant.product.name} (JARRA-1)")).to_have_value("2")
    page.get_by_label("Número de seguimiento").fill(TRACKING)
    page.get_by_role("button", name="Enviar", exact=True).click()

    expect(page).to_have_url(back_office.url(f"/admin/orders/order/{order.pk}/change/"))
    expect(page.get_by_text("Los artículos se han marcado como enviados.")).to_be_visible()
    expect(page.get_by_role("group", name="Envíos")).to_contain_text(TRACKING)
    back_office.shot("order-shipped")
    order.refresh_from_db()
    assert order.status == Order.Status.FULFILLED
    fulfillment = Fulfillment.objects.get(order=order)
    assert (fulfillment.tracking_number, fulfillment.created_by) == (TRACKING, manager)
    assert list(fulfillment.lines.values_list("line__sku", "quantity")) == [("JARRA-1", 2)]
    assert list(order.lines.values_list("quantity", "quantity_fulfilled")) == [(2, 2)]
    assert order.events.filter(type=OrderEvent.Type.FULFILLED, actor=manager).count() == 1
    assert logged(order) == [
        (
            "pedidos@example.com",
            CHANGE,
            f"Enviado: 2 \N{MULTIPLICATION SIGN} JARRA-1, número de seguimiento {TRACKING}.",
        )
    ]


def test_an_order_manager_answers_a_claim_and_resolves_it_with_a_refund(
    back_office: BackOffice,
):
    order = shipped_order(stocked_variant(quantity=10, price="10.00"))  # 34.95 paid by card
    claim = open_claim(order)
    manager = staff(ORDER_MANAGER, "pedidos@example.com")
    page = back_office.sign_in(manager)

    page.get_by_role("link", name="1 Reclamaciones abiertas").click()
    page.get_by_role("link", name=claim.number).click()
    page.get_by_role("link", name="Responder").click()
    page.get_by_label("Mensaje").fill("Sentimos lo ocurrido: revisamos su pedido.")
    page.get_by_role("button", name="Enviar la respuesta").click()
    expect(page.get_by_text("La respuesta se ha enviado al cliente.")).to_be_visible()
    page.get_by_role("link", name="Resolver").click()
    page.get_by_role(
        "radio", name="Reembolsar un importe por el medio con el que se pagó el pedido"
    ).check()
    page.get_by_label("Importe a reembolsar").fill("12.50")
    page.get_by_label("Mensaje").fill("Le devolvemos 12,50 € por las jarras rotas.")
    page.get_by_role("button", name="Resolver la reclamación").click()

    expect(page).to_have_url(back_office.url(f"/admin/orders/claim/{claim.pk}/change/"))
    expect(page.get_by_text("Resuelta con un reembolso de 12,50 €.")).to_be_visible()
    expect(page.get_by_role("group", name="Resolución")).to_contain_text("Reembolsado: 12,50 €")
    back_office.shot("claim-resolved")
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.refund_amount) == (
        Claim.Status.RESOLVED,
        Claim.Resolution.REFUND,
        Decimal("12.50"),
    )
    assert list(
        claim.messages.filter(from_staff=True).order_by("pk").values_list("body", "author")
    ) == [
        ("Sentimos lo ocurrido: revisamos su pedido.", manager.pk),
        ("Le devolvemos 12,50 € por las jarras rotas.", manager.pk),
    ]
    assert claim.events.filter(type=ClaimEvent.Type.RESOLVED, actor=manager).count() == 1
    refunds = PaymentTransaction.objects.filter(
        payment__order=order, kind=PaymentTransaction.Kind.REFUND
    )
    assert [(row.amount, row.status, row.actor) for row in refunds] == [
        (Decimal("12.50"), PaymentTransaction.Status.SUCCESS, manager)
    ]
    balance = payment_balance(order)
    assert (balance.refunded, balance.refundable) == (Decimal("12.50"), Decimal("22.45"))
    assert gateway.refunded(order.payments.get().psp_reference) == Decimal("12.50")
    assert logged(claim) == [
        ("pedidos@example.com", CHANGE, "Respondida: Sentimos lo ocurrido: revisamos su pedido."),
        (
            "pedidos@example.com",
            CHANGE,
            "Resuelta con un reembolso de 12,50 €. Le devolvemos 12,50 € por las jarras rotas.",
        ),
    ]
