"""The catalogue as storefronts see it, in the request's language.

Relations are resolved from prefetched data declared with optimizer hints
(plain lookups only, so hints from several fields merge without conflict);
``products(first: 100)`` runs a fixed number of queries.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
import strawberry_django
from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet
from strawberry import relay
from strawberry.types import Info

from catalog import models, selectors
from catalog.errors import CatalogErrorCode
from discounts.pricing import Sale
from discounts.selectors import (
    product_prices,
    promotion_version,
    request_sales,
    variant_unit_price,
)
from shop.accounts.selectors import staff_may
from shop.api.context import ShopContext
from shop.api.errors import ShopError
from shop.api.fields import node_id_field, row_field
from shop.api.relay import ModelNode, ShopConnection
from shop.api.types import Image, TaxedMoneyType
from shop.i18n import localized
from shop.money import Money, TaxedMoney

strawberry.enum(models.TaxClass, name="TaxClass")
strawberry.enum(models.Attribute.Type, name="AttributeType")


@strawberry.enum(description="Thumbnail widths generated for every product image.")
class ThumbnailSize(enum.Enum):
    SMALL = 160
    MEDIUM = 480
    LARGE = 960


def _thumbnail_url(media: models.ProductMedia, size: ThumbnailSize) -> str:
    """The smallest generated thumbnail at least ``size`` wide, else the original."""
    widths = sorted(int(width) for width in media.thumbnails)
    for width in widths:
        if width >= size.value:
            return default_storage.url(media.thumbnails[str(width)])
    return media.image.url


def _user(info: Info[ShopContext, None]) -> Any:
    return info.context.user


@strawberry_django.type(models.ProductMedia, name="ProductMedia")
class ProductMediaType(ModelNode):
    _id: relay.GlobalID = node_id_field("ProductMedia")
    position: int = row_field()
    width: int = row_field()
    height: int = row_field()

    @row_field(description="The original upload.")
    def url(self, root: models.ProductMedia) -> str:
        return root.image.url

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.ProductMedia], info: Info, **_kwargs: Any
    ) -> QuerySet[models.ProductMedia]:
        return queryset.filter(selectors.shown_products(_user(info), via="product__"))

    @row_field()
    def alt(self, root: models.ProductMedia) -> str:
        return localized(root, "alt")

    @strawberry.field
    def thumbnail(
        self, root: models.ProductMedia, size: ThumbnailSize = ThumbnailSize.MEDIUM
    ) -> Image:
        return Image(url=_thumbnail_url(root, size), alt=localized(root, "alt"))


@dataclass(frozen=True)
class FreeStockHint:
    """An optimizer hint prefetching the stock rows at ``path`` with their free
    units (``selectors.stocks_with_free_units``). Every field asking for ``path``
    gets the same ``Prefetch`` in a request, so their hints merge. ``rows``: the
    field shows the rows themselves, not only the units they leave free (the
    product page loads those as a sum, ``selectors.product_page``)."""

    path: str
    rows: bool = False

    def __call__(self, info: Info) -> Prefetch:
        memo = info.context.memo
        key = f"free-stock:{self.path}"
        if key not in memo:
            memo[key] = Prefetch(self.path, queryset=selectors.stocks_with_free_units())
        prefetch: Prefetch = memo[key]
        return prefetch


# An optimizer hint for prices: the promotion version read with the row, so live
# promotions come from the process's copy (``request_sales``).
PROMOTION_VERSION = {"promotion_version": promotion_version()}


def _sales(info: Info[ShopContext, None], row: Any) -> list[Sale]:
    return request_sales(info.context.memo, version=getattr(row, "promotion_version", None))


@strawberry_django.type(models.ProductVariant, name="ProductVariant")
class ProductVariantType(ModelNode):
    _id: relay.GlobalID = node_id_field("ProductVariant")
    sku: str = row_field()
    weight_grams: int = row_field()
    track_inventory: bool = row_field()

    @row_field()
    def name(self, root: models.ProductVariant) -> str:
        return localized(root, "name")

    @row_field(
        select_related=["product"], description="Gross price (IVA included) split into net and tax."
    )
    def price(self, root: models.ProductVariant) -> TaxedMoneyType:
        return TaxedMoneyType.from_taxed(selectors.variant_price(root, root.product))

    @row_field(select_related=["product"])
    def compare_at_price(self, root: models.ProductVariant) -> TaxedMoneyType | None:
        if root.compare_at_price is None:
            return None
        return TaxedMoneyType.from_taxed(
            TaxedMoney.from_gross(Money(root.compare_at_price), root.product.tax_rate)
        )

    @strawberry_django.field(
        select_related=["product"],
        annotate=PROMOTION_VERSION,
        description="The price after live promotions, the catalogue's price and `onSale`.",
    )
    def pricing(self, root: models.ProductVariant, info: Info[ShopContext, None]) -> VariantPricing:
        product = root.product
        version_row = root if hasattr(root, "promotion_version") else product
        unit = variant_unit_price(root, product, _sales(info, version_row))
        rate = product.tax_rate
        return VariantPricing(
            price=_taxed(unit.price, rate),
            price_undiscounted=_taxed(unit.undiscounted, rate),
            on_sale=unit.on_sale,
            discount=_taxed(unit.discount, rate) if unit.on_sale else None,
            promotion_name=unit.sale.name if unit.sale else None,
        )

    @row_field(
        prefetch_related=[FreeStockHint("stocks")],
        description="Units that can be bought now, all warehouses, less those other "
        "shoppers hold while they pay.",
    )
    def quantity_available(self, root: models.ProductVariant) -> int:
        return selectors.variant_quantity_available(root)

    @row_field(prefetch_related=[FreeStockHint("stocks")])
    def is_available(self, root: models.ProductVariant) -> bool:
        return selectors.variant_is_available(root)

    @strawberry_django.field(
        prefetch_related=[FreeStockHint("stocks", rows=True)],
        description="Stock per warehouse; null unless the caller may view stock.",
    )
    def stocks(
        self, root: models.ProductVariant, info: Info[ShopContext, None]
    ) -> list[StockType] | None:
        if not staff_may(_user(info), "catalog.view_stock"):
            return None
        return list(selectors.related(root, "stocks"))

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.ProductVariant], info: Info, **_kwargs: Any
    ) -> QuerySet[models.ProductVariant]:
        return queryset.filter(selectors.shown_products(_user(info), via="product__"))


@strawberry.type
class PriceRange:
    start: TaxedMoneyType
    stop: TaxedMoneyType


@strawberry.type
class ProductPricing:
    price_range: PriceRange | None = strawberry.field(
        description="Cheapest and dearest variant, after live promotions."
    )
    on_sale: bool = strawberry.field(
        description="Some variant is discounted by a promotion or has a compare-at price."
    )
    price_range_undiscounted: PriceRange | None = strawberry.field(
        default=None, description="The same range before promotions."
    )


@strawberry.type(description="A variant's price for shoppers now.")
class VariantPricing:
    price: TaxedMoneyType = strawberry.field(description="After the best live promotion.")
    price_undiscounted: TaxedMoneyType
    on_sale: bool = strawberry.field(description="A promotion lowers the price now.")
    discount: TaxedMoneyType | None = strawberry.field(description="What the promotion takes off.")
    promotion_name: str | None


def _taxed(amount: Decimal, rate: Decimal) -> TaxedMoneyType:
    return TaxedMoneyType.from_taxed(TaxedMoney.from_gross(Money(amount), rate))


def _range(start: Decimal, stop: Decimal, rate: Decimal) -> PriceRange:
    return PriceRange(start=_taxed(start, rate), stop=_taxed(stop, rate))


@strawberry.type(description="One specification of a product, e.g. Caudal: 6 l/min.")
class SelectedAttribute:
    slug: str
    name: str
    type: models.Attribute.Type
    unit: str
    value: str = strawberry.field(description="The value as text, in the request's language.")
    number: Decimal | None
    boolean: bool | None
    choice_slug: str | None


def _selected_attribute(value: models.ProductAttributeValue) -> SelectedAttribute:
    attribute = value.attribute
    if value.choice is not None:
        text = localized(value.choice, "name")
    elif value.number_value is not None:
        text = f"{value.number_value.normalize():f}"
    elif value.boolean_value is not None:
        text = "✓" if value.boolean_value else "✗"
    else:
        text = localized(value, "text_value")
    return SelectedAttribute(
        slug=attribute.slug,
        name=localized(attribute, "name"),
        type=models.Attribute.Type(attribute.type),
        unit=attribute.unit,
        value=text,
        number=value.number_value,
        boolean=value.boolean_value,
        choice_slug=value.choice.slug if value.choice else None,
    )


@dataclass
class CategoryTree:
    """Every visible category of the request, loaded once."""

    by_id: dict[int, models.Category]
    children: dict[int | None, list[models.Category]]

    @classmethod
    def of(cls, info: Info[ShopContext, None]) -> CategoryTree:
        memo = info.context.memo
        if "category_tree" not in memo:
            categories = list(selectors.visible_categories(_user(info)).order_by("position", "pk"))
            children: dict[int | None, list[models.Category]] = defaultdict(list)
            for category in categories:
                children[category.parent_id].append(category)
            memo["category_tree"] = cls({c.pk: c for c in categories}, children)
        tree: CategoryTree = memo["category_tree"]
        return tree


@strawberry_django.type(models.Category, name="Category")
class CategoryType(ModelNode):
    _id: relay.GlobalID = node_id_field("Category")
    slug: str = row_field()
    position: int = row_field()

    @row_field()
    def name(self, root: models.Category) -> str:
        return localized(root, "name")

    @row_field(description="Sanitised HTML.")
    def description(self, root: models.Category) -> str:
        return localized(root, "description")

    @strawberry.field
    def image(self, root: models.Category) -> Image | None:
        return Image(url=root.image.url, alt=localized(root, "name")) if root.image else None

    @strawberry.field
    def parent(self, root: models.Category, info: Info[ShopContext, None]) -> CategoryType | None:
        if root.parent_id is None:
            return None
        return CategoryTree.of(info).by_id.get(root.parent_id)  # type: ignore[return-value]

    @strawberry.field(description="Sub-categories in display order.")
    def children(self, root: models.Category, info: Info[ShopContext, None]) -> list[CategoryType]:
        return CategoryTree.of(info).children.get(root.pk, [])  # type: ignore[return-value]

    @strawberry.field(description="From the top-level category down to this one's parent.")
    def ancestors(self, root: models.Category, info: Info[ShopContext, None]) -> list[CategoryType]:
        tree = CategoryTree.of(info)
        chain: list[models.Category] = []
        parent_id = root.parent_id
        # Services refuse cycles; the guard keeps a corrupt row from looping forever.
        while parent_id is not None and parent_id in tree.by_id and parent_id != root.pk:
            if any(category.pk == parent_id for category in chain):
                break
            chain.append(tree.by_id[parent_id])
            parent_id = tree.by_id[parent_id].parent_id
        return list(reversed(chain))  # type: ignore[arg-type]

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Category], info: Info, **_kwargs: Any
    ) -> QuerySet[models.Category]:
        return queryset.filter(selectors.shown_published(_user(info)))


@strawberry_django.type(models.Product, name="Product")
class ProductType(ModelNode):
    _id: relay.GlobalID = node_id_field("Product")
    slug: str = row_field()
    tax_class: models.TaxClass = row_field()
    is_published: bool = row_field()
    created_at: datetime = row_field()
    updated_at: datetime = row_field()

    @row_field()
    def name(self, root: models.Product) -> str:
        return localized(root, "name")

    @row_field(description="Sanitised HTML.")
    def description(self, root: models.Product) -> str:
        return localized(root, "description")

    @row_field()
    def seo_title(self, root: models.Product) -> str:
        return localized(root, "seo_title") or localized(root, "name")

    @row_field()
    def seo_description(self, root: models.Product) -> str:
        return localized(root, "seo_description")

    @row_field(select_related=["category"])
    def category(self, root: models.Product) -> CategoryType:
        return root.category  # type: ignore[return-value]

    @row_field(prefetch_related=["variants"], description="In display order.")
    def variants(self, root: models.Product) -> list[ProductVariantType]:
        return selectors.related(root, "variants")  # type: ignore[return-value]

    @row_field(prefetch_related=["media"], description="Images in display order.")
    def media(self, root: models.Product) -> list[ProductMediaType]:
        return selectors.related(root, "media")  # type: ignore[return-value]

    @row_field(prefetch_related=["media"], description="The first image, resized.")
    def thumbnail(
        self, root: models.Product, size: ThumbnailSize = ThumbnailSize.MEDIUM
    ) -> Image | None:
        first = next(iter(selectors.related(root, "media")), None)
        if first is None:
            return None
        return Image(url=_thumbnail_url(first, size), alt=localized(first, "alt"))

    @row_field(prefetch_related=["variants"], annotate=PROMOTION_VERSION)
    def pricing(self, root: models.Product, info: Info[ShopContext, None]) -> ProductPricing:
        prices = product_prices(root, selectors.related(root, "variants"), _sales(info, root))
        if prices is None:
            return ProductPricing(price_range=None, on_sale=False)
        rate = root.tax_rate
        return ProductPricing(
            price_range=_range(prices.start.price, prices.stop.price, rate),
            on_sale=prices.on_sale,
            price_range_undiscounted=_range(
                prices.undiscounted_start, prices.undiscounted_stop, rate
            ),
        )

    @row_field(
        prefetch_related=[FreeStockHint("variants__stocks")],
        description="Some variant can be bought now.",
    )
    def is_available(self, root: models.Product) -> bool:
        return selectors.product_is_available(root)

    @row_field(
        prefetch_related=["attribute_values__attribute", "attribute_values__choice"],
        description="Specifications.",
    )
    def attributes(self, root: models.Product) -> list[SelectedAttribute]:
        return [_selected_attribute(value) for value in selectors.related(root, "attribute_values")]

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Product], info: Info, **_kwargs: Any
    ) -> QuerySet[models.Product]:
        return queryset.filter(selectors.shown_products(_user(info)))


@strawberry_django.type(models.Collection, name="Collection")
class CollectionType(ModelNode):
    slug: str
    position: int

    @strawberry.field
    def name(self, root: models.Collection) -> str:
        return localized(root, "name")

    @strawberry.field(description="Sanitised HTML.")
    def description(self, root: models.Collection) -> str:
        return localized(root, "description")

    @strawberry_django.connection(
        ShopConnection[ProductType], description="The collection's products, in curated order."
    )
    def products(
        self, root: models.Collection, info: Info[ShopContext, None]
    ) -> Iterable[models.Product]:
        return (
            selectors.visible_products(_user(info))
            .filter(collection_entries__collection=root)
            .order_by("collection_entries__position", "pk")
        )

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Collection], info: Info, **_kwargs: Any
    ) -> QuerySet[models.Collection]:
        return queryset.filter(selectors.shown_published(_user(info)))


@strawberry.type
class AttributeChoiceType:
    slug: str
    name: str


@strawberry_django.type(models.Attribute, name="Attribute")
class AttributeType(ModelNode):
    slug: str
    type: models.Attribute.Type
    unit: str

    @strawberry.field
    def name(self, root: models.Attribute) -> str:
        return localized(root, "name")

    @strawberry_django.field(prefetch_related=["choices"])
    def choices(self, root: models.Attribute) -> list[AttributeChoiceType]:
        return [
            AttributeChoiceType(slug=choice.slug, name=localized(choice, "name"))
            for choice in selectors.related(root, "choices")
        ]


strawberry.enum(CatalogErrorCode, name="CatalogErrorCode")


@strawberry.type
class CatalogError(ShopError):
    code: CatalogErrorCode


@strawberry_django.type(models.Warehouse, name="Warehouse")
class WarehouseType(ModelNode):
    name: str
    slug: str
    city: str
    postal_code: str

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Warehouse], info: Info, **_kwargs: Any
    ) -> QuerySet[models.Warehouse]:
        if staff_may(info.context.user, "catalog.view_warehouse"):
            return queryset
        return queryset.none()


@strawberry_django.type(models.Stock, name="Stock")
class StockType:
    quantity: int = row_field()
    allocated: int = row_field(description="Units promised to orders.")

    @strawberry.field
    def warehouse(self, root: models.Stock, info: Info[ShopContext, None]) -> WarehouseType:
        # A handful of warehouses, loaded once per request rather than once per stock row.
        memo = info.context.memo
        if "warehouses" not in memo:
            memo["warehouses"] = models.Warehouse.objects.in_bulk()
        return memo["warehouses"][root.warehouse_id]
