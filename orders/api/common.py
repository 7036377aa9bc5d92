"""GraphQL types shared by checkouts and orders: address snapshots, taxes, money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from shop.api.types import MoneyType, TaxedMoneyType
from shop.money import Money


@strawberry.type(description="A postal address as given at checkout (a snapshot).")
class OrderAddress:
    first_name: str
    last_name: str
    company_name: str
    street_address_1: str
    street_address_2: str
    postal_code: str
    city: str
    province: str
    country: str
    phone: str
    tax_id: str = strawberry.field(description="Billing only: the NIF, NIE or CIF given, or empty.")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> OrderAddress | None:
        if not data:
            return None
        fields = cls.__annotations__
        return cls(**{name: str(data.get(name, "")) for name in fields})


@strawberry.type(description="IVA at one rate: the rate (0.21) and the amount, rounded once.")
class TaxLine:
    rate: Decimal
    amount: MoneyType


def money(amount: Decimal) -> MoneyType:
    return MoneyType.from_money(Money(amount))


def taxed(gross: Decimal, tax: Decimal) -> TaxedMoneyType:
    """A gross amount and the IVA inside it, as the API shows them."""
    return TaxedMoneyType(
        net=money(gross - tax), gross=money(gross), tax=money(tax), currency="EUR"
    )


def tax_lines(by_rate: dict[Any, Any]) -> list[TaxLine]:
    return [
        TaxLine(rate=Decimal(str(rate)), amount=money(Decimal(str(amount))))
        for rate, amount in sorted(by_rate.items(), key=lambda item: Decimal(str(item[0])))
    ]
