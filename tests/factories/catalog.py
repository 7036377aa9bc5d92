from decimal import Decimal

import factory

from catalog import models


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category

    name = factory.Sequence(lambda n: f"Categoría {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"categoria-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Producto {n:04d}")
    name_en = factory.Sequence(lambda n: f"Product {n:04d}")
    slug = factory.Sequence(lambda n: f"producto-{n}")
    description = "<p>Descripción</p>"
    description_en = "<p>Description</p>"
    is_published = True


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = "Único"
    name_en = "One size"
    price = Decimal("12.10")
    weight_grams = 250


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Warehouse
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Almacén {n}")
    slug = factory.Sequence(lambda n: f"almacen-{n}")


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Stock

    variant = factory.SubFactory(VariantFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity = 10
    allocated = 0


class MediaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProductMedia

    product = factory.SubFactory(ProductFactory)
    image = "products/sample.png"
    alt = "Foto"
    alt_en = "Photo"
    thumbnails = factory.LazyFunction(
        lambda: {"160": "products/thumbs/sample-160.webp", "480": "products/thumbs/sample-480.webp"}
    )


def stocked_product(*, variants: int = 2, warehouses=(), quantity: int = 5, **fields):
    """A published product with ``variants`` variants, each stocked in every warehouse."""
    product = ProductFactory(**fields)
    for index in range(variants):
        variant = VariantFactory(product=product, price=Decimal("10.00") + index, position=index)
        for warehouse in warehouses:
            StockFactory(variant=variant, warehouse=warehouse, quantity=quantity)
    MediaFactory(product=product)
    return product


def stock_of(variant):
    """(on hand, allocated) of the variant's one stock row."""
    stock = models.Stock.objects.get(variant=variant)
    return stock.quantity, stock.allocated
