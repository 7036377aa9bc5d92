"""Demo supply contracts for ``seed_demo``: the demo customer holds three -- one
active, one with unpaid bills, one terminated -- so both the water-bill route
and its refusals can be tried. Idempotent (keyed on the contract number)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from billing_bridge import services
from billing_bridge.models import SupplyContract
from shop.accounts.models import User

CONTRACTS = (
    ("41000123", "Calle Betis 12, 41010 Sevilla", SupplyContract.Status.ACTIVE, False),
    ("41000456", "Avenida de la Constitución 3, 41004 Sevilla", SupplyContract.Status.ACTIVE, True),
    ("41000789", "Calle Feria 40, 41003 Sevilla", SupplyContract.Status.TERMINATED, False),
)


def next_cutoff(today: date) -> date:
    """The 20th of next month: the demo's bills are cut off then."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, 20)


def seed(customer_email: str, *, today: date | None = None) -> None:
    customer = User.objects.get(email=customer_email)
    cutoff = next_cutoff(today or date.today())
    for number, address, status, unpaid in CONTRACTS:
        SupplyContract.objects.update_or_create(
            number=number,
            defaults={
                "holder_name": f"{customer.first_name} {customer.last_name}".strip(),
                "supply_address": address,
                "postal_code": address.split(", ")[-1][:5],
                "status": status,
                "billing_period_months": 2,
                "next_cutoff": cutoff,
                "has_unpaid_bills": unpaid,
                "credit_limit": Decimal("300.00"),
            },
        )
    services.contracts_link_vouched(user=customer, numbers=[number for number, *_ in CONTRACTS])
