"""Staff mutations for the catalogue. Each checks a permission, decodes the IDs of
its input, then calls one service.

One module per entity (categories, products, variants, collections, media, stock),
each with its inputs, payloads and a ``<Entity>Mutations`` type; ``CatalogMutations``
merges them in that order, which is the order of the fields in the printed schema.
"""

from __future__ import annotations

from strawberry.tools import merge_types

from catalog.api.mutations._common import catalog_errors
from catalog.api.mutations.categories import (
    CategoryInput,
    CategoryMutations,
    CategoryPayload,
    CategoryUpdateInput,
)
from catalog.api.mutations.collections import (
    CollectionInput,
    CollectionMutations,
    CollectionPayload,
    CollectionProductsInput,
    CollectionUpdateInput,
)
from catalog.api.mutations.media import (
    ProductMediaCreateInput,
    ProductMediaMutations,
    ProductMediaPayload,
    ProductMediaReorderInput,
    ProductMediaReorderPayload,
)
from catalog.api.mutations.products import (
    AttributeValueInput,
    ProductInput,
    ProductMutations,
    ProductPayload,
    ProductUpdateInput,
)
from catalog.api.mutations.stock import (
    StockMutations,
    StockUpdateInput,
    StockUpdatePayload,
    WarehouseInput,
    WarehousePayload,
    WarehouseUpdateInput,
)
from catalog.api.mutations.variants import (
    ProductVariantCreateInput,
    ProductVariantInput,
    ProductVariantMutations,
    ProductVariantPayload,
    ProductVariantUpdateInput,
)
from shop.api.inputs import MAX_IDS

CatalogMutations = merge_types(
    "CatalogMutations",
    (
        CategoryMutations,
        ProductMutations,
        ProductVariantMutations,
        CollectionMutations,
        ProductMediaMutations,
        StockMutations,
    ),
)

__all__ = [
    "MAX_IDS",
    "AttributeValueInput",
    "CatalogMutations",
    "CategoryInput",
    "CategoryMutations",
    "CategoryPayload",
    "CategoryUpdateInput",
    "CollectionInput",
    "CollectionMutations",
    "CollectionPayload",
    "CollectionProductsInput",
    "CollectionUpdateInput",
    "ProductInput",
    "ProductMediaCreateInput",
    "ProductMediaMutations",
    "ProductMediaPayload",
    "ProductMediaReorderInput",
    "ProductMediaReorderPayload",
    "ProductMutations",
    "ProductPayload",
    "ProductUpdateInput",
    "ProductVariantCreateInput",
    "ProductVariantInput",
    "ProductVariantMutations",
    "ProductVariantPayload",
    "ProductVariantUpdateInput",
    "StockMutations",
    "StockUpdateInput",
    "StockUpdatePayload",
    "WarehouseInput",
    "WarehousePayload",
    "WarehouseUpdateInput",
    "catalog_errors",
]
