from __future__ import annotations

import enum


class AccountErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    UNIQUE = "unique"
    INVALID_CREDENTIALS = "invalid_credentials"
    INACTIVE = "inactive"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    PASSWORD_TOO_SHORT = "password_too_short"
    PASSWORD_TOO_COMMON = "password_too_common"
    PASSWORD_ENTIRELY_NUMERIC = "password_entirely_numeric"
    PASSWORD_TOO_SIMILAR = "password_too_similar"
    INVALID_POSTAL_CODE = "invalid_postal_code"
    INVALID_TOKEN = "invalid_token"
    NOT_FOUND = "not_found"
    # Account deletion refused (shop.accounts.privacy).
    STAFF_ACCOUNT = "staff_account"
    OPEN_CLAIMS = "open_claims"
    ORDERS_IN_PROGRESS = "orders_in_progress"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    UNSETTLED_BILL_CHARGES = "unsettled_bill_charges"
    OTP_REQUIRED = "otp_required"  # staff tokenCreate without its second factor
    PORTAL_TOKEN_INVALID = "portal_token_invalid"
    PORTAL_TOKEN_EXPIRED = "portal_token_expired"
    PORTAL_TOKEN_REPLAYED = "portal_token_replayed"
    PORTAL_EMAIL_IN_USE = "portal_email_in_use"
    PORTAL_SIGN_IN_UNAVAILABLE = "portal_sign_in_unavailable"
    INVALID_REDIRECT_URL = "invalid_redirect_url"
    PORTAL_MANAGED = "portal_managed"
