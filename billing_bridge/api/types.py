"""The water-bill route in the API: a customer's contracts and an order's bill charges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

import strawberry
import strawberry_django

from billing_bridge import selectors
from billing_bridge.models import BillCharge, SupplyContract
from orders.models import Order
from shop.accounts.models import User
from shop.api.types import MoneyType
from shop.money import Money

strawberry.enum(SupplyContract.Status, name="SupplyContractStatus")
strawberry.enum(BillCharge.Status, name="BillChargeStatus")
strawberry.enum(BillCharge.Kind, name="BillChargeKind")


def _money(amount: Decimal) -> MoneyType:
    return MoneyType.from_money(Money(amount))


@strawberry_django.type(SupplyContract, name="WaterContract")
class WaterContractType:
    number: str
    holder_name: str
    supply_address: str
    status: SupplyContract.Status

    @strawberry.field(description="The cut-off of the next bill shop charges go on.")
    def next_bill_date(self, root: SupplyContract) -> date:
        return root.next_cutoff

    @strawberry.field(description="Shop credit not yet used on this contract.")
    def credit_left(self, root: SupplyContract) -> MoneyType:
        return _money(selectors.credit_left(root))

    @strawberry.field
    def has_unpaid_bills(self, root: SupplyContract) -> bool:
        return root.has_unpaid_bills


@strawberry_django.type(BillCharge, name="BillCharge")
class BillChargeType:
    kind: BillCharge.Kind
    sequence: int = strawberry_django.field(description="Installment number (1-based).")
    installments: int
    status: BillCharge.Status
    bill_number: str

    @strawberry.field
    def amount(self, root: BillCharge) -> MoneyType:
        return _money(root.amount)

    @strawberry.field(description="The cut-off of the bill it goes on.")
    def bill_date(self, root: BillCharge) -> date:
        return root.due_cutoff

    @strawberry_django.field(select_related=["contract"])
    def contract_number(self, root: BillCharge) -> str:
        return root.contract.number


def water_contracts_of(user: User) -> list[WaterContractType]:
    return cast(list[WaterContractType], list(selectors.contracts_of(user)))


def bill_charges_of(order: Order) -> list[BillChargeType]:
    charges = BillCharge.objects.filter(payment__order=order).select_related("contract")
    return cast(list[BillChargeType], list(charges.order_by("kind", "sequence", "pk")))
