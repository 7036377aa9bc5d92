"""Water-bill billing in the admin: the contract mirror, who may charge to which
contract, and the bill-charge ledger. The rows come from the shop's own
services and the billing system, so staff read them here; they do not edit them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admin_ui.common import ReadOnlyAdmin, ReadOnlyInline
from billing_bridge import selectors
from billing_bridge.models import (
    AckFile,
    BillCharge,
    ContractLink,
    ExportBatch,
    QuarantinedLine,
    SupplyContract,
)
from billing_bridge.services_exchange import bill_reconcile


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


@admin.register(ExportBatch)
class ExportBatchAdmin(ReadOnlyAdmin):
    list_display = ("number", "cutoff", "count", "total", "status", "created_at", "created_by")
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
            "exported": f"{report.exported.count} / {report.exported.total} €",
            "accepted": f"{report.accepted.count} / {report.accepted.total} €",
            "rejected": f"{report.rejected.count} / {report.rejected.total} €",
            "in_flight": f"{report.in_flight.count} / {report.in_flight.total} €",
        }
        if report.balanced:
            return summary + " " + gettext("Balanced.")
        return (
            summary
            + " "
            + gettext("Differences: %(list)s") % {"list": "; ".join(report.differences)}
        )


class QuarantineInline(ReadOnlyInline):
    model = QuarantinedLine
    fields = ("line_number", "raw", "reason")
    readonly_fields = fields


@admin.register(AckFile)
class AckFileAdmin(ReadOnlyAdmin):
    list_display = (
        "file_name",
        "imported_at",
        "imported_by",
        "lines",
        "accepted",
        "rejected",
        "quarantined",
    )
    search_fields = ("file_name", "sha256")
    fields = (*list_display, "sha256")
    readonly_fields = fields
    inlines = (QuarantineInline,)
