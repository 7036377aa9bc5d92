"""Claims ("reclamaciones") on orders: the claimed lines, a message thread with
photos, and every change recorded with its actor.

The status moves only through ``orders.services.claims.claim_transition``
(see ``CLAIM_TRANSITIONS`` there).
"""

from __future__ import annotations

import uuid

from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orders.models.event import Event
from orders.models.order import Order, OrderLine
from shop.accounts.fields import user_reference


def private_storage() -> Storage:
    """Claim photos are never public: stored outside MEDIA_ROOT, served by a view
    that checks who asks (see ``orders.views.claim_attachment``)."""
    return storages["private"]


class Claim(models.Model):
    class Reason(models.TextChoices):
        DAMAGED = "damaged", _("Damaged item")
        MISSING_ITEM = "missing_item", _("Missing item")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        NOT_DELIVERED = "not_delivered", _("Not delivered")
        BILLING = "billing", _("Billing")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_REVIEW = "in_review", _("In review")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")

    class Resolution(models.TextChoices):
        REFUND = "refund", pgettext_lazy("claim resolution", "Refund")
        REPLACEMENT = "replacement", _("Replacement")
        NONE = "none", _("No action")

    number = models.CharField(  # noqa: DJ001 -- set from the pk right after the insert
        _("number"), max_length=20, unique=True, null=True, editable=False
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="claims", verbose_name=_("order")
    )
    user = user_reference(_("customer"), related_name="claims")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    refund_amount = models.DecimalField(
        _("refunded"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    replacement_order = models.OneToOneField(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces_claim",
        verbose_name=_("replacement order"),
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["status", "created_at"], name="orders_claim_queue")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="claim_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("claimed line")
        verbose_name_plural = _("claimed lines")
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(fields=["claim", "order_line"], name="orders_claimline_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_claimline_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line.product_name}"


class ClaimMessage(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="messages")
    author = user_reference()
    from_staff = models.BooleanField(_("from the shop"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim message")
        verbose_name_plural = _("claim messages")
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.body[:60]


class ClaimAttachment(models.Model):
    """A photo (JPEG, PNG or WEBP, validated by decoding it) sent with a message."""

    message = models.ForeignKey(ClaimMessage, on_delete=models.CASCADE, related_name="attachments")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    image = models.FileField(_("photo"), storage=private_storage, upload_to="claims/%Y/%m/")
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("claim photo")
        verbose_name_plural = _("claim photos")
        ordering = ("pk",)

    def __str__(self) -> str:
        return str(self.image.name)


class ClaimEvent(Event):
    class Type(models.TextChoices):
        OPENED = "opened", _("Claim opened")
        STATUS_CHANGED = "status_changed", _("Status changed")
        MESSAGE = "message", _("Message")
        RESOLVED = "resolved", _("Resolved")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)

    class Meta(Event.Meta):
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")

    def __str__(self) -> str:
        return f"{self.claim}: {self.get_type_display()}"
