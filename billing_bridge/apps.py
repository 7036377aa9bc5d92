from django.apps import AppConfig


class BillingBridgeConfig(AppConfig):
    name = "billing_bridge"
