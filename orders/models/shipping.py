"""Shipping: zones, their postal-code rules, shipping methods and pickup points.

A zone serves an address when the country is one of the zone's and the postal
code passes its rules: with include rules, it must match one; it must match no
exclude rule. Zones may overlap; the checkout offers the methods of every zone
that serves the address.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ShippingZone(models.Model):
    name = models.CharField(_("name"), max_length=120)
    countries = models.JSONField(_("countries"), default=list, help_text=_("ISO codes, e.g. ES."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


class PostalCodeRule(models.Model):
    """A postal-code prefix ("07") or an inclusive range ("41001"-"41020")."""

    class Inclusion(models.TextChoices):
        INCLUDE = "include", _("Include")
        EXCLUDE = "exclude", _("Exclude")

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="rules")
    inclusion = models.CharField(
        _("inclusion"), max_length=7, choices=Inclusion.choices, default=Inclusion.INCLUDE
    )
    prefix = models.CharField(_("prefix"), max_length=5, blank=True)
    start = models.CharField(_("from"), max_length=5, blank=True)
    end = models.CharField(_("to"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("postal-code rule")
        verbose_name_plural = _("postal-code rules")
        ordering = ("pk",)
        constraints = [
            # Exactly one shape: a prefix, or a range with both ends in order.
            models.CheckConstraint(
                condition=(~Q(prefix="") & Q(start="") & Q(end=""))
                | (Q(prefix="") & ~Q(start="") & ~Q(end="") & Q(start__lte=F("end"))),
                name="orders_rule_prefix_or_range",
            ),
        ]

    def __str__(self) -> str:
        shape = f"{self.prefix}*" if self.prefix else f"{self.start}-{self.end}"
        return f"{self.get_inclusion_display()} {shape}"

    def matches(self, postal_code: str) -> bool:
        if self.prefix:
            return postal_code.startswith(self.prefix)
        # Same length, digits only: string order is numeric order.
        return len(postal_code) == len(self.start) and self.start <= postal_code <= self.end


class PickupPoint(models.Model):
    """A customer office where orders can be collected."""

    # What an order keeps of its pickup point (``Order.pickup_point``), frozen
    # when it is placed: the API, e-mails and the admin read these keys.
    ORDER_FIELDS = ("name", "street_address", "postal_code", "city", "opening_hours")

    name = models.CharField(_("name"), max_length=120)
    street_address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=120)
    opening_hours = models.CharField(_("opening hours"), max_length=200)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name

    def order_copy(self) -> dict[str, str]:
        """The point as an order keeps it (``ORDER_FIELDS``)."""
        return {name: getattr(self, name) for name in self.ORDER_FIELDS}


class ShippingMethod(models.Model):
    """A way to get an order delivered (or collected) in a zone.

    ``price`` is gross (IVA included, general rate). The method applies to
    orders whose value (gross subtotal) and weight fall inside its bands; at or
    above ``free_above`` it costs nothing.
    """

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Home delivery")
        PICKUP = "pickup", _("Pickup at an office")

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="methods")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DELIVERY)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    price = models.DecimalField(
        _("price (IVA included)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    min_order_value = models.DecimalField(
        _("minimum order value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    max_order_value = models.DecimalField(
        _("maximum order value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    min_weight_grams = models.PositiveIntegerField(_("minimum weight (g)"), null=True, blank=True)
    max_weight_grams = models.PositiveIntegerField(_("maximum weight (g)"), null=True, blank=True)
    free_above = models.DecimalField(
        _("free from order value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    delivery_days_min = models.PositiveSmallIntegerField(_("delivery days (from)"), default=1)
    delivery_days_max = models.PositiveSmallIntegerField(_("delivery days (to)"), default=3)
    pickup_points = models.ManyToManyField(
        PickupPoint, blank=True, related_name="methods", verbose_name=_("pickup points")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ("position", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="orders_method_price_gte_0"),
            models.CheckConstraint(
                condition=Q(min_order_value__isnull=True)
                | Q(max_order_value__isnull=True)
                | Q(min_order_value__lte=F("max_order_value")),
                name="orders_method_value_band_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_weight_grams__isnull=True)
                | Q(max_weight_grams__isnull=True)
                | Q(min_weight_grams__lte=F("max_weight_grams")),
                name="orders_method_weight_band_ordered",
            ),
            models.CheckConstraint(
                condition=Q(delivery_days_min__lte=F("delivery_days_max")),
                name="orders_method_delivery_days_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone}: {self.name}"


class ShippingVersion(models.Model):
    """One row whose ``token`` database triggers replace at every write to zones,
    their rules, methods, pickup points and the methods' points (migration 0011,
    ``shop.versions``). ``orders.selectors`` keeps the active zones per process
    under the token read with the checkout."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("shipping version")

    def __str__(self) -> str:
        return str(self.token)
