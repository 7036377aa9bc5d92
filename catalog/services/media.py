"""Product image services: upload (with thumbnails), change, reorder and delete."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
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
from catalog.services._common import _assign, _invalid, _next_position
from shop.accounts.models import User
from shop.catalog_version import positions_record, record_catalog_change
from shop.validation import full_clean


@transaction.atomic
def product_media_create(
    *,
    actor: User,
    product: Product,
    upload: File,
    alt: str = "",
    alt_en: str = "",
    position: int | None = None,
) -> ProductMedia:
    """Store an uploaded image with its thumbnails, at ``position`` (default: after
    the product's others).

    Raises ``ValidationError`` (INVALID_IMAGE, IMAGE_TOO_LARGE on ``image``)
    before anything is written; files written before a later failure are deleted.
    """
    if position is None:
        position = _next_position(product.media.all())
    media = ProductMedia(product=product, alt=alt, alt_en=alt_en, position=position)
    full_clean(media, Code, exclude=["image"])
    _store_image(media, upload, lambda: record_catalog_change(actor=actor, obj=media, action="add"))
    return media


def _store_image(media: ProductMedia, upload: File, then: Callable[[], object]) -> None:
    """Check ``upload``, store it without its metadata as ``media``'s image with
    thumbnails, save ``media`` and run ``then``; the files this wrote are deleted
    when any of it fails (the image's earlier files stay)."""
    image_format, _width, _height = validate_image(upload)
    upload = without_metadata(upload, image_format)
    # As stored: a form may already have put the upload on ``media.image``.
    earlier = set(media_files(ProductMedia.objects.get(pk=media.pk))) if media.pk else set()
    try:
        media.image.save(f"{uuid4().hex}.{FORMATS[image_format]}", upload, save=False)
        generate_thumbnails(media)
        media.save()
        then()
    except BaseException:
        delete_files([name for name in media_files(media) if name not in earlier])
        raise


MEDIA_FIELDS = ("alt", "alt_en", "position")


@transaction.atomic
def product_media_update(
    *, actor: User, media: ProductMedia, data: dict[str, Any], upload: File | None = None
) -> ProductMedia:
    """Change an image's alt texts or position, or replace its file by ``upload``
    (checked as on upload, with new thumbnails; the old files are removed once
    the change is committed). Raises ``ValidationError`` before writing."""
    changed = _assign(media, data, MEDIA_FIELDS) + (["image"] if upload else [])

    def record() -> None:
        record_catalog_change(actor=actor, obj=media, action="change", changed=changed)

    full_clean(media, Code, exclude=["image"])
    if upload is None:
        media.save()
        record()
    else:
        stale = media_files(ProductMedia.objects.get(pk=media.pk))
        _store_image(media, upload, record)
        transaction.on_commit(partial(delete_files, stale))
    return media


@transaction.atomic
def product_media_reorder(
    *, actor: User, product: Product, media_ids: list[int]
) -> list[ProductMedia]:
    """Give the product's images the positions of ``media_ids``; each must be listed once."""
    media = {m.pk: m for m in product.media.select_for_update().order_by("pk")}
    if sorted(media_ids) != sorted(media):
        raise _invalid("media", _("List every image of the product exactly once."))
    return positions_record(actor=actor, model=ProductMedia, rows=media, ids=media_ids)


@transaction.atomic
def product_media_delete(*, actor: User, media: ProductMedia) -> None:
    """Delete an image; its files are removed once the deletion is committed."""
    names = media_files(media)
    record_catalog_change(actor=actor, obj=media, action="delete")
    media.delete()
    transaction.on_commit(partial(delete_files, names))
