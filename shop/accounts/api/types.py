from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from shop.accounts import models
from shop.accounts.errors import AccountErrorCode
from shop.accounts.selectors import addresses_visible_to, users_visible_to
from shop.api.errors import ShopError
from shop.api.relay import ModelNode, ShopConnection
from shop.api.types import LanguageCode

if TYPE_CHECKING:
    from billing_bridge.api.types import WaterContractType
    from orders.api.claims.types import ClaimType
    from orders.api.orders.types import OrderType

strawberry.enum(AccountErrorCode, name="AccountErrorCode")


@strawberry.type
class AccountError(ShopError):
    code: AccountErrorCode


@strawberry_django.type(models.Address, name="Address")
class AddressType(ModelNode):
    first_name: str
    last_name: str
    company_name: str
    street_address_1: str
    street_address_2: str
    postal_code: str
    city: str
    province: str = strawberry_django.field(description="Derived from the postal code.")
    country: str
    phone: str
    is_default_shipping: bool
    is_default_billing: bool

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Address], info: Info, **_kwargs: Any
    ) -> QuerySet[models.Address]:
        return queryset & addresses_visible_to(info.context.user)


@strawberry_django.type(models.User, name="User")
class UserType(ModelNode):
    email: str
    first_name: str
    last_name: str
    is_staff: bool
    date_joined: strawberry.auto
    addresses: list[AddressType] = strawberry_django.field(
        description="The user's saved addresses (a handful at most, hence a list)."
    )

    @strawberry_django.field(
        only=["confirmed_at"],
        description="Whether the user proved they receive mail at `email` (`accountConfirm`).",
    )
    def is_confirmed(self, root: models.User) -> bool:
        return root.confirmed_at is not None

    @strawberry_django.field(
        only=["portal_subject"],
        description=(
            "Signed in through the customer portal, which manages the user's e-mail and "
            "sign-in (no password here: passwordChange and requestEmailChange refuse)."
        ),
    )
    def is_portal_customer(self, root: models.User) -> bool:
        return root.portal_subject is not None

    @strawberry_django.field(only=["language_code"])
    def language_code(self, root: models.User) -> LanguageCode:
        return LanguageCode(root.language_code)

    @strawberry_django.connection(
        ShopConnection[Annotated["OrderType", strawberry.lazy("orders.api.orders.types")]],
        description="The user's orders, newest first.",
    )
    def orders(self, root: models.User) -> Iterable[Any]:
        from orders import selectors
        from orders.models import Order

        return selectors.with_payment_sums(Order.objects.filter(user=root)).order_by(
            "-created_at", "-pk"
        )

    @strawberry.field(description="Supply contracts the user may charge shop orders to.")
    def water_contracts(
        self, root: models.User
    ) -> list[Annotated[WaterContractType, strawberry.lazy("billing_bridge.api.types")]]:
        from billing_bridge.api.types import water_contracts_of

        return water_contracts_of(root)

    @strawberry_django.connection(
        ShopConnection[Annotated["ClaimType", strawberry.lazy("orders.api.claims.types")]],
        description="Claims on the user's orders, newest first.",
    )
    def claims(self, root: models.User) -> Iterable[Any]:
        from orders.models import Claim

        return Claim.objects.filter(order__user=root).order_by("-created_at", "-pk")

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.User], info: Info, **_kwargs: Any
    ) -> QuerySet[models.User]:
        return queryset & users_visible_to(info.context.user)
