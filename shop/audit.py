"""One history for every administrative change, whether made in admin_ui or the API.

Django admin's ``LogEntry`` already records admin changes with their author;
services call :func:`record_change` so API changes land in the same history.
"""

from __future__ import annotations

from typing import Literal

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import models

from shop.accounts.models import User

_FLAGS = {"add": ADDITION, "change": CHANGE, "delete": DELETION}


def record_change(
    *,
    actor: User,
    obj: models.Model,
    action: Literal["add", "change", "delete"],
    message: str = "",
) -> None:
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=_FLAGS[action],
        change_message=message,
        single_object=True,
    )
