"""GraphQL types shared by every app: languages and money."""

from __future__ import annotations

import enum
from decimal import Decimal
from functools import lru_cache

import strawberry

from shop import money


@strawberry.enum(description="A language the shop speaks.")
class LanguageCode(enum.Enum):
    ES = "es"
    EN = "en"


@strawberry.type(
    name="Money", description="An amount in a currency; the amount is a decimal string."
)
class MoneyType:
    amount: Decimal
    currency: str

    @classmethod
    def from_money(cls, value: money.Money) -> MoneyType:
        return cls(amount=money.quantize(value.amount, value.currency), currency=value.currency)


@strawberry.type(name="TaxedMoney", description="An amount with its net, gross and tax parts.")
class TaxedMoneyType:
    net: MoneyType
    gross: MoneyType
    tax: MoneyType
    currency: str

    @classmethod
    def from_taxed(cls, value: money.TaxedMoney) -> TaxedMoneyType:
        """The API shape of ``value``. Shared between rows with the same amounts (a
        listing has few distinct prices): callers never mutate it."""
        return _taxed_money_type(value)

    @classmethod
    def _build(cls, value: money.TaxedMoney) -> TaxedMoneyType:
        currency = value.currency
        net = money.quantize(value.net.amount, currency)
        gross = money.quantize(value.gross.amount, currency)
        # Listing pages build thousands of these: plain Decimals, no value objects.
        return cls(
            net=MoneyType(amount=net, currency=currency),
            gross=MoneyType(amount=gross, currency=currency),
            tax=MoneyType(amount=gross - net, currency=currency),
            currency=currency,
        )


@lru_cache(maxsize=4096)
def _taxed_money_type(value: money.TaxedMoney) -> TaxedMoneyType:
    return TaxedMoneyType._build(value)


@strawberry.type(description="An image (or one of its thumbnails) with its alternative text.")
class Image:
    url: str
    alt: str


@strawberry.input(description="Names the object to delete.")
class DeleteInput:
    id: strawberry.ID
