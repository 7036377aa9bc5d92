"""Discount error codes. The reasons a promo code is refused are checkout
errors (``orders.errors.CheckoutErrorCode``, on field ``promoCode``); the staff
mutations report ``DiscountErrorCode``."""

from __future__ import annotations

import enum


class DiscountErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    UNIQUE = "unique"
    IN_USE = "in_use"
