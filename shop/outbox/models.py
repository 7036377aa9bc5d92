"""The outbox: work to do after a transaction commits, written in that transaction.

A :class:`Message` names a Celery task and its keyword arguments. It exists
exactly when the transaction that wrote it committed, and it stays until its
task has run (``done_at``), however long the broker is away. See
:mod:`shop.outbox.services` for how messages are written, relayed and run.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One run of ``task(**kwargs)`` owed by a committed transaction."""

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Publications to the broker, failed or not.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # When the relay next publishes it, unless it is done by then.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(done_at__isnull=True),
                name="outbox_message_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
