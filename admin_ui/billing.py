"""Water-bill billing in the admin: the contract mirror, who may charge to which
contract, the bill-charge ledger, and the billing cycle operators run from here.

The rows come from the shop's own services and the billing system, so staff
read them; they never edit them. The cycle is a few pages, each calling one
service of :mod:`billing_bridge.services_exchange`:

- *Export charges due* (export batches list): ``bill_cycle_export``;
- *Import an acknowledgement file* (acknowledgement files list): ``bill_ack_import``;
- *Close* and *Rewrite files* (send again) on a batch: ``bill_batch_close``,
  ``bill_batch_send``;
- *Cycles* (the batches sharing a cut-off) and each cycle's reconciliation report;
- *Billing events*: who exported, sent, imported, closed, refreshed, terminated
  or linked what, whether from here, a command or a scheduled task.

Each action needs its permission (``billing_bridge.export_batch``,
``import_ackfile``, ``close_batch``: the billing operator and the shop
administrator hold them), shows a refusal as an error and is written to the
admin history with :func:`shop.audit.record_change`. The cycle pages need
``view_exportbatch``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from admin_ui.common import ObjectAction, ObjectActionsAdmin, ReadOnlyAdmin, ReadOnlyInline
from admin_ui.order_forms import euros
from billing_bridge import selectors, services_exchange
from billing_bridge.errors import BillingErrorCode
from billing_bridge.exchange.base import ACK_COLUMNS, ExchangeError
from billing_bridge.models import (
    AckFile,
    BillCharge,
    BillingEvent,
    ContractLink,
    ExportBatch,
    QuarantinedLine,
    SupplyContract,
)
from billing_bridge.services_exchange import ReconcileReport, bill_reconcile
from shop.accounts.models import User
from shop.audit import record_change
from shop.money import quantize

EXPORT_PERMISSION = "billing_bridge.export_batch"
CLOSE_PERMISSION = "billing_bridge.close_batch"
IMPORT_PERMISSION = "billing_bridge.import_ackfile"
MAX_ACK_FILE_BYTES = 20 * 1024 * 1024
CYCLES_PER_PAGE = 50
BatchStatus = ExportBatch.Status


def _operator(request: HttpRequest) -> User:
    """The signed-in staff member: ``admin_view`` lets nobody else through."""
    return cast(User, request.user)


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _short_date(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@admin.register(SupplyContract)
class SupplyContractAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "holder_name",
        "status",
        "has_unpaid_bills",
        "next_cutoff",
        "credit_limit",
        "credit_left",
    )
    list_filter = ("status", "has_unpaid_bills")
    search_fields = ("number", "holder_name", "supply_address")

    @admin.display(description=_("credit left"))
    def credit_left(self, contract: SupplyContract) -> str:
        return f"{selectors.credit_left(contract)} €"


@admin.register(ContractLink)
class ContractLinkAdmin(ReadOnlyAdmin):
    list_display = ("contract", "user", "source", "created_at")
    list_filter = ("source",)
    search_fields = ("contract__number", "user__email")
    list_select_related = ("contract", "user")


@admin.register(BillCharge)
class BillChargeAdmin(ReadOnlyAdmin):
    list_display = (
        "contract",
        "order",
        "kind",
        "sequence",
        "installments",
        "amount",
        "due_cutoff",
        "status",
        "bill_number",
    )
    list_filter = ("status", "kind", "due_cutoff")
    search_fields = ("contract__number", "payment__order__number", "bill_number")
    list_select_related = ("contract", "payment__order")
    date_hierarchy = "due_cutoff"

    @admin.display(description=_("order"))
    def order(self, charge: BillCharge) -> str:
        return str(charge.payment.order) if charge.payment.order else "-"


@admin.register(BillingEvent)
class BillingEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "object_repr", "actor", "details")
    list_filter = ("action", ("actor", admin.EmptyFieldListFilter))
    list_select_related = ("actor",)
    search_fields = ("object_repr", "actor__email")
    date_hierarchy = "created_at"

    @admin.display(description=_("details"))
    def details(self, event: BillingEvent) -> str:
        return ", ".join(f"{key}: {value}" for key, value in event.data.items())


# Forms


class ExportForm(forms.Form):
    cutoff = forms.DateField(
        label=_("Bill cut-off"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Every pending charge due on or before this date goes into one new batch."),
    )


class AckImportForm(forms.Form):
    file = forms.FileField(
        label=_("Acknowledgement file"),
        help_text=_("The CSV file the billing system sent back for a batch."),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        size = upload.size or 0
        if size > MAX_ACK_FILE_BYTES:
            raise ValidationError(
                gettext("The file is %(size)s; files of up to %(limit)s can be imported.")
                % {
                    "size": filesizeformat(size),
                    "limit": filesizeformat(MAX_ACK_FILE_BYTES),
                },
                code="too_large",
            )
        return upload


class BatchActionForm(forms.Form):
    """A confirmation: the actions on a batch take no input."""

    def __init__(self, *args: Any, batch: ExportBatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch


# Pages


class BillingPages(admin.ModelAdmin):
    """Pages under a model's list (``<app>/<model>/<route>``) with the admin's
    navigation, and the buttons on that list."""

    change_list_template = "admin_ui/billing/change_list.html"

    def page_url(self, route: str, view: Callable[..., HttpResponse], name: str) -> URLPattern:
        return path(route, self.admin_site.admin_view(view), name=self._url_name(name))

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"admin:{self._url_name(name)}", args=args, current_app=self.admin_site.name)

    def _url_name(self, name: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{name}"

    def list_tools(self, _request: HttpRequest) -> list[tuple[str, str | Promise]]:
        return []

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "billing_tools": self.list_tools(request)}
        return super().changelist_view(request, context)

    def render_page(
        self, request: HttpRequest, template: str, context: dict[str, Any]
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "changelist_url": self.url("changelist"),
                **context,
            },
        )

    def form_page(
        self,
        request: HttpRequest,
        form: forms.Form,
        *,
        title: str | Promise,
        submit: str | Promise,
        intro: str | Promise,
    ) -> TemplateResponse:
        return self.render_page(
            request,
            "admin_ui/billing/form.html",
            {"title": title, "intro": intro, "form": form, "submit_label": submit},
        )


def _cycles() -> QuerySet[ExportBatch, Any]:
    """One row per cut-off: its batches, charges, total and how many batches
    still wait for answers or are reconciled."""
    return (
        ExportBatch.objects.order_by()
        .values("cutoff")
        .annotate(
            batches=Count("pk"),
            charges=Sum("count"),
            total=Sum("total"),
            waiting=Count("pk", filter=Q(status=BatchStatus.EXPORTED)),
            unsent=Count("pk", filter=Q(sent_at__isnull=True)),
            reconciled=Count("pk", filter=Q(status=BatchStatus.RECONCILED)),
        )
        .order_by("-cutoff")
    )


def _cycle_status(row: dict[str, Any]) -> BatchStatus:
    """A cycle is as far along as its least advanced batch."""
    if row["waiting"]:
        return BatchStatus.EXPORTED
    if row["reconciled"] == row["batches"]:
        return BatchStatus.RECONCILED
    return BatchStatus.ACKNOWLEDGED


def _figures(batch: ExportBatch) -> dict[str, Any]:
    return {
        "number": batch.number,
        "count": batch.count,
        "cutoff": _short_date(batch.cutoff),
        "total": euros(batch.total),
    }


def _tallies(report: ReconcileReport) -> list[tuple[Promise, int, str]]:
    # A context of their own: as table headings they need not agree with a status.
    return [
        (label, tally.count, euros(tally.total))
        for label, tally in (
            (pgettext_lazy("reconciliation", "Exported"), report.exported),
            (pgettext_lazy("reconciliation", "Accepted"), report.accepted),
            (pgettext_lazy("reconciliation", "Rejected"), report.rejected),
            (pgettext_lazy("reconciliation", "In flight"), report.in_flight),
        )
    ]


@admin.register(ExportBatch)
class ExportBatchAdmin(BillingPages, ObjectActionsAdmin):
    action_template = "admin_ui/billing/action.html"
    action_form_kwarg = "batch"
    object_actions = (
        ObjectAction(
            "close",
            BatchActionForm,
            title=_("Close batch %(number)s"),
            submit=_("Yes, mark it reconciled"),
            intro=_(
                "A batch is closed once the billing system answered each of its charges and "
                "its figures balance. This cannot be undone."
            ),
            permission=CLOSE_PERMISSION,
        ),
        ObjectAction(
            "rewrite",
            BatchActionForm,
            title=_("Send the files of batch %(number)s"),
            submit=_("Send the files"),
            intro=_(
                "For files that were lost or a batch that could not be sent: the batch goes to "
                "the billing system again, byte for byte as the first time and under the same "
                "number. No charge changes."
            ),
            permission=EXPORT_PERMISSION,
        ),
    )
    list_display = (
        "number",
        "cutoff",
        "count",
        "total",
        "status",
        "created_at",
        "created_by",
        "sent_at",
    )
    list_filter = ("status", "cutoff")
    search_fields = ("number",)
    fields = (
        "number",
        "cutoff",
        "file_name",
        "sha256",
        "count",
        "total",
        "status",
        "created_at",
        "created_by",
        "sent_at",
        "reconciled_at",
        "reconciled_by",
        "reconciliation",
    )
    readonly_fields = fields

    @admin.display(description=_("reconciliation"))
    def reconciliation(self, batch: ExportBatch) -> str:
        report = bill_reconcile(batch=batch)
        summary = gettext(
            "Exported %(exported)s = accepted %(accepted)s + rejected %(rejected)s "
            "+ in flight %(in_flight)s."
        ) % {
            "exported": f"{report.exported.count} / {euros(report.exported.total)}",
            "accepted": f"{report.accepted.count} / {euros(report.accepted.total)}",
            "rejected": f"{report.rejected.count} / {euros(report.rejected.total)}",
            "in_flight": f"{report.in_flight.count} / {euros(report.in_flight.total)}",
        }
        if report.balanced:
            return summary + " " + gettext("Balanced.")
        return (
            summary
            + " "
            + gettext("Differences: %(list)s") % {"list": "; ".join(report.differences)}
        )

    def may_act(self, request: HttpRequest) -> bool:
        # The floor for both actions; each view first checks its own permission.
        return bool(
            request.user.has_perm(CLOSE_PERMISSION) or request.user.has_perm(EXPORT_PERMISSION)
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            self.page_url("export/", self.export_view, "export"),
            self.page_url("cycles/", self.cycles_view, "cycles"),
            self.page_url("cycles/<str:cutoff>/", self.cycle_view, "cycle"),
            *super().get_urls(),
        ]

    def list_tools(self, request: HttpRequest) -> list[tuple[str, str | Promise]]:
        tools: list[tuple[str, str | Promise]] = []
        if request.user.has_perm(EXPORT_PERMISSION):
            tools.append((self.url("export"), _("Export charges due")))
        tools.append((self.url("cycles"), _("Cycles and reconciliation")))
        return tools

    def object_tools(
        self, request: HttpRequest, batch: ExportBatch
    ) -> list[tuple[str, str | Promise]]:
        tools: list[tuple[str, str | Promise]] = []
        # Closing can only succeed once every charge is answered.
        if batch.status == BatchStatus.ACKNOWLEDGED and request.user.has_perm(CLOSE_PERMISSION):
            tools.append((self.action_url("close", batch), _("Close (mark reconciled)")))
        if request.user.has_perm(EXPORT_PERMISSION):
            label = _("Send the files") if batch.sent_at is None else _("Rewrite files")
            tools.append((self.action_url("rewrite", batch), label))
        tools.append((self.url("cycle", batch.cutoff.isoformat()), _("Cycle reconciliation")))
        return tools

    def action_context(self, obj: ExportBatch) -> dict[str, Any]:
        return {"reconciliation": self.reconciliation(obj)}

    # Export

    def export_view(self, request: HttpRequest) -> HttpResponse:
        _require(request, EXPORT_PERMISSION)
        form = ExportForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            cutoff = form.cleaned_data["cutoff"]
            last = ExportBatch.objects.aggregate(last=Max("pk"))["last"] or 0
            try:
                batch = services_exchange.bill_cycle_export(cutoff=cutoff, actor=_operator(request))
            except (ExchangeError, OSError) as error:
                messages.error(
                    request,
                    gettext("The billing system could not take the batch: %(error)s")
                    % {"error": error},
                )
                if (claimed := self._claimed_unsent(request, after=last)) is not None:
                    return HttpResponseRedirect(self.action_url("change", claimed))
            else:
                if batch is None:
                    messages.info(
                        request,
                        gettext("Nothing is due by %(cutoff)s: no batch was created.")
                        % {"cutoff": _short_date(cutoff)},
                    )
                    return HttpResponseRedirect(self.url("changelist"))
                summary = ngettext(
                    "Batch %(number)s exported: %(count)d charge due by %(cutoff)s, %(total)s.",
                    "Batch %(number)s exported: %(count)d charges due by %(cutoff)s, %(total)s.",
                    batch.count,
                ) % _figures(batch)
                record_change(actor=_operator(request), obj=batch, action="add", message=summary)
                messages.success(request, summary)
                return HttpResponseRedirect(self.action_url("change", batch))
        return self.form_page(
            request,
            form,
            title=_("Export charges due"),
            submit=_("Export"),
            intro=_(
                "The pending charges due by the cut-off are written as one batch for the "
                "billing system. Each charge is exported once: running it again only picks "
                "up charges that became due since, after sending any batch that could not be "
                "sent before."
            ),
        )

    def _claimed_unsent(self, request: HttpRequest, *, after: int) -> ExportBatch | None:
        """The batch this export claimed before sending failed, if it got that
        far: it keeps its charges and is sent by the next export or from its page."""
        operator = _operator(request)
        batch = ExportBatch.objects.filter(pk__gt=after, created_by=operator).order_by("pk").first()
        if batch is None:
            return None
        summary = ngettext(
            "Batch %(number)s holds %(count)d charge due by %(cutoff)s, %(total)s, and is not "
            "sent yet: the next export sends it, or send it now from its page.",
            "Batch %(number)s holds %(count)d charges due by %(cutoff)s, %(total)s, and is not "
            "sent yet: the next export sends it, or send it now from its page.",
            batch.count,
        ) % _figures(batch)
        record_change(actor=operator, obj=batch, action="add", message=summary)
        messages.warning(request, summary)
        return batch

    # Batch actions

    def _close(
        self, request: HttpRequest, batch: ExportBatch, _form: BatchActionForm
    ) -> str | None:
        if batch.status == BatchStatus.RECONCILED:
            messages.info(
                request,
                gettext("Batch %(number)s was already reconciled.") % {"number": batch.number},
            )
            return None
        services_exchange.bill_batch_close(batch=batch, actor=_operator(request))
        messages.success(
            request, gettext("Batch %(number)s is reconciled.") % {"number": batch.number}
        )
        return gettext("Closed: marked reconciled.")

    def _rewrite(self, request: HttpRequest, batch: ExportBatch, _form: BatchActionForm) -> str:
        try:
            services_exchange.bill_batch_send(actor=_operator(request), batch=batch)
        except (ExchangeError, OSError) as error:
            raise ValidationError(
                gettext("The billing system could not take the batch: %(error)s") % {"error": error}
            ) from error
        messages.success(
            request,
            gettext("Batch %(number)s was sent to the billing system.") % {"number": batch.number},
        )
        return gettext("Files sent to the billing system.")

    # Cycles

    def cycles_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(_cycles(), CYCLES_PER_PAGE).get_page(request.GET.get("page"))
        rows = [
            {
                "cutoff": row["cutoff"],
                "url": self.url("cycle", row["cutoff"].isoformat()),
                "batches": row["batches"],
                "charges": row["charges"],
                "total": euros(quantize(row["total"])),  # SQLite sums with extra digits
                "status": _cycle_status(row).label,
                "unsent": row["unsent"],
            }
            for row in page
        ]
        return self.render_page(
            request,
            "admin_ui/billing/cycles.html",
            {"title": _("Billing cycles"), "page": page, "cycles": rows},
        )

    def cycle_view(self, request: HttpRequest, cutoff: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            day = date.fromisoformat(cutoff)
        except ValueError:
            raise Http404 from None
        batches = list(ExportBatch.objects.filter(cutoff=day).order_by("number"))
        if not batches:
            raise Http404
        report = bill_reconcile(cutoff=day)
        return self.render_page(
            request,
            "admin_ui/billing/cycle.html",
            {
                "title": gettext("Reconciliation of the cycle of %(cutoff)s")
                % {"cutoff": _short_date(day)},
                "cycles_url": self.url("cycles"),
                "tallies": _tallies(report),
                "report": report,
                "batches": [
                    (self.action_url("change", batch), batch, euros(batch.total))
                    for batch in batches
                ],
            },
        )


class QuarantineInline(ReadOnlyInline):
    model = QuarantinedLine
    fields = ("line_number", "raw", "reason")
    readonly_fields = fields


@admin.register(AckFile)
class AckFileAdmin(BillingPages, ReadOnlyAdmin):
    list_display = (
        "file_name",
        "imported_at",
        "imported_by",
        "lines",
        "accepted",
        "rejected",
        "settled",
        "quarantined",
    )
    search_fields = ("file_name", "sha256")
    fields = (*list_display, "sha256")
    readonly_fields = fields
    inlines = (QuarantineInline,)

    def get_urls(self) -> list[URLPattern]:
        return [self.page_url("import/", self.import_view, "import"), *super().get_urls()]

    def list_tools(self, request: HttpRequest) -> list[tuple[str, str | Promise]]:
        if request.user.has_perm(IMPORT_PERMISSION):
            return [(self.url("import"), _("Import an acknowledgement file"))]
        return []

    def import_view(self, request: HttpRequest) -> HttpResponse:
        _require(request, IMPORT_PERMISSION)
        if request.method == "POST":
            form = AckImportForm(request.POST, request.FILES)
            if form.is_valid() and (ack := self._import(request, form)) is not None:
                return HttpResponseRedirect(self.url("change", ack.pk))
        else:
            form = AckImportForm()
        return self.form_page(
            request,
            form,
            title=_("Import an acknowledgement file"),
            submit=_("Import"),
            intro=_(
                "Each line marks a charge accepted (with its bill number) or rejected. Lines "
                "that cannot be applied are quarantined for you to review. A file already "
                "imported changes nothing."
            ),
        )

    def _import(self, request: HttpRequest, form: AckImportForm) -> AckFile | None:
        """Import the uploaded file under its own name; None (with the error on
        the form) when the service refused it."""
        upload = form.cleaned_data["file"]
        started = timezone.now()
        with tempfile.TemporaryDirectory(prefix="ack-") as directory:
            # The service records the file's name: keep the one it was uploaded with.
            path = Path(directory) / (Path(upload.name or "").name or "acknowledgement.csv")
            with path.open("wb") as stream:
                for chunk in upload.chunks():
                    stream.write(chunk)
            try:
                ack = services_exchange.bill_ack_import(path=path, actor=_operator(request))
            except ValidationError as error:
                form.add_error("file", self._refusal(error))
                return None
        # The service hands back the first import of the same content.
        if ack.imported_at < started:
            messages.warning(
                request,
                gettext("This file was already imported on %(date)s as %(name)s: nothing changed.")
                % {
                    "date": formats.date_format(
                        timezone.localtime(ack.imported_at), "SHORT_DATETIME_FORMAT"
                    ),
                    "name": ack.file_name,
                },
            )
            return ack
        summary = gettext(
            "Imported %(name)s. Lines: %(lines)d; accepted: %(accepted)d; "
            "rejected: %(rejected)d; settled: %(settled)d; quarantined: %(quarantined)d."
        ) % {
            "name": ack.file_name,
            "lines": ack.lines,
            "accepted": ack.accepted,
            "rejected": ack.rejected,
            "settled": ack.settled,
            "quarantined": ack.quarantined,
        }
        record_change(actor=_operator(request), obj=ack, action="add", message=summary)
        messages.success(request, summary)
        if ack.quarantined:
            messages.warning(
                request,
                ngettext(
                    "%(count)d line could not be applied: review it below.",
                    "%(count)d lines could not be applied: review them below.",
                    ack.quarantined,
                )
                % {"count": ack.quarantined},
            )
        return ack

    @staticmethod
    def _refusal(error: ValidationError) -> ValidationError:
        if getattr(error, "code", None) == BillingErrorCode.INVALID:
            return ValidationError(
                gettext("This is not an acknowledgement file: its first line must be %(header)s.")
                % {"header": ",".join(ACK_COLUMNS)},
                code=BillingErrorCode.INVALID,
            )
        return error
