"""Catalogue writes by staff. Each service runs in one transaction, names its actor
and leaves an entry in the administration history.

Services take already-fetched objects and a ``data`` dict holding only the
fields to change; they raise ``ValidationError`` with ``CatalogErrorCode``s.

One module per entity (attributes, categories, products, variants, collections, media, stock);
this package re-exports their public names, so callers write
``from catalog import services; services.product_create(...)``. To replace a
dependency of a service in a test, patch it in the module that defines the
service (e.g. ``catalog.services.media.record_change``).
"""

from __future__ import annotations

from catalog.services.attributes import (
    ATTRIBUTE_FIELDS,
    attribute_check,
    attribute_create,
    attribute_delete,
    attribute_update,
)
from catalog.services.categories import (
    CATEGORY_FIELDS,
    category_check,
    category_create,
    category_delete,
    category_update,
)
from catalog.services.collections import (
    COLLECTION_FIELDS,
    collection_create,
    collection_delete,
    collection_products_add,
    collection_products_remove,
    collection_products_set,
    collection_update,
)
from catalog.services.media import (
    MEDIA_FIELDS,
    product_media_create,
    product_media_delete,
    product_media_reorder,
    product_media_update,
)
from catalog.services.products import (
    MAX_ATTRIBUTE_NUMBER,
    PRODUCT_FIELDS,
    AttributeValueData,
    product_create,
    product_delete,
    product_update,
    specification_error,
)
from catalog.services.stock import (
    WAREHOUSE_FIELDS,
    stock_check,
    stock_delete,
    stock_update,
    warehouse_create,
    warehouse_delete,
    warehouse_update,
)
from catalog.services.variants import (
    MAX_PRICE,
    PRICE_FIELDS,
    VARIANT_FIELDS,
    variant_check,
    variant_create,
    variant_delete,
    variant_update,
)

__all__ = [
    "ATTRIBUTE_FIELDS",
    "CATEGORY_FIELDS",
    "COLLECTION_FIELDS",
    "MAX_ATTRIBUTE_NUMBER",
    "MAX_PRICE",
    "MEDIA_FIELDS",
    "PRICE_FIELDS",
    "PRODUCT_FIELDS",
    "VARIANT_FIELDS",
    "WAREHOUSE_FIELDS",
    "AttributeValueData",
    "attribute_check",
    "attribute_create",
    "attribute_delete",
    "attribute_update",
    "category_check",
    "category_create",
    "category_delete",
    "category_update",
    "collection_create",
    "collection_delete",
    "collection_products_add",
    "collection_products_remove",
    "collection_products_set",
    "collection_update",
    "product_create",
    "product_delete",
    "product_media_create",
    "product_media_delete",
    "product_media_reorder",
    "product_media_update",
    "product_update",
    "specification_error",
    "stock_check",
    "stock_delete",
    "stock_update",
    "variant_check",
    "variant_create",
    "variant_delete",
    "variant_update",
    "warehouse_create",
    "warehouse_delete",
    "warehouse_update",
]
