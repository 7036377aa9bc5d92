"""The shop's admin site: its index is organised by task (sections), not by
Django app, and opens with the dashboard.

Which model goes in which section is the one table :data:`SECTIONS`. Each model
still shows only to staff with a permission on it (Django's per-model check);
a section with no model left for the user is left out. A model no section
names goes to a last "Other" section, so a newly registered admin never
disappears from the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from admin_ui import two_factor
from shop.accounts.models import User


@dataclass(frozen=True)
class Section:
    """A task of the back office and the models it covers, in the order shown.

    ``models`` holds ``"app_label.model_name"`` for one model or ``"app_label"``
    for every model of the app not named elsewhere.
    """

    slug: str
    name: Promise
    models: tuple[str, ...]


SECTIONS = (
    Section(
        "catalogue",
        pgettext_lazy("admin section", "Catalogue"),
        (
            "catalog.product",
            "catalog.productvariant",
            "catalog.stock",
            "catalog.category",
            "catalog.collection",
            "catalog.attribute",
            "catalog.warehouse",
            "catalog",
        ),
    ),
    Section(
        "discounts",
        pgettext_lazy("admin section", "Promotions and vouchers"),
        ("discounts.promotion", "discounts.voucher", "discounts.voucherusage", "discounts"),
    ),
    Section("orders", pgettext_lazy("admin section", "Orders"), ("orders.order", "orders.payment")),
    Section("claims", pgettext_lazy("admin section", "Claims"), ("orders.claim",)),
    Section(
        "shipping",
        pgettext_lazy("admin section", "Shipping"),
        ("orders.shippingzone", "orders.shippingmethod", "orders.pickuppoint"),
    ),
    Section(
        "billing",
        pgettext_lazy("admin section", "Billing on the water bill"),
        (
            "billing_bridge.billcharge",
            "billing_bridge.exportbatch",
            "billing_bridge.ackfile",
            "billing_bridge.supplycontract",
            "billing_bridge.contractlink",
            "billing_bridge",
        ),
    ),
    Section(
        "invoices",
        pgettext_lazy("admin section", "Invoices and VERI*FACTU"),
        ("invoicing.invoice", "invoicing.verifacturecord", "invoicing.submission", "invoicing"),
    ),
    Section(
        "settings",
        pgettext_lazy("admin section", "Shop settings"),
        (
            "content.shopsettings",
            "content.homepagesection",
            "content.faqentry",
            "content.faqcategory",
            "content.legalpage",
            "content",
        ),
    ),
    Section(
        "users",
        pgettext_lazy("admin section", "Users and roles"),
        ("accounts.user", "auth.group", "accounts", "auth", "otp_totp", "otp_static"),
    ),
    Section("system", pgettext_lazy("admin section", "Background work"), ("outbox",)),
)
OTHER = Section("other", pgettext_lazy("admin section", "Other"), ())
_SHOWN = (*SECTIONS, OTHER)
_PLACES = {
    label: (index, position)
    for index, section in enumerate(SECTIONS)
    for position, label in enumerate(section.models)
}


def _place(app_label: str, model_name: str) -> tuple[int, int]:
    """The index of a model's section in :data:`SECTIONS` (one past the end for
    "Other") and the model's position there: a model named outright comes
    before the rest of its app."""
    return _PLACES.get(f"{app_label}.{model_name}") or _PLACES.get(app_label) or (len(SECTIONS), 0)


def section_of(app_label: str, model_name: str) -> Section:
    return _SHOWN[_place(app_label, model_name)[0]]


class ShopAdminSite(admin.AdminSite):
    site_header = _("Water Shop administration")
    site_title = _("Water Shop administration")
    index_title = _("Dashboard")
    # Not "admin/index.html": django.contrib.admin comes first in INSTALLED_APPS,
    # so its own template of that name would win over an override in admin_ui.
    index_template = "admin/shop_index.html"

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        """The sections the user may see, each with its models in the table's
        order. With ``app_label`` (the page of one Django app, which the admin's
        breadcrumbs link to) the app's own list, as Django builds it."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        placed = []
        for app in self._build_app_dict(request).values():
            for model in app["models"]:
                opts = model["model"]._meta
                placed.append((*_place(opts.app_label, opts.model_name), str(model["name"]), model))
        sections: dict[int, dict[str, Any]] = {}
        for index, _position, _name, model in sorted(placed, key=lambda row: row[:3]):
            section = _SHOWN[index]
            sections.setdefault(
                index,
                {
                    "name": section.name,
                    "app_label": section.slug,
                    "app_url": reverse("admin:section", args=[section.slug], current_app=self.name),
                    "has_module_perms": True,
                    "models": [],
                },
            )["models"].append(model)
        return list(sections.values())

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, and -- with ``ADMIN_REQUIRE_2FA`` -- a session that passed
        the second factor (``admin_ui.two_factor``): every admin page is behind it."""
        return super().has_permission(request) and not two_factor.needs_second_factor(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The password step; a signed-in staff member still owing the second
        factor is sent on to it."""
        if request.method == "GET" and two_factor.needs_second_factor(request):
            return HttpResponseRedirect(two_factor.step_url(request, self))
        response = super().login(request, extra_context)
        if request.method == "POST" and two_factor.needs_second_factor(request):
            return HttpResponseRedirect(two_factor.step_url(request, self))
        return response

    def get_urls(self) -> list[URLResolver | URLPattern]:
        section = path("section/<slug:slug>/", self.admin_view(self.section_view), name="section")
        steps = [
            path("otp/verify/", two_factor.verify_view(self), name="otp_verify"),
            path("otp/enrol/", two_factor.enrol_view(self), name="otp_enrol"),
            path("otp/cancel/", two_factor.cancel_view(self), name="otp_cancel"),
        ]
        return [section, *steps, *super().get_urls()]

    def section_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        """One section's models, as Django shows one app's (404 when the user
        sees none of them, as for an app)."""
        app_list = [entry for entry in self.get_app_list(request) if entry["app_label"] == slug]
        if not app_list:
            raise Http404
        context = {
            **self.each_context(request),
            "title": app_list[0]["name"],
            "subtitle": None,
            "app_list": app_list,
            "app_label": slug,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/app_index.html", context)

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The sections, under the dashboard's blocks the user may see."""
        # Imported here, not above: the dashboard imports admin_ui.catalog, whose
        # admins register on this site while it is being created.
        from admin_ui.dashboard import dashboard_for

        staff = cast(User, request.user)  # admin_view lets only staff through
        context = {"dashboard": dashboard_for(staff), **(extra_context or {})}
        return super().index(request, context)
