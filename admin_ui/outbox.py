"""The outbox in the administration: the side effects owed after a commit (e-mails,
invoice PDFs, AEAT submissions), which of them keep failing and why, and a way to
retry them at once once the cause is fixed (``shop.outbox.services.outbox_retry_now``)."""

from __future__ import annotations

from typing import cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from typing_extensions import override

from admin_ui.common import ReadOnlyAdmin
from shop.accounts.models import User
from shop.outbox.models import Message
from shop.outbox.services import outbox_retry_now


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    @override
    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("failing", str(_("Failing"))),
            ("pending", str(_("Pending"))),
            ("done", str(_("Done"))),
        ]

    @override
    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message]:
        pending = queryset.filter(done_at__isnull=True)
        match self.value():
            case "failing":
                return pending.exclude(last_error="")
            case "pending":
                return pending
            case "done":
                return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(Message)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("pk", "task", "created_at", "state", "attempts", "next_attempt_at", "error")
    list_filter = (StateFilter,)
    search_fields = ("task", "last_error")
    ordering = ("-pk",)
    fields = (
        "task",
        "kwargs",
        "created_at",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "done_at",
        "last_error",
    )
    readonly_fields = fields
    actions = ("retry_now",)

    @admin.display(description=_("state"))
    def state(self, message: Message) -> str:
        if message.done_at is not None:
            return str(_("Done"))
        return str(_("Failing") if message.last_error else _("Pending"))

    @admin.display(description=_("last error"))
    def error(self, message: Message) -> str:
        return message.last_error.splitlines()[0][:120] if message.last_error else ""

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("outbox.change_message")

    @admin.action(description=_("Retry the selected messages now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        count = outbox_retry_now(actor=cast(User, request.user), ids=ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d pending message will be retried now.",
                "%(count)d pending messages will be retried now.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
