from __future__ import annotations

import enum


class BillingErrorCode(enum.StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    NOT_ELIGIBLE = "not_eligible"
    INVALID_INSTALLMENTS = "invalid_installments"
    NOT_VERIFIED = "not_verified"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    NOT_BALANCED = "not_balanced"
