"""Customers link supply contracts they prove are theirs."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import strawberry

from billing_bridge import services
from billing_bridge.api.types import WaterContractType
from billing_bridge.errors import BillingErrorCode
from shop.accounts.models import User
from shop.api.errors import ShopError
from shop.api.mutations import PayloadErrors, mutation

strawberry.enum(BillingErrorCode, name="BillingErrorCode")


@strawberry.type
class BillingError(ShopError):
    code: BillingErrorCode


billing_errors = PayloadErrors(BillingError, BillingErrorCode)


@strawberry.input
class WaterContractLinkInput:
    contract_number: str
    last_bill_amount: Decimal = strawberry.field(description="The total of its last water bill.")


@strawberry.type
class WaterContractLinkPayload:
    water_contract: WaterContractType | None = None
    errors: list[BillingError] = strawberry.field(default_factory=list)


@strawberry.type
class BillingMutations:
    @strawberry.mutation(
        description="Link a supply contract with its number and the amount of its last bill."
    )
    @mutation(WaterContractLinkPayload, billing_errors, signed_in=True)
    def water_contract_link(
        self, input: WaterContractLinkInput, actor: User
    ) -> WaterContractLinkPayload:
        link = services.water_contract_link(
            user=actor, number=input.contract_number, last_bill_amount=input.last_bill_amount
        )
        return WaterContractLinkPayload(water_contract=cast(WaterContractType, link.contract))
