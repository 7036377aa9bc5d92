"""The back office on a 390 px phone: the dashboard fits the screen, its
low-stock table keeps each SKU whole (a long one breaks at its hyphens at
most), and every list's table scrolls
inside its own box rather than pushing the page sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shop.accounts.roles import SHOP_ADMINISTRATOR
from tests.admin_browser.conftest import BackOffice, staff
from tests.browser import PHONE, overflowing, screenshot
from tests.factories.catalog import ProductFactory
from tests.factories.orders import place_order, stocked_variant

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = "Cartucho filtrante de carbón activo para jarra de gran capacidad"
SKUS = ["CARTUCHO-CARBON-ACTIVO-XL-2027", "FILTRO-3", "JARRA-FILTRANTE-3L-AZUL"]


@pytest.fixture(autouse=True)
def _low_stock_threshold(settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5


def test_the_dashboard_fits_a_phone_and_keeps_skus_whole(back_office: BackOffice):
    for sku in SKUS:
        stocked_variant(quantity=2, sku=sku, name=LONG_NAME, product=ProductFactory(name=LONG_NAME))
    place_order(lines=[(stocked_variant(quantity=10, price="10.00"), 2)])
    page = back_office.sign_in(staff(SHOP_ADMINISTRATOR, "admin@example.com"))
    page.set_viewport_size(PHONE)
    page.reload()

    low_stock = page.locator("#low-stock")
    expect(low_stock.get_by_role("rowheader")).to_have_text(sorted(SKUS), ignore_case=False)
    # An inline link broken over several lines has one box per line.
    lines_per_sku = low_stock.locator("tbody th a").evaluate_all(
        "links => links.map(a => a.getClientRects().length)"
    )
    screenshot(page, "admin", "phone-dashboard")

    # Whole hyphen-separated parts at most, never letter by letter.
    parts = [len(sku.split("-")) for sku in sorted(SKUS)]
    assert all(1 <= lines <= most for lines, most in zip(lines_per_sku, parts, strict=True))
    assert lines_per_sku[sorted(SKUS).index("FILTRO-3")] == 1
    assert overflowing(page) == [], "\n".join(overflowing(page))


@pytest.mark.parametrize(
    "path",
    [
        "/admin/orders/order/",
        "/admin/catalog/product/",
        "/admin/catalog/productvariant/",
        "/admin/catalog/stock/",
        "/admin/catalog/warehouse/",
    ],
)
def test_every_list_scrolls_inside_its_box_on_a_phone(back_office: BackOffice, path: str):
    for sku in SKUS:
        stocked_variant(quantity=2, sku=sku, name=LONG_NAME, product=ProductFactory(name=LONG_NAME))
    place_order(lines=[(stocked_variant(quantity=10, price="10.00"), 2)])
    page = back_office.sign_in(staff(SHOP_ADMINISTRATOR, "admin@example.com"))
    page.set_viewport_size(PHONE)

    response = back_office.open(path)

    assert response.status == 200
    expect(page.locator("#result_list")).to_be_visible()
    assert overflowing(page, scroll_boxes=True) == []
    # No column is squeezed to a letter: each text cell is wider than its longest word.
    squeezed = page.locator("#result_list tbody td, #result_list tbody th").evaluate_all(
        """cells => cells.filter(cell => {
            const words = cell.textContent.trim().split(/\\s+/).filter(Boolean);
            if (!words.length) return false;
            const probe = document.createElement("span");
            probe.style.whiteSpace = "nowrap";
            probe.textContent = words.reduce((a, b) => (b.length > a.length ? b : a));
            cell.append(probe);
            const wide = probe.getBoundingClientRect().width > cell.clientWidth;
            probe.remove();
            return wide;
        }).map(cell => cell.textContent.trim())"""
    )
    assert squeezed == []
