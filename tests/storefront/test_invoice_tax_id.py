"""A shopper gives a tax id and company name on the billing step: a wrong id is
refused next to its field with the API's message, the right one gets the order
a full invoice (F1) naming the company."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from playwright.sync_api import expect

from invoicing.models import Invoice
from orders.models import Order
from shop.tax_ids import tax_id_clean
from tests.storefront.conftest import Visit, catalogue
from tests.storefront.test_guest_checkout import add_to_cart, fill_shipping_address

pytestmark = pytest.mark.django_db(transaction=True)


def refusal(tax_id: str) -> str:
    """The message the API gives for ``tax_id``, in Spanish."""
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        tax_id_clean(tax_id)
    return " ".join(caught.value.messages)


def test_a_guest_with_a_tax_id_gets_a_full_invoice_naming_the_company(
    storefront: Visit, settings: Any
) -> None:
    settings.DEBUG = True
    settings.SHOP_PAYMENT_METHODS = {
        **settings.SHOP_PAYMENT_METHODS,
        "card": "orders.payments.memory.DevelopmentCardPaymentMethod",
    }
    catalogue()
    page = storefront.open("/")
    add_to_cart(page, "jarra", "Jarra filtrante", 1)
    page.get_by_test_id("cart-link").click()
    page.get_by_role("link", name="Tramitar el pedido").click()
    page.get_by_label("Correo electrónico").fill("compras@fontaneria.example")
    fill_shipping_address(page)
    invoice = page.get_by_role("group", name="Factura completa (opcional)")
    tax_id = invoice.get_by_label("NIF, NIE o CIF (opcional)")
    tax_id.fill("B12345675")
    invoice.get_by_label("Nombre o razón social (opcional)").fill("Fontanería Martín, S.L.")
    page.get_by_role("button", name="Guardar y continuar").click()

    error = page.locator("#ws-tax-id-error")
    expect(error).to_have_text(refusal("B12345675"))
    expect(tax_id).to_have_attribute("aria-invalid", "true")
    assert not Order.objects.exists()

    tax_id.fill("B12345674")
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(page.get_by_role("heading", name="2. Envío y pago")).to_be_focused()
    expect(error).to_be_hidden()

    # Shown again (a reload), the billing step keeps what was given.
    page.reload()
    invoice = page.get_by_role("group", name="Factura completa (opcional)")
    expect(invoice.get_by_label("NIF, NIE o CIF (opcional)")).to_have_value("B12345674")
    expect(invoice.get_by_label("Nombre o razón social (opcional)")).to_have_value(
        "Fontanería Martín, S.L."
    )
    page.get_by_role("radio", name=re.compile("Mensajería")).check()
    expect(page.get_by_test_id("grand-total")).to_have_text("29,15 €")
    page.get_by_role("button", name="Pagar y confirmar el pedido").click()
    # The invoice's PDF is drawn in the request here (no broker): give it time.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"¡Gracias! Pedido .+ confirmado"), timeout=20000
    )

    order = Order.objects.get()
    invoice_row = Invoice.objects.get(order=order)
    assert (
        invoice_row.kind,
        invoice_row.recipient_tax_id,
        invoice_row.recipient_name,
        invoice_row.total_gross,
    ) == ("F1", "B12345674", "Fontanería Martín, S.L.", order.total_gross)
