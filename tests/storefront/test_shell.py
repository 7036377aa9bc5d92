"""The storefront's shell in a browser: languages, embedding (iframe and the
<water-shop> element) and that it speaks to nobody but the shop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.storefront.conftest import Visit, catalogue

pytestmark = pytest.mark.django_db(transaction=True)


def test_switching_to_english_changes_the_words_and_the_content(storefront: Visit) -> None:
    catalogue()
    page = storefront.open("/product/jarra-filtrante")
    expect(page.get_by_role("button", name="Añadir al carrito")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", level=1, name="Filter jug")).to_be_focused()
    expect(page.get_by_role("button", name="Add to cart")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Find my order")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Language changed to English")
    storefront.shot("product-english")

    page.reload()  # the choice is remembered
    expect(page.get_by_role("button", name="Add to cart")).to_be_visible()
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", level=1, name="Jarra filtrante")).to_be_visible()


def test_the_storefront_requests_nothing_from_any_other_host(storefront: Visit) -> None:
    catalogue()
    page = storefront.open("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for route, heading in [
        ("/search?q=jarra", "Resultados para «jarra»"),
        ("/category/filtracion", "Filtración"),
        ("/product/jarra-filtrante", "Jarra filtrante"),
        ("/cart", "Carrito"),
        ("/faq", "Preguntas frecuentes"),
        ("/legal", "Aviso legal"),
        ("/signin", "Iniciar sesión"),
        ("/lookup", "Buscar mi pedido"),
    ]:
        storefront.open(route)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    foreign = [url for url in storefront.requests if not url.startswith(storefront.base + "/")]
    assert foreign == []
    assert any(
        url.endswith("/storefront/operations/ShopHome.graphql") for url in storefront.requests
    )
    assert any(url == storefront.base + "/graphql/" for url in storefront.requests)


def test_the_category_listing_filters_and_sorts(storefront: Visit) -> None:
    catalogue()
    page = storefront.open("/category/filtracion")
    results = page.get_by_role("list", name="Artículos")
    expect(results.get_by_role("heading", level=3)).to_have_text(
        ["Filtros de recambio", "Jarra filtrante"]
    )
    page.get_by_label("Ordenar por").select_option("priceDesc")
    page.get_by_label("Hasta (€)").fill("20")
    page.get_by_role("button", name="Aplicar").click()
    expect(page.get_by_text("1 artículos")).to_be_visible()
    expect(results.get_by_role("heading", level=3)).to_have_text(["Filtros de recambio"])
    storefront.shot("listing")


EMBED_PAGE = """<!doctype html><html lang="es"><head><title>Oficina virtual</title>
<script type="module" src="/storefront/embed.js"></script></head>
<body><h1>Oficina virtual</h1><water-shop lang="es"></water-shop></body></html>"""

FRAME_PAGE = """<!doctype html><html lang="es"><head><title>Oficina virtual</title></head>
<body><h1>Oficina virtual</h1>
<iframe src="/storefront/#/faq" title="Tienda del Agua" width="1000" height="700"></iframe>
</body></html>"""


def serve_host_page(storefront: Visit, path: str, html: str) -> Page:
    """A host page (the portal) at ``path`` on the live server's origin."""
    page: Page = storefront.page
    page.route(
        f"{storefront.base}{path}",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(f"{storefront.base}{path}")
    return page


def test_the_water_shop_element_renders_the_shop_in_its_shadow_root(storefront: Visit) -> None:
    catalogue()
    page = serve_host_page(storefront, "/portal/", EMBED_PAGE)
    shop = page.locator("water-shop")
    expect(shop.get_by_role("heading", level=1, name="Tienda del Agua")).to_be_visible()
    assert page.evaluate("() => document.querySelector('water-shop').shadowRoot !== null")
    shop.get_by_role("link", name="Catálogo").click()
    expect(shop.get_by_role("heading", level=1, name="Catálogo")).to_be_focused()
    assert page.url == f"{storefront.base}/portal/"  # the host page's URL is left alone
    storefront.shot("embedded-element")


def test_the_storefront_can_be_framed_by_the_shop_itself(storefront: Visit) -> None:
    page = serve_host_page(storefront, "/portal-frame/", FRAME_PAGE)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1, name="Preguntas frecuentes")).to_be_visible()
    storefront.shot("embedded-iframe")
