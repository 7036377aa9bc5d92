"""The exchange with the utility's billing system: batches of bill charges out,
acknowledgements back, contract look-ups. ``base`` is the interface, ``file``
the embedded default, ``simulator`` a stand-in billing system for the demo and
the tests."""

from billing_bridge.exchange.base import (
    BatchRow,
    BillingExchange,
    ContractInfo,
    ExchangeError,
    batch_csv,
    get_exchange,
)

__all__ = [
    "BatchRow",
    "BillingExchange",
    "ContractInfo",
    "ExchangeError",
    "batch_csv",
    "get_exchange",
]
