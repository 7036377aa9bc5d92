from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ShopAdminSite(admin.AdminSite):
    site_header = _("Water Shop administration")
    site_title = _("Water Shop")
    index_title = _("Administration")
