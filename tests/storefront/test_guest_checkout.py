"""A guest buys through the reference storefront and finds the order again;
the keyboard alone reaches the cart and places an order."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from orders.models import Order, Payment
from orders.selectors import ChargeStatus, payment_balance
from shop.accounts.models import Consent
from tests.browser import docs_copy
from tests.storefront.conftest import Visit, catalogue, terms_of_sale

pytestmark = pytest.mark.django_db(transaction=True)
TIMES = "\u00d7"  # the multiplication sign the storefront writes between count and name


def add_to_cart(page: Page, search: str, product: str, quantity: int) -> None:
    page.get_by_role("searchbox", name="Buscar artículos").fill(search)
    page.get_by_role("button", name="Buscar", exact=True).click()
    page.get_by_role("link", name=product).click()
    expect(page.get_by_role("heading", level=1, name=product)).to_be_focused()
    page.get_by_label("Cantidad").fill(str(quantity))
    page.get_by_role("button", name="Añadir al carrito").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Añadido al carrito: {quantity} {TIMES} {product}"
    )


def fill_shipping_address(page: Page) -> None:
    address = page.get_by_role("group", name="Dirección de envío")
    address.get_by_label("Nombre").fill("Ana")
    address.get_by_label("Apellidos").fill("Ruiz")
    address.get_by_label("Dirección", exact=True).fill("Calle Feria 3")
    address.get_by_label("Código postal").fill("41003")
    address.get_by_label("Localidad").fill("Sevilla")


def test_a_guest_buys_two_articles_by_card_and_finds_the_order_by_its_token(
    storefront: Visit, settings: Any
) -> None:
    # The demo's card route: the development card, offered only with DEBUG.
    settings.DEBUG = True
    settings.SHOP_PAYMENT_METHODS = {
        **settings.SHOP_PAYMENT_METHODS,
        "card": "orders.payments.memory.DevelopmentCardPaymentMethod",
    }
    catalogue()
    published = terms_of_sale()
    page = storefront.open("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tienda del Agua")
    storefront.shot("home")

    add_to_cart(page, "jarra", "Jarra filtrante", 1)
    storefront.shot("product")
    add_to_cart(page, "filtros", "Filtros de recambio", 2)
    expect(page.get_by_test_id("cart-link")).to_contain_text("3")

    page.get_by_test_id("cart-link").click()
    expect(page.get_by_role("heading", level=1, name="Carrito")).to_be_focused()
    expect(page.get_by_role("row")).to_have_count(3)  # the header and two articles
    totals = page.get_by_test_id("totals")
    expect(totals).to_contain_text("48,40 €")  # 24,20 + 2 x 12,10, IVA included
    expect(totals).to_contain_text("IVA 21 %")
    expect(totals).to_contain_text("8,40 €")
    storefront.shot("cart")

    page.get_by_role("link", name="Tramitar el pedido").click()
    page.get_by_label("Correo electrónico").fill("ana@example.com")
    fill_shipping_address(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(page.get_by_role("heading", name="2. Envío y pago")).to_be_focused()

    page.get_by_role("radio", name=re.compile("Mensajería")).check()
    expect(page.get_by_test_id("grand-total")).to_have_text("53,35 €")
    expect(page.get_by_role("radio", name="Tarjeta de desarrollo (sin pago real)")).to_be_checked()
    water_bill = page.get_by_role("radio", name="Pagar en tu factura del agua")
    expect(water_bill).to_be_disabled()
    expect(page.locator("#ws-pay-WATER_BILL-reason")).not_to_be_empty()
    storefront.shot("checkout")

    # The terms of sale are published: without accepting them nothing is paid.
    terms = page.get_by_role("checkbox", name=re.compile("Acepto las condiciones de venta"))
    page.get_by_role("button", name="Pagar y confirmar el pedido").click()
    expect(terms).to_be_focused()
    assert (Payment.objects.count(), Order.objects.count()) == (0, 0)

    terms.check()
    docs_copy(storefront.shot("checkout-terms"), "accounts")
    page.get_by_role("button", name="Pagar y confirmar el pedido").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"¡Gracias! Pedido .+ confirmado"))
    expect(heading).to_be_focused()
    storefront.shot("confirmation")

    order = Order.objects.get()
    assert (order.email, order.user, order.total_gross) == (
        "ana@example.com",
        None,
        Decimal("53.35"),
    )
    assert sorted((line.sku, line.quantity) for line in order.lines.all()) == [
        ("FILTROS-RECAMBIO", 2),
        ("JARRA-FILTRANTE", 1),
    ]
    assert payment_balance(order).status == ChargeStatus.FULLY_CHARGED
    assert list(
        Consent.objects.values_list("context", "email", "document", "version", "reference")
    ) == [("checkout", "ana@example.com", "terms_of_sale", published.updated_at, order.number)]
    expect(page.get_by_test_id("order-token")).to_have_text(str(order.token))
    expect(page.get_by_test_id("cart-link")).to_contain_text("0")

    page.get_by_role("link", name="Buscar mi pedido").click()
    page.get_by_label("Código del pedido").fill(str(order.token))
    page.get_by_role("button", name="Buscar", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pedido {order.number}")
    expect(page.get_by_test_id("order-status")).to_have_text("Pendiente de envío")
    expect(page.get_by_test_id("grand-total")).to_have_text("53,35 €")
    storefront.shot("order-by-token")


def test_the_guest_order_page_lists_the_articles(storefront: Visit) -> None:
    catalogue()
    page = storefront.open("/")
    add_to_cart(page, "jarra", "Jarra filtrante", 1)
    page.get_by_test_id("cart-link").click()
    page.get_by_role("link", name="Tramitar el pedido").click()
    page.get_by_label("Correo electrónico").fill("ana@example.com")
    fill_shipping_address(page)
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_role("radio", name=re.compile("Mensajería")).check()
    expect(page.get_by_test_id("grand-total")).to_have_text("29,15 €")
    page.get_by_role("button", name="Pagar y confirmar el pedido").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("¡Gracias!")
    expect(page.get_by_role("rowheader", name=re.compile("Jarra filtrante"))).to_be_visible(
        timeout=3000
    )


def focused_text(page: Page) -> str:
    return str(page.evaluate("() => (document.activeElement.innerText || '').trim()"))


def tab_to(page: Page, text: str, *, key: str = "Tab", limit: int = 80) -> None:
    """Press ``key`` until the focused element's text starts with ``text``."""
    for _ in range(limit):
        page.keyboard.press(key)
        if focused_text(page).startswith(text):
            return
    raise AssertionError(f"{text!r} cannot be reached with {key}")


def test_the_keyboard_reaches_the_cart_and_places_the_order(storefront: Visit) -> None:
    shop = catalogue()
    terms_of_sale()
    page = storefront.open("/product/jarra-filtrante")
    expect(page.get_by_role("heading", level=1, name="Jarra filtrante")).to_be_focused()
    tab_to(page, "Añadir al carrito")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        f"Añadido al carrito: 1 {TIMES} Jarra filtrante"
    )

    tab_to(page, "Carrito", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Carrito")).to_be_focused()
    tab_to(page, "Tramitar el pedido")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Tramitar el pedido")).to_be_focused()

    for value in ["ana@example.com", "Ana", "Ruiz", "Calle Feria 3", "", "41003", "Sevilla"]:
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Enter")  # submits the address form
    expect(page.get_by_role("heading", name="2. Envío y pago")).to_be_focused()

    tab_to(page, "", limit=1)  # into the shipping methods
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text("Total actualizado")
    terms = page.get_by_role("checkbox", name=re.compile("Acepto las condiciones de venta"))
    for _ in range(20):
        page.keyboard.press("Tab")
        if terms.evaluate("(box) => box === document.activeElement"):
            break
    page.keyboard.press("Space")
    expect(terms).to_be_checked()
    tab_to(page, "Pagar y confirmar el pedido")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("¡Gracias!"))
    order = Order.objects.get()
    assert order.shipping_method_id in {shop.delivery.pk, shop.pickup.pk}
    assert order.lines.get().sku == "JARRA-FILTRANTE"


def test_the_cart_changes_quantities_and_removes_lines(storefront: Visit) -> None:
    catalogue()
    page = storefront.open("/")
    add_to_cart(page, "jarra", "Jarra filtrante", 1)
    add_to_cart(page, "filtros", "Filtros de recambio", 1)
    page.get_by_test_id("cart-link").click()
    expect(page.get_by_test_id("grand-total")).to_have_text("36,30 €")

    page.get_by_label("Cantidad de Filtros de recambio").fill("3")
    page.get_by_role("button", name="Actualizar el carrito").click()
    expect(page.get_by_role("status")).to_have_text("Carrito actualizado. Total: 60,50 €")
    expect(page.get_by_test_id("grand-total")).to_have_text("60,50 €")

    page.get_by_role("button", name="Quitar Jarra filtrante").click()
    expect(page.get_by_role("status")).to_have_text("Quitado del carrito: Jarra filtrante")
    expect(page.get_by_role("row")).to_have_count(2)
    expect(page.get_by_test_id("grand-total")).to_have_text("36,30 €")
    expect(page.get_by_test_id("cart-link")).to_contain_text("3")
