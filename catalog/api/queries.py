from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import strawberry
import strawberry_django
from django.db.models import Q, QuerySet
from graphql import FieldNode, InlineFragmentNode
from strawberry.types import Info
from strawberry_django.optimizer import OptimizerConfig, optimize

from catalog import models, selectors
from catalog.api.types import (
    AttributeType,
    CategoryTree,
    CategoryType,
    CollectionType,
    ProductType,
    WarehouseType,
)
from shop.api.context import ShopContext
from shop.api.errors import PublicError
from shop.api.permissions import require_permission
from shop.api.relay import ShopConnection, decode_id
from shop.i18n import current_language


@strawberry.input(description="Inclusive bounds; either may be omitted.")
class DecimalRangeInput:
    gte: Decimal | None = None
    lte: Decimal | None = None


@strawberry.input(description="Products having this specification with one of the values.")
class AttributeFilterInput:
    slug: str
    values: list[str] | None = strawberry.field(
        default=None, description="Choice slugs or text values."
    )
    values_range: DecimalRangeInput | None = None
    boolean: bool | None = None


@strawberry.input
class ProductFilterInput:
    categories: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Category IDs; sub-categories are included."
    )
    collections: list[strawberry.ID] | None = None
    price: DecimalRangeInput | None = strawberry.field(
        default=None, description="Gross price (IVA included) of some variant."
    )
    in_stock: bool | None = None
    attributes: list[AttributeFilterInput] | None = None


@strawberry.enum
class ProductOrderField(enum.Enum):
    NAME = "name"
    PRICE = "price"
    CREATED = "created"
    RANK = "rank"


@strawberry.enum
class OrderDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="Default: RANK (descending) when searching, NAME otherwise.")
class ProductOrder:
    field: ProductOrderField
    direction: OrderDirection = OrderDirection.ASC


class InvalidFilter(PublicError):
    code = "INVALID_FILTER"


MAX_FILTER_ITEMS = 50
# Single objects are optimised like lists, and like the schema's optimizer
# without only(): resolvers read columns the client did not select.
NO_ONLY = OptimizerConfig(enable_only=False)
MAX_SEARCH_LENGTH = 200


def _ids(values: list[strawberry.ID] | None, type_name: str) -> list[int]:
    """Decoded IDs; an unknown or malformed ID matches nothing (an impossible pk)."""
    if not values:
        return []
    if len(values) > MAX_FILTER_ITEMS:
        raise InvalidFilter(f"At most {MAX_FILTER_ITEMS} IDs per filter.")
    return [decode_id(value, type_name) or 0 for value in values]


def product_filter(spec: ProductFilterInput | None) -> selectors.ProductFilter:
    if spec is None:
        return selectors.ProductFilter()
    price = spec.price or DecimalRangeInput()
    attributes = spec.attributes or []
    if len(attributes) > MAX_FILTER_ITEMS:
        raise InvalidFilter(f"At most {MAX_FILTER_ITEMS} attribute filters.")
    return selectors.ProductFilter(
        category_ids=_ids(spec.categories, "Category"),
        collection_ids=_ids(spec.collections, "Collection"),
        price_min=price.gte,
        price_max=price.lte,
        in_stock=spec.in_stock,
        attributes=[
            selectors.AttributeFilter(
                slug=item.slug,
                values=tuple(item.values or ())[:MAX_FILTER_ITEMS],
                min=item.values_range.gte if item.values_range else None,
                max=item.values_range.lte if item.values_range else None,
                boolean=item.boolean,
            )
            for item in attributes
        ],
    )


def _by_id_or_slug(id: strawberry.ID | None, slug: str | None, type_name: str) -> Q | None:
    if (id is None) == (slug is None):
        raise PublicError("Give exactly one of 'id' and 'slug'.")
    if id is not None:
        pk = decode_id(id, type_name)
        return Q(pk=pk) if pk is not None else None
    return Q(slug=slug)


def _one_of(
    rows: QuerySet[Any],
    info: Info[ShopContext, None],
    id: strawberry.ID | None,
    slug: str | None,
    type_name: str,
) -> Any:
    """The row of ``rows`` (what the caller may see) that ``id`` or ``slug`` names,
    read with what the query selects; None when there is none."""
    condition = _by_id_or_slug(id, slug, type_name)
    if condition is None:
        return None
    return optimize(rows.filter(condition), info, config=NO_ONLY).first()


def _fields(nodes: Iterable[Any], fragments: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields selected under ``nodes`` (graphql-core field nodes) by name,
    through fragments, each with the field nodes selecting it. One level only:
    ``info.selected_fields`` converts the whole tree, which costs more."""
    fields: dict[str, list[Any]] = defaultdict(list)

    def visit(selection_set: Any) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                fields[selection.name.value].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                visit(selection.selection_set)
            elif selection.name.value in fragments:
                visit(fragments[selection.name.value].selection_set)

    for node in nodes:
        visit(node.selection_set)
    return fields


# Product fields reading free stock (ProductType and ProductVariantType).
_STOCK_FIELDS = frozenset({"isAvailable", "quantityAvailable", "stocks"})


def _product_reads(info: Info[ShopContext, None]) -> selectors.ProductReads:
    """What the selection under ``product`` reads, as ``ProductType``'s optimizer
    hints say, worked out from two levels of the selection rather than by the
    optimizer's walk of the whole tree (a third of the short read's CPU time)."""
    fragments = info._raw_info.fragments
    fields = _fields(info._raw_info.field_nodes, fragments)
    variant_fields = _fields(fields.get("variants", ()), fragments)
    return selectors.ProductReads(
        category="category" in fields,
        media="media" in fields or "thumbnail" in fields,
        variants="variants" in fields or "pricing" in fields,
        stock="isAvailable" in fields or not _STOCK_FIELDS.isdisjoint(variant_fields),
        attributes="attributes" in fields,
    )


@strawberry.type
class CatalogQueries:
    @strawberry_django.connection(
        ShopConnection[ProductType],
        description="Published products (all, for catalogue staff), filtered, searched and sorted.",
    )
    def products(
        self,
        info: Info[ShopContext, None],
        filter: ProductFilterInput | None = None,
        search: str | None = None,
        sort_by: ProductOrder | None = None,
    ) -> Iterable[models.Product]:
        user = info.context.user
        spec = product_filter(filter)
        if spec.collection_ids:
            # Filtering by an unpublished collection would reveal its contents.
            visible = selectors.visible_collections(user).filter(pk__in=spec.collection_ids)
            spec = replace(spec, collection_ids=list(visible.values_list("pk", flat=True)) or [0])
        products = selectors.filter_products(selectors.visible_products(user), spec)
        text = (search or "").strip()[:MAX_SEARCH_LENGTH]
        if text:
            products = selectors.search_products(products, text)
        field = sort_by.field if sort_by else (ProductOrderField.RANK if text else None)
        if field is None:
            field = ProductOrderField.NAME
        if field == ProductOrderField.RANK and not text:
            field = ProductOrderField.NAME
        descending = (
            sort_by.direction == OrderDirection.DESC if sort_by else field == ProductOrderField.RANK
        )
        return selectors.sort_products(
            products, field.value, descending, language=current_language()
        )

    @strawberry_django.field(description="A product by ID or slug; null when not visible.")
    def product(
        self,
        info: Info[ShopContext, None],
        id: strawberry.ID | None = None,
        slug: str | None = None,
    ) -> ProductType | None:
        condition = _by_id_or_slug(id, slug, "Product")
        if condition is None:
            return None
        products = selectors.visible_products(info.context.user).filter(condition)
        return selectors.product_page(products, _product_reads(info)).first()  # type: ignore[return-value]

    @strawberry_django.field(description="The category tree: top-level categories with children.")
    def categories(self, info: Info[ShopContext, None]) -> list[CategoryType]:
        return CategoryTree.of(info).children.get(None, [])  # type: ignore[return-value]

    @strawberry_django.field
    def category(
        self,
        info: Info[ShopContext, None],
        id: strawberry.ID | None = None,
        slug: str | None = None,
    ) -> CategoryType | None:
        return _one_of(selectors.visible_categories(info.context.user), info, id, slug, "Category")

    @strawberry_django.field(description="Published collections in display order.")
    def collections(self, info: Info[ShopContext, None]) -> list[CollectionType]:
        return selectors.visible_collections(info.context.user).order_by("position", "pk")  # type: ignore[return-value]

    @strawberry_django.field
    def collection(
        self,
        info: Info[ShopContext, None],
        id: strawberry.ID | None = None,
        slug: str | None = None,
    ) -> CollectionType | None:
        return _one_of(
            selectors.visible_collections(info.context.user), info, id, slug, "Collection"
        )

    @strawberry_django.field(description="Staff: the warehouses stock is kept in.")
    def warehouses(self, info: Info[ShopContext, None]) -> list[WarehouseType]:
        require_permission(info, "catalog.view_warehouse")
        return models.Warehouse.objects.order_by("name")  # type: ignore[return-value]

    @strawberry_django.field(description="Specifications products can be filtered by.")
    def attributes(self) -> list[AttributeType]:
        return models.Attribute.objects.filter(is_filterable=True).order_by("name")  # type: ignore[return-value]
