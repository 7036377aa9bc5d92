"""Add a large synthetic catalogue for benchmarks: ``seed_catalog --products 100000``.

Products are numbered ``synth-00000001``, ``synth-00000002``...; each run starts
after the highest existing number, so running it again adds new products and
never clashes with earlier runs or with the demo catalogue. Product ``n`` gets
the same names, prices and stock for a given ``--seed`` whatever the batch size.
"""

from __future__ import annotations

import io
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from PIL import Image, ImageDraw
from tqdm import tqdm
from typing_extensions import override

from catalog import demo
from catalog.media import THUMBNAIL_DIR, THUMBNAIL_WIDTHS, generate_thumbnails
from catalog.models import (
    Category,
    Product,
    ProductMedia,
    ProductVariant,
    Stock,
    TaxClass,
    Warehouse,
)
from shop.catalog_version import catalog_changed
from shop.money import quantize

PREFIX = "synth-"
SKU_PREFIX = "SYN-"
DIGITS = 8
MEDIA_SHARE = 0.2
IMAGE_NAME = "products/synth-shared.png"

NOUNS = [
    ("Aireador", "Aerator"),
    ("Reductor de caudal", "Flow restrictor"),
    ("Alcachofa de ducha", "Shower head"),
    ("Jarra filtrante", "Filter jug"),
    ("Filtro de grifo", "Tap filter"),
    ("Botella", "Bottle"),
    ("Cantimplora", "Flask"),
    ("Sensor de fugas", "Leak sensor"),
    ("Llave de paso", "Stop valve"),
    ("Tapa de arqueta", "Meter box cover"),
    ("Programador de riego", "Watering timer"),
    ("Kit de ahorro", "Water-saving kit"),
]
QUALIFIERS = [
    ("de latón", "brass"),
    ("de acero", "steel"),
    ("eco", "eco"),
    ("compacto", "compact"),
    ("para cocina", "kitchen"),
    ("para jardín", "garden"),
    ("de viaje", "travel"),
    ("profesional", "professional"),
]
SENTENCES = [
    ("Ahorra agua sin perder confort.", "Saves water without losing comfort."),
    ("Fácil de instalar, sin herramientas.", "Easy to fit, no tools needed."),
    ("Materiales reciclados y duraderos.", "Durable, recycled materials."),
    ("Garantía de dos años.", "Two-year guarantee."),
    ("Apto para agua de red.", "Suitable for mains water."),
]
OPTIONS = [
    ("Blanco", "White"),
    ("Negro", "Black"),
    ("Azul", "Blue"),
    ("Cromo", "Chrome"),
    ("Verde", "Green"),
    ("Pack de 2", "Pack of 2"),
]
SYNTH_CATEGORIES = [
    ("synth-ahorro", "Ahorro (sintético)", "Saving (synthetic)"),
    ("synth-filtracion", "Filtración (sintético)", "Filtration (synthetic)"),
    ("synth-botellas", "Botellas (sintético)", "Bottles (synthetic)"),
    ("synth-riego", "Riego (sintético)", "Watering (synthetic)"),
]


@dataclass
class Batch:
    products: list[Product]
    variants: list[list[ProductVariant]]  # per product, in the same order
    stock: list[list[tuple[int, ...]]]  # per product, per variant: one quantity per warehouse
    with_media: list[bool]


def slug_for(number: int) -> str:
    return f"{PREFIX}{number:0{DIGITS}d}"


def next_number() -> int:
    """One past the highest synthetic product number (1 on an empty catalogue)."""
    last = (
        Product.objects.filter(slug__regex=rf"^{PREFIX}[0-9]{{{DIGITS}}}$")
        .order_by("-slug")
        .values_list("slug", flat=True)
        .first()
    )
    return int(last.removeprefix(PREFIX)) + 1 if last else 1


def _price(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(195, 19995)) / 100


def build_batch(
    numbers: range, *, seed: int, category_ids: list[int], warehouse_count: int
) -> Batch:
    """Unsaved rows for ``numbers``; each product draws from its own ``(seed, number)`` stream."""
    batch = Batch([], [], [], [])
    for number in numbers:
        rng = random.Random(f"{seed}:{number}")  # noqa: S311 -- test data, not secrets
        noun, noun_en = rng.choice(NOUNS)
        qualifier, qualifier_en = rng.choice(QUALIFIERS)
        sentence, sentence_en = rng.choice(SENTENCES)
        name = f"{noun} {qualifier} {number}"
        name_en = f"{qualifier_en.capitalize()} {noun_en.lower()} {number}"
        batch.products.append(
            Product(
                category_id=rng.choice(category_ids),
                name=name,
                name_en=name_en,
                slug=slug_for(number),
                description=f"<p>{name}. {sentence}</p>",
                description_en=f"<p>{name_en}. {sentence_en}</p>",
                tax_class=TaxClass.SUPER_REDUCED if rng.random() < 0.03 else TaxClass.GENERAL,
                is_published=rng.random() < 0.95,
                seo_title=name[:70],
                seo_title_en=name_en[:70],
            )
        )
        variants, quantities = [], []
        options = rng.sample(OPTIONS, rng.randint(1, 3))
        for position, (option, option_en) in enumerate(options, start=1):
            price = _price(rng)
            on_sale = rng.random() < 0.15
            tracked = rng.random() < 0.97
            variants.append(
                ProductVariant(
                    sku=f"{SKU_PREFIX}{number:0{DIGITS}d}-{position}",
                    name=option,
                    name_en=option_en,
                    price=price,
                    compare_at_price=quantize(price * Decimal("1.25")) if on_sale else None,
                    weight_grams=rng.randint(20, 5000),
                    track_inventory=tracked,
                    position=position,
                )
            )
            quantities.append(
                tuple(
                    0 if rng.random() < 0.1 else rng.randint(1, 150) for _ in range(warehouse_count)
                )
                if tracked
                else ()
            )
        batch.variants.append(variants)
        batch.stock.append(quantities)
        batch.with_media.append(rng.random() < MEDIA_SHARE)
    return batch


def _ensure_pks(objects: list[Any], model: type[Any], key: str) -> None:
    """SQLite before 3.35 returns no ids from a bulk insert: read them back by natural key."""
    if not objects or objects[0].pk is not None:
        return
    ids = dict(
        model.objects.filter(**{f"{key}__in": [getattr(obj, key) for obj in objects]}).values_list(
            key, "pk"
        )
    )
    for obj in objects:
        obj.pk = ids[getattr(obj, key)]


def save_batch(
    batch: Batch, *, warehouses: list[Warehouse], image: SharedImage, batch_size: int
) -> Counter[str]:
    Product.objects.bulk_create(batch.products, batch_size=batch_size)
    _ensure_pks(batch.products, Product, "slug")
    variants = []
    for product, product_variants in zip(batch.products, batch.variants, strict=True):
        for variant in product_variants:
            variant.product = product
            variants.append(variant)
    ProductVariant.objects.bulk_create(variants, batch_size=batch_size)
    _ensure_pks(variants, ProductVariant, "sku")
    stock = [
        Stock(variant=variant, warehouse=warehouse, quantity=quantity, allocated=0)
        for product_variants, product_stock in zip(batch.variants, batch.stock, strict=True)
        for variant, quantities in zip(product_variants, product_stock, strict=True)
        for warehouse, quantity in zip(warehouses, quantities, strict=False)
    ]
    Stock.objects.bulk_create(stock, batch_size=batch_size)
    media = [
        ProductMedia(
            product=product,
            image=image.name,
            alt=product.name,
            alt_en=product.name_en,
            position=1,
            width=demo.IMAGE_SIZE,
            height=demo.IMAGE_SIZE,
            thumbnails=image.thumbnails,
        )
        for product, with_media in zip(batch.products, batch.with_media, strict=True)
        if with_media
    ]
    ProductMedia.objects.bulk_create(media, batch_size=batch_size)
    return Counter(
        products=len(batch.products), variants=len(variants), stock=len(stock), media=len(media)
    )


@dataclass(frozen=True)
class SharedImage:
    name: str
    thumbnails: dict[str, str]


def shared_image() -> SharedImage:
    """The one image every synthetic media row points to, with its thumbnails: the files
    of an earlier run (or an earlier test database) when they are all there, else drawn
    and stored now."""
    stem = PurePosixPath(IMAGE_NAME).stem
    thumbnails = {
        str(width): f"{THUMBNAIL_DIR}/{stem}-{width}.webp"
        for width in THUMBNAIL_WIDTHS
        if width <= demo.IMAGE_SIZE
    }
    if all(default_storage.exists(name) for name in [IMAGE_NAME, *thumbnails.values()]):
        return SharedImage(IMAGE_NAME, thumbnails)
    image = Image.new("RGB", (demo.IMAGE_SIZE, demo.IMAGE_SIZE), (96, 125, 139))
    ImageDraw.Draw(image).ellipse([200, 200, 600, 600], fill=(176, 190, 197))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    media = ProductMedia(image=default_storage.save(IMAGE_NAME, ContentFile(buffer.getvalue())))
    generate_thumbnails(media)
    return SharedImage(str(media.image.name), media.thumbnails)


def category_ids() -> list[int]:
    """Every category, or a few synthetic ones on an empty catalogue."""
    ids = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    if ids:
        return ids
    for position, (slug, name, name_en) in enumerate(SYNTH_CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position}
        )
    return list(Category.objects.order_by("pk").values_list("pk", flat=True))


class Command(BaseCommand):
    help = "Add N synthetic products (slugs synth-...) with variants, stock and media."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, required=True, help="How many to add.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows per INSERT.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed.")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        catalog_changed()  # bulk_create bypasses the services that mark it
        total, batch_size, seed = options["products"], options["batch_size"], options["seed"]
        if total < 1 or batch_size < 1:
            raise CommandError("--products and --batch-size must be positive.")
        started = time.perf_counter()
        with transaction.atomic():
            warehouses = [
                Warehouse.objects.get_or_create(slug=data["slug"], defaults=data)[0]
                for data in demo.WAREHOUSES
            ]
            categories = category_ids()
            image = shared_image()
        first = next_number()
        created: Counter[str] = Counter()
        with tqdm(total=total, unit="product", disable=options["verbosity"] == 0) as progress:
            for start in range(first, first + total, batch_size):
                numbers = range(start, min(start + batch_size, first + total))
                batch = build_batch(
                    numbers, seed=seed, category_ids=categories, warehouse_count=len(warehouses)
                )
                with transaction.atomic():
                    created += save_batch(
                        batch, warehouses=warehouses, image=image, batch_size=batch_size
                    )
                progress.update(len(numbers))
        elapsed = time.perf_counter() - started
        rows = sum(created.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created['products']} products ({slug_for(first)} to "
                f"{slug_for(first + total - 1)}), {created['variants']} variants, "
                f"{created['stock']} stock rows and {created['media']} media rows: {rows} rows "
                f"in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s)."
            )
        )
