"""Administration of claims: a queue (claims still to handle first, oldest
first), a read-only claim page with the claimed lines, the thread with its
photos and the history, and the actions staff take -- answer, put in review,
reject, resolve (refund, replacement or no action).

As with orders (see :mod:`admin_ui.orders`), frozen data is never edited here:
each action is a small form under the claim's URL that calls one service from
:mod:`orders.services.claims`, needs ``orders.change_claim``, shows a
service's ``ValidationError`` as an error message (changing nothing) and is
written to the admin history with :func:`shop.audit.record_change`.

Photos are private: the claim page shows them through :meth:`ClaimAdmin.photo_view`,
which checks ``orders.view_claim`` on every request, never through the public
signed links the API hands to customers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admin_ui.common import ObjectAction, ObjectActionsAdmin, ReadOnlyInline
from admin_ui.order_forms import euros
from orders.models import Claim, ClaimAttachment, ClaimEvent, ClaimLine, ClaimMessage
from orders.selectors import payment_balance
from orders.services import claims as services
from orders.views import claim_photo_response
from shop.money import CENT

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Status = Claim.Status
Resolution = Claim.Resolution
CLOSED = (Status.RESOLVED, Status.REJECTED)
VIEW_PERMISSION = "orders.view_claim"
CHANGE_PERMISSION = "orders.change_claim"
THUMBNAIL_PIXELS = 160


# Read-only inlines


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine
    fields = ("product", "sku", "quantity", "bought")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClaimLine]:
        return super().get_queryset(request).select_related("order_line")

    @admin.display(description=_("product"))
    def product(self, row: ClaimLine) -> str:
        line = row.order_line
        return (
            f"{line.product_name} ({line.variant_name})" if line.variant_name else line.product_name
        )

    @admin.display(description=_("SKU"))
    def sku(self, row: ClaimLine) -> str:
        return row.order_line.sku

    @admin.display(description=_("bought"))
    def bought(self, row: ClaimLine) -> int:
        return row.order_line.quantity


class ClaimMessageInline(ReadOnlyInline):
    model = ClaimMessage
    fields = ("created_at", "sender", "body", "photos")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClaimMessage]:
        return (
            super().get_queryset(request).select_related("author").prefetch_related("attachments")
        )

    @admin.display(description=_("written by"))
    def sender(self, message: ClaimMessage) -> str:
        who = gettext("The shop") if message.from_staff else gettext("The customer")
        return f"{who} ({message.author.email})" if message.author else who

    @admin.display(description=_("photos"))
    def photos(self, message: ClaimMessage) -> SafeString | str:
        """Each photo as a thumbnail linking to the full image, both served by
        :meth:`ClaimAdmin.photo_view`."""
        rows = []
        for index, attachment in enumerate(message.attachments.all(), start=1):
            url = reverse(
                "admin:orders_claim_photo",
                args=[message.claim_id, attachment.pk],
                current_app=self.admin_site.name,
            )
            scale = min(1.0, THUMBNAIL_PIXELS / max(attachment.width, attachment.height, 1))
            rows.append(
                (
                    url,
                    url,
                    gettext("Photo %(number)d") % {"number": index},
                    max(1, round(attachment.width * scale)),
                    max(1, round(attachment.height * scale)),
                )
            )
        html = format_html_join(
            " ", '<a href="{}"><img src="{}" alt="{}" width="{}" height="{}"></a>', rows
        )
        return html or "-"


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ("created_at", "type", "actor", "message", "details")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClaimEvent]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("details"))
    def details(self, event: ClaimEvent) -> str:
        return ", ".join(f"{key}: {value}" for key, value in event.data.items())


# Action forms


class ClaimActionForm(forms.Form):
    """The input of one action on ``claim``."""

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claim = claim


def _message(help_text: StrOrPromise) -> forms.CharField:
    """The text a step sends the customer, ``help_text`` saying when they see it."""
    return forms.CharField(
        label=_("Message"), max_length=services.MAX_TEXT, widget=forms.Textarea, help_text=help_text
    )


class AnswerForm(ClaimActionForm):
    message = _message(_("The customer sees it with the claim and receives it by e-mail."))


class ReviewForm(ClaimActionForm):
    pass


class RejectForm(ClaimActionForm):
    message = _message(_("Tell the customer why: they receive it by e-mail."))


class ResolveForm(ClaimActionForm):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        widget=forms.RadioSelect,
        choices=[
            (Resolution.REFUND, _("Refund an amount through the route the order was paid")),
            (Resolution.REPLACEMENT, _("Send the claimed items again in a new order at no cost")),
            (Resolution.NONE, _("No action")),
        ],
    )
    refund_amount = forms.DecimalField(
        label=_("Amount to refund (€)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=CENT,
    )
    message = _message(_("The customer receives it by e-mail with the resolution."))

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        self.fields["refund_amount"].help_text = gettext(
            "Only for a refund: at most %(amount)s (paid and not yet refunded)."
        ) % {"amount": euros(payment_balance(claim.order).refundable)}


# Claims


# What rejecting and resolving both do.
CLOSES = _("The claim is closed and the customer is e-mailed. This cannot be undone.")


@admin.register(Claim)
class ClaimAdmin(ObjectActionsAdmin):
    action_template = "admin_ui/claims/action.html"
    action_form_kwarg = "claim"
    object_actions = (
        ObjectAction(
            "answer",
            AnswerForm,
            title=_("Answer claim %(number)s"),
            submit=_("Send the answer"),
        ),
        ObjectAction(
            "review",
            ReviewForm,
            title=_("Put claim %(number)s in review"),
            submit=_("Put in review"),
            intro=_("The claim shows as in review; the customer is not e-mailed."),
        ),
        ObjectAction(
            "reject",
            RejectForm,
            title=_("Reject claim %(number)s"),
            submit=_("Reject the claim"),
            intro=CLOSES,
        ),
        ObjectAction(
            "resolve",
            ResolveForm,
            title=_("Resolve claim %(number)s"),
            submit=_("Resolve the claim"),
            intro=CLOSES,
        ),
    )
    actions = None
    list_display = ("number", "order_number", "customer_email", "reason", "status", "age")
    list_filter = ("status", "reason")
    search_fields = ("number", "order__number", "order__email")
    list_select_related = ("order",)
    # The queue: claims still to handle first, the oldest on top.
    ordering = (
        Case(When(status__in=CLOSED, then=Value(1)), default=Value(0)).asc(),
        "created_at",
        "pk",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "order",
                    "customer_email",
                    "user",
                    "reason",
                    "status",
                    "created_at",
                    "age",
                    "description",
                )
            },
        ),
        (
            _("Resolution"),
            {
                "fields": (
                    "resolution",
                    "refund",
                    "replacement_order",
                    "resolved_at",
                    "refundable",
                )
            },
        ),
    )
    # Every change goes through an action, with its service.
    readonly_fields = tuple(flatten_fieldsets(fieldsets))
    inlines = (ClaimLineInline, ClaimMessageInline, ClaimEventInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).select_related("order", "user", "replacement_order")

    # Columns and fields

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, claim: Claim) -> str:
        return str(claim.order)

    @admin.display(description=_("customer e-mail"), ordering="order__email")
    def customer_email(self, claim: Claim) -> str:
        return claim.order.email

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, claim: Claim) -> str:
        """How long ago the claim was opened, e.g. "3 days"."""
        return timesince(claim.created_at, timezone.now(), depth=1)

    @admin.display(description=_("refunded"))
    def refund(self, claim: Claim) -> str:
        return euros(claim.refund_amount) if claim.refund_amount is not None else "-"

    @admin.display(description=_("refundable"))
    def refundable(self, claim: Claim) -> str:
        return euros(payment_balance(claim.order).refundable)

    # Pages

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        photos = path(
            "<path:object_id>/photos/<int:attachment_id>/",
            self.admin_site.admin_view(self.photo_view),
            name=f"{info[0]}_{info[1]}_photo",
        )
        return [photos, *super().get_urls()]

    def action_context(self, obj: Claim) -> dict[str, Any]:
        return {
            "claim_lines": obj.lines.select_related("order_line"),
            "refundable": euros(payment_balance(obj.order).refundable),
        }

    def object_tools(self, request: HttpRequest, claim: Claim) -> list[tuple[str, str | Promise]]:
        if not self.may_act(request):
            return []
        allowed = services.CLAIM_TRANSITIONS[Status(claim.status)]
        return [
            (self.action_url(name, claim), label)
            for name, label, shown in (
                ("answer", _("Answer"), bool(allowed)),
                ("review", _("Put in review"), Status.IN_REVIEW in allowed),
                ("reject", _("Reject"), Status.REJECTED in allowed),
                ("resolve", _("Resolve"), Status.RESOLVED in allowed),
            )
            if shown
        ]

    def photo_view(self, request: HttpRequest, object_id: str, attachment_id: int) -> FileResponse:
        """Stream a photo of the claim's thread to staff who may view claims."""
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        claim = self.get_object(request, unquote(object_id))
        attachment = (
            ClaimAttachment.objects.filter(pk=attachment_id, message__claim=claim).first()
            if claim is not None
            else None
        )
        if attachment is None:
            raise Http404
        return claim_photo_response(attachment)

    def _answer(self, request: HttpRequest, claim: Claim, form: AnswerForm) -> str:
        body = form.cleaned_data["message"]
        services.claim_message_add(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            body=body,
            from_staff=True,
        )
        messages.success(request, gettext("The answer was sent to the customer."))
        return gettext("Answered: %(message)s") % {"message": body}

    def _review(self, request: HttpRequest, claim: Claim, _form: ReviewForm) -> str:
        services.claim_update_status(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            status=Status.IN_REVIEW,
        )
        messages.success(request, gettext("The claim is in review."))
        return gettext("Put in review.")

    def _reject(self, request: HttpRequest, claim: Claim, form: RejectForm) -> str:
        body = form.cleaned_data["message"]
        services.claim_update_status(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            status=Status.REJECTED,
            message=body,
        )
        messages.success(request, gettext("The claim was rejected."))
        return gettext("Rejected: %(message)s") % {"message": body}

    def _resolve(self, request: HttpRequest, claim: Claim, form: ResolveForm) -> str:
        resolution = form.cleaned_data["resolution"]
        body = form.cleaned_data["message"]
        claim = services.claim_resolve(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            resolution=resolution,
            message=body,
            refund_amount=(
                form.cleaned_data["refund_amount"] if resolution == Resolution.REFUND else None
            ),
        )
        if claim.refund_amount is not None:
            done = gettext("Resolved with a refund of %(amount)s.") % {
                "amount": euros(claim.refund_amount)
            }
        elif claim.replacement_order is not None:
            done = gettext("Resolved with the replacement order %(number)s.") % {
                "number": claim.replacement_order
            }
        else:
            done = gettext("Resolved with no action.")
        messages.success(request, done)
        return f"{done} {body}"
