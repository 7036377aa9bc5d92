"""Administration of promotions and vouchers. Writes go through
``discounts.services``; a voucher's page shows its usage and revenue, exports
its codes as CSV and generates single-use codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from admin_ui.common import (
    ObjectToolsMixin,
    ReadOnlyAdmin,
    ServiceAdmin,
    ServiceCheckedForm,
    Writes,
    actor,
)
from admin_ui.order_forms import euros
from discounts import selectors, services
from discounts.models import Promotion, Voucher, VoucherUsage
from shop.money import quantize

RENAMES = {"startsAt": "starts_at", "endsAt": "ends_at"}


class UsageColumns:
    """The list columns a promotion and a voucher share, from their usage figures
    (annotated by the admin's queryset)."""

    def stats(self, obj: Any) -> selectors.PromotionStats | selectors.VoucherStats:
        raise NotImplementedError

    @admin.display(description=_("discount given"), ordering="usage_discount")
    def discount_given(self, obj: Any) -> str:
        return euros(self.stats(obj).discount)

    @admin.display(description=_("revenue"), ordering="usage_revenue")
    def revenue(self, obj: Any) -> str:
        return euros(self.stats(obj).revenue)


class PromotionForm(ServiceCheckedForm):
    service_renames = RENAMES

    class Meta:
        model = Promotion
        fields = (*services.PROMOTION_FIELDS, *services.PROMOTION_TARGETS)

    def service_check(self) -> None:
        services.promotion_check(self.instance)


@admin.register(Promotion)
class PromotionAdmin(UsageColumns, ServiceAdmin):
    writes = Writes(
        "promotion",
        (*services.PROMOTION_FIELDS, *services.PROMOTION_TARGETS),
        services.promotion_create,
        services.promotion_update,
        services.promotion_delete,
    )
    form = PromotionForm
    list_display = (
        "name",
        "value_type",
        "value",
        "starts_at",
        "ends_at",
        "is_active",
        "orders",
        "discount_given",
        "revenue",
    )
    list_filter = ("is_active", "value_type")
    search_fields = ("name", "name_en")
    autocomplete_fields = ("products", "categories", "collections")
    filter_horizontal = ("variants",)
    readonly_fields = ("usage_summary",)

    @override
    def get_queryset(self, request: HttpRequest) -> QuerySet[Promotion]:
        return selectors.promotions_with_usage(super().get_queryset(request), targets=False)

    @override
    def stats(self, obj: Any) -> selectors.PromotionStats:
        return selectors.promotion_stats(obj)

    @admin.display(description=_("orders"), ordering="usage_orders")
    def orders(self, obj: Promotion) -> int:
        return self.stats(obj).orders

    @admin.display(description=_("usage and revenue"))
    def usage_summary(self, obj: Promotion) -> str:
        if obj.pk is None:
            return "-"
        stats = self.stats(obj)
        return str(
            _("%(orders)d orders (not cancelled); %(discount)s given, %(revenue)s of orders.")
            % {
                "orders": stats.orders,
                "discount": euros(stats.discount),
                "revenue": euros(stats.revenue),
            }
        )


class VoucherForm(ServiceCheckedForm):
    service_renames = RENAMES
    code = forms.CharField(
        label=_("shared code"),
        required=False,
        max_length=40,
        help_text=_("When adding: the code customers type, e.g. AGUA10."),
    )

    class Meta:
        model = Voucher
        fields = (*services.VOUCHER_FIELDS, *services.VOUCHER_TARGETS)

    def service_check(self) -> None:
        services.promotion_check(self.instance)


class GenerateCodesForm(forms.Form):
    count = forms.IntegerField(label=_("how many"), min_value=1, max_value=10_000)
    code_prefix = forms.CharField(label=_("prefix"), required=False, max_length=20)


@admin.register(Voucher)
class VoucherAdmin(UsageColumns, ObjectToolsMixin, ServiceAdmin):
    writes = Writes(
        "voucher",
        (*services.VOUCHER_FIELDS, *services.VOUCHER_TARGETS),
        services.voucher_create,
        services.voucher_update,
        services.voucher_delete,
    )
    form = VoucherForm
    list_display = (
        "name",
        "scope",
        "value_type",
        "value",
        "usage_limit",
        "is_active",
        "uses",
        "discount_given",
        "revenue",
    )
    list_filter = ("is_active", "scope")
    search_fields = ("name", "codes__code")
    autocomplete_fields = ("products", "categories", "collections")
    readonly_fields = ("usage_summary",)

    @override
    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [*services.VOUCHER_FIELDS, *services.VOUCHER_TARGETS]
        return [*fields, "usage_summary"] if obj else ["code", *fields]

    def create(self, request: HttpRequest, form: forms.ModelForm) -> Voucher:
        data = {k: v for k, v in form.cleaned_data.items() if k in self.writes.fields}
        return services.voucher_create(
            actor=actor(request), data=data, code=form.cleaned_data.get("code") or ""
        )

    @override
    def get_queryset(self, request: HttpRequest) -> QuerySet[Voucher]:
        return selectors.vouchers_with_usage(super().get_queryset(request))

    @override
    def stats(self, obj: Any) -> selectors.VoucherStats:
        return selectors.voucher_stats(obj)

    @admin.display(description=_("uses"), ordering="usage_uses")
    def uses(self, obj: Voucher) -> int:
        return self.stats(obj).uses

    @admin.display(description=_("usage and revenue"))
    def usage_summary(self, obj: Voucher) -> str:
        stats = self.stats(obj)
        codes = obj.codes.count()
        return str(
            _(
                "%(uses)d uses, %(reserved)d held by checkouts paying now; %(discount)s € given, "
                "%(revenue)s € of orders; %(codes)d codes."
            )
            % {
                "uses": stats.uses,
                "reserved": stats.reserved,
                "discount": quantize(stats.discount),
                "revenue": quantize(stats.revenue),
                "codes": codes,
            }
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/codes.csv",
                view(self.codes_csv_view),
                name="discounts_voucher_codes_csv",
            ),
            path(
                "<path:object_id>/generate/",
                view(self.generate_view),
                name="discounts_voucher_generate",
            ),
            *super().get_urls(),
        ]

    def _voucher(self, request: HttpRequest, object_id: str, perm: str) -> Voucher:
        if not request.user.has_perm(f"discounts.{perm}_voucher"):
            raise PermissionDenied
        voucher = self.get_object(request, unquote(object_id))
        if voucher is None:
            raise Http404
        return voucher

    def codes_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        voucher = self._voucher(request, object_id, "view")
        response = HttpResponse(services.voucher_codes_csv(voucher), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="voucher-{voucher.pk}-codes.csv"'
        return response

    def generate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        voucher = self._voucher(request, object_id, "add")
        form = GenerateCodesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                codes = services.voucher_codes_generate(
                    actor=actor(request),
                    voucher=voucher,
                    count=form.cleaned_data["count"],
                    prefix=form.cleaned_data["code_prefix"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("%(count)d codes generated.") % {"count": len(codes)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:discounts_voucher_change", args=[voucher.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Generate single-use codes"),
            "form": form,
            "original": voucher,
            "change_url": reverse("admin:discounts_voucher_change", args=[voucher.pk]),
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin_ui/action_base.html", context)

    def object_tools(
        self, _request: HttpRequest, voucher: Voucher
    ) -> list[tuple[str, str | Promise]]:
        return [
            (
                reverse("admin:discounts_voucher_codes_csv", args=[voucher.pk]),
                _("Export codes (CSV)"),
            ),
            (reverse("admin:discounts_voucher_generate", args=[voucher.pk]), _("Generate codes")),
        ]


@admin.register(VoucherUsage)
class VoucherUsageAdmin(ReadOnlyAdmin):
    list_display = ("code", "voucher", "status", "email", "order", "discount_gross", "created_at")
    list_filter = ("status", "voucher")
    list_select_related = ("code", "voucher", "order")
    search_fields = ("code__code", "email", "order__number")
