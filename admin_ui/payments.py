"""Payments as staff see them: every attempt with its ledger, read-only.

The list answers "where is this customer's money?": a payment charged but
attached to no order (the stock ran out, the cart changed after paying, its
cart went with its account) is given back automatically. When that failed --
the provider refused the refund, or did not answer and the retry task is still
trying -- the payment is "to give back" (``orders.selectors.payments_to_give_back``)
and staff may retry it at once with the action, through the same service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from typing_extensions import override

from admin_ui.common import ReadOnlyAdmin, ReadOnlyInline, actor
from orders.models import Payment, PaymentTransaction
from orders.selectors import payments_to_give_back
from orders.services.give_backs import payments_give_back_retry

# Who may refund an order (the order manager) may give back a payment no order uses.
GIVE_BACK_PERMISSION = "orders.change_order"
GIVE_BACK_FIELDS = ("give_back_attempts", "give_back_retry_at", "give_back_error")
# What staff are told of a retry: a field of ``GiveBackRetry``, its message, its level.
OUTCOMES = (
    (
        "given_back",
        ngettext_lazy("%(count)d payment given back.", "%(count)d payments given back.", "count"),
        messages.SUCCESS,
    ),
    (
        "failed",
        ngettext_lazy(
            "%(count)d payment could not be given back: see its error.",
            "%(count)d payments could not be given back: see their errors.",
            "count",
        ),
        messages.ERROR,
    ),
    (
        "skipped",
        ngettext_lazy(
            "%(count)d payment had nothing to give back.",
            "%(count)d payments had nothing to give back.",
            "count",
        ),
        messages.WARNING,
    ),
)


class LedgerInline(ReadOnlyInline):
    model = PaymentTransaction
    fields = ("created_at", "kind", "status", "amount", "psp_reference", "message", "actor")
    readonly_fields = fields


class GiveBackFilter(admin.SimpleListFilter):
    title = _("give-back")
    parameter_name = "give_back"

    @override
    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [
            ("due", _("To give back")),
            ("retrying", _("Retry scheduled")),
            ("staff", _("Left to staff")),
        ]

    @override
    def queryset(self, request: HttpRequest, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        pending = queryset.filter(pk__in=payments_to_give_back().values("pk"))
        match self.value():
            case "due":
                return pending
            case "retrying":
                return pending.filter(give_back_retry_at__isnull=False)
            case "staff":
                return pending.filter(give_back_retry_at__isnull=True)
        return queryset


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "method",
        "amount",
        "status",
        "order",
        "psp_reference",
        *GIVE_BACK_FIELDS,
    )
    list_filter = (GiveBackFilter, "status", "method", ("order", admin.EmptyFieldListFilter))
    search_fields = ("psp_reference", "order__number", "order__email")
    list_select_related = ("order",)
    fields = (
        "created_at",
        "method",
        "amount",
        "currency",
        "status",
        "order",
        "psp_reference",
        *GIVE_BACK_FIELDS,
    )
    readonly_fields = fields
    inlines = (LedgerInline,)
    verbose_name = _("payment")
    actions = ("retry_give_back",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("order")

    def has_give_back_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(GIVE_BACK_PERMISSION)

    @admin.action(
        description=_("Retry giving back the selected payments"), permissions=["give_back"]
    )
    def retry_give_back(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        outcome = payments_give_back_retry(actor=actor(request), ids=ids)
        for field, message, level in OUTCOMES:
            count = getattr(outcome, field)
            if count:
                self.message_user(request, message % {"count": count}, level)
