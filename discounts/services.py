"""Discount writes: promotions and vouchers (staff), promo codes on checkouts
(shoppers), and the uses of vouchers (the checkout's payment and its order).

Usage limits: a use is a ``VoucherUsage`` row, reserved when the shopper starts
paying and made when the order is placed, both under the voucher's row lock
(taken after the checkout's and the stock rows', in every path), so parallel
checkouts queue on it and count each other's rows.
"""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discounts.errors import DiscountErrorCode as Code
from discounts.models import Promotion, ValueType, Voucher, VoucherCode, VoucherUsage
from discounts.selectors import (
    PROMO_CODE_FIELD,
    Redeemer,
    code_lookup,
    normalize_code,
    usage_problem,
)
from orders.errors import CheckoutErrorCode
from orders.models import Checkout
from orders.services.checkout import checkout_changed, locked_checkout
from shop.accounts.models import User
from shop.audit import record_change

if TYPE_CHECKING:
    from orders.models import Order
    from orders.selectors import CheckoutSummary


def _error(field: str, message: str, code: Code = Code.INVALID) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# Staff: promotions and vouchers.

PROMOTION_FIELDS = ("name", "name_en", "value_type", "value", "starts_at", "ends_at", "is_active")
PROMOTION_TARGETS = ("products", "variants", "categories", "collections")
VOUCHER_FIELDS = (
    "name",
    "scope",
    "value_type",
    "value",
    "min_order_value",
    "min_quantity",
    "starts_at",
    "ends_at",
    "is_active",
    "usage_limit",
    "usage_limit_per_customer",
)
VOUCHER_TARGETS = ("products", "categories", "collections")


def promotion_check(obj: Promotion | Voucher) -> None:
    """The rules of a promotion's or voucher's fields, as field errors (INVALID,
    REQUIRED): the database would refuse most of them too."""
    errors: dict[str, ValidationError] = {}
    if obj.value is None or obj.value < 0:
        errors["value"] = ValidationError(_("Enter a value of zero or more."), code=Code.INVALID)
    elif obj.value_type == ValueType.PERCENTAGE and obj.value > 100:
        errors["value"] = ValidationError(_("A percentage goes from 0 to 100."), code=Code.INVALID)
    elif obj.value != obj.value.quantize(Decimal("0.01")):
        errors["value"] = ValidationError(_("Use at most two decimals."), code=Code.INVALID)
    if not obj.name.strip():
        errors["name"] = ValidationError(_("Enter a name."), code=Code.REQUIRED)
    if obj.starts_at is None:
        errors["startsAt"] = ValidationError(_("Enter when it starts."), code=Code.REQUIRED)
    elif obj.ends_at is not None and obj.ends_at <= obj.starts_at:
        errors["endsAt"] = ValidationError(_("It must end after it starts."), code=Code.INVALID)
    if errors:
        raise ValidationError(errors)


def _assign(obj: Any, data: dict[str, Any], fields: Sequence[str]) -> list[str]:
    changed = [name for name in fields if name in data and getattr(obj, name) != data[name]]
    for name in changed:
        setattr(obj, name, data[name])
    return changed


def _set_targets(obj: Any, data: dict[str, Any], names: Sequence[str]) -> list[str]:
    changed = []
    for name in names:
        if name in data:
            getattr(obj, name).set(data[name])
            changed.append(name)
    return changed


def _save_promotion(promotion: Promotion, data: dict[str, Any]) -> list[str]:
    changed = _assign(promotion, data, PROMOTION_FIELDS)
    promotion_check(promotion)
    promotion.save()
    return changed + _set_targets(promotion, data, PROMOTION_TARGETS)


@transaction.atomic
def promotion_create(*, actor: User, data: dict[str, Any]) -> Promotion:
    """Add a promotion. ``data``: the fields of ``PROMOTION_FIELDS`` (``name``,
    ``value`` and ``starts_at`` required) and target lists (``products``,
    ``variants``, ``categories``, ``collections``: model instances). INVALID or
    REQUIRED on the field at fault; nothing is saved then."""
    promotion = Promotion()
    _save_promotion(promotion, data)
    record_change(actor=actor, obj=promotion, action="add")
    return promotion


@transaction.atomic
def promotion_update(*, actor: User, promotion: Promotion, data: dict[str, Any]) -> Promotion:
    """Change the fields and targets given in ``data`` (a target list replaces the old)."""
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    changed = _save_promotion(promotion, data)
    record_change(actor=actor, obj=promotion, action="change", message=", ".join(changed))
    return promotion


@transaction.atomic
def promotion_delete(*, actor: User, promotion: Promotion) -> None:
    """Delete a promotion; orders placed under it keep their frozen discount."""
    record_change(actor=actor, obj=promotion, action="delete")
    promotion.delete()


def _save_voucher(voucher: Voucher, data: dict[str, Any]) -> list[str]:
    changed = _assign(voucher, data, VOUCHER_FIELDS)
    if voucher.scope not in Voucher.Scope.values:
        raise _error("scope", _("Choose what the voucher applies to."))
    promotion_check(voucher)
    voucher.save()
    return changed + _set_targets(voucher, data, VOUCHER_TARGETS)


def _code_clean(code: str) -> str:
    cleaned = normalize_code(code)
    if not cleaned or len(cleaned) > 40 or not cleaned.replace("-", "").isalnum():
        raise _error("code", _("A code has 1 to 40 letters, digits or dashes."))
    if VoucherCode.objects.filter(code=cleaned).exists():
        raise _error("code", _("This code is already in use."), Code.UNIQUE)
    return cleaned


@transaction.atomic
def voucher_create(*, actor: User, data: dict[str, Any], code: str = "") -> Voucher:
    """Add a voucher (``VOUCHER_FIELDS``, targets ``products``, ``categories``,
    ``collections``), with ``code`` as its shared code when given (UNIQUE on
    ``code`` when taken). Single-use codes come from :func:`voucher_codes_generate`."""
    voucher = Voucher()
    cleaned = _code_clean(code) if code else ""
    _save_voucher(voucher, data)
    if cleaned:
        VoucherCode.objects.create(voucher=voucher, code=cleaned)
    record_change(actor=actor, obj=voucher, action="add")
    return voucher


@transaction.atomic
def voucher_update(*, actor: User, voucher: Voucher, data: dict[str, Any]) -> Voucher:
    """Change the fields and targets given in ``data``. Checkouts carrying its
    codes are re-checked on their next read, and at completion."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    changed = _save_voucher(voucher, data)
    record_change(actor=actor, obj=voucher, action="change", message=", ".join(changed))
    return voucher


@transaction.atomic
def voucher_delete(*, actor: User, voucher: Voucher) -> None:
    """Delete a voucher never used; IN_USE otherwise (deactivate it instead)."""
    if voucher.usages.exists():
        raise _error("id", _("This voucher has been used: deactivate it instead."), Code.IN_USE)
    record_change(actor=actor, obj=voucher, action="delete")
    voucher.delete()


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
MAX_GENERATED = 10_000


@transaction.atomic
def voucher_codes_generate(
    *, actor: User, voucher: Voucher, count: int, prefix: str = "", length: int = 8
) -> list[VoucherCode]:
    """Make ``count`` new single-use codes for ``voucher`` (``PREFIX-XXXXXXXX``,
    random, none already taken). INVALID on ``count`` outside 1..10000."""
    if not 1 <= count <= MAX_GENERATED:
        raise _error(
            "count", _("Generate from 1 to %(max)d codes at once.") % {"max": MAX_GENERATED}
        )
    prefix = normalize_code(prefix)[:20]
    if prefix and not prefix.replace("-", "").isalnum():
        raise _error("prefix", _("A prefix has letters, digits or dashes."))
    made: set[str] = set()
    while len(made) < count:
        wanted = {
            f"{prefix}-{_random(length)}" if prefix else _random(length)
            for _ in range(count - len(made))
        } - made
        taken = set(VoucherCode.objects.filter(code__in=wanted).values_list("code", flat=True))
        made |= wanted - taken
    codes = VoucherCode.objects.bulk_create(
        VoucherCode(voucher=voucher, code=code, single_use=True) for code in sorted(made)
    )
    record_change(
        actor=actor, obj=voucher, action="change", message=f"{count} single-use codes generated"
    )
    return codes


def _random(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def voucher_codes_csv(voucher: Voucher) -> str:
    """The voucher's codes as CSV (code, single use, used), for printing or mailing."""
    used = set(
        VoucherUsage.objects.filter(voucher=voucher, status=VoucherUsage.Status.USED).values_list(
            "code_id", flat=True
        )
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "single_use", "used"])
    for code in voucher.codes.order_by("pk"):
        writer.writerow([code.code, int(code.single_use), int(code.pk in used)])
    return out.getvalue()


# Shoppers: promo codes on checkouts.


@transaction.atomic
def checkout_promo_code_add(*, checkout: Checkout, promo_code: str) -> Checkout:
    """Put a promo code on the checkout, replacing any other. Refused on
    ``promoCode`` with the reason, nothing changed: VOUCHER_INVALID (no such
    code), VOUCHER_EXPIRED, VOUCHER_NOT_YET_VALID, VOUCHER_USED_UP,
    VOUCHER_MINIMUM_NOT_REACHED, VOUCHER_NOT_APPLICABLE. The checkout's totals
    then show the discount; a started payment is outdated."""
    from orders.selectors import checkout_summary

    checkout = locked_checkout(checkout)
    code = normalize_code(promo_code)
    if code_lookup(code) is None:
        raise ValidationError(
            {
                PROMO_CODE_FIELD: ValidationError(
                    _("This code does not exist."), code=CheckoutErrorCode.VOUCHER_INVALID
                )
            }
        )
    checkout.promo_code = code
    problem = checkout_summary(checkout).promo_problem
    if problem is not None:
        raise problem
    _release(checkout)
    checkout_changed(checkout, "promo_code")
    return checkout


@transaction.atomic
def checkout_promo_code_remove(*, checkout: Checkout) -> Checkout:
    """Take the promo code off the checkout (nothing to do without one); its
    held use goes back."""
    checkout = locked_checkout(checkout)
    if checkout.promo_code:
        checkout.promo_code = ""
        _release(checkout)
        checkout_changed(checkout, "promo_code")
    return checkout


def _release(checkout: Checkout) -> None:
    voucher_holds_release(checkout_tokens=[checkout.token])


def voucher_holds_release(*, checkout_tokens: Iterable[uuid.UUID]) -> int:
    """Give back the uses held by the checkouts with ``checkout_tokens``: their
    cart changed (the payment that held them is outdated), they dropped the code
    or they are deleted. Returns how many were released."""
    return VoucherUsage.objects.filter(
        checkout_token__in=list(checkout_tokens), status=VoucherUsage.Status.RESERVED
    ).update(status=VoucherUsage.Status.RELEASED, expires_at=None)


def voucher_holds_release_expired(*, now: datetime | None = None) -> int:
    """Mark the holds whose time ran out as released (limits already ignore them:
    this keeps the table readable). Scheduled with the stock reservations."""
    return VoucherUsage.objects.filter(
        status=VoucherUsage.Status.RESERVED, expires_at__lte=now or timezone.now()
    ).update(status=VoucherUsage.Status.RELEASED, expires_at=None)


def voucher_usage_release_for_order(*, order: Order) -> None:
    """A cancelled order gives its use back: it no longer counts against the
    limits (the customer may use a once-per-customer code again) nor in the
    usage and revenue figures."""
    VoucherUsage.objects.filter(order=order, status=VoucherUsage.Status.USED).update(
        status=VoucherUsage.Status.RELEASED
    )


# The checkout's payment and order.


def _redeemer(checkout: Checkout) -> Redeemer:
    return Redeemer(checkout.token, checkout.user_id, checkout.email)


def _locked_code(summary: CheckoutSummary) -> VoucherCode | None:
    """The summary's code with its voucher's row locked, or None without one."""
    promo = summary.promo
    if promo is None or promo.code is None or promo.offer is None:
        return None
    Voucher.objects.select_for_update().filter(pk=promo.code.voucher_id).exists()
    return VoucherCode.objects.select_related("voucher").get(pk=promo.code.pk)


def voucher_usage_reserve(*, summary: CheckoutSummary, until: datetime) -> None:
    """Hold one use of the checkout's voucher until ``until`` (call under the
    checkout's lock, after the stock is reserved). VOUCHER_USED_UP on
    ``promoCode`` when its limits leave none: then the caller's transaction
    must roll back. Nothing to do without a usable code."""
    _usage_take(summary, expires_at=until)


def voucher_usage_check(*, summary: CheckoutSummary) -> VoucherCode | None:
    """The summary's code, its voucher's row locked, when its limits leave the
    checkout a use (its held one, or one taken again after its hold expired);
    VOUCHER_USED_UP on ``promoCode`` otherwise. None without a usable code.
    Writes nothing: ``order_place`` decides with it before its first write."""
    code = _locked_code(summary)
    if code is not None:
        problem = usage_problem(code, _redeemer(summary.checkout))
        if problem is not None:
            raise problem
    return code


def voucher_usage_commit(
    *, summary: CheckoutSummary, order: Order, code: VoucherCode | None
) -> None:
    """Turn the checkout's held use of ``code`` (:func:`voucher_usage_check`'s,
    in this transaction; None: nothing to do) into the order's."""
    if code is not None:
        _usage_write(summary, code, order=order, status=VoucherUsage.Status.USED, expires_at=None)


def _usage_take(summary: CheckoutSummary, **outcome: object) -> None:
    """Take one use of the summary's code (none without a usable code): the
    checkout's held use, or a new one, gets ``outcome``. VOUCHER_USED_UP when
    the code's limits leave no use."""
    code = voucher_usage_check(summary=summary)
    if code is not None:
        _usage_write(summary, code, **outcome)


def _usage_write(summary: CheckoutSummary, code: VoucherCode, **outcome: object) -> None:
    checkout = summary.checkout
    VoucherUsage.objects.update_or_create(
        checkout_token=checkout.token,
        status=VoucherUsage.Status.RESERVED,
        defaults={
            "voucher": code.voucher,
            "code": code,
            "single_use": code.single_use,
            "user_id": checkout.user_id,
            "email": checkout.email,
            "discount_gross": summary.voucher_discount,
            **outcome,
        },
    )
