"""Checkouts (carts) and the stock reserved for them while the shopper pays.

A checkout is anonymous (found by its UUID token) or belongs to a customer.
Prices are never stored here: totals are computed from the catalogue on every
read, and frozen only when the order is created.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.shipping import PickupPoint, ShippingMethod


class Checkout(models.Model):
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checkouts",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    language_code = models.CharField(_("language"), max_length=5, default="es")
    # Addresses are validated snapshots (see ``shop.accounts.services.clean_address``).
    shipping_address = models.JSONField(_("shipping address"), null=True, blank=True)
    billing_address = models.JSONField(_("billing address"), null=True, blank=True)
    shipping_method = models.ForeignKey(
        ShippingMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pickup_point = models.ForeignKey(
        PickupPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_note = models.CharField(_("note"), max_length=500, blank=True)
    # A voucher code (``discounts``), normalised; checked against the cart on every read.
    promo_code = models.CharField(_("promo code"), max_length=40, blank=True)
    # Bumped by every change; a payment started for an older version is outdated.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        ordering = ("-updated_at", "pk")

    def __str__(self) -> str:
        return str(self.token)


class CheckoutLine(models.Model):
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.CASCADE, related_name="checkout_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("checkout line")
        verbose_name_plural = _("checkout lines")
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(fields=["checkout", "variant"], name="orders_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


class Reservation(models.Model):
    """Units of a stock row held for a checkout line until ``expires_at``.

    Expired rows count for nothing (``catalog.selectors.free_units``, their one
    reader, filters on ``expires_at``); a scheduled task deletes them.
    """

    line = models.ForeignKey(CheckoutLine, on_delete=models.CASCADE, related_name="reservations")
    stock = models.ForeignKey("catalog.Stock", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ("pk",)
        indexes = [models.Index(fields=["stock", "expires_at"], name="orders_reservation_live")]
        constraints = [
            models.UniqueConstraint(fields=["line", "stock"], name="orders_reservation_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_reservation_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of stock {self.stock_id} until {self.expires_at:%H:%M}"
