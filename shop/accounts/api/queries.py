from __future__ import annotations

from collections.abc import Iterable

import strawberry
import strawberry_django
from strawberry.types import Info

from shop.accounts import models, selectors
from shop.accounts.api.types import UserType
from shop.api.context import ShopContext
from shop.api.permissions import require_permission
from shop.api.relay import ShopConnection


@strawberry.type
class AccountQueries:
    @strawberry_django.field(description="The signed-in user, or null for guests.")
    def me(self, info: Info[ShopContext, None]) -> UserType | None:
        return info.context.user  # type: ignore[return-value]

    @strawberry_django.connection(
        ShopConnection[UserType],
        description="Customers, newest first. Staff with the `accounts.view_user` permission.",
    )
    def customers(
        self, info: Info[ShopContext, None], search: str | None = None
    ) -> Iterable[models.User]:
        require_permission(info, "accounts.view_user")
        return selectors.customers(search=(search or "").strip()[:100])
