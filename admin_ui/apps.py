from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ShopAdminConfig(admin_apps.AdminConfig):
    """Replaces ``django.contrib.admin`` so ``admin.site`` is the shop's own site."""

    default = False
    default_site = "admin_ui.sites.ShopAdminSite"


class AdminUiConfig(AppConfig):
    default = True
    name = "admin_ui"
    verbose_name = _("Administration")
