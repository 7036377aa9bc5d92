"""Demo supply contracts for ``seed_demo``: the demo customer holds three -- one
active, one with unpaid bills, one terminated -- so both the water-bill route
and its refusals can be tried. Idempotent (keyed on the contract number).

When the configured exchange is the billing-system simulator (the demo's
default), the simulator learns the same contracts with the amounts of their last
bills, so ``waterContractLink`` (contract number + last bill) and the whole
cycle (``bill_cycle_export``, ``bill_simulator acknowledge``, ``bill_ack_import``,
``bill_reconcile``) can be tried too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from billing_bridge import services
from billing_bridge.exchange.base import ContractInfo, get_exchange
from billing_bridge.exchange.simulator import BillingSimulator
from billing_bridge.models import SupplyContract
from shop.accounts.models import User

DEMO_HOLDER = "Lucía Romero"  # the demo customer's name (shop.accounts.demo)
BILLING_PERIOD_MONTHS = 2


@dataclass(frozen=True)
class DemoContract:
    number: str
    supply_address: str
    status: SupplyContract.Status
    has_unpaid_bills: bool
    last_bill_amount: Decimal

    @property
    def postal_code(self) -> str:
        return self.supply_address.split(", ")[-1][:5]


CONTRACTS = (
    DemoContract(
        "41000123",
        "Calle Betis 12, 41010 Sevilla",
        SupplyContract.Status.ACTIVE,
        has_unpaid_bills=False,
        last_bill_amount=Decimal("48.20"),
    ),
    DemoContract(
        "41000456",
        "Avenida de la Constitución 3, 41004 Sevilla",
        SupplyContract.Status.ACTIVE,
        has_unpaid_bills=True,
        last_bill_amount=Decimal("63.75"),
    ),
    DemoContract(
        "41000789",
        "Calle Feria 40, 41003 Sevilla",
        SupplyContract.Status.TERMINATED,
        has_unpaid_bills=False,
        last_bill_amount=Decimal("29.40"),
    ),
)


def next_cutoff(today: date) -> date:
    """The 20th of next month: the demo's bills are cut off then."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, 20)


def holder_of(customer: User | None) -> str:
    """The customer's full name; ``DEMO_HOLDER`` without one."""
    name = f"{customer.first_name} {customer.last_name}".strip() if customer else ""
    return name or DEMO_HOLDER


def simulator_contracts(*, holder: str, today: date | None = None) -> list[ContractInfo]:
    """The demo contracts as the billing system knows them: what the mirror
    holds, plus the amounts of their last bills."""
    cutoff = next_cutoff(today or date.today())
    return [
        ContractInfo(
            number=contract.number,
            status=str(contract.status),
            holder=holder,
            last_bill_amount=contract.last_bill_amount,
            supply_address=contract.supply_address,
            postal_code=contract.postal_code,
            billing_period_months=BILLING_PERIOD_MONTHS,
            next_cutoff=cutoff,
            has_unpaid_bills=contract.has_unpaid_bills,
        )
        for contract in CONTRACTS
    ]


def seed(customer_email: str, *, today: date | None = None) -> list[ContractInfo]:
    """Mirror the demo contracts and link them to the customer; when the
    exchange is the simulator, seed it with them too (after commit). Returns
    the contracts given to the simulator (none with another exchange)."""
    customer = User.objects.get(email=customer_email)
    holder = holder_of(customer)
    cutoff = next_cutoff(today or date.today())
    for contract in CONTRACTS:
        SupplyContract.objects.update_or_create(
            number=contract.number,
            defaults={
                "holder_name": holder,
                "supply_address": contract.supply_address,
                "postal_code": contract.postal_code,
                "status": contract.status,
                "billing_period_months": BILLING_PERIOD_MONTHS,
                "next_cutoff": cutoff,
                "has_unpaid_bills": contract.has_unpaid_bills,
                "credit_limit": Decimal("300.00"),
            },
        )
    services.contracts_link_vouched(user=customer, numbers=[c.number for c in CONTRACTS])
    exchange = get_exchange()
    if not isinstance(exchange, BillingSimulator):
        return []
    infos = simulator_contracts(holder=holder, today=today)
    transaction.on_commit(lambda: exchange.put(*infos))
    return infos
