"""Claims as customers and staff see them.

Who sees a claim: its customer (``me.claims``, ``claim(id:)``, ``node(id:)``),
whoever holds the order's token (``claim(id:, orderToken:)``, ``orderByToken {
claims }``) and staff with ``orders.view_claim`` (``orders.selectors.claim_for``).
Anybody else finds nothing. Staff act on claims with ``orders.change_claim``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from orders import models, selectors
from orders.api.common import money
from orders.api.orders.types import OrderLineType
from orders.errors import ClaimErrorCode
from orders.views import claim_photo_url
from shop.accounts.selectors import staff_may
from shop.api.context import ShopContext
from shop.api.errors import ShopError
from shop.api.mutations import PayloadErrors
from shop.api.relay import ModelNode
from shop.api.types import MoneyType

strawberry.enum(ClaimErrorCode, name="ClaimErrorCode")
strawberry.enum(models.Claim.Reason, name="ClaimReason")
strawberry.enum(models.Claim.Status, name="ClaimStatus")
strawberry.enum(models.Claim.Resolution, name="ClaimResolution")


@strawberry.type
class ClaimError(ShopError):
    code: ClaimErrorCode


claim_errors = PayloadErrors(ClaimError, ClaimErrorCode)


@strawberry.type(description="A photo sent with a claim message.")
class ClaimPhoto:
    attachment: strawberry.Private[models.ClaimAttachment]

    @strawberry.field(description="A private link, valid for an hour.")
    def url(self) -> str:
        return claim_photo_url(self.attachment)

    @strawberry.field
    def width(self) -> int:
        return self.attachment.width

    @strawberry.field
    def height(self) -> int:
        return self.attachment.height


@strawberry_django.type(models.ClaimMessage, name="ClaimMessage")
class ClaimMessageType:
    body: str
    from_staff: bool
    created_at: datetime

    @strawberry_django.field(prefetch_related=["attachments"])
    def photos(self, root: models.ClaimMessage) -> list[ClaimPhoto]:
        return [ClaimPhoto(attachment=photo) for photo in root.attachments.all()]


@strawberry.type(description="Units of an order line the claim is about.")
class ClaimLineType:
    row: strawberry.Private[models.ClaimLine]

    @strawberry.field
    def quantity(self) -> int:
        return self.row.quantity

    @strawberry.field
    def order_line(self) -> OrderLineType:
        return cast(OrderLineType, self.row.order_line)


@strawberry_django.type(models.ClaimEvent, name="ClaimEvent")
class ClaimEventType:
    type: str
    message: str
    created_at: datetime

    @strawberry_django.field(select_related=["actor"])
    def actor_email(self, root: models.ClaimEvent) -> str | None:
        return root.actor.email if root.actor else None


@strawberry_django.type(models.Claim, name="Claim")
class ClaimType(ModelNode):
    number: str
    reason: models.Claim.Reason
    description: str
    status: models.Claim.Status
    created_at: datetime
    resolved_at: datetime | None
    messages: list[ClaimMessageType] = strawberry_django.field()

    @strawberry.field
    def resolution(self, root: models.Claim) -> models.Claim.Resolution | None:
        return models.Claim.Resolution(root.resolution) if root.resolution else None

    @strawberry.field
    def refund_amount(self, root: models.Claim) -> MoneyType | None:
        return money(root.refund_amount) if root.refund_amount is not None else None

    @strawberry_django.field(prefetch_related=["lines__order_line"])
    def lines(self, root: models.Claim) -> list[ClaimLineType]:
        return [ClaimLineType(row=row) for row in root.lines.all()]

    @strawberry_django.field(select_related=["order"])
    def order_number(self, root: models.Claim) -> str:
        return str(root.order)

    @strawberry_django.field(
        select_related=["replacement_order"], description="The order sent as a replacement."
    )
    def replacement_order_number(self, root: models.Claim) -> str | None:
        return str(root.replacement_order) if root.replacement_order else None

    @strawberry_django.field(
        prefetch_related=["events__actor"], description="Staff only: the claim's history."
    )
    def events(self, root: models.Claim, info: Info[ShopContext, None]) -> list[ClaimEventType]:
        if not staff_may(info.context.user, selectors.VIEW_CLAIMS):
            return []
        return cast(list[ClaimEventType], list(root.events.all()))

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Claim], info: Info, **_kwargs: Any
    ) -> QuerySet[models.Claim]:
        return queryset & selectors.claims_visible_to(info.context.user)


def order_claims(order: models.Order) -> list[ClaimType]:
    """For ``Order.claims``: whoever may see the order sees its claims."""
    return cast(list[ClaimType], list(models.Claim.objects.filter(order=order).order_by("pk")))
