"""Claim services: customers open claims and write to the shop; staff review,
answer and resolve them (refund, replacement or no action).

Who may act is decided by the callers (the API checks the order's owner, the
order token or the staff permission); these services enforce the claim's own
rules. Every change records a ``ClaimEvent`` with its actor, and the customer
is e-mailed after commit (through the outbox, ``shop.outbox``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from catalog.media import validate_image, without_metadata
from orders.errors import ClaimErrorCode as Code
from orders.models import (
    Claim,
    ClaimAttachment,
    ClaimEvent,
    ClaimLine,
    ClaimMessage,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
)
from orders.payments import keys
from orders.services.orders import order_event
from orders.services.payments import order_payment_refund
from orders.services.stock import stock_allocate
from shop.accounts.models import User
from shop.money import is_whole_cents
from shop.outbox.services import outbox_enqueue
from shop.validation import field_error

Status = Claim.Status
CLAIM_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.IN_REVIEW, Status.RESOLVED, Status.REJECTED}),
    Status.IN_REVIEW: frozenset({Status.RESOLVED, Status.REJECTED}),
    Status.RESOLVED: frozenset(),
    Status.REJECTED: frozenset(),
}
CLAIMABLE = (Order.Status.FULFILLED, Order.Status.PARTIALLY_FULFILLED)
# Reasons about the whole order rather than some of its articles.
LINELESS_REASONS = (Claim.Reason.BILLING, Claim.Reason.OTHER)
MAX_TEXT = 4000


def _notify(claim: Claim, kind: str) -> None:
    outbox_enqueue(
        task="orders.tasks.claim_email_send", kwargs={"claim_id": claim.pk, "kind": kind}
    )


def claim_event(
    claim: Claim, type: str, actor: User | None, message: str = "", **data: object
) -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim, type=type, actor=actor, message=message, data=data
    )


def _text(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise field_error(field, _("Write a few words."), Code.REQUIRED)
    if len(value) > MAX_TEXT:
        message = _("At most %(count)d characters.") % {"count": MAX_TEXT}
        raise field_error(field, message, Code.INVALID)
    return value


def claim_window_ends(order: Order) -> datetime | None:
    """When claims on ``order`` close: a window after its last shipment."""
    shipped = order.fulfillments.aggregate(last=Max("created_at"))["last"]
    if shipped is None:
        return None
    return shipped + timedelta(days=settings.SHOP_CLAIM_WINDOW_DAYS)


def claimable_quantities(order: Order) -> dict[int, int]:
    """Per order line: units bought minus units in claims not rejected."""
    claimed = dict(
        ClaimLine.objects.filter(order_line__order=order)
        .exclude(claim__status=Status.REJECTED)
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )
    return {line.pk: line.quantity - claimed.get(line.pk, 0) for line in order.lines.all()}


def _clean_photos(photos: Sequence[File]) -> list[tuple[File, str, int, int]]:
    if len(photos) > settings.SHOP_CLAIM_MAX_PHOTOS:
        message = _("At most %(count)d photos.") % {"count": settings.SHOP_CLAIM_MAX_PHOTOS}
        raise field_error("photos", message, Code.INVALID)
    cleaned = []
    for photo in photos:
        if photo.size is None or photo.size > settings.SHOP_CLAIM_MAX_PHOTO_BYTES:
            message = _("Each photo can be up to %(size)d MB.") % {
                "size": settings.SHOP_CLAIM_MAX_PHOTO_BYTES // (1024 * 1024)
            }
            raise field_error("photos", message, Code.INVALID_PHOTO)
        try:
            image_format, width, height = validate_image(photo)
        except ValidationError as exc:
            message = _("Send photos as JPEG, PNG or WEBP images.")
            raise field_error("photos", message, Code.INVALID_PHOTO) from exc
        upright = without_metadata(photo, image_format)
        with Image.open(upright) as image:
            width, height = image.size  # after turning it upright
        upright.seek(0)
        cleaned.append((upright, image_format, width, height))
    return cleaned


def _add_message(
    claim: Claim, *, author: User | None, body: str, photos: Sequence[File], from_staff: bool
) -> ClaimMessage:
    cleaned = _clean_photos(photos)
    message = ClaimMessage.objects.create(
        claim=claim, author=author, body=_text(body, "body"), from_staff=from_staff
    )
    for photo, image_format, width, height in cleaned:
        attachment = ClaimAttachment(
            message=message,
            content_type=f"image/{image_format.lower()}",
            size=photo.size or 0,
            width=width,
            height=height,
        )
        extension = {"JPEG": "jpg"}.get(image_format, image_format.lower())
        attachment.image.save(f"{uuid.uuid4().hex}.{extension}", photo, save=False)
        attachment.save()
    return message


@transaction.atomic
def claim_create(
    *,
    actor: User | None,
    order: Order,
    reason: str,
    description: str,
    lines: Sequence[tuple[OrderLine, int]],
    photos: Sequence[File] = (),
) -> Claim:
    """Open a claim on lines of a shipped ``order`` within the claim window.

    Each line must belong to the order and its quantity be at most what was
    bought minus what other claims (not rejected) already cover. Raises
    ValidationError: NOT_CLAIMABLE, WINDOW_CLOSED, INVALID_LINE, INVALID_QUANTITY,
    REQUIRED, INVALID_PHOTO. Nothing is kept when anything is refused.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in CLAIMABLE:
        raise field_error(None, _("Only shipped orders can be claimed."), Code.NOT_CLAIMABLE)
    ends = claim_window_ends(order)
    if ends is None or timezone.now() > ends:
        message = _("Claims close %(days)d days after shipping.") % {
            "days": settings.SHOP_CLAIM_WINDOW_DAYS
        }
        raise field_error(None, message, Code.WINDOW_CLOSED)
    if reason not in Claim.Reason.values:
        raise field_error("reason", _("Choose a reason."), Code.INVALID)
    left = claimable_quantities(order)
    wanted: dict[int, int] = {}
    for line, quantity in lines:
        if line.order_id != order.pk:
            raise field_error("lines", _("The line is not part of this order."), Code.INVALID_LINE)
        wanted[line.pk] = wanted.get(line.pk, 0) + quantity
    if not wanted and reason not in LINELESS_REASONS:
        raise field_error("lines", _("Choose the articles the claim is about."), Code.REQUIRED)
    if any(quantity < 1 or quantity > left[pk] for pk, quantity in wanted.items()):
        raise field_error(
            "lines",
            _("Claim at least one unit and no more than you bought and have not claimed yet."),
            Code.INVALID_QUANTITY,
        )
    claim = Claim.objects.create(
        order=order,
        user=order.user,
        reason=reason,
        description=_text(description, "description"),
    )
    claim.number = f"R-{claim.pk:06d}"
    claim.save(update_fields=["number"])
    ClaimLine.objects.bulk_create(
        ClaimLine(claim=claim, order_line_id=pk, quantity=quantity)
        for pk, quantity in wanted.items()
    )
    if photos:
        _add_message(claim, author=actor, body=claim.description, photos=photos, from_staff=False)
    claim_event(claim, ClaimEvent.Type.OPENED, actor, reason=reason)
    _notify(claim, "opened")
    return claim


@transaction.atomic
def claim_message_add(
    *, actor: User | None, claim: Claim, body: str, photos: Sequence[File] = (), from_staff: bool
) -> ClaimMessage:
    """Add to the claim's thread; staff answers are e-mailed to the customer.
    CLAIM_CLOSED once the claim is resolved or rejected."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if not CLAIM_TRANSITIONS[Status(claim.status)]:
        raise field_error(None, _("This claim is closed."), Code.CLAIM_CLOSED)
    message = _add_message(claim, author=actor, body=body, photos=photos, from_staff=from_staff)
    claim_event(claim, ClaimEvent.Type.MESSAGE, actor, from_staff=from_staff)
    if from_staff:
        _notify(claim, "answered")
    return message


def claim_transition(*, claim: Claim, to: Status, actor: User | None, message: str = "") -> None:
    """Move ``claim`` (locked by the caller) to ``to`` if ``CLAIM_TRANSITIONS`` allows it."""
    current = Status(claim.status)
    if to not in CLAIM_TRANSITIONS[current]:
        raise field_error(
            "status",
            _("A claim cannot go from “%(from)s” to “%(to)s”.")
            % {"from": current.label, "to": to.label},
            Code.INVALID_TRANSITION,
        )
    claim.status = to
    fields = ["status", "updated_at"]
    if to in (Status.RESOLVED, Status.REJECTED):
        claim.resolved_at = timezone.now()
        fields.append("resolved_at")
    claim.save(update_fields=fields)
    claim_event(claim, ClaimEvent.Type.STATUS_CHANGED, actor, message, old=current, new=to)


@transaction.atomic
def claim_update_status(*, actor: User, claim: Claim, status: Status, message: str = "") -> Claim:
    """Staff: put a claim in review, or reject it (with a message to the customer).
    Resolving goes through :func:`claim_resolve`."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if status == Status.RESOLVED:
        raise field_error(
            "status", _("Resolve a claim with its resolution."), Code.INVALID_TRANSITION
        )
    claim_transition(claim=claim, to=status, actor=actor, message=message)
    if message.strip():
        _add_message(claim, author=actor, body=message, photos=(), from_staff=True)
    if status == Status.REJECTED:
        _notify(claim, "resolved")
    elif message.strip():
        _notify(claim, "answered")
    return claim


def claim_resolve(
    *,
    actor: User,
    claim: Claim,
    resolution: str,
    message: str,
    refund_amount: Decimal | None = None,
) -> Claim:
    """Staff: close a claim with a refund (through the route the order was paid,
    at most what was paid minus refunded), a replacement (a new zero-priced order
    for the claimed lines, stock allocated) or no action, and tell the customer.

    A refund is made first, in its own transaction, keyed by the claim: the
    ledger keeps what the provider did even when it refuses or does not answer
    (REFUND_FAILED, the claim stays open), and resolving again retries that same
    refund, never a second one. A resolved claim cannot be resolved again
    (INVALID_TRANSITION).
    """
    body = _text(message, "message")
    if resolution not in Claim.Resolution.values:
        raise field_error("resolution", _("Choose a resolution."), Code.INVALID)
    if resolution == Claim.Resolution.REFUND:
        with transaction.atomic():
            locked = _open_claim(claim)
            rows = _refund(locked, actor, refund_amount)
        _check_refunded(rows)
    with transaction.atomic():
        claim = _open_claim(claim)
        claim_transition(claim=claim, to=Status.RESOLVED, actor=actor)
        if resolution == Claim.Resolution.REFUND:
            claim.refund_amount = sum((row.amount for row in rows), Decimal(0))
        elif resolution == Claim.Resolution.REPLACEMENT:
            claim.replacement_order = _replacement(claim, actor)
        claim.resolution = resolution
        claim.save(update_fields=["resolution", "refund_amount", "replacement_order", "updated_at"])
        _add_message(claim, author=actor, body=body, photos=(), from_staff=True)
        claim_event(claim, ClaimEvent.Type.RESOLVED, actor, body, resolution=resolution)
        _notify(claim, "resolved")
    return claim


def _open_claim(claim: Claim) -> Claim:
    """The claim, locked; INVALID_TRANSITION if it is already closed."""
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if Status.RESOLVED not in CLAIM_TRANSITIONS[Status(locked.status)]:
        current = Status(locked.status)
        raise field_error(
            "status",
            _("A claim cannot go from “%(from)s” to “%(to)s”.")
            % {"from": current.label, "to": Status.RESOLVED.label},
            Code.INVALID_TRANSITION,
        )
    return locked


def _refund(claim: Claim, actor: User, amount: Decimal | None) -> list[PaymentTransaction]:
    order = Order.objects.select_for_update().get(pk=claim.order_id)
    if amount is None or amount <= 0 or not is_whole_cents(amount):
        raise field_error("refundAmount", _("Enter the amount to refund."), Code.INVALID)
    # A refused attempt moved no money: the next one may ask for another amount
    # under a new key. An unanswered one is retried under its own key.
    refused = PaymentTransaction.objects.filter(
        payment__order=order,
        idempotency_key__contains=keys.claim_refunds_containing(claim.pk),
        status=PaymentTransaction.Status.FAILED,
    ).count()
    try:
        return order_payment_refund(
            order=order,
            amount=amount,
            idempotency_key=keys.claim_refund_key(claim.pk, refused),
            actor=actor,
            reason=_("Claim %(number)s") % {"number": claim.number},
        )
    except ValidationError as exc:
        errors = getattr(exc, "error_dict", {}).get("amount", exc)
        raise ValidationError({"refundAmount": errors}) from exc


def _check_refunded(rows: Sequence[PaymentTransaction]) -> None:
    """REFUND_FAILED unless every part of the refund succeeded or is settling."""
    if any(row.status == PaymentTransaction.Status.FAILED for row in rows):
        raise field_error(
            None, _("The refund was refused; the claim stays open."), Code.REFUND_FAILED
        )
    if any(not row.psp_reference for row in rows):
        message = _("The payment service did not answer; resolve again to retry the refund.")
        raise field_error(None, message, Code.REFUND_FAILED)


def _replacement(claim: Claim, actor: User) -> Order:
    order = claim.order
    replacement = Order.objects.create(
        checkout_token=uuid.uuid4(),
        user=order.user,
        email=order.email,
        language_code=order.language_code,
        shipping_address=order.shipping_address,
        billing_address=order.billing_address,
        shipping_method=order.shipping_method,
        shipping_method_name=order.shipping_method_name,
        shipping_method_name_en=order.shipping_method_name_en,
        pickup_point=order.pickup_point,
        delivery_days_max=order.delivery_days_max,
        payment_method="replacement",
        customer_note=_("Replacement for claim %(number)s") % {"number": claim.number},
    )
    lines = []
    for claimed in claim.lines.select_related("order_line__variant"):
        source = claimed.order_line
        if source.variant is None:
            raise field_error(
                "lines", _("An article is no longer in the catalogue."), Code.INVALID_LINE
            )
        line = OrderLine.objects.create(
            order=replacement,
            variant=source.variant,
            product_name=source.product_name,
            product_name_en=source.product_name_en,
            variant_name=source.variant_name,
            variant_name_en=source.variant_name_en,
            sku=source.sku,
            quantity=claimed.quantity,
            unit_price_gross=Decimal("0.00"),
            tax_rate=source.tax_rate,
            total_gross=Decimal("0.00"),
            total_tax=Decimal("0.00"),
        )
        lines.append((line, source.variant))
    stock_allocate(checkout=None, lines=lines)
    order_event(replacement, OrderEvent.Type.PLACED, actor, claim=claim.number)
    return replacement
