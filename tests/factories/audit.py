"""The admin's history (LogEntry), as the services write it."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.db.models import Model


def history() -> list[tuple[int, str, str, int, str]]:
    """Every LogEntry in order: (user, model, object id, action flag, message)."""
    return list(
        LogEntry.objects.order_by("pk").values_list(
            "user_id", "content_type__model", "object_id", "action_flag", "change_message"
        )
    )


def logged(obj: Model) -> list[tuple[str, int, str]]:
    """The history of ``obj``: (user's e-mail, action flag, message), in order."""
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("user__email", "action_flag", "change_message")
    )
