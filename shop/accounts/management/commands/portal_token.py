"""Print a portal token, signed as the customer portal would sign it, to try
``portalSignIn`` locally (HS256 with PORTAL_JWT_SECRET; DEBUG has a demo one)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from typing_extensions import override

from shop.accounts.portal import PortalTokenError, mint_token


class Command(BaseCommand):
    help = (
        "Print a portal token for a customer (HS256, signed with PORTAL_JWT_SECRET), to try "
        "portalSignIn or open /storefront/#portalToken=<token>."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customer", required=True, metavar="EMAIL", help="Their e-mail.")
        parser.add_argument(
            "--contract",
            action="append",
            default=[],
            metavar="N",
            help="A supply contract number the portal vouches for (repeat for more).",
        )
        parser.add_argument(
            "--lifetime", type=int, default=300, help="Seconds the token lives (default 300)."
        )
        parser.add_argument(
            "--subject", default="", help="The portal's customer id (default: demo:<e-mail>)."
        )
        parser.add_argument("--name", default="", help="The customer's full name.")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        email = options["customer"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Not an e-mail address: {options['customer']!r}.") from exc
        lifetime = options["lifetime"]
        if lifetime <= 0:
            raise CommandError("--lifetime must be a positive number of seconds.")
        if lifetime > settings.PORTAL_JWT_MAX_LIFETIME:
            self.stderr.write(
                f"Warning: the shop refuses tokens living over {settings.PORTAL_JWT_MAX_LIFETIME}"
                " seconds (PORTAL_JWT_MAX_LIFETIME)."
            )
        try:
            token = mint_token(
                email=email,
                subject=options["subject"] or f"demo:{email}",
                name=options["name"],
                contracts=options["contract"],
                lifetime=lifetime,
            )
        except PortalTokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(token)
