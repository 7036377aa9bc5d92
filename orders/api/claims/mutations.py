"""Claim mutations: customers open claims on their orders and write in the thread;
claims staff put them in review, reject or resolve them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, cast

import strawberry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from strawberry.file_uploads import Upload
from strawberry.types import Info

from orders import models, selectors
from orders.api.claims.types import ClaimError, ClaimType, claim_errors
from orders.errors import ClaimErrorCode
from orders.services import claims as services
from shop.accounts.models import User
from shop.api.context import ShopContext
from shop.api.inputs import fetch_many
from shop.api.mutations import mutation
from shop.api.relay import decode_id

CHANGE_CLAIMS = "orders.change_claim"


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


def _fresh(claim: models.Claim) -> ClaimType:
    return cast(ClaimType, models.Claim.objects.get(pk=claim.pk))


def _claim(
    user: User | None, id: strawberry.ID, order_token: uuid.UUID | None = None
) -> models.Claim:
    return selectors.claim_for(
        user, id=decode_id(id, "Claim"), order_token=order_token, staff_permission=CHANGE_CLAIMS
    )


@strawberry.type
class ClaimMutations:
    @strawberry.mutation(
        description="Open a claim on your order (or the order whose token you hold)."
    )
    @mutation(ClaimPayload, claim_errors, not_found="orderId")
    def claim_create(self, info: Info[ShopContext, None], input: ClaimCreateInput) -> ClaimPayload:
        user = info.context.user
        # A claim is the customer's own: staff open none on others' orders.
        order = selectors.order_for(
            user,
            id=decode_id(input.order_id, "Order") if input.order_id is not None else None,
            token=input.order_token,
            staff_permission=None,
        )
        lines = fetch_many(
            models.OrderLine,
            "OrderLine",
            [line.line_id for line in input.lines],
            codes=ClaimErrorCode,
            field="lines",
        )
        claim = services.claim_create(
            actor=user,
            order=order,
            reason=input.reason.value,
            description=input.description,
            lines=[(line, given.quantity) for line, given in zip(lines, input.lines, strict=True)],
            photos=_photos(input.photos),
        )
        return ClaimPayload(claim=_fresh(claim))

    @strawberry.mutation(description="Write in a claim's thread (customer, or claims staff).")
    @mutation(ClaimPayload, claim_errors, not_found="claimId")
    def claim_message_add(
        self, info: Info[ShopContext, None], input: ClaimMessageAddInput
    ) -> ClaimPayload:
        user = info.context.user
        claim = _claim(user, input.claim_id, input.order_token)
        customer = selectors.is_claim_customer(user, claim, order_token=input.order_token)
        services.claim_message_add(
            actor=user,
            claim=claim,
            body=input.body,
            photos=_photos(input.photos),
            from_staff=not customer,
        )
        return ClaimPayload(claim=_fresh(claim))

    @strawberry.mutation(description="Staff: put a claim in review or reject it.")
    @mutation(ClaimPayload, claim_errors, permission=CHANGE_CLAIMS)
    def claim_update_status(self, input: ClaimUpdateStatusInput, actor: User) -> ClaimPayload:
        claim = _claim(actor, input.id)
        services.claim_update_status(
            actor=actor, claim=claim, status=input.status, message=input.message
        )
        return ClaimPayload(claim=_fresh(claim))

    @strawberry.mutation(
        description="Staff: resolve a claim with a refund, a replacement or no action."
    )
    @mutation(ClaimPayload, claim_errors, permission=CHANGE_CLAIMS)
    def claim_resolve(self, input: ClaimResolveInput, actor: User) -> ClaimPayload:
        claim = _claim(actor, input.id)
        services.claim_resolve(
            actor=actor,
            claim=claim,
            resolution=input.resolution.value,
            message=input.message,
            refund_amount=input.refund_amount,
        )
        return ClaimPayload(claim=_fresh(claim))
