"""Invoices and VERI*FACTU in the admin: invoices with their lines, tax lines, PDF
and records; the chain of records and its state; the submissions to the AEAT
with the answer to each record.

Invoices, records and answers are append-only, so nothing here edits them.
Staff act through the invoicing services, each action a page of its own:

- *Rectify* an invoice (``invoice_rectify_by_staff``) and *Exchange for a full
  invoice* (``invoice_exchange_full``): ``invoicing.add_invoice``;
- *Send pending records now* (``verifactu_submit_pending``) and *Correct the
  records accepted with errors* (``verifactu_record_correct``, a list action):
  ``invoicing.add_submission``.

The billing operator and the shop administrator hold both. Each action that did
something is written to the admin history with :func:`shop.audit.record_change`.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from admin_ui.billing import BillingPages
from admin_ui.common import ObjectAction, ObjectActionsAdmin, ReadOnlyAdmin, ReadOnlyInline
from admin_ui.order_forms import euros
from invoicing import selectors, services, services_staff
from invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceTaxLine,
    RecordAnswer,
    Submission,
    VerifactuRecord,
)
from invoicing.rendering import invoice_qr_url
from invoicing.services_submission import verifactu_submit_pending
from invoicing.submission.base import ChannelError
from shop.accounts.models import User
from shop.accounts.services import ADDRESS_FIELDS
from shop.audit import record_change


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)


def _with_registered(records: QuerySet[VerifactuRecord]) -> QuerySet[VerifactuRecord]:
    answers = RecordAnswer.objects.filter(record=OuterRef("pk"))
    return records.annotate(
        registered=Exists(answers.filter(status__in=RecordAnswer.REGISTERED)),
        with_errors=Exists(answers.filter(status=RecordAnswer.Status.ACCEPTED_WITH_ERRORS)),
        corrected=Exists(VerifactuRecord.objects.filter(corrects=OuterRef("pk"))),
    )


def _registered_label(record: VerifactuRecord) -> str:
    if getattr(record, "corrected", False):
        return gettext("Accepted with errors, corrected")
    if getattr(record, "with_errors", False):
        return gettext("Accepted with errors: to correct")
    if getattr(record, "registered", False):
        return gettext("Registered by the AEAT")
    return gettext("Pending")


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ("description", "quantity", "unit_price_gross", "tax_rate", "total_gross", "total_tax")
    readonly_fields = fields


class InvoiceTaxLineInline(ReadOnlyInline):
    model = InvoiceTaxLine
    fields = ("rate", "base", "tax")
    readonly_fields = fields


class RecordInline(ReadOnlyInline):
    model = VerifactuRecord
    fk_name = "invoice"
    fields = ("position", "kind", "generated_at", "huella", "state")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[VerifactuRecord]:
        return _with_registered(super().get_queryset(request))

    @admin.display(description=_("state"))
    def state(self, record: VerifactuRecord) -> str:
        return _registered_label(record)


# Forms


class RectifyForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to give back (IVA included)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Leave it empty to rectify everything still invoiced on the order."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea)
    # Made when the form is shown, so posting it twice issues one rectificativa.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice


class ExchangeForm(forms.Form):
    tax_id = forms.CharField(label=_("NIF, NIE or CIF"), max_length=20)
    name = forms.CharField(label=_("Name or company name"), max_length=120)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    street_address_1 = forms.CharField(label=_("Address"), max_length=200)
    street_address_2 = forms.CharField(label=_("Address (more)"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100)

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        billing = invoice.order.billing_address or {}
        for name in self.fields:
            if name in billing:
                self.fields[name].initial = billing[name]


class SendForm(forms.Form):
    """A confirmation: sending takes no input."""


@admin.register(Invoice)
class InvoiceAdmin(ObjectActionsAdmin):
    action_template = "admin_ui/invoicing/action.html"
    action_form_kwarg = "invoice"
    object_actions = (
        ObjectAction(
            "rectify",
            RectifyForm,
            title=_("Rectify invoice %(number)s"),
            submit=_("Issue the rectifying invoice"),
            intro=_(
                "A rectifying invoice by differences is issued for the order, with negative "
                "amounts per IVA rate; the invoice itself never changes. Refunds made from the "
                "order are rectified on their own: use this for anything else."
            ),
        ),
        ObjectAction(
            "exchange",
            ExchangeForm,
            title=_("Exchange invoice %(number)s for a full invoice"),
            submit=_("Issue the full invoice"),
            intro=_(
                "A full invoice (F3) naming the customer is issued in place of the order's "
                "simplified invoices, for exactly their amounts."
            ),
        ),
    )
    list_display = ("full_number", "kind", "order", "issued_at", "recipient_tax_id", "total")
    list_filter = ("kind", "issued_at")
    search_fields = ("full_number", "order__number", "recipient_tax_id", "recipient_name")
    list_select_related = ("order",)
    date_hierarchy = "issued_at"
    fields = (
        "full_number",
        "kind",
        "order",
        "issued_at",
        "operation_date",
        "issued_by",
        "language_code",
        "issuer_nif",
        "issuer_name",
        "recipient_tax_id",
        "recipient_name",
        "recipient_address",
        "total_net",
        "total_tax",
        "total_gross",
        "rectified_invoices",
        "rectification_type",
        "reason",
        "substituted_invoices",
        "description",
        "pdf_link",
        "verification_link",
    )
    readonly_fields = fields
    inlines = (InvoiceLineInline, InvoiceTaxLineInline, RecordInline)

    @admin.display(description=_("total"), ordering="total_gross")
    def total(self, invoice: Invoice) -> str:
        return euros(invoice.total_gross)

    @admin.display(description=_("rectifies"))
    def rectified_invoices(self, invoice: Invoice) -> str:
        return ", ".join(str(other) for other in invoice.rectifies.order_by("pk")) or "-"

    @admin.display(description=_("in place of"))
    def substituted_invoices(self, invoice: Invoice) -> str:
        return ", ".join(str(other) for other in invoice.substituted.order_by("pk")) or "-"

    @admin.display(description=_("PDF"))
    def pdf_link(self, invoice: Invoice) -> SafeString | str:
        url = selectors.invoice_pdf_url(invoice)
        if url is None:
            return gettext("Not drawn yet")
        return format_html('<a href="{}">{}</a>', url, f"{invoice.full_number}.pdf")

    @admin.display(description=_("AEAT verification"))
    def verification_link(self, invoice: Invoice) -> SafeString:
        url = invoice_qr_url(invoice)
        return format_html('<a href="{}" rel="noreferrer">{}</a>', url, url)

    def may_act(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(selectors.ISSUE_INVOICES))

    def object_tools(
        self, request: HttpRequest, invoice: Invoice
    ) -> list[tuple[str, str | Promise]]:
        if not self.may_act(request):
            return []
        tools: list[tuple[str, str | Promise]] = [
            (self.action_url("rectify", invoice), _("Rectify"))
        ]
        if invoice.kind == "F2":
            tools.append((self.action_url("exchange", invoice), _("Exchange for a full invoice")))
        return tools

    def _rectify(self, request: HttpRequest, invoice: Invoice, form: RectifyForm) -> str:
        rectification = services_staff.invoice_rectify_by_staff(
            actor=_operator(request),
            invoice=invoice,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            idempotency_key=str(form.cleaned_data["idempotency_key"]),
        )
        summary = gettext("Rectifying invoice %(number)s issued: %(total)s.") % {
            "number": rectification.full_number,
            "total": euros(rectification.total_gross),
        }
        messages.success(request, summary)
        return summary

    def _exchange(self, request: HttpRequest, invoice: Invoice, form: ExchangeForm) -> str:
        data = form.cleaned_data
        full = services.invoice_exchange_full(
            actor=_operator(request),
            order=invoice.order,
            tax_id=data["tax_id"],
            name=data["name"],
            address={name: data[name] for name in ADDRESS_FIELDS if name in data},
        )
        summary = gettext("Full invoice %(number)s issued in place of %(old)s.") % {
            "number": full.full_number,
            "old": invoice.full_number,
        }
        messages.success(request, summary)
        return summary


def _send(request: HttpRequest) -> Submission | None:
    """Run ``verifactu_submit_pending`` for the signed-in operator and say what it did."""
    try:
        outcome = verifactu_submit_pending(actor=_operator(request))
    except (ChannelError, OSError) as error:
        messages.error(
            request, gettext("The records could not be sent: %(error)s") % {"error": error}
        )
        return None
    if outcome.result == "sent" and outcome.submission is not None:
        submission = outcome.submission
        messages.success(
            request,
            gettext("Submission %(id)s sent: %(status)s.")
            % {"id": submission.pk, "status": submission.get_status_display()},
        )
        return submission
    if outcome.result == "waiting" and outcome.next_allowed_at is not None:
        messages.info(
            request,
            gettext("The AEAT asked to wait: the next submission goes from %(time)s.")
            % {"time": outcome.next_allowed_at.isoformat(timespec="seconds")},
        )
    elif outcome.result == "busy":
        messages.info(request, gettext("Another submission is being sent right now."))
    else:
        messages.info(request, gettext("No record is pending."))
    return None


class SendPages(BillingPages):
    """The "Send pending records now" page under a list."""

    def get_urls(self) -> list[Any]:
        return [self.page_url("send/", self.send_view, "send"), *super().get_urls()]

    def list_tools(self, request: HttpRequest) -> list[tuple[str, Any]]:
        if request.user.has_perm(selectors.SUBMIT_RECORDS):
            return [(self.url("send"), _("Send pending records now"))]
        return []

    def send_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(selectors.SUBMIT_RECORDS):
            raise PermissionDenied
        form = SendForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            submission = _send(request)
            if submission is not None:
                record_change(
                    actor=_operator(request),
                    obj=submission,
                    action="add",
                    message=gettext("Sent by hand."),
                )
                return HttpResponseRedirect(self.url_of(Submission, "change", submission.pk))
            return HttpResponseRedirect(self.url("changelist"))
        return self.form_page(
            request,
            form,
            title=_("Send pending records now"),
            submit=_("Send"),
            intro=_(
                "The records the AEAT has not registered yet go in the next submission, in "
                "chain order, unless the AEAT asked to wait. The same runs every minute on "
                "its own."
            ),
        )

    def url_of(self, model: Any, name: str, *args: Any) -> str:
        opts = model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )


@admin.register(VerifactuRecord)
class VerifactuRecordAdmin(SendPages, ReadOnlyAdmin):
    change_list_template = "admin_ui/invoicing/record_list.html"
    list_display = ("position", "kind", "invoice", "generated_at", "huella", "state")
    list_filter = ("kind",)
    search_fields = ("invoice__full_number", "huella")
    list_select_related = ("invoice",)
    fields = (
        "position",
        "kind",
        "invoice",
        "previous",
        "corrects",
        "generated_at",
        "huella",
        "state",
        "xml",
    )
    readonly_fields = fields
    actions = ("correct_records",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[VerifactuRecord]:
        return _with_registered(super().get_queryset(request))

    def has_submit_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(selectors.SUBMIT_RECORDS))

    @admin.action(
        description=_("Correct the records accepted with errors (subsanación)"),
        permissions=["submit"],
    )
    def correct_records(self, request: HttpRequest, queryset: QuerySet[VerifactuRecord]) -> None:
        for record in queryset.order_by("position"):
            try:
                correction = services.verifactu_record_correct(
                    actor=_operator(request), record=record
                )
            except ValidationError as error:
                messages.error(
                    request,
                    gettext("Record %(position)d: %(error)s")
                    % {"position": record.position, "error": " ".join(error.messages)},
                )
                continue
            summary = gettext("Record %(position)d corrected by record %(correction)d.") % {
                "position": record.position,
                "correction": correction.position,
            }
            record_change(actor=_operator(request), obj=correction, action="add", message=summary)
            messages.success(request, summary)

    @admin.display(description=_("state"))
    def state(self, record: VerifactuRecord) -> str:
        return _registered_label(record)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The list, with the state of the records it shows (each checked against
        the one before it) and the last full ``invoice_chain_verify``: walking
        the whole chain on every load took about a minute at 100,000 records."""
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context is None or "cl" not in context:
            return response  # a redirect (after an action) or an error page
        state = selectors.chain_page_state(context["cl"].result_list)
        if state.broken is None:
            summary = ngettext(
                "The record on this page holds against the one before it.",
                "All %(count)d records on this page hold against the ones before them.",
                state.checked,
            ) % {"count": state.checked}
        else:
            summary = gettext(
                "Chain broken at record %(position)d (invoice %(number)s): %(problem)s."
            ) % {
                "position": state.broken.position,
                "number": state.broken.invoice_number,
                "problem": state.broken.problem,
            }
        context["chain_state"] = state
        context["chain_summary"] = summary
        context["chain_last_run"] = _last_run_summary()
        return response


def _last_run_summary() -> str:
    run = selectors.last_chain_verification()
    if run is None:
        return gettext("The whole chain has not been verified yet (invoice_chain_verify).")
    when = run.checked_at.isoformat(timespec="seconds")
    if run.broken_position is None:
        return gettext(
            "Last full verification (invoice_chain_verify) at %(when)s: %(count)d records, "
            "chain valid."
        ) % {"when": when, "count": run.records}
    return gettext(
        "Last full verification (invoice_chain_verify) at %(when)s: broken at record "
        "%(position)d (invoice %(number)s): %(problem)s."
    ) % {
        "when": when,
        "position": run.broken_position,
        "number": run.broken_invoice,
        "problem": run.problem,
    }


class AnswerInline(ReadOnlyInline):
    model = RecordAnswer
    fields = ("record", "status", "error_code", "error_text", "duplicate", "after_rejection")
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(SendPages, ReadOnlyAdmin):
    list_display = ("pk", "adapter", "sent_at", "status", "record_count", "csv", "wait_seconds")
    list_filter = ("status", "adapter")
    search_fields = ("csv", "reference")
    fields = (
        "adapter",
        "sent_at",
        "actor",
        "status",
        "incident",
        "csv",
        "wait_seconds",
        "error_code",
        "error",
        "reference",
        "answered_at",
        "request",
        "answer",
    )
    readonly_fields = fields
    inlines = (AnswerInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return super().get_queryset(request).annotate(record_total=Count("records"))

    @admin.display(description=_("records"), ordering="record_total")
    def record_count(self, submission: Submission) -> int:
        return int(getattr(submission, "record_total", 0))
