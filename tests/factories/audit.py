"""The admin's history (LogEntry), as the services write it."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry


def history() -> list[tuple[int, str, str, int, str]]:
    """Every LogEntry in order: (user, model, object id, action flag, message)."""
    return list(
        LogEntry.objects.order_by("pk").values_list(
            "user_id", "content_type__model", "object_id", "action_flag", "change_message"
        )
    )
