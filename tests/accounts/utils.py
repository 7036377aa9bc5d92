"""Helpers shared by the accounts tests."""

from __future__ import annotations

from typing import Any

from strawberry import relay

from shop.accounts.models import Address, User


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every account row, to check that a refused request changed nothing."""
    return {
        "users": list(User.objects.order_by("pk").values()),
        "addresses": list(Address.objects.order_by("pk").values()),
    }


def global_id(type_name: str, pk: int | str) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
