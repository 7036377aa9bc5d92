"""Every storefront page on a phone (390 x 844), on a desktop (1366 x 900) and on
that desktop at 200 % zoom: nothing sticks out of the viewport sideways, controls
are at least 44 px, and axe-core finds no serious or critical violation.

The walk covers home, category, product, search, the FAQ and legal pages, order
lookup, sign-in and registration, the cart, the checkout paid by card (with the
pickup select shown), its confirmation and the guest's order page, then the
portal demo's sign-in, the account, the checkout on the water bill, the order
page with its installments, and a claim's form and thread.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import Page, expect

from billing_bridge.models import SupplyContract
from orders import services
from orders.models import Claim, Order
from shop.accounts.models import User
from tests.browser import (
    DESKTOP,
    DESKTOP_ZOOMED,
    PHONE,
    TIMEOUT_MS,
    axe_violations,
    overflowing,
    screenshot,
    too_small_targets,
)
from tests.factories import StaffFactory
from tests.storefront.conftest import catalogue, portal_demo_url
from tests.storefront.test_guest_checkout import fill_shipping_address
from tests.storefront.test_portal_frame import portal as portal

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "storefront"
PHONE_SHOTS = ("home", "product", "cart", "checkout", "order")


class Walk:
    """A browser page at one viewport; ``check`` records what is wrong on each page."""

    def __init__(self, page: Page, base: str, name: str) -> None:
        self.page = page
        self.base = base
        self.name = name
        self.problems: dict[str, list[str]] = {}
        self.checked: list[str] = []

    def open(self, route: str, heading: str | re.Pattern[str]) -> Page:
        self.page.goto(f"{self.base}/storefront/#{route}")
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        return self.page

    def check(self, label: str) -> None:
        self.page.wait_for_load_state("networkidle")
        problems = [
            *overflowing(self.page),
            *axe_violations(self.page),
            *(f"small target {item}" for item in too_small_targets(self.page)),
        ]
        if problems:
            self.problems[label] = problems
        self.checked.append(label)
        if label in PHONE_SHOTS and self.name == "phone":
            shot = screenshot(self.page, "storefront-phone", label)
            if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":  # else the tree stays clean
                shutil.copyfile(shot, DOCS / f"phone-{label}.png")


@pytest.fixture(params=[PHONE, DESKTOP, DESKTOP_ZOOMED], ids=["phone", "desktop", "desktop-200"])
def walk(
    request: Any, browser: Any, live_server: Any, shop_settings: None, portal: None, settings: Any
) -> Iterator[Walk]:
    # The development card (DEBUG, as the portal demo needs) pays by card without Stripe.
    settings.SHOP_PAYMENT_METHODS = {
        **settings.SHOP_PAYMENT_METHODS,
        "card": "orders.payments.memory.DevelopmentCardPaymentMethod",
    }
    scale = 2 if request.param is DESKTOP_ZOOMED else 1
    context = browser.new_context(locale="es-ES", viewport=request.param, device_scale_factor=scale)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)  # a busy machine places an order slowly
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield Walk(page, live_server.url, request.node.callspec.id)
    finally:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def add_to_cart(walk: Walk, slug: str, name: str, count: int) -> None:
    page = walk.open(f"/product/{slug}", name)
    page.get_by_role("button", name="Añadir al carrito").click()
    expect(page.get_by_test_id("cart-link")).to_contain_text(f"{count} artículo")


def test_every_page_fits_the_viewport_and_passes_axe(walk: Walk) -> None:
    catalogue()
    SupplyContract.objects.create(  # the portal demo's first customer holds it
        number="41000123",
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=date.today() + timedelta(days=20),
    )
    page = walk.open("/", "Tienda del Agua")
    walk.check("home")
    walk.open("/category/filtracion", "Filtración")
    walk.check("category")
    walk.open("/search?q=jarra", re.compile("jarra"))
    walk.check("search")
    walk.open("/faq", "Preguntas frecuentes")
    walk.check("faq")
    walk.open("/legal", re.compile("."))
    walk.check("legal")
    walk.open("/lookup", "Buscar mi pedido")
    walk.check("lookup")
    walk.open("/signin", "Iniciar sesión")
    walk.check("signin")
    walk.open("/register", re.compile("."))
    walk.check("register")

    # A guest pays by card.
    add_to_cart(walk, "jarra-filtrante", "Jarra filtrante", 1)
    walk.check("product")
    add_to_cart(walk, "filtros-recambio", "Filtros de recambio", 2)  # 2 articles in the cart
    walk.open("/cart", "Carrito")
    expect(page.get_by_role("row")).to_have_count(3)
    walk.check("cart")
    page.get_by_role("link", name="Tramitar el pedido").click()
    page.get_by_label("Correo electrónico").fill("ana@example.com")
    fill_shipping_address(page)
    walk.check("checkout-address")
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_role("radio", name=re.compile("Recogida en oficina")).check()
    expect(page.get_by_label("Oficina de recogida")).to_contain_text("Oficina Plaza Nueva")
    walk.check("checkout-pickup")
    page.get_by_role("radio", name=re.compile("Mensajería")).check()
    expect(page.get_by_test_id("grand-total")).to_have_text("41,25 €")
    walk.check("checkout")
    page.get_by_role("button", name="Pagar y confirmar el pedido").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("¡Gracias!"))
    walk.check("confirmation")
    guest_order = Order.objects.get()
    walk.open(f"/order/{guest_order.token}", f"Pedido {guest_order.number}")
    walk.check("order")

    # The portal's customer pays on the water bill.
    page.goto(portal_demo_url(walk.base, "OV-0001"))
    shop = page.frame_locator("iframe.portal-shop")
    # Signed in: the account link replaces the sign-in one (folded into the menu on a phone).
    expect(shop.locator('a[href="#/account"]')).to_be_attached()
    walk.check("portal-demo")
    walk.open("/account", "Mi cuenta")
    walk.check("account")
    add_to_cart(walk, "jarra-filtrante", "Jarra filtrante", 1)
    walk.open("/checkout", "Tramitar el pedido")
    address = page.get_by_role("group", name="Dirección de envío")
    address.get_by_label("Nombre").fill("Lucía")
    address.get_by_label("Apellidos").fill("Romero")
    address.get_by_label("Dirección", exact=True).fill("Calle Betis 12")
    address.get_by_label("Código postal").fill("41010")
    address.get_by_label("Localidad").fill("Sevilla")
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_role("radio", name=re.compile("Mensajería")).check()
    page.get_by_role("radio", name="Pagar en tu factura del agua").check()
    page.get_by_label("Plazos en la factura del agua").select_option("3")
    walk.check("checkout-water-bill")
    page.get_by_role("button", name="Pagar y confirmar el pedido").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("¡Gracias!"))
    order = Order.objects.exclude(pk=guest_order.pk).get()
    open_order(walk, order)
    expect(page.get_by_test_id("installments").get_by_role("rowheader")).to_have_count(3)
    walk.check("order-installments")

    services.order_fulfill(
        actor=cast(User, StaffFactory()),
        order=order,
        quantities=[(line, line.quantity) for line in order.lines.all()],
    )
    open_order(walk, order)
    page.get_by_role("link", name="Abrir una reclamación").click()
    page.get_by_label("Motivo").select_option("DAMAGED")
    page.get_by_label(re.compile("Jarra filtrante .*unidades afectadas")).fill("1")
    page.get_by_label("Descripción").fill("La jarra llegó rota.")
    walk.check("claim-form")
    page.get_by_role("button", name="Enviar la reclamación").click()
    claim_heading = re.compile(r"^Reclamación R-\d+$")
    expect(page.get_by_role("heading", level=1)).to_have_text(claim_heading)
    assert Claim.objects.get().order == order
    walk.check("claim")

    assert walk.problems == {}, "\n".join(
        f"{label}: {problem}" for label, problems in walk.problems.items() for problem in problems
    )
    assert len(walk.checked) == 21


def open_order(walk: Walk, order: Order) -> None:
    page = walk.open("/account", "Mi cuenta")
    page.get_by_role("link", name=f"Pedido {order.number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pedido {order.number}")


def test_the_menu_button_shows_only_where_the_header_folds(walk: Walk) -> None:
    catalogue()
    page = walk.open("/", "Tienda del Agua")

    menu = page.get_by_role("button", name="Menú")
    if walk.name == "phone":
        expect(menu).to_be_visible()
        expect(page.get_by_role("link", name="Catálogo")).to_be_hidden()
    else:
        expect(menu).to_be_hidden()
        expect(page.get_by_role("link", name="Catálogo")).to_be_visible()
