"""The interface to the billing system, loaded from ``BILLING_EXCHANGE_ADAPTER``.

Three calls: send a batch of charges, look up a contract, check the amount of a
contract's last bill (how a customer proves a contract is theirs). Acknowledgements
come back as files that ``services_exchange.bill_ack_import`` reads.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from billing_bridge.models import ExportBatch

BATCH_COLUMNS = ("charge_id", "contract", "amount", "cutoff", "kind", "installment", "installments")
ACK_COLUMNS = ("charge_id", "result", "bill_number", "reason")


class ExchangeError(Exception):
    """The billing system could not be reached or refused the exchange; retry later."""


@dataclass(frozen=True)
class BatchRow:
    """One charge as the billing system sees it."""

    charge_id: int
    contract: str
    amount: Decimal
    cutoff: date
    kind: str
    installment: int
    installments: int

    def as_csv(self) -> list[str]:
        return [
            str(self.charge_id),
            self.contract,
            f"{self.amount:.2f}",
            self.cutoff.isoformat(),
            self.kind,
            str(self.installment),
            str(self.installments),
        ]


@dataclass(frozen=True)
class ContractInfo:
    """A contract as the billing system knows it."""

    number: str
    status: str  # "active" | "suspended" | "terminated"
    holder: str
    last_bill_amount: Decimal | None = None
    # None: the billing system did not say (the mirror keeps what it has).
    supply_address: str | None = None
    postal_code: str | None = None
    billing_period_months: int | None = None
    next_cutoff: date | None = None  # of the next bill; of the final bill once terminated
    has_unpaid_bills: bool | None = None


def batch_csv_chunks(rows: Iterable[BatchRow], rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """The batch's CSV, byte for byte, in pieces: a header, then the rows in the
    given order, ``\\n`` line ends, UTF-8. The same rows always give the same
    bytes; ``rows`` is read once, so a batch of any size takes constant memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BATCH_COLUMNS)
    for index, row in enumerate(rows, start=1):
        writer.writerow(row.as_csv())
        if index % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def batch_csv(rows: Iterable[BatchRow]) -> bytes:
    """The whole CSV of ``rows`` at once (small batches, tests)."""
    return b"".join(batch_csv_chunks(rows))


class BillingExchange:
    """What the shop needs from the billing system. Subclasses implement all three."""

    def send_batch(self, batch: ExportBatch, rows: Iterable[BatchRow]) -> None:
        """Deliver ``batch`` with ``rows`` (already ordered) as the CSV of
        ``batch_csv_chunks``, whose SHA-256, count and total are already on
        ``batch``. ``rows`` may be a stream of any length and is read once.
        Sending the same batch again must be harmless and deliver the same
        content. Raises ``ExchangeError`` (or ``OSError``) when it could not;
        nothing is then considered sent."""
        raise NotImplementedError

    def lookup_contract(self, number: str) -> ContractInfo | None:
        """The contract ``number`` as the billing system has it, None if unknown."""
        raise NotImplementedError

    def verify_last_bill(self, number: str, amount: Decimal) -> bool:
        """Whether ``amount`` is the amount of contract ``number``'s last bill.
        False for an unknown contract; never says which part was wrong."""
        raise NotImplementedError


@functools.cache
def get_exchange() -> BillingExchange:
    """The configured exchange, built once (cleared when the setting changes)."""
    adapter: BillingExchange = import_string(settings.BILLING_EXCHANGE_ADAPTER)()
    return adapter


@receiver(setting_changed)
def _reset_exchange(*, setting: str, **_kwargs: Any) -> None:
    if setting in {"BILLING_EXCHANGE_ADAPTER", "BILLING_EXCHANGE_DIR"} or setting.startswith(
        "BILLING_HTTP_"
    ):
        get_exchange.cache_clear()
