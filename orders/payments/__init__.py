"""Payment methods configured in ``settings.SHOP_PAYMENT_METHODS``, loaded once."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from orders.payments.base import PaymentMethod


@functools.cache
def get_payment_methods() -> dict[str, PaymentMethod]:
    """Instances of the configured methods by alias, in settings order."""
    methods: dict[str, PaymentMethod] = {}
    for alias, path in settings.SHOP_PAYMENT_METHODS.items():
        method = import_string(path)()
        if not isinstance(method, PaymentMethod):
            raise TypeError(f"{path} is not a PaymentMethod.")
        method.code = alias
        methods[alias] = method
    return methods


def get_payment_method(code: str) -> PaymentMethod | None:
    return get_payment_methods().get(code)


@receiver(setting_changed)
def _reset(*, setting: str, **_kwargs: Any) -> None:
    if setting == "SHOP_PAYMENT_METHODS":
        get_payment_methods.cache_clear()
