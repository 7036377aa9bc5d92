"""Load the demo data into the configured database. Safe to run again: every
record is keyed on a natural key and updated in place."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from typing_extensions import override

from billing_bridge import demo as billing_demo
from catalog import demo as catalog_demo
from orders import demo as orders_demo
from shop.accounts import demo as accounts_demo
from shop.content import demo as content_demo

DEFAULT_PASSWORD = "agua-demo-2026"  # noqa: S105 -- printed for the local demo only


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo data: accounts, content, catalogue, shipping, orders, "
        "supply contracts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", ""),
            help="Password of the demo accounts (default: a known demo password, DEBUG only).",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or DEFAULT_PASSWORD
        if password == DEFAULT_PASSWORD and not settings.DEBUG:
            raise CommandError(
                "Refusing to create accounts with the published demo password while DEBUG is "
                "off. Pass --password (or DEMO_PASSWORD)."
            )
        with transaction.atomic():
            logins = accounts_demo.seed(password=password)
            content_demo.seed()
            catalog_demo.seed()
            orders_demo.seed()
            placed = orders_demo.seed_orders(accounts_demo.CUSTOMER_EMAIL)
            billing_demo.seed(accounts_demo.CUSTOMER_EMAIL)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({placed} demo orders placed)."))
        self.stdout.write("Demo logins (administration at /admin/, API at /graphql/):")
        for login in logins:
            self.stdout.write(f"  {login.email:<36} {login.role:<28} password: {password}")
        cutoff = billing_demo.next_cutoff(date.today())
        self.stdout.write(
            f"Supply contracts of the demo customer (water bill; next cut-off {cutoff}):"
        )
        for contract in billing_demo.CONTRACTS:
            unpaid = ", unpaid bills" if contract.has_unpaid_bills else ""
            self.stdout.write(
                f"  {contract.number}  {contract.status}{unpaid}; last bill "
                f"{contract.last_bill_amount} EUR"
            )
