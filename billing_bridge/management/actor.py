"""The ``--actor`` option of the billing commands: who runs them, for the history."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from shop.accounts.models import User


def add_actor_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--actor",
        metavar="EMAIL",
        default=None,
        help="E-mail of the staff member running this, recorded in the billing history "
        "(default: none, as for a scheduled task).",
    )


def actor_from(email: str | None) -> User | None:
    """The active staff member with ``email``; None for no e-mail. CommandError otherwise."""
    if not email:
        return None
    user = User.objects.filter(email__iexact=email.strip(), is_staff=True, is_active=True).first()
    if user is None:
        raise CommandError(f"No active staff member with the e-mail {email}.")
    return user
