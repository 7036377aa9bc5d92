from __future__ import annotations

import enum


class OrdersErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    UNIQUE = "unique"
    NOT_FOUND = "not_found"
    IN_USE = "in_use"
    INVALID_POSTAL_CODE_RULE = "invalid_postal_code_rule"
