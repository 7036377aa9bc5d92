"""Checkout services: the cart and everything the shopper fills in before paying.

Each takes the checkout to change (or a ``selectors.CheckoutRef``: the mutations'
way, read once, locked, with the access check), locks its row (so two tabs of one
shopper queue) and bumps its ``version``, which outdates a payment started before.
Clients never send prices: totals come from ``orders.selectors.checkout_summary``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import ProductVariant
from catalog.selectors import product_for_sale
from orders.errors import CheckoutErrorCode as Code
from orders.models import Checkout, CheckoutLine, PickupPoint, ShippingMethod
from orders.payments.base import PaymentError
from orders.selectors import (
    CheckoutRef,
    checkout_for,
    checkout_summary,
    checkout_version_bumped,
    forget_checkout_lines,
    remember_checkout_lines,
    with_versions,
)
from orders.services.stock import (
    insufficient_stock,
    quantities_available,
    short_of_stock,
    stock_release_reservations,
)
from shop.accounts.models import User
from shop.accounts.services import clean_address
from shop.tax_ids import tax_id_clean
from shop.validation import field_error


def locked_checkout(checkout: Checkout | CheckoutRef) -> Checkout:
    """The checkout's row, locked; NOT_FOUND once it is gone (completed meanwhile).
    A ``CheckoutRef`` is read here, locked, for its user (``NotFound`` otherwise)."""
    if isinstance(checkout, CheckoutRef):
        return checkout_for(checkout.user, token=checkout.token, lock=True)
    locked = with_versions(Checkout.objects.select_for_update().filter(pk=checkout.pk)).first()
    if locked is None:
        raise field_error("token", _("Checkout not found."), Code.NOT_FOUND)
    return locked


def _touch(checkout: Checkout, *fields: str) -> None:
    """Save ``fields`` of the locked checkout and bump its version. Its lines read
    in this operation stay valid unless the caller forgot them (line writers do)."""
    previous = checkout.version
    checkout.version = F("version") + 1
    checkout.save(update_fields=[*fields, "version", "updated_at"])
    # The row is locked: nobody else moved the version meanwhile.
    checkout.version = previous + 1
    checkout_version_bumped(checkout, previous=previous)


def checkout_changed(checkout: Checkout, *fields: str) -> None:
    """Save ``fields`` of a locked checkout as a change of its cart's price (as the
    line services do): a started payment is outdated and what it held goes back."""
    _holds_release(checkout)
    _touch(checkout, *fields)


def _holds_release(checkout: Checkout) -> None:
    """A started payment is outdated: its stock and the use of its promo code go
    back until it starts again (the code stays on the checkout, re-checked on
    every read: see ``orders.selectors.checkout_summary``)."""
    from discounts.services import voucher_holds_release

    stock_release_reservations(checkout=checkout)
    if checkout.promo_code:  # a use is held only with a code (changing it releases it)
        voucher_holds_release(checkout_tokens=[checkout.token])


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise field_error("email", _("Enter a valid e-mail address."), Code.INVALID) from None
    return email


def _too_many_lines() -> ValidationError:
    message = _("A cart holds at most %(limit)d lines.") % {
        "limit": settings.SHOP_MAX_CHECKOUT_LINES
    }
    return field_error("lines", message, Code.TOO_MANY_LINES)


def _check_lines(
    checkout: Checkout | None, wanted: dict[ProductVariant, int], existing: Iterable[int]
) -> dict[int, int | None]:
    """Refuse quantities out of range, variants not for sale, too many lines and
    quantities short of free stock; returns the free units read (one query)."""
    limit = settings.SHOP_MAX_LINE_QUANTITY
    if any(not 0 <= quantity <= limit for quantity in wanted.values()):
        message = _("Quantities go from 1 to %(limit)d.") % {"limit": limit}
        raise field_error("lines", message, Code.INVALID_QUANTITY)
    adding = [variant for variant, quantity in wanted.items() if quantity > 0]
    hidden = [str(variant) for variant in adding if not product_for_sale(variant.product)]
    if hidden:
        message = _("No longer for sale: %(names)s.") % {"names": ", ".join(hidden)}
        raise field_error("lines", message, Code.PRODUCT_UNAVAILABLE)
    removing = {variant.pk for variant, quantity in wanted.items() if quantity == 0}
    remaining = (set(existing) | {variant.pk for variant in adding}) - removing
    if len(remaining) > settings.SHOP_MAX_CHECKOUT_LINES:
        raise _too_many_lines()
    free = quantities_available(adding, checkout=checkout)
    short = short_of_stock(
        {variant: wanted[variant] for variant in adding}, checkout=checkout, free=free
    )
    if short:
        raise insufficient_stock(short)
    return free


def _set_quantities(
    checkout: Checkout, wanted: dict[ProductVariant, int], existing: dict[int, CheckoutLine]
) -> None:
    """Set the quantity of each variant's line (0 removes it), checking limits,
    visibility and free stock; nothing changes when anything is refused."""
    _check_lines(checkout, wanted, existing)
    removed = [
        existing[v.pk].pk for v, quantity in wanted.items() if not quantity and v.pk in existing
    ]
    changed = []
    for variant, quantity in wanted.items():
        line = existing.get(variant.pk)
        if quantity and line is not None and line.quantity != quantity:
            line.quantity = quantity
            changed.append(line)
    if removed:
        CheckoutLine.objects.filter(pk__in=removed).delete()
    if changed:
        CheckoutLine.objects.bulk_update(changed, ["quantity"])
    added = [
        CheckoutLine(checkout=checkout, variant=variant, quantity=quantity)
        for variant, quantity in wanted.items()
        if quantity and variant.pk not in existing
    ]
    if added:
        CheckoutLine.objects.bulk_create(added)
    _holds_release(checkout)
    forget_checkout_lines(checkout)
    _touch(checkout)


@transaction.atomic
def checkout_create(
    *,
    user: User | None,
    email: str = "",
    lines: Sequence[tuple[ProductVariant, int]] = (),
    language_code: str = "es",
) -> Checkout:
    """A new checkout, the signed-in customer's (e-mail defaults to theirs) or
    anonymous, with ``lines`` (refused as ``checkout_lines_add`` refuses them:
    nothing is created then)."""
    checkout = Checkout(user=user, language_code=language_code)
    checkout.email = _clean_email(email) if email else (user.email if user else "")
    wanted = _merge(_at_least_one(lines))
    # Read with the variants (``selectors.new_cart_variants``): the answer's summary
    # then prices the lines from the process's promotions.
    versions = {getattr(variant, "promotion_version", None) for variant in wanted}
    if len(versions) == 1:
        checkout.promotion_version = versions.pop()  # type: ignore[attr-defined]
    # A new checkout has no lines nor reservations: nothing to lock, read or release.
    free = _check_lines(None, wanted, ()) if wanted else {}
    checkout.save()
    created = CheckoutLine.objects.bulk_create(
        CheckoutLine(checkout=checkout, variant=variant, quantity=quantity)
        for variant, quantity in wanted.items()
    )
    remember_checkout_lines(checkout, (created, free))
    return checkout


def _at_least_one(
    lines: Sequence[tuple[ProductVariant, int]],
) -> Sequence[tuple[ProductVariant, int]]:
    if any(quantity < 1 for _variant, quantity in lines):
        raise field_error("lines", _("Quantities must be at least 1."), Code.INVALID_QUANTITY)
    return lines


def _merge(lines: Sequence[tuple[ProductVariant, int]]) -> dict[ProductVariant, int]:
    merged: dict[ProductVariant, int] = {}
    for variant, quantity in lines:
        merged[variant] = merged.get(variant, 0) + quantity
    return merged


@transaction.atomic
def checkout_lines_add(
    *, checkout: Checkout | CheckoutRef, lines: Sequence[tuple[ProductVariant, int]]
) -> Checkout:
    """Add quantities to the cart (to the existing line of a variant)."""
    checkout = locked_checkout(checkout)
    _at_least_one(lines)
    existing = {line.variant_id: line for line in checkout.lines.all()}
    wanted = {
        variant: (existing[variant.pk].quantity if variant.pk in existing else 0) + quantity
        for variant, quantity in _merge(lines).items()
    }
    _set_quantities(checkout, wanted, existing)
    return checkout


@transaction.atomic
def checkout_lines_update(
    *, checkout: Checkout | CheckoutRef, lines: Sequence[tuple[ProductVariant, int]]
) -> Checkout:
    """Set the quantity of each variant's line; 0 removes the line."""
    checkout = locked_checkout(checkout)
    wanted: dict[ProductVariant, int] = {}
    for variant, quantity in lines:
        wanted[variant] = quantity  # the last value given for a variant wins
    _set_quantities(checkout, wanted, {line.variant_id: line for line in checkout.lines.all()})
    return checkout


@transaction.atomic
def checkout_lines_delete(
    *, checkout: Checkout | CheckoutRef, variants: Sequence[ProductVariant]
) -> Checkout:
    checkout = locked_checkout(checkout)
    checkout.lines.filter(variant__in=list(variants)).delete()
    _holds_release(checkout)
    forget_checkout_lines(checkout)
    _touch(checkout)
    return checkout


@transaction.atomic
def checkout_email_update(*, checkout: Checkout | CheckoutRef, email: str) -> Checkout:
    checkout = locked_checkout(checkout)
    checkout.email = _clean_email(email)
    _touch(checkout, "email")
    return checkout


@transaction.atomic
def checkout_shipping_address_update(
    *, checkout: Checkout | CheckoutRef, address: dict[str, Any]
) -> Checkout:
    """Set the delivery address (Spanish, validated); a chosen shipping method that
    no longer serves it is dropped."""
    checkout = locked_checkout(checkout)
    checkout.shipping_address = clean_address(address)
    summary = checkout_summary(checkout)  # with the new address (not saved yet)
    if checkout.shipping_method_id and summary.shipping is None:
        checkout.shipping_method = checkout.pickup_point = None
    _touch(checkout, "shipping_address", "shipping_method", "pickup_point")
    return checkout


@transaction.atomic
def checkout_billing_address_update(
    *, checkout: Checkout | CheckoutRef, address: dict[str, Any]
) -> Checkout:
    """Set the billing address (Spanish, validated). With a ``tax_id`` (NIF, NIE or
    CIF, checked with its check character: INVALID_TAX_ID on ``tax_id``) the order
    is invoiced with a full invoice naming ``company_name``, or the person."""
    checkout = locked_checkout(checkout)
    tax_id = str(address.get("tax_id") or "").strip()
    errors: dict[str, Any] = {}
    try:
        cleaned: dict[str, str] = clean_address(address)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if tax_id:
        try:
            tax_id = tax_id_clean(tax_id)
        except ValidationError as exc:
            errors["tax_id"] = [exc]
    if errors:
        raise ValidationError(errors)
    checkout.billing_address = {**cleaned, "tax_id": tax_id} if tax_id else cleaned
    _touch(checkout, "billing_address")
    return checkout


@transaction.atomic
def checkout_shipping_method_update(
    *,
    checkout: Checkout | CheckoutRef,
    method: ShippingMethod | int,
    pickup_point: PickupPoint | None = None,
) -> Checkout:
    """Choose among the methods available to the checkout; a pickup method needs
    one of its pickup points. ``method`` may be given by its key (the API's way:
    it is then found among the available ones, read with the summary; NOT_FOUND
    on ``shippingMethodId`` when there is no such method)."""
    checkout = locked_checkout(checkout)
    available = {quote.method.pk: quote.method for quote in checkout_summary(checkout).quotes}
    method_id = method if isinstance(method, int) else method.pk
    if method_id not in available:
        if isinstance(method, int) and not ShippingMethod.objects.filter(pk=method).exists():
            raise field_error("shippingMethodId", _("Not found."), Code.NOT_FOUND)
        raise field_error(
            "shippingMethod",
            _("This shipping method is not available for this address and cart."),
            Code.SHIPPING_NOT_AVAILABLE,
        )
    method = available[method_id]
    if method.kind == ShippingMethod.Kind.PICKUP:
        points = {point.pk for point in method.pickup_points.all() if point.is_active}
        if pickup_point is None or pickup_point.pk not in points:
            raise field_error(
                "pickupPoint",
                _("Choose one of this method's pickup points."),
                Code.PICKUP_POINT_REQUIRED,
            )
    else:
        pickup_point = None
    checkout.shipping_method, checkout.pickup_point = method, pickup_point
    _touch(checkout, "shipping_method", "pickup_point")
    return checkout


def checkout_customer_attach(*, checkout: Checkout, user: User) -> Checkout:
    """Give an anonymous checkout to ``user`` on sign-in. If they already have a
    cart, the anonymous lines merge into it (quantities added, up to the line
    limit) and the anonymous checkout is deleted; the customer's is returned.
    TOO_MANY_LINES, and nothing changes, when the merged cart would be too long.

    A payment started for a merged-away cart is settled first: cancelled at
    Stripe at once (the shopper's open tab can no longer pay it), or refunded if
    it was charged meanwhile; GATEWAY_UNAVAILABLE, and nothing merged, when the
    provider does not answer. It is not moved to the merged cart: it was asked
    for the guest cart's lines and total, the merged cart is another sale (other
    lines, another total), and an intent moved under an open payment form could
    charge an amount the shopper never saw. The shopper pays the merged cart
    once, from its own start. A payment that slips past this (started in the
    instant between settling and merging) is given back by the card webhook,
    which never places an order for a payment whose checkout is gone."""
    from orders.services.payments import payments_supersede

    with transaction.atomic():
        checkout = locked_checkout(checkout)
        if checkout.user_id is None and Checkout.objects.filter(user=user).exists():
            try:
                payments_supersede(checkout=checkout)
            except PaymentError as exc:
                message = _("The payment service did not answer. Please try again in a moment.")
                raise field_error(None, message, Code.GATEWAY_UNAVAILABLE) from exc
    with transaction.atomic():
        return _attach(checkout=checkout, user=user)


def _attach(*, checkout: Checkout, user: User) -> Checkout:
    from discounts.services import voucher_holds_release

    checkout = locked_checkout(checkout)
    if checkout.user_id == user.pk:
        return checkout
    if checkout.user_id is not None:
        raise field_error(None, _("Checkout not found."), Code.NOT_FOUND)
    target = Checkout.objects.select_for_update().filter(user=user).order_by("-updated_at").first()
    if target is None:
        checkout.user = user
        checkout.email = checkout.email or user.email
        _touch(checkout, "user", "email")
        return checkout
    limit = settings.SHOP_MAX_LINE_QUANTITY
    existing = {line.variant_id: line for line in target.lines.all()}
    incoming = list(checkout.lines.all())
    merged_count = len(existing.keys() | {line.variant_id for line in incoming})
    if merged_count > settings.SHOP_MAX_CHECKOUT_LINES:
        raise _too_many_lines()
    for line in incoming:
        mine = existing.get(line.variant_id)
        if mine is None:
            line.checkout = target
            line.save(update_fields=["checkout"])
        else:
            mine.quantity = min(mine.quantity + line.quantity, limit)
            mine.save(update_fields=["quantity"])
    if checkout.promo_code:
        voucher_holds_release(checkout_tokens=[checkout.token])
    checkout.delete()
    forget_checkout_lines(target)
    _touch(target)
    return target
