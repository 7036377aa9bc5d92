"""Claims in the API.

Who sees a claim: its customer (``me.claims``, ``claim(id:)``, ``node(id:)``),
whoever holds the order's token (``claim(id:, orderToken:)``, ``orderByToken {
claims }``) and staff with ``orders.view_claim``. Anybody else finds nothing.
Staff act on claims with ``orders.change_claim``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from strawberry.file_uploads import Upload
from strawberry.types import Info

from orders import models
from orders.api.common import money
from orders.api.orders.types import OrderLineType
from orders.errors import ClaimErrorCode
from orders.services import claims as services
from orders.views import claim_photo_url
from shop.accounts.models import User
from shop.api.context import ShopContext
from shop.api.errors import ShopError, payload_errors
from shop.api.inputs import fetch, fetch_many, not_found
from shop.api.permissions import require_permission
from shop.api.relay import ModelNode, ShopConnection, decode_id
from shop.api.types import MoneyType

strawberry.enum(ClaimErrorCode, name="ClaimErrorCode")
strawberry.enum(models.Claim.Reason, name="ClaimReason")
strawberry.enum(models.Claim.Status, name="ClaimStatus")
strawberry.enum(models.Claim.Resolution, name="ClaimResolution")


@strawberry.type
class ClaimError(ShopError):
    code: ClaimErrorCode


def claim_errors(exc: ValidationError) -> list[ClaimError]:
    return payload_errors(exc, ClaimError, ClaimErrorCode, ClaimErrorCode.INVALID)


def is_claims_staff(user: User | None, permission: str = "orders.view_claim") -> bool:
    return bool(user and user.is_staff and user.has_perm(permission))


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
        if not is_claims_staff(info.context.user):
            return []
        return cast(list[ClaimEventType], list(root.events.all()))

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[models.Claim], info: Info, **kwargs: Any
    ) -> QuerySet[models.Claim]:
        user = info.context.user
        if user is None:
            return queryset.none()
        if is_claims_staff(user):
            return queryset
        return queryset.filter(order__user=user)


# Queries


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
        claim = models.Claim.objects.select_related("order").filter(pk=pk).first()
        if claim is None or not _may_see(info.context.user, claim, order_token):
            return None
        return cast(ClaimType, claim)

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
        require_permission(info, "orders.view_claim")
        claims = models.Claim.objects.order_by("created_at", "pk")
        if status is not None:
            claims = claims.filter(status=status)
        if reason is not None:
            claims = claims.filter(reason=reason)
        return claims


def _may_see(user: User | None, claim: models.Claim, order_token: uuid.UUID | None) -> bool:
    if is_claims_staff(user):
        return True
    if user is not None and claim.order.user_id == user.pk:
        return True
    return order_token is not None and claim.order.token == order_token


def order_claims(order: models.Order) -> list[ClaimType]:
    """For ``Order.claims``: whoever may see the order sees its claims."""
    return cast(list[ClaimType], list(models.Claim.objects.filter(order=order).order_by("pk")))


# Mutations


@strawberry.input
class ClaimLineInput:
    line_id: strawberry.ID
    quantity: int


@strawberry.input
class ClaimCreateInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="Your order (signed in)."
    )
    order_token: uuid.UUID | None = strawberry.field(
        default=None, description="Or the order's token (guests)."
    )
    reason: models.Claim.Reason
    description: str
    lines: list[ClaimLineInput]
    photos: list[Upload] = strawberry.field(
        default_factory=list, description="JPEG, PNG or WEBP photos."
    )


@strawberry.input
class ClaimMessageAddInput:
    claim_id: strawberry.ID
    order_token: uuid.UUID | None = None
    body: str
    photos: list[Upload] = strawberry.field(default_factory=list)


@strawberry.input
class ClaimUpdateStatusInput:
    id: strawberry.ID
    status: models.Claim.Status
    message: str = strawberry.field(default="", description="Sent to the customer if given.")


@strawberry.input
class ClaimResolveInput:
    id: strawberry.ID
    resolution: models.Claim.Resolution
    message: str = strawberry.field(description="Sent to the customer.")
    refund_amount: Decimal | None = strawberry.field(
        default=None, description="For refunds: gross euros, at most paid minus refunded."
    )


@strawberry.type
class ClaimPayload:
    claim: ClaimType | None = None
    errors: list[ClaimError] = strawberry.field(default_factory=list)


def _photos(uploads: list[Any]) -> list[UploadedFile]:
    if any(not isinstance(upload, UploadedFile) for upload in uploads):
        raise ValidationError(
            {"photos": ValidationError("Send photos as files.", code=ClaimErrorCode.INVALID_PHOTO)}
        )
    return cast(list[UploadedFile], uploads)


def _claim_order(info: Info[ShopContext, None], input: ClaimCreateInput) -> models.Order:
    user = info.context.user
    order = None
    if input.order_token is not None:
        order = models.Order.objects.filter(token=input.order_token).first()
    elif input.order_id is not None and user is not None:
        found = fetch(models.Order, "Order", input.order_id, codes=ClaimErrorCode, field="orderId")
        order = found if found.user_id == user.pk else None
    if order is None:
        raise not_found("orderId", ClaimErrorCode)
    return order


def _fresh(claim: models.Claim) -> ClaimType:
    return cast(ClaimType, models.Claim.objects.get(pk=claim.pk))


@strawberry.type
class ClaimMutations:
    @strawberry.mutation(
        description="Open a claim on your order (or the order whose token you hold)."
    )
    def claim_create(self, info: Info[ShopContext, None], input: ClaimCreateInput) -> ClaimPayload:
        try:
            order = _claim_order(info, input)
            lines = fetch_many(
                models.OrderLine,
                "OrderLine",
                [line.line_id for line in input.lines],
                codes=ClaimErrorCode,
                field="lines",
            )
            claim = services.claim_create(
                actor=info.context.user,
                order=order,
                reason=input.reason.value,
                description=input.description,
                lines=[
                    (line, given.quantity) for line, given in zip(lines, input.lines, strict=True)
                ],
                photos=_photos(input.photos),
            )
        except ValidationError as exc:
            return ClaimPayload(errors=claim_errors(exc))
        return ClaimPayload(claim=_fresh(claim))

    @strawberry.mutation(description="Write in a claim's thread (customer, or claims staff).")
    def claim_message_add(
        self, info: Info[ShopContext, None], input: ClaimMessageAddInput
    ) -> ClaimPayload:
        user = info.context.user
        try:
            claim = fetch(
                models.Claim, "Claim", input.claim_id, codes=ClaimErrorCode, field="claimId"
            )
            owner = (user is not None and claim.order.user_id == user.pk) or (
                input.order_token is not None and claim.order.token == input.order_token
            )
            staff = is_claims_staff(user, "orders.change_claim")
            if not (owner or staff):
                raise not_found("claimId", ClaimErrorCode)
            services.claim_message_add(
                actor=user,
                claim=claim,
                body=input.body,
                photos=_photos(input.photos),
                from_staff=staff and not owner,
            )
        except ValidationError as exc:
            return ClaimPayload(errors=claim_errors(exc))
        return ClaimPayload(claim=_fresh(claim))

    @strawberry.mutation(description="Staff: put a claim in review or reject it.")
    def claim_update_status(
        self, info: Info[ShopContext, None], input: ClaimUpdateStatusInput
    ) -> ClaimPayload:
        actor = require_permission(info, "orders.change_claim")
        try:
            claim = fetch(models.Claim, "Claim", input.id, codes=ClaimErrorCode)
            services.claim_update_status(
                actor=actor, claim=claim, status=input.status, message=input.message
            )
        except ValidationError as exc:
            return ClaimPayload(errors=claim_errors(exc))
        return ClaimPayload(claim=_fresh(claim))

    @strawberry.mutation(
        description="Staff: resolve a claim with a refund, a replacement or no action."
    )
    def claim_resolve(
        self, info: Info[ShopContext, None], input: ClaimResolveInput
    ) -> ClaimPayload:
        actor = require_permission(info, "orders.change_claim")
        try:
            claim = fetch(models.Claim, "Claim", input.id, codes=ClaimErrorCode)
            services.claim_resolve(
                actor=actor,
                claim=claim,
                resolution=input.resolution.value,
                message=input.message,
                refund_amount=input.refund_amount,
            )
        except ValidationError as exc:
            return ClaimPayload(errors=claim_errors(exc))
        return ClaimPayload(claim=_fresh(claim))
