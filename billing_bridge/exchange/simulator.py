"""A stand-in for the utility's billing system, in process, over the exchange
directory: it knows some contracts, reads the batches the shop writes and
answers each with an acknowledgement file, as the real system would.

For the demo and the tests only; it keeps its contracts in memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from billing_bridge.exchange.base import ACK_COLUMNS, ContractInfo, ExchangeError
from billing_bridge.exchange.file import FileExchange, exchange_dir, write_atomically


@dataclass(frozen=True)
class Acknowledgement:
    path: Path
    accepted: int
    rejected: int


class BillingSimulator(FileExchange):
    """Sends batches like ``FileExchange`` and also plays the billing system.

    ``contracts``: number -> ``ContractInfo``; add more with ``seed``."""

    def __init__(
        self, contracts: dict[str, ContractInfo] | None = None, directory: Path | None = None
    ) -> None:
        self.contracts: dict[str, ContractInfo] = dict(contracts or {})
        self.directory = directory

    def seed(
        self,
        number: str,
        *,
        status: str = "active",
        holder: str = "",
        last_bill_amount: Decimal | None = None,
    ) -> ContractInfo:
        info = ContractInfo(number, status, holder, last_bill_amount)
        self.contracts[number] = info
        return info

    def set_status(self, number: str, status: str) -> None:
        self.contracts[number] = replace(self.contracts[number], status=status)

    def lookup_contract(self, number: str) -> ContractInfo | None:
        return self.contracts.get(number)

    def verify_last_bill(self, number: str, amount: Decimal) -> bool:
        info = self.contracts.get(number)
        return info is not None and info.last_bill_amount == amount

    def acknowledge(self, batch_number: str) -> Acknowledgement:
        """Bill the batch ``batch_number``: accept each charge of an active
        contract (bill number ``F<yyyymm>-<contract>``), reject the others with
        a reason, and write ``<batch>.ack.csv``. Raises ``ExchangeError`` when
        the batch is missing or does not match its manifest."""
        directory = self.directory or exchange_dir()
        content = self._verified_batch(directory, batch_number)
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(ACK_COLUMNS)
        accepted = rejected = 0
        for row in csv.DictReader(io.StringIO(content.decode("utf-8"))):
            info = self.contracts.get(row["contract"])
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
