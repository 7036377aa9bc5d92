"""Play the utility's billing system in the demo: ``bill_simulator seed``,
``contracts``, ``set-status NUMBER STATUS``, ``acknowledge BATCH``, ``settle BATCH``.

The simulator keeps its contracts in ``simulator.json`` in the exchange
directory (or ``BILLING_SIMULATOR_STATE``) and answers the batch files there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from typing_extensions import override

from billing_bridge import demo
from billing_bridge.exchange.base import ContractInfo, ExchangeError
from billing_bridge.exchange.simulator import STATUSES, BillingSimulator, state_path
from shop.accounts.demo import CUSTOMER_EMAIL
from shop.accounts.models import User

DEMO_BILLS = "; ".join(
    f"{contract.number} {contract.status}{', unpaid bills' if contract.has_unpaid_bills else ''}"
    f": last bill {contract.last_bill_amount} EUR"
    for contract in demo.CONTRACTS
)


def describe(info: ContractInfo) -> str:
    unpaid = {True: "yes", False: "no", None: "-"}[info.has_unpaid_bills]
    cutoff = info.next_cutoff.isoformat() if info.next_cutoff else "-"
    amount = "-" if info.last_bill_amount is None else f"{info.last_bill_amount:.2f}"
    where = ", ".join(part for part in (info.holder, info.supply_address) if part)
    return f"  {info.number:<10} {info.status:<11} {unpaid:<7} {cutoff:<11} {amount:>9}  {where}"


HEADER = f"  {'number':<10} {'status':<11} {'unpaid':<7} {'cut-off':<11} {'last bill':>9}  holder"


class Command(BaseCommand):
    help = "Play the billing system for the demo: its contracts, acknowledgements, settlements."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        seed = actions.add_parser(
            "seed", help=f"Give the simulator the demo contracts ({DEMO_BILLS})."
        )
        seed.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Date the cut-offs count from, YYYY-MM-DD (default: today).",
        )
        actions.add_parser("contracts", help="List the contracts the simulator knows.")
        status = actions.add_parser("set-status", help="Change the status of a contract.")
        status.add_argument("number")
        status.add_argument("status", choices=STATUSES)
        acknowledge = actions.add_parser(
            "acknowledge", help="Bill a batch: write <batch>.ack.csv (accepted/rejected)."
        )
        acknowledge.add_argument("batch")
        settle = actions.add_parser(
            "settle", help="The bills of a batch were paid: write <batch>.settled.csv."
        )
        settle.add_argument("batch")

    @override
    def handle(self, *args: Any, action: str, **options: Any) -> None:
        simulator = BillingSimulator()
        try:
            if action == "seed":
                self.seed(simulator, options["today"])
            elif action == "contracts":
                self.contracts(simulator)
            elif action == "set-status":
                info = simulator.set_status(options["number"], options["status"])
                self.stdout.write(self.style.SUCCESS(f"Contract {info.number} is {info.status}."))
                self.stdout.write("Refresh the shop's mirror with: bill_contracts_refresh")
            elif action == "acknowledge":
                ack = simulator.acknowledge(options["batch"])
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Batch {options['batch']}: {ack.accepted} accepted, "
                        f"{ack.rejected} rejected."
                    )
                )
                self.import_hint(ack.path)
            elif action == "settle":
                settlement = simulator.settle(options["batch"])
                self.stdout.write(
                    self.style.SUCCESS(f"Batch {options['batch']}: {settlement.settled} settled.")
                )
                self.import_hint(settlement.path)
        except (ExchangeError, ValueError) as error:
            raise CommandError(str(error)) from error

    def seed(self, simulator: BillingSimulator, today: date | None) -> None:
        holder = demo.holder_of(User.objects.filter(email=CUSTOMER_EMAIL).first())
        infos = demo.simulator_contracts(holder=holder, today=today)
        simulator.put(*infos)
        self.stdout.write(self.style.SUCCESS(f"{len(infos)} demo contracts in {state_path()}:"))
        self.stdout.write(HEADER)
        for info in infos:
            self.stdout.write(describe(info))
        self.stdout.write(
            "Link one with waterContractLink: its number and the amount of its last bill."
        )

    def contracts(self, simulator: BillingSimulator) -> None:
        contracts = simulator.contracts()
        self.stdout.write(f"{len(contracts)} contracts in {state_path()}:")
        if contracts:
            self.stdout.write(HEADER)
        for number in sorted(contracts):
            self.stdout.write(describe(contracts[number]))

    def import_hint(self, path: Path) -> None:
        self.stdout.write(f"  {path}")
        self.stdout.write(f"Import it with: python manage.py bill_ack_import {path}")
