"""A catalogue manager puts a new article on sale from the back office: the
product with a variant and an image, then its stock in a warehouse. Shoppers
see it at once through the public API, with the storefront's own document."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import expect

from catalog.models import Product, ProductMedia, ProductVariant, Stock
from shop.accounts.roles import CATALOGUE_MANAGER
from tests.admin_browser.conftest import BackOffice, staff
from tests.factories.catalog import CategoryFactory, WarehouseFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db(transaction=True)


def png(path: Path) -> Path:
    """A small blue PNG, wide enough for the 160 and 480 pixel thumbnails."""
    Image.new("RGB", (480, 320), (0, 120, 200)).save(path, format="PNG")
    return path


def test_a_catalogue_manager_puts_a_new_product_on_sale(back_office: BackOffice, tmp_path: Path):
    CategoryFactory(name="Filtración", slug="filtracion", is_published=True)
    WarehouseFactory(name="Almacén Sevilla", slug="sevilla")
    manager = staff(CATALOGUE_MANAGER, "catalogo@example.com")
    picture = png(tmp_path / "jarra-cristal.png")
    page = back_office.sign_in(manager)

    catalogue = page.get_by_role("table", name="Catálogo")
    products = catalogue.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Productos", exact=True)
    )
    products.get_by_role("link", name="Añadir").click()
    expect(page.get_by_role("heading", name="Añadir producto", level=1)).to_be_visible()
    page.get_by_role("combobox", name="Categoría").select_option(label="Filtración")
    page.get_by_label("Nombre:", exact=True).fill("Jarra de cristal")
    page.get_by_label("Nombre (inglés):", exact=True).fill("Glass jug")
    page.get_by_label("Slug:", exact=True).fill("jarra-de-cristal")
    page.get_by_role("combobox", name="Tipo de IVA").select_option(label="General (21 %)")
    page.get_by_role("checkbox", name="Publicado").check()
    # The inlines' cells have no labels of their own: their inputs are found by id.
    page.get_by_role("button", name="Agregar Variante adicional.").click()
    page.locator("#id_variants-0-sku").fill("JARRA-CRISTAL")
    page.locator("#id_variants-0-name").fill("1,5 litros")
    page.locator("#id_variants-0-name_en").fill("1.5 litres")
    page.locator("#id_variants-0-price").fill("29.95")
    page.locator("#id_variants-0-weight_grams").fill("900")
    page.get_by_role("button", name="Agregar Imagen de producto adicional.").click()
    page.locator("#id_media-0-image").set_input_files(picture)
    page.locator("#id_media-0-alt").fill("Jarra de cristal con filtro")
    page.locator("#id_media-0-alt_en").fill("Glass jug with a filter")
    page.get_by_role("button", name="Guardar y continuar editando").click()

    product = Product.objects.get()
    expect(page).to_have_url(back_office.url(f"/admin/catalog/product/{product.pk}/change/"))
    expect(page.locator(".messagelist .success")).to_contain_text("Jarra de cristal")
    expect(page.get_by_role("group", name="Imágenes de producto").locator("img")).to_have_count(1)
    back_office.shot("product-created")

    page.get_by_role("group", name="Variantes").get_by_role("link", name="Modificar").click()
    expect(page.get_by_role("heading", name="Modificar variante", level=1)).to_be_visible()
    page.get_by_role("button", name="Agregar Existencias adicional.").click()
    page.locator("#id_stocks-0-warehouse").select_option(label="Almacén Sevilla")
    page.locator("#id_stocks-0-quantity").fill("25")
    page.get_by_role("button", name="Guardar", exact=True).click()

    expect(page).to_have_url(back_office.url("/admin/catalog/productvariant/"))
    expect(page.locator(".messagelist .success")).to_contain_text("JARRA-CRISTAL")
    back_office.shot("variant-stocked")
    assert (
        product.name,
        product.name_en,
        product.slug,
        product.category.slug,
        product.tax_class,
        product.is_published,
    ) == ("Jarra de cristal", "Glass jug", "jarra-de-cristal", "filtracion", "general", True)
    variant = ProductVariant.objects.get()
    assert (variant.product, variant.sku, variant.name, variant.price, variant.weight_grams) == (
        product,
        "JARRA-CRISTAL",
        "1,5 litros",
        Decimal("29.95"),
        900,
    )
    media = ProductMedia.objects.get()
    assert (media.product, media.alt, media.alt_en, media.width, media.height) == (
        product,
        "Jarra de cristal con filtro",
        "Glass jug with a filter",
        480,
        320,
    )
    assert sorted(media.thumbnails) == ["160", "480"]
    assert all(
        default_storage.exists(name) for name in [media.image.name, *media.thumbnails.values()]
    )
    assert list(
        Stock.objects.values_list("variant", "warehouse__slug", "quantity", "allocated")
    ) == [(variant.pk, "sevilla", 25, 0)]

    data = back_office.public_graphql(operation("storefront/Product"), {"slug": "jarra-de-cristal"})

    assert "errors" not in data, data
    shown = data["data"]["product"]
    assert (shown["name"], shown["isAvailable"], shown["category"]["slug"]) == (
        "Jarra de cristal",
        True,
        "filtracion",
    )
    assert shown["pricing"]["priceRange"]["start"]["gross"] == {
        "amount": "29.95",
        "currency": "EUR",
    }
    assert shown["media"] == [
        {
            "id": shown["media"][0]["id"],
            "url": media.image.url,
            "alt": "Jarra de cristal con filtro",
            "position": 0,
            "thumbnail": {
                "url": default_storage.url(media.thumbnails["480"]),
                "alt": "Jarra de cristal con filtro",
            },
        }
    ]
    assert [
        (row["sku"], row["isAvailable"], row["quantityAvailable"], row["price"]["gross"]["amount"])
        for row in shown["variants"]
    ] == [("JARRA-CRISTAL", True, 25, "29.95")]
