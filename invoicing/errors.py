from __future__ import annotations

import enum


class InvoicingErrorCode(enum.StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    INVALID_TAX_ID = "invalid_tax_id"
    # invoice_exchange_full: the order has no simplified invoice to exchange, or
    # has a full one (F1, or an F3 already) that needs no exchange.
    NO_SIMPLIFIED_INVOICE = "no_simplified_invoice"
    ALREADY_FULL = "already_full"
    # invoice_record_cancel: the invoice's record was cancelled already.
    ALREADY_CANCELLED = "already_cancelled"
    # verifactu_record_correct: only an alta the AEAT accepted with errors is
    # corrected, once.
    NOT_ACCEPTED_WITH_ERRORS = "not_accepted_with_errors"
    ALREADY_CORRECTED = "already_corrected"
