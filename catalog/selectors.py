"""Catalogue reads: visibility, filters, search, sorting, availability and prices.

Availability and price ranges are computed here, in one place, never stored.
Free stock is one database expression, :func:`free_units` (on hand, less
allocated, less live reservations), read by the storefront, the cart, payment
start and the admin; it reads the orders' ``Reservation`` table for that.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    Min,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.db.models.lookups import Contains
from django.utils import timezone

from catalog.models import (
    Category,
    Collection,
    CollectionProduct,
    Product,
    ProductAttributeValue,
    ProductVariant,
    Stock,
)
from discounts.selectors import promotion_version
from orders.models import Reservation
from shop.accounts.models import User
from shop.accounts.selectors import staff_may
from shop.money import Money, TaxedMoney

SortField = Literal["name", "price", "created", "rank"]


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _FreeUnits(TypedDict):
        free: int

    FreeStock = WithAnnotations[Stock, _FreeUnits]  # a Stock row annotated with ``free``


def can_see_unpublished(user: User | None) -> bool:
    return staff_may(user, "catalog.view_product")


def product_for_sale(product: Product) -> bool:
    """What a shopper may see and buy of the catalogue: a published product in a
    published category (the rule of :func:`shown_products`, on a loaded row)."""
    return product.is_published and product.category.is_published


def shown_products(user: User | None, via: str = "") -> Q:
    """The products ``user`` may see, reached through ``via`` (a relation path such
    as ``"product__"``): those for sale, or every one for catalogue staff."""
    if can_see_unpublished(user):
        return Q()
    return Q(**{f"{via}is_published": True, f"{via}category__is_published": True})


def shown_published(user: User | None) -> Q:
    """The categories or collections ``user`` may see: the published ones, or every
    one for catalogue staff."""
    return Q() if can_see_unpublished(user) else Q(is_published=True)


def visible_products(user: User | None) -> QuerySet[Product]:
    return Product.objects.defer("search_vector").filter(shown_products(user))


def visible_categories(user: User | None) -> QuerySet[Category]:
    return Category.objects.filter(shown_published(user))


def visible_collections(user: User | None) -> QuerySet[Collection]:
    return Collection.objects.filter(shown_published(user))


def category_descendant_ids(category_ids: Iterable[int]) -> set[int]:
    """The given categories and every category below them (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    pending = list(category_ids)
    while pending:
        pk = pending.pop()
        if pk not in found:
            found.add(pk)
            pending.extend(children.get(pk, []))
    return found


@dataclass(frozen=True)
class AttributeFilter:
    slug: str
    values: Sequence[str] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    boolean: bool | None = None


@dataclass(frozen=True)
class ProductFilter:
    category_ids: Sequence[int] = ()
    collection_ids: Sequence[int] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool | None = None
    attributes: Sequence[AttributeFilter] = field(default_factory=tuple)


def in_stock_condition() -> Exists:
    """A product has a variant that can be sold now: untracked, or with free units."""
    free_stock = stocks_with_free_units().filter(variant=OuterRef("pk"), free__gt=0)
    sellable = ProductVariant.objects.filter(product=OuterRef("pk")).filter(
        Q(track_inventory=False) | Exists(free_stock)
    )
    return Exists(sellable)


def _attribute_condition(spec: AttributeFilter) -> Exists:
    values = ProductAttributeValue.objects.filter(product=OuterRef("pk"), attribute__slug=spec.slug)
    if spec.values:
        values = values.filter(Q(choice__slug__in=spec.values) | Q(text_value__in=spec.values))
    if spec.min is not None:
        values = values.filter(number_value__gte=spec.min)
    if spec.max is not None:
        values = values.filter(number_value__lte=spec.max)
    if spec.boolean is not None:
        values = values.filter(boolean_value=spec.boolean)
    return Exists(values)


def filter_products(products: QuerySet[Product], spec: ProductFilter) -> QuerySet[Product]:
    if spec.category_ids:
        products = products.filter(category_id__in=category_descendant_ids(spec.category_ids))
    if spec.collection_ids:
        products = products.filter(
            Exists(
                CollectionProduct.objects.filter(
                    product=OuterRef("pk"), collection_id__in=spec.collection_ids
                )
            )
        )
    if spec.price_min is not None or spec.price_max is not None:
        variants = ProductVariant.objects.filter(product=OuterRef("pk"))
        if spec.price_min is not None:
            variants = variants.filter(price__gte=spec.price_min)
        if spec.price_max is not None:
            variants = variants.filter(price__lte=spec.price_max)
        products = products.filter(Exists(variants))
    if spec.in_stock is not None:
        condition = in_stock_condition()
        products = products.filter(condition if spec.in_stock else ~condition)
    for attribute in spec.attributes:
        products = products.filter(_attribute_condition(attribute))
    return products


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# The combining marks of Latin, Greek and Cyrillic accents (what NFKD splits off
# "á", "ñ", "ü"), removed by one regular expression: ``strip_accents`` tests
# every character in Python and is three times slower.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """``text`` as search compares it, without case or accents: "JARDÍN" -> "jardin"."""
    text = text.casefold()
    return text if text.isascii() else _MARKS.sub("", unicodedata.normalize("NFKD", text))


SQLITE_FOLD = "catalog_fold"


def _fold_or_null(text: str | None) -> str | None:
    return None if text is None else fold(text)


def register_sqlite_fold(*, connection: BaseDatabaseWrapper, **_kwargs: Any) -> None:
    """Give a new SQLite connection ``catalog_fold()``, the database's ``fold``
    (SQLite's ``LIKE`` folds the case of ASCII letters only and no accents).
    Connected to ``connection_created``; costs no query."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FOLD, 1, _fold_or_null, deterministic=True)


class Fold(Func):
    function = SQLITE_FOLD
    output_field = TextField()


def search_products(products: QuerySet[Product], text: str) -> QuerySet[Product]:
    """Products matching ``text``, annotated with ``rank`` (higher is better).
    The product's names and descriptions (Spanish and English) and its
    category's names are searched, ignoring case and accents.

    PostgreSQL: full text over the trigger-maintained, GIN-indexed vector, every
    word of ``text`` stemmed. Elsewhere: ``text`` as a substring, or a variant's
    SKU exactly; rank 1 for a match in the product's name, 0.5 for any other.
    """
    text = text.strip()
    if not text:
        return products
    if connection.vendor == "postgresql":
        plain = strip_accents(text)
        query = SearchQuery(plain, config="spanish", search_type="websearch") | SearchQuery(
            plain, config="english", search_type="websearch"
        )
        return products.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
    folded = fold(text)

    def has(field: str) -> Q:
        return Q(Contains(Fold(field), folded))

    in_name = has("name") | has("name_en")
    sku = ProductVariant.objects.filter(product=OuterRef("pk"), sku__iexact=text)
    matches = (
        in_name
        | has("description")
        | has("description_en")
        | has("category__name")
        | has("category__name_en")
        | Q(Exists(sku))
    )
    return products.filter(matches).annotate(
        rank=Case(When(in_name, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    )


def sort_products(
    products: QuerySet[Product], field: SortField, descending: bool, *, language: str = "es"
) -> QuerySet[Product]:
    """Order by ``field`` (names in ``language``); ``pk`` breaks ties so pages never overlap."""
    if field == "price":
        cheapest = (
            ProductVariant.objects.filter(product=OuterRef("pk"))
            .values("product")
            .annotate(m=Min("price"))
            .values("m")
        )
        products = products.annotate(min_price=Subquery(cheapest))
        key = "min_price"
    elif field == "created":
        key = "created_at"
    elif field == "rank":
        key = "rank"
    elif language != "es":
        products = products.annotate(
            sort_name=Coalesce(NullIf(f"name_{language}", Value("")), "name")
        )
        key = "sort_name"
    else:
        key = "name"
    if descending:
        return products.order_by(F(key).desc(nulls_last=True), "-pk")
    return products.order_by(F(key).asc(nulls_last=True), "pk")


@dataclass(frozen=True)
class ProductReads:
    """Which relations of a product a page shows (see :func:`product_page`).

    ``stock``: each variant's free units (:func:`variant_quantity_available`);
    ``stock_rows``: the stock rows themselves, with theirs; ``prices``: prices
    after promotions."""

    category: bool = False
    media: bool = False
    variants: bool = False
    stock: bool = False
    stock_rows: bool = False
    attributes: bool = False
    prices: bool = False


# The annotation carrying a variant's free units over every warehouse.
FREE_UNITS = "free_units_total"
# Built once: it depends on nothing of the request (annotating copies it).
_PROMOTION_VERSION = promotion_version()


def product_page(products: QuerySet[Product], reads: ProductReads) -> QuerySet[Product]:
    """``products`` (already filtered to what the caller may see) with the relations
    ``reads`` names loaded: a query per relation, none per row. Free units are an
    annotation of the variants' query rather than a read of their stock. Media,
    variants and specifications of a visible product are visible, so they are not
    filtered again. For ``prices``, each row carries ``promotion_version``
    (``discounts.selectors.promotion_version``): live promotions then come from
    the process's copy."""
    if reads.prices:
        products = products.annotate(promotion_version=_PROMOTION_VERSION)
    if reads.category:
        products = products.select_related("category")
    lookups: list[str | Prefetch] = []
    if reads.media:
        lookups.append("media")
    if reads.variants or reads.stock or reads.stock_rows:
        variants = ProductVariant.objects.all()
        if reads.stock:
            variants = variants.annotate(**{FREE_UNITS: variant_free_units()})
        lookups.append(Prefetch("variants", queryset=variants))
    if reads.stock_rows:
        lookups.append(Prefetch("variants__stocks", queryset=stocks_with_free_units()))
    if reads.attributes:
        lookups.append(
            Prefetch(
                "attribute_values",
                queryset=ProductAttributeValue.objects.select_related("attribute", "choice"),
            )
        )
    return products.prefetch_related(*lookups) if lookups else products


# Everything below reads prefetched relations ("variants", "media"; stock rows
# annotated by ``stocks_with_free_units``).


def related(obj: Model, name: str) -> Sequence[Any]:
    """The rows of a to-many relation, from the prefetch cache when it is there.

    Reading the cache directly skips building a queryset per call, which costs
    more than the rest of a resolver when listing 100 products.
    """
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if name in cache:
        return cache[name]
    return list(getattr(obj, name).all())


def free_units(*, checkout_id: int | None = None) -> Greatest:
    """The free-stock formula, as an expression over ``Stock`` rows: units on hand
    minus those allocated to orders minus those held by live reservations, never
    below zero. Reservations of checkout ``checkout_id`` are free for it (a
    shopper's cart counts its own hold as its own); without one, as in the public
    catalogue, every live reservation is taken. Expired ones count for nothing.

    Reservations are read when the query runs: callers that lock stock rows
    evaluate it in a statement after the lock, so holds committed by the buyer
    they waited for are seen."""
    held = Reservation.objects.filter(stock=OuterRef("pk"), expires_at__gt=timezone.now())
    if checkout_id is not None:
        held = held.exclude(line__checkout_id=checkout_id)
    units = held.order_by().values("stock").annotate(total=Sum("quantity")).values("total")
    return Greatest(F("quantity") - F("allocated") - Coalesce(Subquery(units), 0), Value(0))


def stocks_with_free_units(*, checkout_id: int | None = None) -> QuerySet[FreeStock]:
    """Stock rows annotated with ``free`` (:func:`free_units`)."""
    return Stock.objects.annotate(free=free_units(checkout_id=checkout_id))


def total_free_units(
    stocks: QuerySet[Stock], group_by: str, *, checkout_id: int | None = None
) -> Coalesce:
    """Free units of ``stocks`` (filtered on an ``OuterRef``) as one correlated
    subquery, for lists that annotate many variants or products at once."""
    total = (
        stocks.order_by()
        .values(group_by)
        .annotate(total=Sum(free_units(checkout_id=checkout_id)))
        .values("total")
    )
    return Coalesce(Subquery(total), 0)


def variant_free_units(*, checkout_id: int | None = None) -> Coalesce:
    """Free units of a ``ProductVariant`` over every warehouse, as an expression
    over variants (see :func:`free_units` for ``checkout_id``)."""
    stocks = Stock.objects.filter(variant=OuterRef("pk"))
    return total_free_units(stocks, "variant", checkout_id=checkout_id)


def variant_quantity_available(variant: ProductVariant) -> int:
    """Free units over every warehouse for the public (every live reservation
    taken). Reads the :data:`FREE_UNITS` annotation (:func:`product_page`), else
    ``stocks`` prefetched from :func:`stocks_with_free_units` (see ``FreeStockHint``
    in the API), else queries them."""
    annotated: int | None = getattr(variant, FREE_UNITS, None)
    if annotated is not None:
        return annotated
    cache = getattr(variant, "_prefetched_objects_cache", {})
    stocks = (
        cache["stocks"] if "stocks" in cache else stocks_with_free_units().filter(variant=variant)
    )
    return sum(stock.free for stock in stocks)


def variant_is_available(variant: ProductVariant) -> bool:
    """Untracked variants are always available; tracked ones while units are free."""
    return not variant.track_inventory or variant_quantity_available(variant) > 0


def product_is_available(product: Product) -> bool:
    return any(variant_is_available(variant) for variant in related(product, "variants"))


def variant_price(variant: ProductVariant, product: Product) -> TaxedMoney:
    return TaxedMoney.from_gross(Money(variant.price), product.tax_rate)


@dataclass(frozen=True)
class PriceRange:
    start: TaxedMoney
    stop: TaxedMoney


def product_price_range(product: Product) -> PriceRange | None:
    """Cheapest and dearest variant prices, or None for a product without variants."""
    prices = sorted(variant.price for variant in related(product, "variants"))
    if not prices:
        return None
    rate = product.tax_rate
    return PriceRange(
        start=TaxedMoney.from_gross(Money(prices[0]), rate),
        stop=TaxedMoney.from_gross(Money(prices[-1]), rate),
    )
