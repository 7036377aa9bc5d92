"""Administration of shipping: zones with their postal-code rules, methods and
pickup points.

The forms refuse, with a readable message on the offending field, what the
database's check constraints would otherwise turn into an ``IntegrityError``
(or into Django's generic "constraint violated" message): a rule with both or
neither shape, malformed or reversed postal codes, reversed bands. Which zone
serves an address is computed by :mod:`orders.selectors`; the zone page only
describes its rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingZone
from orders.services import COUNTRY_CODES
from shop.accounts import spain

# Explicit [0-9]: ``\d`` would also accept other scripts' digits.
PREFIX_RE = re.compile(r"[0-9]{1,5}")
POSTAL_CODE_RE = re.compile(r"[0-9]{5}")
COUNTRY_SEPARATORS_RE = re.compile(r"[\s,;]+")


def _count(model: type[Model]) -> Coalesce:
    """How many ``model`` rows point at the outer zone, as one correlated subquery."""
    rows = model._default_manager.filter(zone=OuterRef("pk")).order_by().values("zone")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def _require_ordered(form: forms.ModelForm, low: str, high: str, message: str, code: str) -> None:
    """Puts an error on ``high`` when both ends are filled in and ``high`` is below ``low``."""
    start, end = form.cleaned_data.get(low), form.cleaned_data.get(high)
    if start is not None and end is not None and start > end:
        form.add_error(high, ValidationError(message, code=code))


# Zones


class CountriesField(forms.Field):
    """ISO 3166-1 alpha-2 codes typed as text ("ES" or "es, pt"); cleans to a list
    in capitals without repetitions (the capitals ``zone_serves`` compares with)."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid_country": _("Not ISO country codes: %(codes)s. Write them like ES or ES, PT."),
    }

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(code) for code in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if value in self.empty_values:
            return []
        if isinstance(value, list | tuple):
            codes = [str(code).strip() for code in value]
        else:
            codes = COUNTRY_SEPARATORS_RE.split(str(value))
        return list(dict.fromkeys(code.upper() for code in codes if code))

    def validate(self, value: Any) -> None:
        super().validate(value)
        invalid = [code for code in value if code not in COUNTRY_CODES]
        if invalid:
            raise ValidationError(
                self.error_messages["invalid_country"],
                code="invalid_country",
                params={"codes": ", ".join(invalid)},
            )


class ShippingZoneForm(forms.ModelForm):
    countries = CountriesField(
        label=capfirst(_("countries")),
        help_text=_("ISO codes separated by commas: ES, PT."),
    )

    class Meta:
        model = ShippingZone
        fields = ("name", "countries", "is_active")


class PostalCodeRuleForm(forms.ModelForm):
    """A prefix of 1 to 5 digits, or a range of two 5-digit codes in order; never both.

    Errors go on fields, which also spares the model's generic message for the
    check constraint (Django skips a constraint whose fields already failed).
    """

    class Meta:
        model = PostalCodeRule
        fields = ("inclusion", "prefix", "start", "end")

    def clean_prefix(self) -> str:
        prefix: str = self.cleaned_data["prefix"]
        if prefix and not PREFIX_RE.fullmatch(prefix):
            raise ValidationError(
                _("A prefix is 1 to 5 digits, such as 41 or 07."), code="invalid_prefix"
            )
        return prefix

    def _clean_postal_code(self, name: str) -> str:
        code: str = self.cleaned_data[name]
        if code and not POSTAL_CODE_RE.fullmatch(code):
            raise ValidationError(
                _("Each end of a range is a 5-digit postal code, such as 41001."),
                code="invalid_postal_code",
            )
        return code

    def clean_start(self) -> str:
        return self._clean_postal_code("start")

    def clean_end(self) -> str:
        return self._clean_postal_code("end")

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.has_error("prefix") or self.has_error("start") or self.has_error("end"):
            return self.cleaned_data
        prefix, start, end = (
            self.cleaned_data.get(name, "") for name in ("prefix", "start", "end")
        )
        if prefix and (start or end):
            self.add_error(
                "prefix",
                ValidationError(_("Enter a prefix or a range, not both."), code="prefix_and_range"),
            )
        elif not (prefix or start or end):
            self.add_error(
                "prefix",
                ValidationError(
                    _("Enter a prefix, or both ends of a range."), code="no_prefix_or_range"
                ),
            )
        elif not prefix and not (start and end):
            self.add_error(
                "end" if start else "start",
                ValidationError(_("A range needs both ends."), code="incomplete_range"),
            )
        else:
            _require_ordered(
                self,
                "start",
                "end",
                gettext("The end of the range must not be below its start."),
                "reversed_range",
            )
        return self.cleaned_data


class PostalCodeRuleInline(admin.TabularInline):
    model = PostalCodeRule
    form = PostalCodeRuleForm
    extra = 0
    fields = ("inclusion", "prefix", "start", "end")


class ShippingMethodForm(forms.ModelForm):
    """Bands in order, and pickup points only on pickup methods."""

    class Meta:
        model = ShippingMethod
        fields = (
            "zone",
            "kind",
            "name",
            "name_en",
            "price",
            "free_above",
            "min_order_value",
            "max_order_value",
            "min_weight_grams",
            "max_weight_grams",
            "delivery_days_min",
            "delivery_days_max",
            "pickup_points",
            "is_active",
            "position",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        _require_ordered(
            self,
            "min_order_value",
            "max_order_value",
            gettext("The maximum order value must not be below the minimum."),
            "value_band_reversed",
        )
        _require_ordered(
            self,
            "min_weight_grams",
            "max_weight_grams",
            gettext("The maximum weight must not be below the minimum."),
            "weight_band_reversed",
        )
        _require_ordered(
            self,
            "delivery_days_min",
            "delivery_days_max",
            gettext("The last delivery day must not be before the first."),
            "delivery_days_reversed",
        )
        for name in ("free_above", "min_order_value", "max_order_value"):
            value = self.cleaned_data.get(name)
            if value is not None and value < 0:
                self.add_error(
                    name, ValidationError(_("Enter zero or more."), code="negative_amount")
                )
        self._check_pickup_points()
        return self.cleaned_data

    def _check_pickup_points(self) -> None:
        """Pickup methods have pickup points, and only they do."""
        kind = self.cleaned_data.get("kind")
        if kind is None:
            return
        pickup = kind == ShippingMethod.Kind.PICKUP
        if "pickup_points" in self.fields:
            points = self.cleaned_data.get("pickup_points")
            if points and not pickup:
                message, code = _("Only pickup methods have pickup points."), "not_pickup"
            elif pickup and not points and not self.has_error("pickup_points"):
                message, code = _("Choose at least one pickup point."), "no_pickup_points"
            else:
                return
            self.add_error("pickup_points", ValidationError(message, code=code))
        # The zone's inline has no pickup points field: a method becomes (or
        # stops being) a pickup method on its own page, where its points are.
        elif "kind" in self.changed_data and (
            pickup or (self.instance.pk is not None and self.instance.pickup_points.exists())
        ):
            self.add_error(
                "kind",
                ValidationError(
                    _("Pickup methods and their pickup points are set on the method's own page."),
                    code="pickup_on_method_page",
                ),
            )


class ShippingMethodInline(admin.TabularInline):
    """The essentials; bands and pickup points are on the method's own page."""

    model = ShippingMethod
    form = ShippingMethodForm
    extra = 0
    fields = (
        "kind",
        "name",
        "name_en",
        "price",
        "free_above",
        "delivery_days_min",
        "delivery_days_max",
        "is_active",
        "position",
    )
    show_change_link = True


def _describe_rule(rule: PostalCodeRule) -> str:
    if rule.prefix:
        return gettext("starting with %(prefix)s") % {"prefix": rule.prefix}
    return gettext("from %(start)s to %(end)s") % {"start": rule.start, "end": rule.end}


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    form = ShippingZoneForm
    list_display = ("name", "country_list", "is_active", "rule_count", "method_count")
    list_filter = ("is_active",)
    search_fields = ("name",)
    readonly_fields = ("rules_summary",)
    fieldsets = (
        (None, {"fields": ("name", "countries", "is_active")}),
        (_("Postal codes served"), {"fields": ("rules_summary",)}),
    )
    inlines = (PostalCodeRuleInline, ShippingMethodInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShippingZone]:
        return (
            super()
            .get_queryset(request)
            .annotate(rule_count=_count(PostalCodeRule), method_count=_count(ShippingMethod))
        )

    @admin.display(description=_("countries"))
    def country_list(self, zone: ShippingZone) -> str:
        return ", ".join(zone.countries)

    @admin.display(description=_("postal-code rules"), ordering="rule_count")
    def rule_count(self, zone: ShippingZone) -> int:
        return zone.rule_count  # type: ignore[attr-defined]

    @admin.display(description=_("shipping methods"), ordering="method_count")
    def method_count(self, zone: ShippingZone) -> int:
        return zone.method_count  # type: ignore[attr-defined]

    @admin.display(description=_("summary"))
    def rules_summary(self, zone: ShippingZone) -> SafeString | str:
        """The saved rules in words (edits on this page show after saving)."""
        if zone.pk is None:
            return gettext("Save the zone to see which postal codes it serves.")
        rules = list(zone.rules.all())
        included = [_describe_rule(r) for r in rules if r.inclusion == r.Inclusion.INCLUDE]
        excluded = [_describe_rule(r) for r in rules if r.inclusion == r.Inclusion.EXCLUDE]
        lines = [
            (gettext("Countries"), ", ".join(zone.countries) or "-"),
            (
                gettext("Postal codes"),
                "; ".join(included) if included else gettext("all"),
            ),
            (gettext("Except"), "; ".join(excluded) if excluded else gettext("none")),
        ]
        return format_html(
            '<ul style="margin: 0; padding-left: 1.2em">{}</ul>',
            format_html_join("", "<li>{}: {}</li>", lines),
        )


# Methods


def _band(low: Any, high: Any, show: Callable[[Any], str]) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f"≥ {show(low)}"
    if low is None:
        return f"≤ {show(high)}"
    return f"{show(low)}-{show(high)}"


def _euros(value: Decimal) -> str:
    return f"{formats.number_format(value, decimal_pos=2)} €"


def _kilograms(grams: int) -> str:
    return f"{formats.number_format((Decimal(grams) / 1000).normalize())} kg"


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    form = ShippingMethodForm
    list_display = (
        "zone",
        "kind",
        "name",
        "price",
        "free_above",
        "bands",
        "delivery_days",
        "is_active",
    )
    list_display_links = ("name",)
    list_filter = ("zone", "kind", "is_active")
    list_select_related = ("zone",)
    search_fields = ("name", "name_en", "zone__name")
    filter_horizontal = ("pickup_points",)
    fieldsets = (
        (None, {"fields": ("zone", "kind", "name", "name_en", "is_active", "position")}),
        (_("Price (IVA included)"), {"fields": ("price", "free_above")}),
        (
            _("Order value and weight"),
            {
                "fields": (
                    ("min_order_value", "max_order_value"),
                    ("min_weight_grams", "max_weight_grams"),
                )
            },
        ),
        (_("Delivery"), {"fields": (("delivery_days_min", "delivery_days_max"),)}),
        (_("Pickup"), {"fields": ("pickup_points",)}),
    )

    @admin.display(description=_("order value and weight"))
    def bands(self, method: ShippingMethod) -> str:
        value = _band(method.min_order_value, method.max_order_value, _euros)
        weight = _band(method.min_weight_grams, method.max_weight_grams, _kilograms)
        return " · ".join(band for band in (value, weight) if band) or "-"

    @admin.display(description=_("delivery days"), ordering="delivery_days_min")
    def delivery_days(self, method: ShippingMethod) -> str:
        if method.delivery_days_min == method.delivery_days_max:
            return str(method.delivery_days_min)
        return f"{method.delivery_days_min}-{method.delivery_days_max}"


# Pickup points


class PickupPointForm(forms.ModelForm):
    class Meta:
        model = PickupPoint
        fields = (
            "name",
            "street_address",
            "postal_code",
            "city",
            "opening_hours",
            "opening_hours_en",
            "is_active",
        )

    def clean_postal_code(self) -> str:
        code: str = self.cleaned_data["postal_code"]
        if not (POSTAL_CODE_RE.fullmatch(code) and spain.is_valid_postal_code(code)):
            raise ValidationError(
                _("Enter a Spanish postal code: 5 digits, such as 41001."),
                code="invalid_postal_code",
            )
        return code


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    form = PickupPointForm
    list_display = ("name", "city", "postal_code", "street_address", "is_active")
    list_filter = ("is_active", "city")
    search_fields = ("name", "city", "postal_code", "street_address")
