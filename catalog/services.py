"""Catalogue writes by staff. Each service runs in one transaction, names its actor
and leaves an entry in the administration history.

Services take already-fetched objects and a ``data`` dict holding only the
fields to change; they raise ``ValidationError`` with ``CatalogErrorCode``s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalog.errors import CatalogErrorCode as Code
from catalog.media import (
    FORMATS,
    delete_files,
    generate_thumbnails,
    media_files,
    validate_image,
    without_metadata,
)
from catalog.models import (
    Attribute,
    AttributeChoice,
    Category,
    Collection,
    CollectionProduct,
    Product,
    ProductAttributeValue,
    ProductMedia,
    ProductVariant,
    Stock,
    Warehouse,
)
from catalog.selectors import category_descendant_ids
from shop.accounts.models import User
from shop.audit import record_change
from shop.content.services import clean_rich_text
from shop.validation import full_clean, save_unique


def _assign(obj: Any, data: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """Set the ``fields`` present in ``data`` (None included: callers pass only what changes)."""
    changed = [name for name in fields if name in data]
    for name in changed:
        setattr(obj, name, data[name])
    return changed


def _invalid(field: str, message: str, code: Code = Code.INVALID) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _default_slug(obj: Category | Product | Collection | Warehouse) -> None:
    if not obj.slug and obj.name:
        obj.slug = slugify(obj.name)[: obj._meta.get_field("slug").max_length]


def _next_position(rows: QuerySet[Any]) -> int:
    return int(rows.aggregate(last=Max("position"))["last"] or 0) + 1


def _changed(changed: list[str]) -> str:
    return ", ".join(changed)


# Categories

CATEGORY_FIELDS = (
    "parent",
    "name",
    "name_en",
    "slug",
    "description",
    "description_en",
    "position",
    "is_published",
)


def _clean_category(category: Category) -> None:
    _default_slug(category)
    category.description = clean_rich_text(category.description or "")
    category.description_en = clean_rich_text(category.description_en or "")
    full_clean(category, Code)
    if category.pk is not None and category.parent_id in category_descendant_ids([category.pk]):
        raise _invalid(
            "parent", _("A category cannot be placed under itself or one of its sub-categories.")
        )


@transaction.atomic
def category_create(*, actor: User, data: dict[str, Any]) -> Category:
    """Add a category; the slug defaults to the slugified name. Raises ``ValidationError``."""
    category = Category()
    _assign(category, data, CATEGORY_FIELDS)
    _clean_category(category)
    save_unique(category, Code)
    record_change(actor=actor, obj=category, action="add")
    return category


@transaction.atomic
def category_update(*, actor: User, category: Category, data: dict[str, Any]) -> Category:
    """Change a category; ``parent`` may not be the category or one below it (INVALID)."""
    changed = _assign(category, data, CATEGORY_FIELDS)
    _clean_category(category)
    save_unique(category, Code)
    record_change(actor=actor, obj=category, action="change", message=_changed(changed))
    return category


@transaction.atomic
def category_delete(*, actor: User, category: Category) -> None:
    """Delete an empty category; IN_USE while it has products or sub-categories."""
    if category.products.exists() or category.children.exists():
        raise ValidationError(
            _("Move or delete the category's products and sub-categories first."), code=Code.IN_USE
        )
    record_change(actor=actor, obj=category, action="delete")
    category.delete()


# Products

PRODUCT_FIELDS = (
    "category",
    "name",
    "name_en",
    "slug",
    "description",
    "description_en",
    "tax_class",
    "is_published",
    "seo_title",
    "seo_title_en",
    "seo_description",
    "seo_description_en",
)
MAX_ATTRIBUTE_NUMBER = Decimal("1e9")


@dataclass(frozen=True)
class AttributeValueData:
    """One specification as entered: the value goes in the field matching ``attribute.type``
    (``choice`` is a choice slug; ``text_en`` may accompany ``text``)."""

    attribute: Attribute
    text: str | None = None
    text_en: str | None = None
    number: Decimal | None = None
    boolean: bool | None = None
    choice: str | None = None


def _attribute_value_error(value: AttributeValueData, choice: AttributeChoice | None) -> str | None:
    attribute, kinds = value.attribute, Attribute.Type
    given = {
        kind
        for kind, present in (
            (kinds.TEXT, value.text is not None or value.text_en is not None),
            (kinds.NUMBER, value.number is not None),
            (kinds.BOOLEAN, value.boolean is not None),
            (kinds.CHOICE, value.choice is not None),
        )
        if present
    }
    names = {"name": attribute.name, "choice": value.choice}
    if given != {attribute.type}:
        return _("“%(name)s” takes a value of its own type only.") % names
    if attribute.type == kinds.TEXT and not (value.text or "").strip():
        return _("“%(name)s” needs a text.") % names
    if attribute.type == kinds.TEXT and max(len(value.text or ""), len(value.text_en or "")) > 200:
        return _("“%(name)s” takes at most 200 characters.") % names
    number = value.number
    if number is not None and not (
        number.is_finite()
        and abs(number) < MAX_ATTRIBUTE_NUMBER
        and number == number.quantize(Decimal("0.001"))
    ):
        return _("“%(name)s” takes a number with at most 3 decimals.") % names
    if attribute.type == kinds.CHOICE and choice is None:
        return _("“%(name)s” has no choice “%(choice)s”.") % names
    return None


def _set_attributes(product: Product, values: Sequence[AttributeValueData]) -> None:
    """Replace the product's specifications; every problem is reported on ``attributes``."""
    choices = {
        (choice.attribute_id, choice.slug): choice
        for choice in AttributeChoice.objects.filter(attribute__in=[v.attribute for v in values])
    }
    errors: list[ValidationError] = []
    rows: list[ProductAttributeValue] = []
    for value in values:
        choice = choices.get((value.attribute.pk, value.choice or ""))
        message = _attribute_value_error(value, choice)
        if message is None and any(row.attribute_id == value.attribute.pk for row in rows):
            message = _("“%(name)s” is given twice.") % {"name": value.attribute.name}
        if message is not None:
            errors.append(ValidationError(message, code=Code.INVALID))
            continue
        rows.append(
            ProductAttributeValue(
                product=product,
                attribute=value.attribute,
                text_value=(value.text or "").strip(),
                text_value_en=(value.text_en or "").strip(),
                number_value=value.number,
                boolean_value=value.boolean,
                choice=choice,
            )
        )
    if errors:
        raise ValidationError({"attributes": errors})
    product.attribute_values.all().delete()
    ProductAttributeValue.objects.bulk_create(rows)


def _save_product(product: Product, data: dict[str, Any]) -> list[str]:
    changed = _assign(product, data, PRODUCT_FIELDS)
    _default_slug(product)
    product.description = clean_rich_text(product.description or "")
    product.description_en = clean_rich_text(product.description_en or "")
    full_clean(product, Code)
    save_unique(product, Code)
    if data.get("attributes") is not None:
        _set_attributes(product, data["attributes"])
        changed.append("attributes")
    return changed


@transaction.atomic
def product_create(*, actor: User, data: dict[str, Any]) -> Product:
    """Add a product. Descriptions are sanitised; ``attributes`` is a list of
    ``AttributeValueData`` checked against each attribute's type (INVALID)."""
    product = Product()
    _save_product(product, data)
    record_change(actor=actor, obj=product, action="add")
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, data: dict[str, Any]) -> Product:
    """Change a product; ``attributes``, when given, replaces every specification."""
    changed = _save_product(product, data)
    record_change(actor=actor, obj=product, action="change", message=_changed(changed))
    return product


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    """Delete a product with its variants, stock and images (files removed after commit).
    IN_USE while units of it are allocated to orders."""
    if Stock.objects.filter(variant__product=product, allocated__gt=0).exists():
        raise ValidationError(_("Units of this product are allocated to orders."), code=Code.IN_USE)
    names = [name for media in product.media.all() for name in media_files(media)]
    record_change(actor=actor, obj=product, action="delete")
    product.delete()
    transaction.on_commit(partial(delete_files, names))


# Variants

VARIANT_FIELDS = (
    "sku",
    "name",
    "name_en",
    "price",
    "compare_at_price",
    "weight_grams",
    "track_inventory",
    "position",
)
PRICE_FIELDS = ["price", "compare_at_price", "weight_grams"]
MAX_PRICE = Decimal("1e8")


def _is_price(value: Decimal) -> bool:
    return value.is_finite() and 0 <= value < MAX_PRICE and value == value.quantize(Decimal("0.01"))


def _price_errors(variant: ProductVariant) -> dict[str, ValidationError]:
    errors: dict[str, ValidationError] = {}
    price, compare_at = variant.price, variant.compare_at_price
    money_message = _("Enter an amount of zero or more with at most 2 decimals.")
    if price is None:
        errors["price"] = ValidationError(_("Enter the price."), code=Code.REQUIRED)
    elif not _is_price(price):
        errors["price"] = ValidationError(money_message, code=Code.INVALID)
    if compare_at is not None and not _is_price(compare_at):
        errors["compare_at_price"] = ValidationError(money_message, code=Code.INVALID)
    elif compare_at is not None and "price" not in errors and compare_at <= price:
        errors["compare_at_price"] = ValidationError(
            _("The compare-at price must be above the price."), code=Code.INVALID
        )
    if variant.weight_grams is None or variant.weight_grams < 0:
        errors["weight_grams"] = ValidationError(
            _("The weight must be zero or more grams."), code=Code.INVALID
        )
    return errors


def _clean_variant(variant: ProductVariant) -> None:
    """Prices and weight get the shop's own messages; everything else is model validation."""
    errors: dict[str, Any] = _price_errors(variant)
    try:
        full_clean(variant, Code, exclude=PRICE_FIELDS)
    except ValidationError as exc:
        errors = {**exc.error_dict, **errors}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def variant_create(*, actor: User, product: Product, data: dict[str, Any]) -> ProductVariant:
    """Add a variant to ``product``, after its last one unless ``position`` is given.
    SKU unique (UNIQUE); price >= 0 with at most 2 decimals; compare-at above it."""
    variant = ProductVariant(product=product, position=_next_position(product.variants.all()))
    _assign(variant, data, VARIANT_FIELDS)
    _clean_variant(variant)
    save_unique(variant, Code)
    record_change(actor=actor, obj=variant, action="add")
    return variant


@transaction.atomic
def variant_update(*, actor: User, variant: ProductVariant, data: dict[str, Any]) -> ProductVariant:
    """Change a variant; ``compare_at_price=None`` removes the compare-at price."""
    changed = _assign(variant, data, VARIANT_FIELDS)
    _clean_variant(variant)
    save_unique(variant, Code)
    record_change(actor=actor, obj=variant, action="change", message=_changed(changed))
    return variant


@transaction.atomic
def variant_delete(*, actor: User, variant: ProductVariant) -> None:
    """Delete a variant and its stock; IN_USE while units of it are allocated to orders."""
    if variant.stocks.filter(allocated__gt=0).exists():
        raise ValidationError(_("Units of this variant are allocated to orders."), code=Code.IN_USE)
    record_change(actor=actor, obj=variant, action="delete")
    variant.delete()


# Collections

COLLECTION_FIELDS = (
    "name",
    "name_en",
    "slug",
    "description",
    "description_en",
    "is_published",
    "position",
)


def _save_collection(collection: Collection, data: dict[str, Any]) -> list[str]:
    changed = _assign(collection, data, COLLECTION_FIELDS)
    _default_slug(collection)
    collection.description = clean_rich_text(collection.description or "")
    collection.description_en = clean_rich_text(collection.description_en or "")
    full_clean(collection, Code)
    save_unique(collection, Code)
    return changed


@transaction.atomic
def collection_create(*, actor: User, data: dict[str, Any]) -> Collection:
    """Add a collection (without products); the slug defaults to the slugified name."""
    collection = Collection()
    _save_collection(collection, data)
    record_change(actor=actor, obj=collection, action="add")
    return collection


@transaction.atomic
def collection_update(*, actor: User, collection: Collection, data: dict[str, Any]) -> Collection:
    changed = _save_collection(collection, data)
    record_change(actor=actor, obj=collection, action="change", message=_changed(changed))
    return collection


@transaction.atomic
def collection_delete(*, actor: User, collection: Collection) -> None:
    """Delete a collection; its products stay in the catalogue."""
    record_change(actor=actor, obj=collection, action="delete")
    collection.delete()


def _lock_entries(collection: Collection, products: Sequence[Product]) -> list[CollectionProduct]:
    """Lock the collection (so concurrent edits queue) and return its entries in order;
    INVALID on ``products`` when a product is listed twice."""
    if len({product.pk for product in products}) != len(products):
        raise _invalid("products", _("List each product only once."))
    Collection.objects.select_for_update().get(pk=collection.pk)
    return list(collection.entries.order_by("position", "pk"))


def _write_entries(actor: User, collection: Collection, product_ids: list[int]) -> None:
    collection.entries.all().delete()
    CollectionProduct.objects.bulk_create(
        CollectionProduct(collection=collection, product_id=pk, position=position)
        for position, pk in enumerate(product_ids, start=1)
    )
    record_change(actor=actor, obj=collection, action="change", message="products")


@transaction.atomic
def collection_products_set(
    *, actor: User, collection: Collection, products: Sequence[Product]
) -> Collection:
    """Make ``products`` the collection's products, in that order (positions 1..n)."""
    _lock_entries(collection, products)
    _write_entries(actor, collection, [product.pk for product in products])
    return collection


@transaction.atomic
def collection_products_add(
    *, actor: User, collection: Collection, products: Sequence[Product]
) -> Collection:
    """Append ``products`` in the given order; products already there keep their place."""
    current = [entry.product_id for entry in _lock_entries(collection, products)]
    _write_entries(actor, collection, current + [p.pk for p in products if p.pk not in current])
    return collection


@transaction.atomic
def collection_products_remove(
    *, actor: User, collection: Collection, products: Sequence[Product]
) -> Collection:
    """Take ``products`` out of the collection (those not in it are ignored); the rest
    keep their order."""
    removed = {product.pk for product in products}
    current = [entry.product_id for entry in _lock_entries(collection, products)]
    _write_entries(actor, collection, [pk for pk in current if pk not in removed])
    return collection


# Media


@transaction.atomic
def product_media_create(
    *, actor: User, product: Product, upload: File, alt: str = "", alt_en: str = ""
) -> ProductMedia:
    """Store an uploaded image after the product's others, with its thumbnails.

    Raises ``ValidationError`` (INVALID_IMAGE, IMAGE_TOO_LARGE on ``image``)
    before anything is written; files written before a later failure are deleted.
    """
    image_format, _width, _height = validate_image(upload)
    upload = without_metadata(upload, image_format)
    media = ProductMedia(
        product=product, alt=alt, alt_en=alt_en, position=_next_position(product.media.all())
    )
    full_clean(media, Code, exclude=["image"])
    try:
        media.image.save(f"{uuid4().hex}.{FORMATS[image_format]}", upload, save=False)
        generate_thumbnails(media)
        media.save()
        record_change(actor=actor, obj=media, action="add")
    except BaseException:
        delete_files(media_files(media))
        raise
    return media


@transaction.atomic
def product_media_reorder(
    *, actor: User, product: Product, media_ids: list[int]
) -> list[ProductMedia]:
    """Give the product's images the positions of ``media_ids``; each must be listed once."""
    media = {m.pk: m for m in product.media.select_for_update().order_by("pk")}
    if sorted(media_ids) != sorted(media):
        raise _invalid("media", _("List every image of the product exactly once."))
    for position, pk in enumerate(media_ids, start=1):
        media[pk].position = position
    ProductMedia.objects.bulk_update(media.values(), ["position"])
    for item in media.values():
        record_change(actor=actor, obj=item, action="change", message="position")
    return [media[pk] for pk in media_ids]


@transaction.atomic
def product_media_delete(*, actor: User, media: ProductMedia) -> None:
    """Delete an image; its files are removed once the deletion is committed."""
    names = media_files(media)
    record_change(actor=actor, obj=media, action="delete")
    media.delete()
    transaction.on_commit(partial(delete_files, names))


# Warehouses and stock

WAREHOUSE_FIELDS = ("name", "slug", "city", "postal_code")


def _save_warehouse(warehouse: Warehouse, data: dict[str, Any]) -> list[str]:
    changed = _assign(warehouse, data, WAREHOUSE_FIELDS)
    _default_slug(warehouse)
    full_clean(warehouse, Code)
    postal_code = warehouse.postal_code
    if postal_code and not (
        len(postal_code) == 5 and postal_code.isascii() and postal_code.isdigit()
    ):
        raise _invalid("postal_code", _("Enter a Spanish postal code of 5 digits."))
    save_unique(warehouse, Code)
    return changed


@transaction.atomic
def warehouse_create(*, actor: User, data: dict[str, Any]) -> Warehouse:
    """Add a warehouse; the slug defaults to the slugified name."""
    warehouse = Warehouse()
    _save_warehouse(warehouse, data)
    record_change(actor=actor, obj=warehouse, action="add")
    return warehouse


@transaction.atomic
def warehouse_update(*, actor: User, warehouse: Warehouse, data: dict[str, Any]) -> Warehouse:
    changed = _save_warehouse(warehouse, data)
    record_change(actor=actor, obj=warehouse, action="change", message=_changed(changed))
    return warehouse


@transaction.atomic
def stock_update(
    *, actor: User, variant: ProductVariant, warehouse: Warehouse, quantity: int
) -> Stock:
    """Set the units of ``variant`` in ``warehouse`` (the row is created if missing).

    The row is locked, so concurrent allocations wait. INVALID_STOCK when
    ``quantity`` is below the units allocated to orders; nothing changes then.
    """
    stock, created = Stock.objects.select_for_update().get_or_create(
        variant=variant, warehouse=warehouse
    )
    if quantity < 0:
        raise _invalid("quantity", _("The quantity cannot be negative."), Code.INVALID_STOCK)
    if quantity < stock.allocated:
        raise _invalid(
            "quantity",
            _("The quantity cannot be below the %(allocated)d units allocated to orders.")
            % {"allocated": stock.allocated},
            Code.INVALID_STOCK,
        )
    previous, stock.quantity = stock.quantity, quantity
    stock.save(update_fields=["quantity"])
    record_change(
        actor=actor,
        obj=stock,
        action="add" if created else "change",
        message=f"quantity: {previous} → {quantity}",
    )
    return stock
