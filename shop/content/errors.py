from __future__ import annotations

import enum


class ContentErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    IN_USE = "in_use"
