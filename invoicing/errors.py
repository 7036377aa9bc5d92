from __future__ import annotations

import enum


class InvoicingErrorCode(enum.StrEnum):
    INVALID = "invalid"
    INVALID_TAX_ID = "invalid_tax_id"
