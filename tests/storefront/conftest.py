"""Browser tests of the reference storefront: Playwright driving the system's
Chromium against pytest-django's live server (see :mod:`tests.browser`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest

from billing_bridge.models import ContractLink, SupplyContract
from catalog.models import ProductVariant
from orders import models as order_models
from orders.payments.memory import gateway
from shop.accounts.models import User
from shop.content.models import LegalPage
from tests.browser import TIMEOUT_MS, screenshot
from tests.browser import _async_unsafe_allowed as _async_unsafe_allowed
from tests.browser import browser as browser
from tests.factories import PASSWORD, UserFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, StockFactory, VariantFactory
from tests.factories.orders import PickupPointFactory, ShippingMethodFactory, zone_for

FOLDER = "storefront"


@dataclass
class Visit:
    """A browser page on the live storefront, with every URL it requested."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, route: str = "/") -> Any:
        self.page.goto(f"{self.base}/storefront/#{route}")
        return self.page

    def shot(self, name: str) -> Path:
        return screenshot(self.page, FOLDER, name)


@pytest.fixture
def storefront(browser: Any, live_server: Any, shop_settings: None) -> Iterator[Visit]:
    context = browser.new_context(locale="es-ES", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(page=page, base=live_server.url)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    try:
        yield visit
    finally:
        context.close()
    assert visit.errors == [], f"JavaScript errors: {visit.errors}"


@pytest.fixture
def shop_settings(settings: Any) -> Iterator[None]:
    """The card route through the in-memory test double (no money moves, no
    DEBUG needed, unlike the development card) and the water-bill route."""
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    gateway.reset()
    yield
    gateway.reset()


@dataclass
class Catalogue:
    jug: ProductVariant
    filters: ProductVariant
    delivery: order_models.ShippingMethod
    pickup: order_models.ShippingMethod


def catalogue() -> Catalogue:
    """Two articles in stock in one category, delivery and office pickup in Sevilla (41xxx)."""
    category = CategoryFactory(name="Filtración", name_en="Filtering", slug="filtracion")

    def article(name: str, name_en: str, slug: str, price: str) -> ProductVariant:
        product = ProductFactory(category=category, name=name, name_en=name_en, slug=slug)
        variant = cast(
            ProductVariant,
            VariantFactory(product=product, price=Decimal(price), sku=slug.upper()),
        )
        StockFactory(variant=variant, quantity=20)
        return variant

    jug = article("Jarra filtrante", "Filter jug", "jarra-filtrante", "24.20")
    filters = article("Filtros de recambio", "Spare filters", "filtros-recambio", "12.10")
    zone = zone_for("41", name="Sevilla")
    delivery = cast(
        order_models.ShippingMethod,
        ShippingMethodFactory(
            zone=zone,
            name="Mensajería",
            name_en="Courier",
            price=Decimal("4.95"),
            delivery_days_min=1,
            delivery_days_max=2,
        ),
    )
    pickup = cast(
        order_models.ShippingMethod,
        ShippingMethodFactory(
            zone=zone,
            name="Recogida en oficina",
            name_en="Office pickup",
            price=Decimal("0.00"),
            kind=order_models.ShippingMethod.Kind.PICKUP,
        ),
    )
    point = cast(order_models.PickupPoint, PickupPointFactory(name="Oficina Plaza Nueva"))
    pickup.pickup_points.add(point)
    return Catalogue(jug=jug, filters=filters, delivery=delivery, pickup=pickup)


def terms_of_sale() -> LegalPage:
    """The shop's terms of sale, published as the demo publishes them: the
    checkout then asks for their acceptance."""
    return cast(
        LegalPage,
        LegalPage.objects.create(
            kind=LegalPage.Kind.TERMS_OF_SALE,
            title="Condiciones de venta",
            title_en="Terms of sale",
            body="<p>Plazo de desistimiento: 14 días.</p>",
        ),
    )


def water_bill_customer() -> tuple[User, SupplyContract]:
    """A customer with a linked, active contract in good standing (as the portal links it)."""
    user = cast(User, UserFactory(email="lucia@example.com"))
    contract = SupplyContract.objects.create(
        number="100200300",
        holder_name="Lucía Romero",
        supply_address="Calle Betis 12, Sevilla",
        postal_code="41010",
        next_cutoff=date.today() + timedelta(days=20),
    )
    ContractLink.objects.create(user=user, contract=contract, source=ContractLink.Source.PORTAL)
    return user, contract


CUSTOMER_PASSWORD = PASSWORD


def portal_demo_url(base: str, customer: str) -> str:
    """Ready for the portal-frame flow test (to be written once ``portalSignIn``
    has landed): /portal-demo/ frames the storefront with a signed portal token
    in the URL fragment for the demo customer ``customer`` (its portal id).
    The portal demo is DEBUG-only, so that test needs ``settings.DEBUG = True``."""
    return f"{base}/portal-demo/?customer={customer}"
