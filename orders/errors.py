from __future__ import annotations

import enum


class ShippingErrorCode(enum.StrEnum):
    """Errors of the shipping administration."""

    INVALID = "invalid"
    REQUIRED = "required"
    UNIQUE = "unique"
    NOT_FOUND = "not_found"
    IN_USE = "in_use"
    INVALID_POSTAL_CODE_RULE = "invalid_postal_code_rule"


class CheckoutErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    INVALID_POSTAL_CODE = "invalid_postal_code"
    INVALID_QUANTITY = "invalid_quantity"
    TOO_MANY_LINES = "too_many_lines"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    INSUFFICIENT_STOCK = "insufficient_stock"
    EMPTY = "empty"
    SHIPPING_NOT_AVAILABLE = "shipping_not_available"
    PICKUP_POINT_REQUIRED = "pickup_point_required"
    PAYMENT_METHOD_NOT_AVAILABLE = "payment_method_not_available"
    INVALID_INSTALLMENTS = "invalid_installments"
    INSTALLMENT_BELOW_MINIMUM = "installment_below_minimum"
    INVALID_WATER_CONTRACT = "invalid_water_contract"
    PAYMENT_NOT_STARTED = "payment_not_started"
    PAYMENT_OUTDATED = "payment_outdated"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_PENDING = "payment_pending"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    INVALID_TAX_ID = "invalid_tax_id"  # shop.tax_ids.INVALID_TAX_ID
    ACCOUNT_NOT_CONFIRMED = "account_not_confirmed"
    # Promo codes (``discounts``), on field ``promoCode``.
    VOUCHER_INVALID = "voucher_invalid"
    VOUCHER_EXPIRED = "voucher_expired"
    VOUCHER_NOT_YET_VALID = "voucher_not_yet_valid"
    VOUCHER_USED_UP = "voucher_used_up"
    VOUCHER_MINIMUM_NOT_REACHED = "voucher_minimum_not_reached"
    VOUCHER_NOT_APPLICABLE = "voucher_not_applicable"


class OrderErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    CANNOT_CANCEL = "cannot_cancel"
    CANNOT_FULFILL = "cannot_fulfill"
    INVALID_QUANTITY = "invalid_quantity"
    REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"
    REFUND_FAILED = "refund_failed"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"


class ClaimErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    NOT_CLAIMABLE = "not_claimable"
    WINDOW_CLOSED = "window_closed"
    INVALID_LINE = "invalid_line"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_PHOTO = "invalid_photo"
    CLAIM_CLOSED = "claim_closed"
    INVALID_TRANSITION = "invalid_transition"
    REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"
    REFUND_FAILED = "refund_failed"
    INSUFFICIENT_STOCK = "insufficient_stock"
