"""Water-bill billing in the admin: the contract mirror, who may charge to which
contract, and the bill-charge ledger. The rows come from the shop's own
services and the billing system, so staff read them here; they do not edit them."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from billing_bridge import selectors
from billing_bridge.models import BillCharge, ContractLink, SupplyContract


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


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
