"""Customers link supply contracts they prove are theirs."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import strawberry
from django.core.exceptions import ValidationError
from strawberry.types import Info

from billing_bridge import services
from billing_bridge.api.types import WaterContractType
from billing_bridge.errors import BillingErrorCode
from shop.api.context import ShopContext
from shop.api.errors import ShopError, payload_errors
from shop.api.permissions import require_user

strawberry.enum(BillingErrorCode, name="BillingErrorCode")


@strawberry.type
class BillingError(ShopError):
    code: BillingErrorCode


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
    def water_contract_link(
        self, info: Info[ShopContext, None], input: WaterContractLinkInput
    ) -> WaterContractLinkPayload:
        user = require_user(info)
        try:
            link = services.water_contract_link(
                user=user, number=input.contract_number, last_bill_amount=input.last_bill_amount
            )
        except ValidationError as exc:
            errors = payload_errors(exc, BillingError, BillingErrorCode, BillingErrorCode.INVALID)
            return WaterContractLinkPayload(errors=errors)
        return WaterContractLinkPayload(water_contract=cast(WaterContractType, link.contract))
