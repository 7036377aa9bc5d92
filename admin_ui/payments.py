"""Payments as staff see them: every attempt with its ledger, read-only.

The list answers "where is this customer's money?": a payment charged but
attached to no order (the stock ran out, or the cart changed after paying) is
refunded automatically; if the refund failed, it shows here with its failed
ledger row, filtered by "Order: none".
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from admin_ui.common import ReadOnlyAdmin, ReadOnlyInline
from orders.models import Payment, PaymentTransaction


class LedgerInline(ReadOnlyInline):
    model = PaymentTransaction
    fields = ("created_at", "kind", "status", "amount", "psp_reference", "message", "actor")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "method", "amount", "status", "order", "psp_reference")
    list_filter = ("status", "method", ("order", admin.EmptyFieldListFilter))
    search_fields = ("psp_reference", "order__number", "order__email")
    list_select_related = ("order",)
    fields = ("created_at", "method", "amount", "currency", "status", "order", "psp_reference")
    readonly_fields = fields
    inlines = (LedgerInline,)
    verbose_name = _("payment")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("order")
