"""The water-bill route: a mirror of the customers' supply contracts, who may
charge to which contract, installment plans and the ledger of bill charges.

A bill charge moves pending -> exported (in a batch) -> accepted (with the bill
number) | rejected, and accepted -> settled; a pending charge may be cancelled.
Credits (refunds, claims) are negative charges. The exchange with the billing
system (batches, acknowledgements) builds on these rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SupplyContract(models.Model):
    """The shop's copy of a contract in the utility's billing system."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("contract number"), max_length=20, unique=True)
    holder_name = models.CharField(_("holder"), max_length=200)
    supply_address = models.CharField(_("supply address"), max_length=300)
    postal_code = models.CharField(_("postal code"), max_length=5)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    billing_period_months = models.PositiveSmallIntegerField(
        _("billing period (months)"), default=2
    )
    next_cutoff = models.DateField(_("next bill cut-off"))
    has_unpaid_bills = models.BooleanField(_("unpaid bills"), default=False)
    credit_limit = models.DecimalField(
        _("shop credit limit"), max_digits=10, decimal_places=2, default=Decimal("300.00")
    )
    refreshed_at = models.DateTimeField(_("refreshed"), null=True, blank=True)

    class Meta:
        verbose_name = _("supply contract")
        verbose_name_plural = _("supply contracts")
        ordering = ("number",)
        constraints = [
            models.CheckConstraint(
                condition=Q(billing_period_months__gte=1), name="billing_contract_period_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="billing_contract_credit_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ContractLink(models.Model):
    """A customer may charge shop orders to this contract."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("Vouched for by the portal")
        VERIFIED = "verified", _("Verified with the last bill")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_links"
    )
    contract = models.ForeignKey(SupplyContract, on_delete=models.CASCADE, related_name="links")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract link")
        verbose_name_plural = _("contract links")
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(fields=["user", "contract"], name="billing_link_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.contract}"


class BillCharge(models.Model):
    """One amount to add to (or, negative, take off) a contract's bill."""

    class Kind(models.TextChoices):
        INSTALLMENT = "installment", _("Installment")
        CREDIT = "credit", _("Credit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        EXPORTED = "exported", _("Exported")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        SETTLED = "settled", _("Settled")
        CANCELLED = "cancelled", _("Cancelled")

    contract = models.ForeignKey(SupplyContract, on_delete=models.PROTECT, related_name="charges")
    payment = models.ForeignKey(
        "orders.Payment", on_delete=models.PROTECT, related_name="bill_charges"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(_("installment"))
    installments = models.PositiveSmallIntegerField(_("of"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    due_cutoff = models.DateField(_("bill cut-off"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    bill_number = models.CharField(_("bill number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bill charge")
        verbose_name_plural = _("bill charges")
        ordering = ("due_cutoff", "pk")
        indexes = [models.Index(fields=["status", "due_cutoff"], name="billing_charge_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "kind", "sequence"],
                condition=Q(kind="installment"),
                name="billing_installment_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="installment") & Q(amount__gt=0))
                | (Q(kind="credit") & Q(amount__lt=0)),
                name="billing_charge_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.amount} ({self.sequence}/{self.installments})"
