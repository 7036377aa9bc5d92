"""What an order's and a claim's histories have in common."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.accounts.fields import user_reference


class Event(models.Model):
    """One entry of a history: who did it, a message and the details. Each
    history adds its record's foreign key and a ``type`` with its own choices."""

    actor = user_reference(_("by"))
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ("pk",)
