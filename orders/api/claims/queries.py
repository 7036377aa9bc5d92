"""Claims: one for whoever may see it (``orders.selectors.claim_for``); staff list them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import cast

import strawberry
import strawberry_django
from strawberry.types import Info

from orders import models, selectors
from orders.api.claims.types import ClaimType
from shop.api.context import ShopContext
from shop.api.mutations import found_or_none
from shop.api.permissions import require_permission
from shop.api.relay import ShopConnection, decode_id


@strawberry.type
class ClaimQueries:
    @strawberry_django.field(
        description="A claim of yours, or of the order whose token you give; staff: any."
    )
    def claim(
        self, info: Info[ShopContext, None], id: strawberry.ID, order_token: uuid.UUID | None = None
    ) -> ClaimType | None:
        pk = decode_id(id, "Claim")
        if pk is None:
            return None
        user = info.context.user
        claim = found_or_none(lambda: selectors.claim_for(user, id=pk, order_token=order_token))
        return cast(ClaimType | None, claim)

    @strawberry_django.connection(
        ShopConnection[ClaimType],
        description="Staff: claims, oldest open first, by status and reason.",
    )
    def claims(
        self,
        info: Info[ShopContext, None],
        status: models.Claim.Status | None = None,
        reason: models.Claim.Reason | None = None,
    ) -> Iterable[models.Claim]:
        require_permission(info, selectors.VIEW_CLAIMS)
        claims = models.Claim.objects.order_by("created_at", "pk")
        if status is not None:
            claims = claims.filter(status=status)
        if reason is not None:
            claims = claims.filter(reason=reason)
        return claims
