"""Model fields that point at a user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from shop.accounts.models import User


def user_reference(
    verbose_name: StrOrPromise | None = None, *, related_name: str = "+"
) -> models.ForeignKey[User | None, User | None]:
    """A link to a user that outlives them: optional, and null once the user is
    deleted (the row stays). For who did something (an event's actor, a batch's
    creator) and for whose a record is (an order's or a claim's customer)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
    )
