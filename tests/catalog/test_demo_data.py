"""The demo catalogue loaded by ``seed_demo`` and the synthetic one of ``seed_catalog``."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from PIL import Image

from catalog.models import (
    Category,
    Collection,
    Product,
    ProductAttributeValue,
    ProductMedia,
    ProductVariant,
    Stock,
    Warehouse,
)

pytestmark = pytest.mark.django_db

WAREHOUSES = {"almacen-central", "almacen-norte"}
HOME_PAGE_PRODUCTS = ["kit-ahorro-basico", "jarra-filtrante-2-5-l", "botella-reutilizable-750-ml"]


def seed_demo() -> None:
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())


def seed_catalog(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_catalog", *args, stdout=out, verbosity=0)
    return out.getvalue()


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def demo(media_root: Path) -> Path:
    seed_demo()
    return media_root


def files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def synthetic() -> Any:
    return Product.objects.filter(slug__startswith="synth-")


def test_demo_catalogue_products_and_categories(demo):
    assert Product.objects.filter(is_published=True).count() == 49
    assert sorted(Product.objects.filter(is_published=False).values_list("slug", flat=True)) == [
        "botella-edicion-verano",
        "purificador-uv-grifo",
    ]
    assert Category.objects.count() == 15
    assert Category.objects.filter(products__is_published=True).distinct().count() == 15
    assert sorted(Category.objects.filter(parent__isnull=False).values_list("slug", flat=True)) == [
        "aireadores",
        "filtros-de-grifo",
        "jarras-filtrantes",
        "reductores-de-caudal",
    ]
    assert Counter(Product.objects.values_list("tax_class", flat=True)) == {
        "general": 48,
        "super_reduced": 3,
    }
    incomplete = []
    for product in Product.objects.filter(is_published=True).prefetch_related("variants", "media"):
        texts = [
            product.name,
            product.name_en,
            product.seo_title,
            product.seo_title_en,
            product.seo_description,
            product.seo_description_en,
        ]
        html = [product.description, product.description_en]
        media = list(product.media.all())
        if (
            not all(texts)
            or not all(text.startswith("<p>") and text.endswith("</p>") for text in html)
            or not 1 <= len(product.variants.all()) <= 3
            or not all(variant.name and variant.name_en for variant in product.variants.all())
            or not 1 <= len(media) <= 2
            or not all(item.alt and item.alt_en for item in media)
        ):
            incomplete.append(product.slug)
    assert incomplete == []


def test_demo_home_page_products_and_collections(demo):
    assert list(
        Product.objects.filter(slug__in=HOME_PAGE_PRODUCTS, is_published=True)
        .order_by("slug")
        .values_list("slug", flat=True)
    ) == sorted(HOME_PAGE_PRODUCTS)
    assert list(Collection.objects.values_list("slug", "is_published")) == [
        ("ahorro-de-agua", True),
        ("novedades", True),
        ("verano", False),
    ]
    saving = Collection.objects.get(slug="ahorro-de-agua")
    entries = list(saving.entries.select_related("product"))
    assert [(entry.position, entry.product.slug) for entry in entries] == [
        (1, "kit-ahorro-basico"),
        (2, "kit-ahorro-familiar"),
        (3, "aireador-rosca-hembra-m22"),
        (4, "alcachofa-ducha-ahorradora"),
        (5, "reductor-caudal-ducha"),
        (6, "bolsa-ahorro-cisterna"),
        (7, "temporizador-ducha"),
        (8, "grifo-temporizado-lavabo"),
    ]
    assert Collection.objects.get(slug="verano").products.filter(is_published=False).count() == 1


def test_demo_variants_stock_and_specifications(demo):
    assert sorted(Warehouse.objects.values_list("slug", "city", "postal_code")) == [
        ("almacen-central", "Sevilla", "41007"),
        ("almacen-norte", "Dos Hermanas", "41700"),
    ]
    assert ProductVariant.objects.count() == 70
    wrong = []
    for variant in ProductVariant.objects.prefetch_related("stocks__warehouse"):
        warehouses = {stock.warehouse.slug for stock in variant.stocks.all()}
        if warehouses != (WAREHOUSES if variant.track_inventory else set()):
            wrong.append(variant.sku)
    assert wrong == []
    assert sorted(
        ProductVariant.objects.filter(track_inventory=False).values_list("sku", flat=True)
    ) == ["FUG-SRV-001", "LIB-GUI-002"]
    assert Stock.objects.count() == 2 * 68
    # Only the demo customer's order not yet shipped holds stock.
    assert list(Stock.objects.exclude(allocated=0).values_list("variant__sku", "allocated")) == [
        ("KIT-AHO-003", 1)
    ]
    sold_out = [
        variant.sku
        for variant in ProductVariant.objects.filter(track_inventory=True).prefetch_related(
            "stocks"
        )
        if sum(stock.quantity for stock in variant.stocks.all()) == 0
    ]
    assert sorted(sold_out) == ["BOT-TER-002", "DUC-ROC-001", "FIL-OSM-001", "MER-CAM-003"]

    kit = ProductVariant.objects.get(sku="KIT-AHO-001")
    assert (kit.product.slug, kit.price, kit.compare_at_price) == (
        "kit-ahorro-basico",
        Decimal("12.95"),
        Decimal("15.95"),
    )
    ebook = ProductVariant.objects.get(sku="LIB-GUI-002")
    assert (ebook.price, ebook.weight_grams, ebook.product.tax_class) == (
        Decimal("4.90"),
        0,
        "super_reduced",
    )
    assert ProductVariant.objects.filter(compare_at_price__isnull=False).count() == 11

    def spec(slug: str, attribute: str) -> ProductAttributeValue:
        return ProductAttributeValue.objects.select_related("attribute", "choice").get(
            product__slug=slug, attribute__slug=attribute
        )

    flow = spec("kit-ahorro-basico", "caudal")
    assert (flow.attribute.type, flow.attribute.unit, flow.number_value) == (
        "number",
        "l/min",
        Decimal("6"),
    )
    assert spec("jarra-filtrante-2-5-l", "capacidad").number_value == Decimal("2.5")
    assert spec("jarra-filtrante-2-5-l", "apto-lavavajillas").boolean_value is True
    material = spec("botella-reutilizable-750-ml", "material").choice
    assert material is not None
    assert (material.slug, material.name_en) == ("acero-inoxidable", "Stainless steel")
    thread = spec("aireador-rosca-hembra-m22", "rosca")
    assert (thread.text_value, thread.text_value_en, thread.number_value, thread.choice) == (
        "M22 hembra",
        "M22 female",
        None,
        None,
    )


def test_demo_product_images_are_drawn_locally_with_thumbnails(demo):
    media = list(ProductMedia.objects.select_related("product"))
    assert Counter(item.position for item in media) == {1: 51, 2: 6}
    for item in media:
        with Image.open(demo / item.image.name) as image:
            assert (image.format, image.size) == ("PNG", (800, 800))
        assert (item.width, item.height) == (800, 800)
        assert sorted(item.thumbnails) == ["160", "480"]
        assert all((demo / name).is_file() for name in item.thumbnails.values())
    assert len(files(demo / "products")) == 57 * 3


def snapshot() -> dict[str, Any]:
    return {
        "counts": [
            model.objects.count()
            for model in (Category, Product, ProductVariant, Stock, ProductMedia, Collection)
        ],
        "products": list(
            Product.objects.order_by("slug").values_list(
                "slug", "category__slug", "name_en", "tax_class", "is_published", "seo_title"
            )
        ),
        "variants": list(
            ProductVariant.objects.order_by("sku").values_list(
                "sku", "product__slug", "name", "price", "compare_at_price", "track_inventory"
            )
        ),
        "stock": list(
            Stock.objects.order_by("variant__sku", "warehouse__slug").values_list(
                "variant__sku", "warehouse__slug", "quantity", "allocated"
            )
        ),
        "media": list(
            ProductMedia.objects.order_by("product__slug", "position").values_list(
                "product__slug", "image", "alt_en", "thumbnails"
            )
        ),
        "specs": list(
            ProductAttributeValue.objects.order_by("product__slug", "attribute__slug").values_list(
                "product__slug", "attribute__slug", "number_value", "boolean_value", "choice__slug"
            )
        ),
    }


def test_seed_demo_twice_changes_nothing(demo):
    before, files_before = snapshot(), files(demo)

    seed_demo()

    assert snapshot() == before
    assert files(demo) == files_before
    assert before["counts"] == [15, 51, 70, 136, 57, 3]


def test_seed_catalog_on_an_empty_catalogue(media_root):
    output = seed_catalog("--products", "300")

    assert "Created 300 products (synth-00000001 to synth-00000300)" in output
    assert list(synthetic().order_by("slug").values_list("slug", flat=True)) == [
        f"synth-{number:08d}" for number in range(1, 301)
    ]
    assert sorted(Category.objects.values_list("slug", flat=True)) == [
        "synth-ahorro",
        "synth-botellas",
        "synth-filtracion",
        "synth-riego",
    ]
    assert set(Warehouse.objects.values_list("slug", flat=True)) == WAREHOUSES
    variants_per_product = Counter(
        ProductVariant.objects.values_list("product_id", flat=True)
    ).values()
    assert len(variants_per_product) == 300
    assert set(variants_per_product) == {1, 2, 3}
    tracked = ProductVariant.objects.filter(track_inventory=True)
    assert Stock.objects.count() == 2 * tracked.count()
    assert tracked.exclude(stocks__warehouse__slug="almacen-central").count() == 0
    assert tracked.exclude(stocks__warehouse__slug="almacen-norte").count() == 0
    assert Stock.objects.filter(variant__track_inventory=False).count() == 0
    images = set(ProductMedia.objects.values_list("image", flat=True))
    assert images == {"products/synth-shared.png"}
    assert 30 <= ProductMedia.objects.count() <= 90
    assert files(media_root) == {
        "products/synth-shared.png",
        "products/thumbs/synth-shared-160.webp",
        "products/thumbs/synth-shared-480.webp",
    }


def test_seed_catalog_again_adds_new_products_after_the_demo_ones(demo):
    demo_products = Product.objects.count()
    demo_files = files(demo)
    seed_catalog("--products", "300", "--batch-size", "128")
    first_run = list(synthetic().values_list("slug", "name").order_by("slug"))

    output = seed_catalog("--products", "300", "--batch-size", "128")

    assert "Created 300 products (synth-00000301 to synth-00000600)" in output
    assert Product.objects.count() == demo_products + 600
    assert list(synthetic().values_list("slug", "name").order_by("slug"))[:300] == first_run
    assert synthetic().order_by("-slug").values_list("slug", flat=True)[0] == "synth-00000600"
    skus = list(
        ProductVariant.objects.filter(product__in=synthetic()).values_list("sku", flat=True)
    )
    assert len(skus) == len(set(skus))
    assert all(sku.startswith("SYN-") for sku in skus)
    category_ids = set(Category.objects.values_list("pk", flat=True))
    assert set(synthetic().values_list("category_id", flat=True)) <= category_ids
    assert synthetic().values("category_id").distinct().count() > 10
    assert Category.objects.count() == 15
    assert files(demo) - demo_files == {
        "products/synth-shared.png",
        "products/thumbs/synth-shared-160.webp",
        "products/thumbs/synth-shared-480.webp",
    }


def test_seed_catalog_is_deterministic(media_root):
    def generated() -> list[tuple[Any, ...]]:
        return list(
            ProductVariant.objects.filter(product__in=synthetic())
            .order_by("sku")
            .values_list("sku", "product__name_en", "price", "compare_at_price")
        )

    seed_catalog("--products", "50", "--seed", "7", "--batch-size", "7")
    first = generated()
    images = files(media_root)
    synthetic().delete()

    seed_catalog("--products", "50", "--seed", "7")
    assert generated() == first
    assert files(media_root) == images
    synthetic().delete()

    seed_catalog("--products", "50", "--seed", "8")
    assert generated() != first


def test_seed_catalog_refuses_a_non_positive_count(media_root):
    with pytest.raises(CommandError, match="must be positive"):
        seed_catalog("--products", "0")
    assert Product.objects.count() == 0
