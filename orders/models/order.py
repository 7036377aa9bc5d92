"""Orders: frozen lines, addresses and totals; stock allocations; fulfillments;
events recording every change with its actor.

The fulfillment status is ``Order.status`` and moves only through
``orders.services.orders.order_transition`` (see ``TRANSITIONS`` there). The
payment status is not stored: it is computed from the payment ledger by
``orders.selectors.order_payment_status``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from orders.models.event import Event
from orders.models.shipping import ShippingMethod
from shop.accounts.fields import user_reference

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _money_field(verbose_name: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, default=Decimal(0))


class OrderNumber(models.Func):
    """An order's number from its key, as the database computes it in the insert
    (a generated column, returned by the insert): ``TA-`` and the key padded with
    zeros to six digits, longer keys whole (``TA-000042``, ``TA-1234567``)."""

    arity = 1
    output_field = models.CharField(max_length=20)
    # {key} three times: its parameters too (none for the column itself).
    _SQLITE = (
        "'TA-' || CASE WHEN {key} < 1000000 THEN substr('000000' || {key}, -6)"
        " ELSE CAST({key} AS TEXT) END"
    )
    _POSTGRESQL = (
        "'TA-' || CASE WHEN {key} < 1000000 THEN lpad(({key})::text, 6, '0') ELSE ({key})::text END"
    )

    def as_sqlite(
        self, compiler: Any, connection: Any, **_extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        key, params = compiler.compile(self.source_expressions[0])
        template = self._POSTGRESQL if connection.vendor == "postgresql" else self._SQLITE
        return template.format(key=key), (*params, *params, *params)

    as_postgresql = as_sqlite


class Order(models.Model):
    class Status(models.TextChoices):
        UNFULFILLED = "unfulfilled", _("Unfulfilled")
        PARTIALLY_FULFILLED = "partially_fulfilled", _("Partially fulfilled")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.GeneratedField(
        expression=OrderNumber("id"),
        output_field=models.CharField(max_length=20),
        db_persist=True,
        unique=True,
        verbose_name=_("number"),
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkout_token = models.UUIDField(unique=True, editable=False)
    user = user_reference(_("customer"), related_name="orders")
    email = models.EmailField(_("e-mail"))
    language_code = models.CharField(_("language"), max_length=5, default="es")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UNFULFILLED
    )
    shipping_address = models.JSONField(_("shipping address"), null=True, blank=True)
    billing_address = models.JSONField(_("billing address"))
    shipping_method = models.ForeignKey(
        ShippingMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    shipping_method_name = models.CharField(_("shipping method"), max_length=120)
    shipping_method_name_en = models.CharField(max_length=120, blank=True)
    pickup_point = models.JSONField(_("pickup point"), null=True, blank=True)
    delivery_days_max = models.PositiveSmallIntegerField(default=0)
    payment_method = models.CharField(_("payment method"), max_length=30)
    customer_note = models.CharField(_("note"), max_length=500, blank=True)
    # Set when the customer's bank disputes a payment: staff must answer it.
    disputed_at = models.DateTimeField(_("payment disputed"), null=True, blank=True)
    subtotal_gross = _money_field(_("subtotal"))
    shipping_gross = _money_field(_("shipping"))
    shipping_tax = _money_field(_("shipping IVA"))
    shipping_tax_rate = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal(0))
    total_gross = _money_field(_("total"))
    total_tax = _money_field(_("IVA"))
    tax_by_rate = models.JSONField(_("IVA per rate"), default=dict)
    # Promotions and voucher together, lines and shipping: the totals above are after it.
    discount_gross = _money_field(_("discount"))
    voucher_code = models.CharField(_("promo code"), max_length=40, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    created_at = models.DateTimeField(_("placed"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["user", "-created_at"], name="orders_order_user_recent")]
        constraints = [
            models.CheckConstraint(
                # Rounded: SQLite adds decimals as floats.
                condition=Q(total_gross=Round(F("subtotal_gross") + F("shipping_gross"), 2)),
                name="orders_order_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def total_net(self) -> Decimal:
        return self.total_gross - self.total_tax


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )
    product_name = models.CharField(_("product"), max_length=200)
    product_name_en = models.CharField(max_length=200, blank=True)
    variant_name = models.CharField(_("variant"), max_length=200, blank=True)
    variant_name_en = models.CharField(max_length=200, blank=True)
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_fulfilled = models.PositiveIntegerField(_("fulfilled"), default=0)
    # The catalogue's price, before discounts: total = unit price x quantity - discount.
    unit_price_gross = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    tax_rate = models.DecimalField(_("IVA rate"), max_digits=4, decimal_places=2)
    total_gross = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    total_tax = models.DecimalField(_("IVA"), max_digits=12, decimal_places=2)
    discount_gross = models.DecimalField(
        _("discount"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    # Where the discount came from: [{"kind": "promotion"|"voucher", "id", "name", "amount"}].
    discount_sources = models.JSONField(_("discount sources"), default=list, blank=True)
    # The promotion's part of ``discount_gross``, by promotion: its usage and revenue.
    promotion = models.ForeignKey(
        "discounts.Promotion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
        verbose_name=_("promotion"),
    )
    promotion_discount_gross = models.DecimalField(
        _("promotion discount"), max_digits=12, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity_fulfilled__lte=F("quantity")),
                name="orders_orderline_fulfilled_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def undiscounted_total_gross(self) -> Decimal:
        return self.unit_price_gross * self.quantity

    @property
    def quantity_unfulfilled(self) -> int:
        return self.quantity - self.quantity_fulfilled


class Allocation(models.Model):
    """Units of a stock row promised to an order line (``Stock.allocated`` sums them)."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    stock = models.ForeignKey("catalog.Stock", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.UniqueConstraint(fields=["line", "stock"], name="orders_allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of stock {self.stock_id}"


class Fulfillment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfillments")
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("shipped"), auto_now_add=True)

    class Meta:
        verbose_name = _("fulfilment")
        verbose_name_plural = _("fulfilments")
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.order} / {self.pk}"


class FulfillmentLine(models.Model):
    fulfillment = models.ForeignKey(Fulfillment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.line_id}"


class OrderEvent(Event):
    class Type(models.TextChoices):
        PLACED = "placed", _("Order placed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        FULFILLED = "fulfilled", _("Items shipped")
        CANCELLED = "cancelled", _("Order cancelled")
        NOTE_ADDED = "note_added", _("Note added")
        PAYMENT_CHARGED = "payment_charged", _("Payment charged")
        REFUNDED = "refunded", _("Refund issued")
        REFUND_FAILED = "refund_failed", _("Refund failed")
        EMAIL_SENT = "email_sent", _("E-mail sent")
        DISPUTED = "disputed", _("Payment disputed")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)

    class Meta(Event.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order}: {self.get_type_display()}"
