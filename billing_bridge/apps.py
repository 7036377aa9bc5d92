from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingBridgeConfig(AppConfig):
    name = "billing_bridge"
    verbose_name = _("Water-bill billing")
