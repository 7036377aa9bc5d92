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
from graphql import FieldNode, InlineFragmentNode, get_named_type
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry_django.optimizer import OptimizerConfig, optimize

from catalog import models, selectors
from catalog.api.types import (
    AttributeType,
    CategoryTree,
    CategoryType,
    CollectionType,
    FreeStockHint,
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
DEFINITION_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


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


# What the product page loads (``selectors.ProductReads``) for each optimizer
# hint of ``ProductType``'s fields, and of ``ProductVariantType``'s under
# ``variants__``: the page reads the same hints as the listings' optimizer.
PAGE_PLAN: dict[str, frozenset[str]] = {
    "category": frozenset({"category"}),
    "media": frozenset({"media"}),
    "variants": frozenset({"variants"}),
    "free-units:variants__stocks": frozenset({"variants", "stock"}),
    "stock-rows:variants__stocks": frozenset({"variants", "stock_rows"}),
    "attribute_values__attribute": frozenset({"attributes"}),
    "attribute_values__choice": frozenset({"attributes"}),
    "variants__product": frozenset(),  # the page's product
    "annotate:promotion_version": frozenset({"prices"}),
    "annotate:variants__promotion_version": frozenset({"prices"}),
}


def hint_lookups(definition: Any, prefix: str = "") -> list[str]:
    """A field's optimizer hints as ``PAGE_PLAN`` keys."""
    store = getattr(definition, "store", None)
    if store is None:
        return []
    lookups = [prefix + name for name in store.select_related]
    for hint in store.prefetch_related:
        if isinstance(hint, FreeStockHint):
            kind = "stock-rows" if hint.rows else "free-units"
            lookups.append(f"{kind}:{prefix}{hint.path}")
        else:
            lookups.append(prefix + (hint if isinstance(hint, str) else hint.prefetch_to))
    lookups.extend(f"annotate:{prefix}{name}" for name in store.annotate)
    return lookups


# (type name, field name, prefix) -> what the field needs (None: a hint not in
# PAGE_PLAN); the schema is built once, so its hints never change.
_field_needs: dict[tuple[str, str, str], frozenset[str] | None] = {}


def _needs(type_: Any, name: str, prefix: str) -> frozenset[str] | None:
    key = (type_.name, name, prefix)
    if key not in _field_needs:
        field = type_.fields.get(name)
        definition = field.extensions.get(DEFINITION_BACKREF) if field else None
        lookups = hint_lookups(definition, prefix)
        _field_needs[key] = (
            frozenset().union(*(PAGE_PLAN[lookup] for lookup in lookups))
            if all(lookup in PAGE_PLAN for lookup in lookups)
            else None
        )
    return _field_needs[key]


def _plan(type_: Any, names: Iterable[str], prefix: str = "") -> set[str] | None:
    """The ``ProductReads`` fields the selected ``names`` of graphql-core object
    type ``type_`` need, or None when a hint is not in ``PAGE_PLAN``."""
    needs: set[str] = set()
    for name in names:
        field_needs = _needs(type_, name, prefix)
        if field_needs is None:
            return None
        needs |= field_needs
    return needs


def _product_reads(info: Info[ShopContext, None]) -> selectors.ProductReads | None:
    """What the selection under ``product`` reads, from its fields' optimizer
    hints, worked out from two levels of the selection rather than by the
    optimizer's walk of the whole tree (a third of the short read's CPU time).
    None when a hint is not in ``PAGE_PLAN``."""
    raw = info._raw_info
    fields = _fields(raw.field_nodes, raw.fragments)
    product_type = get_named_type(raw.return_type)
    needs = _plan(product_type, fields)
    if "variants" in fields and needs is not None:
        variant_type = get_named_type(product_type.fields["variants"].type)  # type: ignore[attr-defined]
        variant_fields = _fields(fields["variants"], raw.fragments)
        variant_needs = _plan(variant_type, variant_fields, "variants__")
        needs = None if variant_needs is None else needs | variant_needs
    if needs is None:
        return None
    return selectors.ProductReads(**dict.fromkeys(needs, True))


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
        reads = _product_reads(info)
        if reads is None:
            return optimize(products, info, config=NO_ONLY).first()  # type: ignore[return-value]
        # One row at most (slugs and pks are unique): no ordering to compile or sort.
        page = selectors.product_page(products, reads).order_by()[:1]
        return next(iter(page), None)  # type: ignore[return-value]

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
