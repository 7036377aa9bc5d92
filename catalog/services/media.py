"""Product image services: upload (with thumbnails), reorder and delete."""

from __future__ import annotations

from functools import partial
from uuid import uuid4

from django.core.files import File
from django.db import transaction
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
from catalog.models import Product, ProductMedia
from catalog.services._common import _invalid, _next_position
from shop.accounts.models import User
from shop.audit import record_change
from shop.validation import full_clean


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
