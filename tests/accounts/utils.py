"""Helpers shared by the accounts tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache.backends import base, locmem
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


class CacheClock:
    """Stands in for ``time`` in the local-memory cache, which reads it for expiry:
    move ``now`` on to see what the cache forgets."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    @classmethod
    def install(cls, monkeypatch: pytest.MonkeyPatch) -> CacheClock:
        clock = cls()
        monkeypatch.setattr(base, "time", clock)
        monkeypatch.setattr(locmem, "time", clock)
        return clock
