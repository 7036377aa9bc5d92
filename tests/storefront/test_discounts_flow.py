"""A product on sale and a promo code in the cart, in the browser; the pictures
are copied to docs/discounts/ with UPDATE_DOCS_SCREENSHOTS=1."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from tests.browser import docs_copy, screenshot
from tests.discounts.factories import PromotionFactory, voucher_with_code
from tests.storefront.conftest import Visit, catalogue
from tests.storefront.test_guest_checkout import add_to_cart


def test_a_product_on_sale_and_a_cart_with_a_promo_code(storefront: Visit) -> None:
    shop = catalogue()
    PromotionFactory(name="Verano", products=[shop.jug.product], value=Decimal("50"))
    voucher_with_code("AGUA10", value=Decimal("10"))

    page = storefront.open("/product/jarra-filtrante")
    price = page.locator(".price")
    expect(price).to_contain_text("24,20 €")  # struck through
    expect(price).to_contain_text("12,10 €")
    expect(page.get_by_test_id("on-sale")).to_contain_text("Verano")
    docs_copy(screenshot(page, "discounts", "product-on-sale"), "discounts")

    add_to_cart(page, "jarra", "Jarra filtrante", 2)
    page.get_by_test_id("cart-link").click()
    page.get_by_test_id("promo-code").fill("agua10")
    page.get_by_role("button", name="Aplicar").click()
    expect(page.get_by_test_id("promo-applied")).to_contain_text("AGUA10")
    expect(page.get_by_test_id("totals")).to_contain_text("Ahorras")
    # 2 x 12,10 after the sale = 24,20; 10 % off = 2,42; total 21,78 before shipping;
    # saved: 24,20 by the sale and 2,42 by the code.
    expect(page.get_by_test_id("discount")).to_have_text("26,62 €")
    expect(page.get_by_test_id("grand-total")).to_have_text("21,78 €")
    docs_copy(screenshot(page, "discounts", "cart-with-code"), "discounts")
