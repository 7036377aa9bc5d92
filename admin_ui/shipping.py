"""Administration of shipping: zones with their postal-code rules, methods and
pickup points.

Every page writes through :mod:`orders.services.shipping`, as the API does. The
forms ask the services' checks, so what the services refuse (a rule with both
or neither shape, malformed or reversed postal codes, reversed bands, unknown
countries, pickup points off pickup methods) shows on the offending field with
the service's message, before the database's check constraints answer with
Django's generic one. Which zone serves an address is computed by
:mod:`orders.selectors`; the zone page only describes its rules.
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
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from admin_ui.common import (
    ServiceAdmin,
    ServiceCheckedForm,
    Writes,
    actor,
    adopt,
    changed,
    refusals,
    save_rows,
    show_errors,
)
from orders.errors import ShippingErrorCode as Code
from orders.models import PickupPoint, PostalCodeRule, ShippingMethod, ShippingZone
from orders.services import shipping as services

COUNTRY_SEPARATORS_RE = re.compile(r"[\s,;]+")


def _count(model: type[Model]) -> Coalesce:
    """How many ``model`` rows point at the outer zone, as one correlated subquery."""
    rows = model._default_manager.filter(zone=OuterRef("pk")).order_by().values("zone")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


# Zones


class CountriesField(forms.Field):
    """ISO 3166-1 alpha-2 codes typed as text ("ES" or "es, pt"); cleans to a list
    in capitals without repetitions (the service checks the codes)."""

    widget = forms.TextInput

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


class ShippingZoneForm(ServiceCheckedForm):
    countries = CountriesField(
        label=capfirst(_("countries")),
        help_text=_("ISO codes separated by commas: ES, PT."),
    )

    class Meta:
        model = ShippingZone
        fields = services.ZONE_FIELDS

    def service_check(self) -> None:
        services.shipping_zone_check(self.instance)


def _rule(cleaned: dict[str, Any]) -> services.PostalCodeRuleData:
    return services.PostalCodeRuleData(
        inclusion=cleaned.get("inclusion") or "",
        prefix=cleaned.get("prefix") or "",
        start=cleaned.get("start") or "",
        end=cleaned.get("end") or "",
    )


class PostalCodeRuleForm(ServiceCheckedForm):
    """A prefix of 1 to 5 digits, or a range of two 5-digit codes in order; never
    both (``postal_code_rule_problem`` says which field is wrong)."""

    class Meta:
        model = PostalCodeRule
        fields = ("inclusion", "prefix", "start", "end")

    def service_check(self) -> None:
        problem = services.postal_code_rule_problem(_rule(self.cleaned_data))
        if problem is not None:
            field, message = problem
            error = ValidationError(capfirst(message), code=Code.INVALID_POSTAL_CODE_RULE)
            show_errors(self, ValidationError({field: error}))


class PostalCodeRuleInline(admin.TabularInline):
    model = PostalCodeRule
    form = PostalCodeRuleForm
    extra = 0
    fields = ("inclusion", "prefix", "start", "end")


class ShippingMethodForm(ServiceCheckedForm):
    """Bands in order, and pickup points only on pickup methods (the service's
    check; on the zone's inline, which has no pickup points, the method's saved ones)."""

    class Meta:
        model = ShippingMethod
        fields = ("zone", *services.METHOD_FIELDS, "pickup_points")

    def service_check(self) -> None:
        points = self.cleaned_data.get("pickup_points")
        services.shipping_method_check(self.instance, None if points is None else list(points))


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
class ShippingZoneAdmin(ServiceAdmin):
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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # with its rules, in save_related: one service call, one history entry

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The zone and the rules left on the page in one ``shipping_zone_*`` call,
        then the methods of the inline, each through its service."""
        data = changed(form, services.ZONE_FIELDS)
        rules = next(f for f in formsets if f.model is PostalCodeRule)
        if not change or any(f.has_changed() or rules._should_delete_form(f) for f in rules):
            data["rules"] = [
                _rule(f.cleaned_data)
                for f in rules.forms
                if f.cleaned_data and not rules._should_delete_form(f)
            ]
        with refusals():
            if not change:
                adopt(form.instance, services.shipping_zone_create(actor=actor(request), data=data))
            elif data:
                services.shipping_zone_update(actor=actor(request), zone=form.instance, data=data)
        super().save_related(request, form, [f for f in formsets if f is not rules], change)

    def delete(self, request: HttpRequest, obj: ShippingZone) -> None:
        services.shipping_zone_delete(actor=actor(request), zone=obj)

    @override
    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        zone, who = form.instance, actor(request)
        save_rows(
            formset,
            create=lambda row: services.shipping_method_create(
                actor=who, zone=zone, data=changed(row, services.METHOD_FIELDS)
            ),
            update=lambda method, row: services.shipping_method_update(
                actor=who, method=method, data=changed(row, services.METHOD_FIELDS)
            ),
            delete=lambda method: services.shipping_method_delete(actor=who, method=method),
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


METHOD_PAGE_FIELDS = (*services.METHOD_FIELDS, "pickup_points")


def _method_data(form: ModelForm) -> dict[str, Any]:
    data = changed(form, METHOD_PAGE_FIELDS)
    if "pickup_points" in data:
        data["pickup_points"] = list(data["pickup_points"])
    return data


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ServiceAdmin):
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

    @override
    def get_readonly_fields(
        self, request: HttpRequest, obj: ShippingMethod | None = None
    ) -> tuple[str, ...]:
        # A method stays in its zone: add one to the other zone instead.
        return ("zone",) if obj is not None else ()

    def create(self, request: HttpRequest, form: ModelForm) -> ShippingMethod:
        return services.shipping_method_create(
            actor=actor(request), zone=form.cleaned_data["zone"], data=_method_data(form)
        )

    def update(self, request: HttpRequest, obj: ShippingMethod, form: ModelForm) -> None:
        services.shipping_method_update(actor=actor(request), method=obj, data=_method_data(form))

    def delete(self, request: HttpRequest, obj: ShippingMethod) -> None:
        services.shipping_method_delete(actor=actor(request), method=obj)

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


class PickupPointForm(ServiceCheckedForm):
    class Meta:
        model = PickupPoint
        fields = services.PICKUP_POINT_FIELDS

    def service_check(self) -> None:
        services.pickup_point_check(self.instance)


@admin.register(PickupPoint)
class PickupPointAdmin(ServiceAdmin):
    form = PickupPointForm
    list_display = ("name", "city", "postal_code", "street_address", "is_active")
    list_filter = ("is_active", "city")
    search_fields = ("name", "city", "postal_code", "street_address")

    writes = Writes(
        "point",
        services.PICKUP_POINT_FIELDS,
        services.pickup_point_create,
        services.pickup_point_update,
        services.pickup_point_delete,
    )
