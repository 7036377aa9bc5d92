"""Product images: checking uploads and writing thumbnails.

Files go through ``default_storage``, so any Django storage backend works.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from catalog.errors import CatalogErrorCode as Code
from catalog.models import ProductMedia

# Pillow format name -> file extension of the stored original.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000
THUMBNAIL_WIDTHS = (160, 480, 960)
THUMBNAIL_DIR = "products/thumbs"
THUMBNAIL_QUALITY = 85

# What Pillow raises for malformed or truncated data, depending on the format.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
TOO_LARGE_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


def _error(message: str, code: Code) -> ValidationError:
    return ValidationError({"image": ValidationError(message, code=code)})


def _too_large() -> ValidationError:
    return _error(
        _("The image is too large: at most %(mb)d MB and %(mp)d megapixels.")
        % {"mb": settings.CATALOG_MAX_IMAGE_BYTES // (1024 * 1024), "mp": MAX_PIXELS // 1_000_000},
        Code.IMAGE_TOO_LARGE,
    )


def validate_image(upload: File) -> tuple[str, int, int]:
    """The format (``"JPEG"``, ``"PNG"`` or ``"WEBP"``), width and height of an upload.

    The whole image is decoded, so truncated or corrupt files are caught here.
    Raises ``ValidationError`` on ``image``: IMAGE_TOO_LARGE above
    ``settings.CATALOG_MAX_IMAGE_BYTES`` or ``MAX_PIXELS``; INVALID_IMAGE for
    anything else than a readable JPEG, PNG or WEBP (SVG, text, GIF ...).
    Leaves ``upload`` at its start.
    """
    if upload.size is None or upload.size > settings.CATALOG_MAX_IMAGE_BYTES:
        raise _too_large()
    formats = list(FORMATS)
    try:
        upload.seek(0)
        with Image.open(upload, formats=formats) as image:
            image.verify()
        # verify() leaves the image unusable: open it again to read and decode it.
        upload.seek(0)
        with Image.open(upload, formats=formats) as image:
            image_format, (width, height) = str(image.format), image.size
            if width * height > MAX_PIXELS:
                raise _too_large()
            image.load()
    except TOO_LARGE_ERRORS as exc:
        raise _too_large() from exc
    except DECODE_ERRORS as exc:
        raise _error(_("Upload a JPEG, PNG or WEBP image."), Code.INVALID_IMAGE) from exc
    finally:
        upload.seek(0)
    return image_format, width, height


def generate_thumbnails(media: ProductMedia) -> None:
    """Write WEBP thumbnails of ``media.image``, ``THUMBNAIL_WIDTHS`` wide, under
    ``THUMBNAIL_DIR``, and set ``media.width``, ``height`` and ``thumbnails``
    (``{"160": name, ...}``) without saving ``media``.

    The image is turned upright by its EXIF orientation; aspect ratio is kept;
    widths above the image's own are skipped (never upscaled). Each file is
    recorded in ``media.thumbnails`` as soon as it is written, so that
    :func:`media_files` lists every file even after a failure half-way.
    """
    media.thumbnails = {}
    source_name = str(media.image.name)
    with default_storage.open(source_name, "rb") as source, Image.open(source) as original:
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    media.width, media.height = image.size
    stem = PurePosixPath(source_name).stem
    for width in THUMBNAIL_WIDTHS:
        if width > image.width:
            continue
        height = max(1, round(image.height * width / image.width))
        buffer = io.BytesIO()
        # reducing_gap: shrink by whole factors first, so a 40-megapixel original is quick.
        thumbnail = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        thumbnail.save(buffer, format="WEBP", quality=THUMBNAIL_QUALITY)
        name = default_storage.save(
            f"{THUMBNAIL_DIR}/{stem}-{width}.webp", ContentFile(buffer.getvalue())
        )
        media.thumbnails[str(width)] = name


def media_files(media: ProductMedia) -> list[str]:
    """Storage names of the original and every thumbnail of ``media``."""
    names = [media.image.name] if media.image.name else []
    return names + [str(name) for name in media.thumbnails.values()]


def delete_files(names: Iterable[str]) -> None:
    """Delete stored files; names already gone are ignored."""
    for name in names:
        default_storage.delete(name)


def without_metadata(upload: File, image_format: str) -> File:
    """``upload`` without its EXIF block (camera, GPS position), turned upright.

    Originals are served as uploaded, so metadata would reach every visitor.
    Files without EXIF are returned untouched (no re-encoding).
    """
    upload.seek(0)
    with Image.open(upload) as image:
        if not image.getexif():
            upload.seek(0)
            return upload
        upright = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        options: dict[str, object] = {"quality": 95} if image_format in {"JPEG", "WEBP"} else {}
        if icc := image.info.get("icc_profile"):
            options["icc_profile"] = icc
        upright.save(buffer, format=image_format, **options)
    return ContentFile(buffer.getvalue(), name=upload.name)
