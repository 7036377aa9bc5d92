from __future__ import annotations

import enum


class CatalogErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    UNIQUE = "unique"
    NOT_FOUND = "not_found"
    IN_USE = "in_use"
    INVALID_IMAGE = "invalid_image"
    IMAGE_TOO_LARGE = "image_too_large"
    INVALID_STOCK = "invalid_stock"
