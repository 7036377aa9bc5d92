"""Helpers shared by the content tests."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from strawberry import relay

from shop.content.models import FaqCategory, FaqEntry, HomePageSection, LegalPage, ShopSettings

SHOP_ADMINISTRATOR_GROUP = "Administrador de la tienda"
OTHER_STAFF_GROUP = "Gestor de catálogo"
CONTENT_MODELS = (ShopSettings, HomePageSection, FaqCategory, FaqEntry, LegalPage)
EN = {"Accept-Language": "en"}


def global_id(type_name: str, pk: int | str) -> str:
    return relay.to_base64(type_name, pk)


def content_snapshot() -> dict[str, Any]:
    """Every content row and every history entry, to prove a denied request changed nothing."""
    snapshot: dict[str, Any] = {
        model.__name__: list(model.objects.order_by("pk").values()) for model in CONTENT_MODELS
    }
    snapshot["LogEntry"] = list(LogEntry.objects.order_by("pk").values())
    return snapshot
