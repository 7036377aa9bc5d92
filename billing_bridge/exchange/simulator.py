"""A stand-in for the utility's billing system, over the exchange directory: it
knows some contracts, reads the batches the shop writes and answers each with an
acknowledgement file (and later a settlement file), as the real system would.

For the demo and the tests. Its contracts live in a JSON file (``simulator.json``
in ``BILLING_EXCHANGE_DIR``, or ``BILLING_SIMULATOR_STATE``) so that the web
process, the ``bill_simulator`` command and the workers see the same billing
system; built with ``contracts=`` it keeps them in memory instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from billing_bridge.exchange.base import ACK_COLUMNS, ContractInfo, ExchangeError
from billing_bridge.exchange.file import FileExchange, exchange_dir, write_atomically

STATUSES = ("active", "suspended", "terminated")
STATE_FILE = "simulator.json"


@dataclass(frozen=True)
class Acknowledgement:
    path: Path
    accepted: int
    rejected: int


@dataclass(frozen=True)
class Settlement:
    path: Path
    settled: int


def state_path() -> Path:
    """Where the simulator keeps its contracts: ``BILLING_SIMULATOR_STATE`` if
    set, else ``simulator.json`` in the exchange directory."""
    configured = getattr(settings, "BILLING_SIMULATOR_STATE", "")
    return Path(configured) if configured else exchange_dir() / STATE_FILE


def _encode(info: ContractInfo) -> dict[str, Any]:
    return {
        "status": info.status,
        "holder": info.holder,
        "supply_address": info.supply_address,
        "postal_code": info.postal_code,
        "billing_period_months": info.billing_period_months,
        "next_cutoff": info.next_cutoff.isoformat() if info.next_cutoff else None,
        "has_unpaid_bills": info.has_unpaid_bills,
        "last_bill_amount": (
            None if info.last_bill_amount is None else f"{info.last_bill_amount:.2f}"
        ),
    }


def _decode(number: str, data: dict[str, Any]) -> ContractInfo:
    amount, cutoff = data.get("last_bill_amount"), data.get("next_cutoff")
    return ContractInfo(
        number=number,
        status=data["status"],
        holder=data.get("holder", ""),
        last_bill_amount=None if amount is None else Decimal(amount),
        supply_address=data.get("supply_address"),
        postal_code=data.get("postal_code"),
        billing_period_months=data.get("billing_period_months"),
        next_cutoff=None if cutoff is None else date.fromisoformat(cutoff),
        has_unpaid_bills=data.get("has_unpaid_bills"),
    )


class BillingSimulator(FileExchange):
    """Sends batches like ``FileExchange`` and also plays the billing system.

    ``contracts``: number -> ``ContractInfo``, kept in memory by this instance;
    without it the contracts are read from ``state_path()`` on every call and
    rewritten there (atomically) on every change. ``directory``: where the
    batches are read and the answers written (default: the exchange directory).
    """

    def __init__(
        self, contracts: dict[str, ContractInfo] | None = None, directory: Path | None = None
    ) -> None:
        self._memory = None if contracts is None else dict(contracts)
        self.directory = directory

    def contracts(self) -> dict[str, ContractInfo]:
        """The contracts the simulator knows, by number (a copy). Raises
        ``ExchangeError`` when the state file is unreadable."""
        if self._memory is not None:
            return dict(self._memory)
        path = state_path()
        try:
            state = json.loads(path.read_bytes())
            return {number: _decode(number, data) for number, data in state["contracts"].items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError, ArithmeticError) as error:
            raise ExchangeError(f"The simulator's state {path} is unreadable.") from error

    def _save(self, contracts: dict[str, ContractInfo]) -> None:
        if self._memory is not None:
            self._memory = contracts
            return
        state = {"contracts": {number: _encode(contracts[number]) for number in sorted(contracts)}}
        content = json.dumps(state, indent=2, ensure_ascii=False) + "\n"
        write_atomically(state_path(), content.encode("utf-8"))

    def put(self, *infos: ContractInfo) -> None:
        """Add or replace these contracts (one write). Raises ``ValueError`` for
        a status the billing system does not have."""
        for info in infos:
            if info.status not in STATUSES:
                raise ValueError(f"Unknown status {info.status!r}: one of {', '.join(STATUSES)}.")
        contracts = self.contracts()
        contracts.update((info.number, info) for info in infos)
        self._save(contracts)

    def seed(
        self,
        number: str,
        *,
        status: str = "active",
        holder: str = "",
        last_bill_amount: Decimal | None = None,
    ) -> ContractInfo:
        info = ContractInfo(number, status, holder, last_bill_amount)
        self.put(info)
        return info

    def set_status(self, number: str, status: str) -> ContractInfo:
        """Change the status of contract ``number``; returns it as it now is.
        Raises ``ValueError`` for an unknown contract or status."""
        info = self.contracts().get(number)
        if info is None:
            raise ValueError(f"Unknown contract {number}.")
        info = replace(info, status=status)
        self.put(info)
        return info

    def lookup_contract(self, number: str) -> ContractInfo | None:
        return self.contracts().get(number)

    def verify_last_bill(self, number: str, amount: Decimal) -> bool:
        info = self.contracts().get(number)
        return info is not None and info.last_bill_amount == amount

    def acknowledge(self, batch_number: str) -> Acknowledgement:
        """Bill the batch ``batch_number``: accept each charge of an active
        contract (bill number ``F<yyyymm>-<contract>``), reject the others with
        a reason, and write ``<batch>.ack.csv``. Raises ``ExchangeError`` when
        the batch is missing or does not match its manifest."""
        directory = self.directory or exchange_dir()
        content = self._verified_batch(directory, batch_number)
        contracts = self.contracts()
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(ACK_COLUMNS)
        accepted = rejected = 0
        for row in csv.DictReader(io.StringIO(content.decode("utf-8"))):
            info = contracts.get(row["contract"])
            if info is None:
                writer.writerow([row["charge_id"], "rejected", "", "unknown contract"])
                rejected += 1
            elif info.status != "active":
                writer.writerow([row["charge_id"], "rejected", "", f"contract {info.status}"])
                rejected += 1
            else:
                bill = f"F{row['cutoff'][:7].replace('-', '')}-{info.number}"
                writer.writerow([row["charge_id"], "accepted", bill, ""])
                accepted += 1
        path = directory / f"{batch_number}.ack.csv"
        write_atomically(path, output.getvalue().encode("utf-8"))
        return Acknowledgement(path, accepted, rejected)

    def settle(self, batch_number: str) -> Settlement:
        """The customers paid the bills: write ``<batch>.settled.csv`` with a
        line ``charge_id,settled,<bill number>,`` (the acknowledgement's
        columns) for each charge accepted in ``<batch>.ack.csv``. Raises
        ``ExchangeError`` when the batch has not been acknowledged (or its
        acknowledgement is not one)."""
        directory = self.directory or exchange_dir()
        try:
            acknowledged = (directory / f"{batch_number}.ack.csv").read_text(encoding="utf-8")
        except OSError as error:
            raise ExchangeError(f"Batch {batch_number} has not been acknowledged.") from error
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(ACK_COLUMNS)
        settled = 0
        reader = csv.DictReader(io.StringIO(acknowledged))
        if tuple(reader.fieldnames or ()) != ACK_COLUMNS:
            raise ExchangeError(f"{batch_number}.ack.csv is not an acknowledgement.")
        for row in reader:
            if row["result"] == "accepted":
                writer.writerow([row["charge_id"], "settled", row["bill_number"], ""])
                settled += 1
        path = directory / f"{batch_number}.settled.csv"
        write_atomically(path, output.getvalue().encode("utf-8"))
        return Settlement(path, settled)

    @staticmethod
    def _verified_batch(directory: Path, batch_number: str) -> bytes:
        try:
            content = (directory / f"{batch_number}.csv").read_bytes()
            manifest = json.loads((directory / f"{batch_number}.json").read_bytes())
        except (OSError, ValueError) as error:
            raise ExchangeError(f"Batch {batch_number} is missing or unreadable.") from error
        if manifest.get("sha256") != hashlib.sha256(content).hexdigest():
            raise ExchangeError(f"Batch {batch_number} does not match its manifest.")
        return content
