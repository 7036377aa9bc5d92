"""Promotions (automatic catalogue sales) and vouchers (codes) with their usage.

Amounts are gross (IVA included), like every price of the shop. A voucher's
uses are ``VoucherUsage`` rows: reserved under the voucher's row lock when the
shopper starts paying (like stock), turned into a use when the order is placed,
released when the checkout changes or the hold expires. Limits count the rows,
so parallel checkouts cannot use a voucher more often than it allows.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ValueType(models.TextChoices):
    PERCENTAGE = "percentage", _("Percentage")
    FIXED = "fixed", _("Fixed amount")


def _value_field() -> models.DecimalField:
    return models.DecimalField(
        _("value"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("A percentage (0-100), or euros off (IVA included)."),
    )


def _value_checks(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(condition=Q(value__gte=0), name=f"{prefix}_value_gte_0"),
        models.CheckConstraint(
            condition=~Q(value_type=ValueType.PERCENTAGE) | Q(value__lte=100),
            name=f"{prefix}_percentage_lte_100",
        ),
        models.CheckConstraint(
            condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
            name=f"{prefix}_ends_after_start",
        ),
    ]


class Promotion(models.Model):
    """A sale: ``value`` off the price of every targeted variant from
    ``starts_at`` until ``ends_at`` (open-ended when empty). A variant is
    targeted directly, through its product, its product's category (or a parent
    of it) or a collection holding its product. When several promotions target
    one variant, the shopper gets the best of them (they do not add up)."""

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    value_type = models.CharField(
        _("type"), max_length=12, choices=ValueType.choices, default=ValueType.PERCENTAGE
    )
    value = _value_field()
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", verbose_name=_("products")
    )
    variants = models.ManyToManyField(
        "catalog.ProductVariant", blank=True, related_name="+", verbose_name=_("variants")
    )
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    collections = models.ManyToManyField(
        "catalog.Collection", blank=True, related_name="+", verbose_name=_("collections")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ("-starts_at", "pk")
        indexes = [models.Index(fields=["is_active", "starts_at"], name="discounts_promo_live")]
        constraints = _value_checks("discounts_promotion")

    def __str__(self) -> str:
        return self.name


class Voucher(models.Model):
    """What a promo code gives: ``value`` off the order (ENTIRE_ORDER), off the
    lines of given products, categories or collections (SPECIFIC_PRODUCTS), or
    free shipping (SHIPPING, ``value`` unused). Applies to prices after
    promotions; the codes that redeem it are ``VoucherCode`` rows."""

    class Scope(models.TextChoices):
        ENTIRE_ORDER = "entire_order", _("Entire order")
        SPECIFIC_PRODUCTS = "specific_products", _("Specific products")
        SHIPPING = "shipping", _("Free shipping")

    name = models.CharField(_("name"), max_length=120)
    scope = models.CharField(
        _("applies to"), max_length=20, choices=Scope.choices, default=Scope.ENTIRE_ORDER
    )
    value_type = models.CharField(
        _("type"), max_length=12, choices=ValueType.choices, default=ValueType.PERCENTAGE
    )
    value = _value_field()
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", verbose_name=_("products")
    )
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    collections = models.ManyToManyField(
        "catalog.Collection", blank=True, related_name="+", verbose_name=_("collections")
    )
    min_order_value = models.DecimalField(
        _("minimum order value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), null=True, blank=True)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    usage_limit = models.PositiveIntegerField(
        _("total uses"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    usage_limit_per_customer = models.PositiveIntegerField(
        _("uses per customer"),
        null=True,
        blank=True,
        help_text=_("Customers by account, guests by e-mail. Empty: no limit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ("-created_at", "-pk")
        constraints = _value_checks("discounts_voucher")

    def __str__(self) -> str:
        return self.name


class VoucherCode(models.Model):
    """A code that redeems a voucher, stored upper-case. A single-use code (made
    in bulk, e.g. printed on water-bill leaflets) redeems it once, whoever uses it."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=40, unique=True)
    single_use = models.BooleanField(_("single use"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("voucher code")
        verbose_name_plural = _("voucher codes")
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.code


class VoucherUsage(models.Model):
    """One use of a voucher by a checkout: RESERVED while it pays (until
    ``expires_at``), USED by its order, RELEASED when given back."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        USED = "used", _("Used")
        RELEASED = "released", _("Released")

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="usages")
    code = models.ForeignKey(VoucherCode, on_delete=models.PROTECT, related_name="usages")
    single_use = models.BooleanField(default=False)  # the code's, for the constraint below
    checkout_token = models.UUIDField()
    order = models.OneToOneField(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voucher_usage",
        verbose_name=_("order"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RESERVED
    )
    expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    discount_gross = models.DecimalField(
        _("discount"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("voucher use")
        verbose_name_plural = _("voucher uses")
        ordering = ("-pk",)
        indexes = [models.Index(fields=["voucher", "status"], name="discounts_usage_voucher")]
        constraints = [
            # Rows, not a counter: a reservation that expired is simply not counted.
            models.UniqueConstraint(
                fields=["checkout_token"],
                condition=~Q(status="released"),
                name="discounts_usage_one_per_checkout",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(single_use=True, status="used"),
                name="discounts_usage_single_use_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"


class PromotionVersion(models.Model):
    """One row whose ``token`` database triggers replace at every write to
    promotions, their targets, collections' products and categories (what
    ``discounts.selectors.live_sales`` reads; migration 0003, ``shop.versions``).
    ``promotion_sales`` keeps the promotions per process under the token read
    with the checkout."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("promotion version")

    def __str__(self) -> str:
        return str(self.token)
