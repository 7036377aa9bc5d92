"""Payments and their ledger.

A ``Payment`` is one attempt to pay a checkout with one method; it moves to the
order when the checkout completes. Money that actually moved is recorded in
``PaymentTransaction`` rows (charges and refunds, each with its idempotency
key); the order's payment status is computed from them in one selector.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.checkout import Checkout
from orders.models.order import Order
from orders.payments.base import PaymentStatus, RefundStatus
from shop.accounts.fields import user_reference


class Payment(models.Model):
    class Status(models.TextChoices):  # the values of the interface's PaymentStatus
        PENDING = PaymentStatus.PENDING.value, _("Pending")
        ACTION_REQUIRED = PaymentStatus.ACTION_REQUIRED.value, _("Action required")
        AUTHORIZED = PaymentStatus.AUTHORIZED.value, _("Authorised")
        CHARGED = PaymentStatus.CHARGED.value, _("Charged")
        FAILED = PaymentStatus.FAILED.value, _("Failed")
        CANCELLED = PaymentStatus.CANCELLED.value, _("Cancelled")

    checkout = models.ForeignKey(
        Checkout, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=30)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    idempotency_key = models.CharField(max_length=255, unique=True)
    psp_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    # What the method needs to keep (e.g. chosen contract and installments).
    details = models.JSONField(default=dict, blank=True)
    # Giving back a payment no order will use (``payment_supersede``): failed
    # attempts, the last failure, and when the retry task tries again.
    give_back_attempts = models.PositiveSmallIntegerField(_("give-back attempts"), default=0)
    give_back_error = models.CharField(_("give-back error"), max_length=300, blank=True)
    give_back_retry_at = models.DateTimeField(_("give-back retry"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_payment_amount_gt_0"),
        ]
        indexes = [
            # The retry task's "due" scan: only the few payments with a retry pending.
            models.Index(
                fields=["give_back_retry_at"],
                condition=Q(give_back_retry_at__isnull=False),
                name="orders_payment_give_back_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount} {self.currency} ({self.status})"


class PaymentTransaction(models.Model):
    """Money that moved (or was asked to move) for a payment."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        REFUND = "refund", _("Refund")

    class Status(models.TextChoices):  # the values of the interface's RefundStatus
        PENDING = RefundStatus.PENDING.value, _("Pending")
        SUCCESS = RefundStatus.SUCCESS.value, _("Succeeded")
        FAILED = RefundStatus.FAILED.value, _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    idempotency_key = models.CharField(max_length=255, unique=True)
    psp_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    actor = user_reference()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment transaction")
        verbose_name_plural = _("payment transactions")
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="orders_transaction_amount_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.status})"


class ProviderEvent(models.Model):
    """A webhook event already applied, by the provider's event id (deduplication)."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ("-pk",)
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="orders_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"
