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
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.accounts.fields import user_reference


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
        REJECTED = "rejected", pgettext_lazy("bill charge", "Rejected")
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
    note = models.CharField(_("note"), max_length=300, blank=True)  # e.g. why it was rejected
    # The refund that cancelled this installment or made this credit: a refund
    # repeated with the same key finds it and does nothing.
    refund_key = models.CharField(_("refund key"), max_length=255, blank=True, db_index=True)
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


class ExportBatch(models.Model):
    """The charges due at one cut-off, sent to the billing system together.

    Its lines (``BatchLine``) are the charges it holds; ``sha256`` is the digest
    of the CSV the file exchange writes, repeated in the manifest."""

    class Status(models.TextChoices):
        EXPORTED = "exported", _("Exported")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RECONCILED = "reconciled", _("Reconciled")

    number = models.CharField(_("batch number"), max_length=20, unique=True)
    cutoff = models.DateField(_("bill cut-off"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = user_reference(_("created by"))
    file_name = models.CharField(_("file name"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    count = models.PositiveIntegerField(_("charges"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.EXPORTED
    )
    # Empty while the batch is claimed but not delivered yet (it is then sent again).
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled"), null=True, blank=True)
    reconciled_by = user_reference(_("reconciled by"))

    class Meta:
        verbose_name = _("export batch")
        verbose_name_plural = _("export batches")
        ordering = ("-cutoff", "-number")
        permissions = [
            ("export_batch", _("Can export bill batches")),
            ("close_batch", _("Can close (reconcile) bill batches")),
        ]

    def __str__(self) -> str:
        return self.number


class BatchLine(models.Model):
    """A charge in a batch. One line per charge, ever: a charge is exported once."""

    batch = models.ForeignKey(ExportBatch, on_delete=models.PROTECT, related_name="lines")
    charge = models.OneToOneField(
        BillCharge, on_delete=models.PROTECT, related_name="batch_line", verbose_name=_("charge")
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("batch line")
        verbose_name_plural = _("batch lines")
        ordering = ("batch", "charge")

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.charge_id}"


class AckFile(models.Model):
    """An acknowledgement file from the billing system, imported once (by its
    SHA-256), with what became of its lines."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("file name"), max_length=255)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = user_reference(_("imported by"))
    lines = models.PositiveIntegerField(_("lines"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    settled = models.PositiveIntegerField(_("settled"), default=0)
    quarantined = models.PositiveIntegerField(_("quarantined"), default=0)

    class Meta:
        verbose_name = _("acknowledgement file")
        verbose_name_plural = _("acknowledgement files")
        ordering = ("-imported_at", "-pk")
        permissions = [("import_ackfile", _("Can import acknowledgement files"))]

    def __str__(self) -> str:
        return self.file_name


class QuarantinedLine(models.Model):
    """An acknowledgement line that could not be applied, kept for a person to see."""

    ack_file = models.ForeignKey(AckFile, on_delete=models.CASCADE, related_name="quarantine")
    line_number = models.PositiveIntegerField(_("line"))
    raw = models.TextField(_("content"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("quarantined line")
        verbose_name_plural = _("quarantined lines")
        ordering = ("ack_file", "line_number")

    def __str__(self) -> str:
        return f"{self.ack_file_id}:{self.line_number}"


class BillingEvent(models.Model):
    """A step of the water-bill route and who took it, whatever called the service
    (the admin, a management command, a scheduled task): ``actor`` is None when
    the system acted on its own (a task, a command run without ``--actor``)."""

    class Action(models.TextChoices):
        BATCH_EXPORTED = "batch_exported", _("Batch exported")
        BATCH_SENT = "batch_sent", _("Batch sent")
        BATCH_CLOSED = "batch_closed", _("Batch closed")
        ACK_IMPORTED = "ack_imported", _("Acknowledgement file imported")
        CONTRACT_REFRESHED = "contract_refreshed", _("Contract refreshed")
        CONTRACT_TERMINATED = "contract_terminated", _("Contract terminated")
        CONTRACT_LINKED = "contract_linked", _("Contract linked")

    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = user_reference(_("actor"))
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("billing event")
        verbose_name_plural = _("billing events")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_repr}"
