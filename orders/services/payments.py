"""Paying a checkout and placing the order; refunds through the payment interface.

Money rules: a ``Payment`` row with its idempotency key is stored before the
provider is called; money that moved is written to the ledger
(``PaymentTransaction``) with a unique key, so a retry never records it twice;
a charge that cannot become an order (stock ran out) is given back at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import product_for_sale
from orders.errors import CheckoutErrorCode as Code
from orders.errors import OrderErrorCode
from orders.invoicer import get_invoicer
from orders.models import Checkout, Order, OrderEvent, Payment, PaymentTransaction
from orders.payments import get_payment_method, keys
from orders.payments.base import (
    Eligibility,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentError,
    PaymentMethod,
    PaymentSession,
    PaymentStatus,
    RefundStatus,
)
from orders.payments.keys import RefundReason
from orders.selectors import (
    CheckoutRef,
    CheckoutSummary,
    checkout_for,
    checkout_summary,
    payment_balance,
    payment_refundable,
    with_versions,
)
from orders.services.checkout import locked_checkout
from orders.services.orders import order_event, order_place
from orders.services.stock import (
    insufficient_stock,
    short_of_stock,
    stock_release_reservations,
    stock_reserve,
)
from shop.accounts import consent
from shop.accounts.models import User
from shop.accounts.recovery import may_buy
from shop.content.models import LegalPage
from shop.money import is_whole_cents
from shop.validation import field_error


def checkout_problems(
    summary: CheckoutSummary,
    *,
    stock: bool = True,
    free: dict[int, int | None] | None = None,
    promo: bool = True,
) -> ValidationError | None:
    """Everything that keeps the checkout from being paid, or None. With ``stock``,
    lines short of free stock (its own reservations count as its own) are
    INSUFFICIENT_STOCK on ``lines``: read without locks, the figure the cart
    shows (``free``: ``quantities_available`` of the lines, when read already);
    ``stock_reserve`` and ``stock_allocate`` decide under locks. With ``promo``, a
    promo code that may not be used now is its reason on ``promoCode``
    (``voucher_usage_reserve`` decides the limits under a lock)."""
    checkout = summary.checkout
    errors: dict[str, list[ValidationError]] = {}
    for field, message, code in _missing(summary):
        errors.setdefault(field, []).append(ValidationError(message, code=code))
    if promo and summary.promo_problem is not None:
        for field, field_errors in summary.promo_problem.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    hidden = [str(view.variant) for view in summary.lines if not product_for_sale(view.product)]
    if hidden:
        message = _("No longer for sale: %(names)s.") % {"names": ", ".join(hidden)}
        errors.setdefault("lines", []).append(
            ValidationError(message, code=Code.PRODUCT_UNAVAILABLE)
        )
    if stock:
        wanted = {view.variant: view.line.quantity for view in summary.lines}
        short = short_of_stock(
            wanted, checkout=checkout, free=summary.free if free is None else free
        )
        if short:
            errors.setdefault("lines", []).extend(insufficient_stock(short).error_dict["lines"])
    return ValidationError(errors) if errors else None


def _missing(summary: CheckoutSummary) -> list[tuple[str, str, Code]]:
    """What the shopper has not given yet, as (field, message, code)."""
    checkout = summary.checkout
    checks = [
        (not summary.lines, "lines", _("The cart is empty."), Code.EMPTY),
        (not checkout.email, "email", _("Enter an e-mail address."), Code.REQUIRED),
        (
            not checkout.shipping_address,
            "shippingAddress",
            _("Enter the delivery address."),
            Code.REQUIRED,
        ),
        (
            not checkout.billing_address,
            "billingAddress",
            _("Enter the billing address."),
            Code.REQUIRED,
        ),
        (
            bool(summary.lines and checkout.shipping_address) and summary.shipping is None,
            "shippingMethod",
            _("Choose an available shipping method."),
            Code.SHIPPING_NOT_AVAILABLE,
        ),
    ]
    return [(field, message, code) for failed, field, message, code in checks if failed]


def _method(code: str) -> PaymentMethod:
    method = get_payment_method(code)
    if method is None:
        raise field_error(
            "method", _("This payment method is not offered."), Code.PAYMENT_METHOD_NOT_AVAILABLE
        )
    return method


def checkout_payment_start(
    *,
    checkout: Checkout | CheckoutRef,
    method_code: str,
    options: dict[str, Any] | None = None,
    accepted: Collection[str] = (),
) -> tuple[Payment, PaymentSession]:
    """Reserve the cart's stock and start paying the checkout's total with a method.

    The legal texts ``accepted`` (kinds) are kept with the payment and recorded
    with the order however it is placed (``checkoutComplete``, or the card
    webhook when the shopper never comes back). Once the shop publishes terms of
    sale they must be among them (REQUIRED on ``acceptTermsOfSale``): no money
    is asked for a sale on terms not accepted.

    One live payment per checkout. Starting again for the same version of the
    checkout with the same choices (a double click, a second tab, a retry)
    returns the session already started: it queues on the checkout's lock, then
    on the payment's, and the provider is called once. Starting after the cart
    changed updates the unpaid payment of that method; earlier payments that
    cannot be reused are settled first (``payments_supersede``). The
    reservation and the ``Payment`` row, with the key for this version, are
    committed before the provider is called, so a retry after a time-out sends
    the same key. Raises ``ValidationError``: not ready, method not offered or
    not eligible (with its reason, on the choice it is about), INSUFFICIENT_STOCK,
    PAYMENT_DECLINED, GATEWAY_UNAVAILABLE (retry). Nothing changes on a refusal
    of the checkout or of the choices. The payment returned holds the checkout
    as the start locked and read it (``payment.checkout``).
    """
    method = _method(method_code)
    options = options or {}
    reusable: Payment | None = None
    while True:
        with transaction.atomic():
            checkout = locked_checkout(checkout)
            _acceptance_check(checkout, accepted)
            summary = _check_payable(checkout, method, options)
            # Every payment of the checkout, locked: a parallel start may be
            # storing its session in one; nobody adds any while we hold the checkout.
            payments = list(checkout.payments.order_by("-pk").select_for_update())
            payment = _payment_to_start(checkout, method, options, reusable, payments)
            if not _others_live(payments, payment):
                _reserve_and_store(summary, payment, options, accepted)
                break
        # Earlier payments to settle (the provider is asked about them): in a
        # transaction of their own, then the start is decided again.
        with transaction.atomic():
            checkout = locked_checkout(checkout)
            _check_payable(checkout, method, options)
            try:
                reusable = _settle_earlier_payments(checkout, method, options)
            except PaymentError as exc:
                raise _gateway_error() from exc
    return _payment_session(payment, method, checkout)


def _acceptance_check(checkout: Checkout, accepted: Collection[str]) -> dict[str, LegalPage]:
    """The terms of sale among ``accepted`` once published, and every text of
    ``accepted`` published (``shop.accounts.consent``), read under the legal
    texts version read with the locked checkout; returns those texts."""
    version = getattr(checkout, "legal_version", None)
    consent.checkout_acceptance_check(accepted, version=version)
    return consent.legal_texts_check(accepted, version=version)


def _others_live(payments: list[Payment], payment: Payment) -> bool:
    return any(other.status in LIVE and other.pk != payment.pk for other in payments)


def _reserve_and_store(
    summary: CheckoutSummary,
    payment: Payment,
    options: dict[str, Any],
    accepted: Collection[str],
) -> None:
    """Under the checkout's lock: hold the cart's stock and store the payment
    with the total and, for a new version or new choices, a new start key; hold
    a use of its promo code (VOUCHER_USED_UP: nothing kept)."""
    from discounts.services import voucher_usage_reserve

    checkout = summary.checkout
    until = timezone.now() + timedelta(minutes=settings.SHOP_RESERVATION_MINUTES)
    stock_reserve(checkout=checkout, lines=[view.line for view in summary.lines], until=until)
    voucher_usage_reserve(summary=summary, until=until)
    if not _started_as(payment, checkout, options):
        payment.details = {
            **payment.details,
            "checkout_version": checkout.version,
            "options": options,
            "start_key": keys.start_key(payment.idempotency_key, checkout_version=checkout.version),
        }
    payment.details = {**payment.details, "accepted": sorted(set(accepted))}
    payment.amount = summary.totals.total_gross
    payment.save()


def _payment_to_start(
    checkout: Checkout,
    method: PaymentMethod,
    options: dict[str, Any],
    reusable: Payment | None,
    payments: list[Payment],
) -> Payment:
    """Under the checkout's lock, from its ``payments`` (newest first, locked): the
    payment started for this version and these choices, else ``reusable`` if it
    is still live, else a new one."""
    for payment in payments:
        if payment.method != method.code or payment.status not in LIVE:
            continue
        if _started_as(payment, checkout, options) or (reusable and payment.pk == reusable.pk):
            return payment
    key = keys.payment_key(
        checkout_token=checkout.token, method=method.code, attempt=len(payments) + 1
    )
    return Payment(checkout=checkout, method=method.code, idempotency_key=key)


def _check_may_buy(checkout: Checkout) -> None:
    """ACCOUNT_NOT_CONFIRMED when the checkout's customer may not buy before
    confirming their address (``ACCOUNT_UNCONFIRMED_MAY_BUY`` off)."""
    if settings.ACCOUNT_UNCONFIRMED_MAY_BUY or checkout.user_id is None:
        return  # decided without reading the customer
    if not may_buy(checkout.user):
        raise field_error(
            None,
            _("Confirm your e-mail address before buying: follow the link we sent you."),
            Code.ACCOUNT_NOT_CONFIRMED,
        )


def _check_payable(
    checkout: Checkout, method: PaymentMethod, options: dict[str, Any]
) -> CheckoutSummary:
    _check_may_buy(checkout)
    summary = checkout_summary(checkout)
    problems = checkout_problems(summary)
    if problems:
        raise problems
    eligibility = method.eligibility(checkout, amount=summary.totals.total_gross, options=options)
    if not eligibility.eligible:
        raise _refusal(eligibility)
    return summary


def _refusal(eligibility: Eligibility) -> ValidationError:
    code = Code(eligibility.code) if eligibility.code else Code.PAYMENT_METHOD_NOT_AVAILABLE
    return field_error(eligibility.field, eligibility.reason, code)


def _started_as(payment: Payment, checkout: Checkout, options: dict[str, Any]) -> bool:
    """Whether ``payment`` was started for this version of the checkout with
    these choices: starting again is then the same start."""
    return (
        payment.details.get("checkout_version") == checkout.version
        and payment.details.get("options") == options
    )


def _payment_session(
    payment: Payment, method: PaymentMethod, checkout: Checkout
) -> tuple[Payment, PaymentSession]:
    """Call the provider for the payment's start key, once: under the payment's
    lock, a start that finds the session of its key stored returns that."""
    failure: PaymentError | None = None
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.checkout = checkout
        key = payment.details["start_key"]
        stored = payment.details.get("session") or {}
        if stored.get("start_key") == key and payment.status not in DEAD:
            return payment, PaymentSession(
                status=PaymentStatus(payment.status),
                psp_reference=payment.psp_reference,
                client_data=stored["client_data"],
            )
        try:
            session = method.start(payment, options=payment.details["options"], idempotency_key=key)
        except GatewayUnavailable as exc:
            raise _gateway_error() from exc
        except PaymentError as exc:
            failure = exc
            payment.status = Payment.Status.FAILED
            payment.save(update_fields=["status", "updated_at"])
        else:
            payment.status = session.status
            payment.psp_reference = session.psp_reference or payment.psp_reference
            payment.details = {
                **payment.details,
                **session.details,
                "session": {"start_key": key, "client_data": session.client_data},
            }
            payment.save(update_fields=["status", "psp_reference", "details", "updated_at"])
    if failure is not None:
        stock_release_reservations(checkout=checkout)  # nothing to hold units for
        declined = isinstance(failure, PaymentDeclined)
        message = str(failure) if declined else _("The payment was declined.")
        raise field_error("method", message, Code.PAYMENT_DECLINED) from failure
    return payment, session


UNPAID = (Payment.Status.PENDING, Payment.Status.ACTION_REQUIRED)
LIVE = (*UNPAID, Payment.Status.AUTHORIZED, Payment.Status.CHARGED)
DEAD = (Payment.Status.FAILED, Payment.Status.CANCELLED)


def _settle_earlier_payments(
    checkout: Checkout, method: PaymentMethod, options: dict[str, Any]
) -> Payment | None:
    """The payment to start again: the one already started for this version and
    these choices (nothing asked of the provider), else the newest unpaid one of
    ``method``; every other live payment is settled. The payments are locked, so
    a parallel start storing its session is waited for and seen as it is."""
    reusable = None
    live = checkout.payments.filter(status__in=LIVE).order_by("-pk").select_for_update()
    for payment in live:
        if (
            reusable is None
            and payment.method == method.code
            and _started_as(payment, checkout, options)
        ):
            reusable = payment
            continue
        # A start the provider never answered left no reference: nothing to ask
        # about, and no money can move without the session the shopper never got.
        status = payment_confirm(payment)
        if reusable is None and payment.method == method.code and status in UNPAID:
            reusable = payment
        else:
            supersede_confirmed(payment, status)
    return reusable


def payments_supersede(*, checkout: Checkout) -> None:
    """Settle every payment of the checkout that may still take money: one charged
    meanwhile is refunded in full, the others are cancelled at the provider; each
    then counts as cancelled. Provider errors propagate."""
    for payment in checkout.payments.filter(status__in=LIVE):
        supersede_confirmed(payment, payment_confirm(payment))


def supersede_confirmed(payment: Payment, status: PaymentStatus, actor: User | None = None) -> None:
    """Give back ``payment`` (just confirmed as ``status``) for SUPERSEDED; it then
    counts as cancelled. Provider errors propagate, the payment as it was."""
    payment_give_back(payment=payment, status=status, reason=RefundReason.SUPERSEDED, actor=actor)
    if payment.status != Payment.Status.CANCELLED:
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status", "updated_at"])


def payment_give_back(
    *,
    payment: Payment,
    reason: RefundReason,
    actor: User | None,
    status: PaymentStatus | None = None,
) -> PaymentTransaction | None:
    """Give back a payment that will not pay an order (any more): the one path
    that releases an authorisation or refunds a charge.

    ``status`` is the payment's status as just confirmed (default: as stored).
    Money taken is refunded, all of it still refundable, once per ``reason``
    (``keys.refund_key``); a session not charged (authorised, or still open) is
    released at the provider and the payment counts as cancelled. A payment
    never started at the provider is left alone. Idempotent: a repeat finds the
    refund made, or retries the one refused or never answered with its key.
    For an order's payment the outcome is an order event (REFUNDED or
    REFUND_FAILED). Returns the refund's ledger row, or None when nothing was
    refunded. Provider errors propagate, after the ledger row records them.
    """
    status = PaymentStatus(status or payment.status)
    if not payment.psp_reference:
        return None  # nothing to ask the provider about: no money can have moved
    try:
        earlier = _earlier_refund(payment, reason)
        if status == PaymentStatus.CHARGED or earlier is not None:
            return _give_back_charge(payment, reason, actor, earlier)
        if status in LIVE:
            _method(payment.method).cancel(payment)
            payment.status = Payment.Status.CANCELLED
            payment.save(update_fields=["status", "updated_at"])
    except PaymentError as exc:
        if payment.order is not None:
            order_event(
                payment.order, OrderEvent.Type.REFUND_FAILED, actor, str(exc), payment=payment.pk
            )
        raise
    return None


def _earlier_refund(payment: Payment, reason: RefundReason) -> PaymentTransaction | None:
    key = keys.refund_key(payment.idempotency_key, reason)
    return PaymentTransaction.objects.filter(idempotency_key=key).first()


def _give_back_charge(
    payment: Payment,
    reason: RefundReason,
    actor: User | None,
    earlier: PaymentTransaction | None,
) -> PaymentTransaction | None:
    if earlier is not None and not _unsettled(earlier):
        return earlier
    amount = earlier.amount if earlier is not None else payment_refundable(payment)
    if amount <= 0:
        return None
    refund = payment_refund(payment=payment, amount=amount, idempotency_key=reason, actor=actor)
    if payment.order is not None:
        order_event(payment.order, OrderEvent.Type.REFUNDED, actor, amount=str(refund.amount))
        if refund.status == RefundStatus.SUCCESS:
            get_invoicer().order_refunded(payment.order, refund)
    return refund


def _gateway_error() -> ValidationError:
    return field_error(
        None,
        _("The payment service did not answer. Please try again in a moment."),
        Code.GATEWAY_UNAVAILABLE,
    )


def _newest_payment(checkout: Checkout) -> Payment | None:
    """The checkout's newest payment not given back or released."""
    return checkout.payments.exclude(status=Payment.Status.CANCELLED).order_by("-pk").first()


def _current_payment(checkout: Checkout, payment: Payment | None) -> Payment:
    """``payment`` (``_newest_payment``), if it was started for this version."""
    if payment is None:
        raise field_error(None, _("Start the payment first."), Code.PAYMENT_NOT_STARTED)
    if payment.details.get("checkout_version") != checkout.version:
        raise field_error(
            None,
            _("The cart changed after the payment started. Start the payment again."),
            Code.PAYMENT_OUTDATED,
        )
    return payment


def _record(
    payment: Payment, kind: str, status: str, amount: Decimal, key: str, **extra: Any
) -> None:
    """Write a ledger row once per key (a retry finds it already there: the unique
    key makes the insert a no-op, in one statement and without a savepoint)."""
    if amount <= 0:
        # The table's check refuses it; SQLite's INSERT OR IGNORE would hide that.
        raise IntegrityError("orders_transaction_amount_gt_0")
    PaymentTransaction.objects.bulk_create(
        [
            PaymentTransaction(
                payment=payment,
                kind=kind,
                status=status,
                amount=amount,
                idempotency_key=key,
                **extra,
            )
        ],
        ignore_conflicts=True,
    )


def payment_confirm(payment: Payment) -> PaymentStatus:
    """Ask the method for the payment's status, store it, record a charge once.
    A payment whose start was never answered has nothing to ask about."""
    if not payment.psp_reference:
        return PaymentStatus(payment.status)
    return _status_store(payment, _method(payment.method).confirm(payment))


def _status_store(payment: Payment, status: PaymentStatus) -> PaymentStatus:
    """Keep the status the method answered and record a charge (once)."""
    if status != payment.status:
        payment.status = status
        payment.save(update_fields=["status", "updated_at"])
    if status == Payment.Status.CHARGED:
        _record_charge(payment)
    return status


def _record_charge(payment: Payment) -> None:
    _record(
        payment,
        PaymentTransaction.Kind.CHARGE,
        PaymentTransaction.Status.SUCCESS,
        payment.amount,
        keys.charge_key(payment.idempotency_key),
        psp_reference=payment.psp_reference,
    )


def checkout_complete(
    *, checkout: Checkout | CheckoutRef, actor: User | None, accepted: Collection[str] = ()
) -> Order:
    """Place the order for a paid checkout. Idempotent: a repeat, or a concurrent
    duplicate, returns the same order. The legal texts ``accepted`` (kinds) are
    recorded with the order (``shop.accounts.consent``), with those accepted at
    the payment's start; REQUIRED on ``acceptTermsOfSale`` when the shop has
    published terms of sale and neither accepted them, ACCOUNT_NOT_CONFIRMED
    when the customer may not buy yet (nothing is placed or given back for
    either: the payment stays as it is and a repeat that accepts them places
    the order).

    The payment's state is asked of its method, never taken from the client, and
    the method is asked again whether it may take this checkout (a contract
    suspended since the start is refused with its reason). An authorised payment
    is captured with the order's rows. If the order cannot be placed (stock ran
    out, refused on this second look), the payment is given back (refunded or
    released) and the error raised; nothing else is kept. A ``CheckoutRef`` that
    names no checkout its user may use any more raises ``NotFound`` (the caller
    then looks for the order placed from it, with its own access check).
    """
    try:
        with transaction.atomic():
            outcome = _complete_locked(checkout, actor, accepted)
    except IntegrityError:
        # A concurrent duplicate placed it first (SQLite has no row locks to queue on).
        order = Order.objects.filter(checkout_token=checkout.token).first()
        if order is None:
            raise
        return order
    if isinstance(outcome, Order):
        return outcome
    raise outcome  # after the commit that keeps the record of the money given back


def _lock_buyer(checkout: Checkout | CheckoutRef) -> None:
    """The buyer's row first, as ``account_delete`` locks it: an account is never
    deleted while an order is being placed for it (nor the reverse)."""
    if isinstance(checkout, CheckoutRef):
        user = checkout.user
        user_id = user.pk if user is not None and user.is_authenticated else None
    else:
        user_id = checkout.user_id
    if user_id is not None:
        list(User.objects.select_for_update().filter(pk=user_id).values_list("pk"))


def _accepted_at_start(payment: Payment | None) -> list[str]:
    """The legal texts accepted when ``payment`` (``_newest_payment``) started."""
    return list(payment.details.get("accepted", [])) if payment else []


def _complete_locked(
    checkout: Checkout | CheckoutRef, actor: User | None, accepted: Collection[str]
) -> Order | ValidationError:
    """The order placed, or why not once the payment has been given back. For a
    ``CheckoutRef`` that names no checkout its user may use (placed already, or
    never there), ``NotFound``: the caller looks for the order with its own check."""
    _lock_buyer(checkout)
    locked: Checkout | None
    if isinstance(checkout, CheckoutRef):
        locked = checkout_for(checkout.user, token=checkout.token, lock=True)
    else:
        locked = with_versions(Checkout.objects.select_for_update().filter(pk=checkout.pk)).first()
    if locked is None:
        # Placing deletes the checkout in the order's transaction: placed already
        # (perhaps by a duplicate request we queued behind), or never there.
        order = Order.objects.filter(checkout_token=checkout.token).first()
        if order is not None:
            return order
        raise field_error("token", _("Checkout not found."), Code.NOT_FOUND)
    _check_may_buy(locked)
    newest = _newest_payment(locked)
    # Checked before the payment is asked, so never given back for them.
    accepted = {*accepted, *_accepted_at_start(newest)}
    texts = _acceptance_check(locked, accepted)
    summary = checkout_summary(locked)
    # For a payment that may have taken money, stock and the promo code are
    # decided by placing the order, which gives it back; without one (never
    # started, or given back already) the stock is why it cannot be paid.
    paid = _paid_for(locked, newest)
    problems = checkout_problems(summary, stock=not paid, promo=False)
    if problems and not paid:
        raise problems
    payment = _current_payment(locked, newest)
    status = _provider_call(payment_confirm, payment)
    failure = problems or _unplaceable(summary, payment, status)
    if failure is None:
        try:
            return _place(summary, payment, status, actor, texts)
        except ValidationError as exc:
            failure = exc
    if status in (Payment.Status.CHARGED, Payment.Status.AUTHORIZED):
        _give_back_unplaced(payment, status)
    return failure


def _paid_for(checkout: Checkout, payment: Payment | None) -> bool:
    """Whether ``payment`` (``_newest_payment``) may have taken money for this
    version of the checkout: it is then confirmed, and given back if the order
    cannot be placed."""
    return (
        payment is not None
        and payment.status in LIVE
        and payment.details.get("checkout_version") == checkout.version
    )


def _give_back_unplaced(payment: Payment, status: PaymentStatus) -> None:
    """Give back a payment taken for an order that cannot be placed, at once; it
    then counts as cancelled, so neither a retry of ``checkoutComplete`` nor the
    webhook places an order on money given back (the shopper pays again). A
    provider failure leaves it on the ledger for the webhook or staff to retry."""
    with contextlib.suppress(PaymentError):
        payment_give_back(payment=payment, status=status, reason=RefundReason.UNPLACED, actor=None)
        payment.status = Payment.Status.CANCELLED
        payment.save(update_fields=["status", "updated_at"])


def _provider_call(call: Callable[[Payment], PaymentStatus], payment: Payment) -> PaymentStatus:
    """A payment method's answer, its failures as the checkout's errors."""
    try:
        return call(payment)
    except GatewayUnavailable as exc:
        raise _gateway_error() from exc
    except PaymentDeclined as exc:
        raise field_error("method", str(exc), Code.PAYMENT_DECLINED) from exc
    except PaymentError as exc:
        raise field_error(None, _("The payment was declined."), Code.PAYMENT_DECLINED) from exc


def _unplaceable(
    summary: CheckoutSummary, payment: Payment, status: PaymentStatus
) -> ValidationError | None:
    """Why a checkout paid by ``payment`` (now ``status``) cannot become an order.
    A promo code that became unusable since the payment started is its reason
    (the total changed with it)."""
    if summary.promo_problem is not None:
        return summary.promo_problem
    if payment.amount != summary.totals.total_gross:
        return field_error(
            None, _("The amount paid does not match the total."), Code.PAYMENT_OUTDATED
        )
    if status in DEAD:
        return field_error(None, _("The payment was declined."), Code.PAYMENT_DECLINED)
    if status not in (Payment.Status.CHARGED, Payment.Status.AUTHORIZED):
        return field_error(None, _("The payment is not finished yet."), Code.PAYMENT_PENDING)
    eligibility = _method(payment.method).eligibility(
        summary.checkout, amount=payment.amount, options=payment.details.get("options") or {}
    )
    return None if eligibility.eligible else _refusal(eligibility)


def _place(
    summary: CheckoutSummary,
    payment: Payment,
    status: PaymentStatus,
    actor: User | None,
    accepted: Mapping[str, LegalPage],
) -> Order:
    """Capture an authorised payment and place the order, all or nothing, with the
    consents to the legal ``accepted`` (as ``_acceptance_check`` read them: they
    cannot refuse). ``order_place`` refuses before its first write, so placing on
    a charged payment needs no savepoint; a capture's writes need one, to go
    with a refusal of the order."""
    if status != Payment.Status.AUTHORIZED:
        return _placed(summary, payment, actor, accepted)
    with transaction.atomic():
        payment_capture(payment)
        return _placed(summary, payment, actor, accepted)


def _placed(
    summary: CheckoutSummary,
    payment: Payment,
    actor: User | None,
    accepted: Mapping[str, LegalPage],
) -> Order:
    order = order_place(summary=summary, payment=payment, actor=actor)
    consent.consents_record(
        documents=list(accepted),
        email=order.email,
        user_id=order.user_id,
        context=consent.CHECKOUT,
        reference=str(order),
        pages=accepted,
    )
    return order


def payment_capture(payment: Payment) -> PaymentStatus:
    """Take an authorised payment (see ``PaymentMethod.capture``), store its
    status and record the charge once. Provider errors become the checkout's."""
    return _status_store(payment, _provider_call(_method(payment.method).capture, payment))


def payment_refund(
    *, payment: Payment, amount: Decimal, idempotency_key: str, actor: User | None
) -> PaymentTransaction:
    """Refund ``amount`` of ``payment`` once per key: the ledger row is written
    (pending) before the provider is called and updated with its answer.
    Callers check the amount against what is refundable under a lock.

    A refusal marks the row FAILED. When the provider does not answer the row
    stays PENDING (the refund may have been made): it still counts as refunded,
    and a retry with the same key, or the provider's webhook, settles it."""
    key = keys.refund_key(payment.idempotency_key, idempotency_key)
    with transaction.atomic():
        refund, _created = PaymentTransaction.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "payment": payment,
                "kind": PaymentTransaction.Kind.REFUND,
                "status": PaymentTransaction.Status.PENDING,
                "amount": amount,
                "actor": actor,
            },
        )
    if refund.status == PaymentTransaction.Status.SUCCESS:
        return refund
    try:
        result = _method(payment.method).refund(payment, refund.amount, idempotency_key=key)
    except GatewayUnavailable:
        refund.message = _("No answer from the payment service yet; retry to settle it.")
        refund.save(update_fields=["message"])
        raise
    except PaymentError as exc:
        refund.status = PaymentTransaction.Status.FAILED
        refund.message = str(exc)[:300]
        refund.save(update_fields=["status", "message"])
        raise
    refund.status = result.status
    refund.psp_reference = result.psp_reference
    refund.message = result.message[:300]
    refund.save(update_fields=["status", "psp_reference", "message"])
    return refund


def _unsettled(row: PaymentTransaction) -> bool:
    """Refused, or never answered: a retry with the same key may settle it."""
    return row.status == PaymentTransaction.Status.FAILED or (
        row.status == PaymentTransaction.Status.PENDING and not row.psp_reference
    )


def _refund_error(message: str, code: OrderErrorCode) -> ValidationError:
    return ValidationError({"amount": ValidationError(message, code=code)})


def _attempt_refund(
    payment: Payment, amount: Decimal, key: str, actor: User | None
) -> PaymentTransaction:
    """One refund; a provider failure leaves (and returns) a FAILED ledger row."""
    try:
        return payment_refund(payment=payment, amount=amount, idempotency_key=key, actor=actor)
    except PaymentError:
        return PaymentTransaction.objects.get(
            idempotency_key=keys.refund_key(payment.idempotency_key, key)
        )


def order_payment_refund(
    *, order: Order, amount: Decimal, idempotency_key: str, actor: User | None, reason: str = ""
) -> list[PaymentTransaction]:
    """Refund ``amount`` over the order's charged payments (oldest first), once
    per ``idempotency_key``; the order must be locked by the caller.

    Returns the ledger rows: a provider failure is a FAILED row (kept), not an
    exception. Repeating a key returns its rows, retrying those that failed.
    The invoicer is told of each refund that succeeds (see ``orders.invoicer``).
    """
    payments = list(order.payments.order_by("pk"))
    reasons = {
        payment.pk: keys.staff_reason(idempotency_key, index)
        for index, payment in enumerate(payments)
    }
    earlier = list(
        PaymentTransaction.objects.filter(
            idempotency_key__in=[
                keys.refund_key(payment.idempotency_key, reasons[payment.pk])
                for payment in payments
            ]
        ).order_by("pk")
    )
    failed = [row for row in earlier if _unsettled(row)]
    if earlier and not failed:
        return earlier
    if earlier:
        plan = [(row.payment, row.amount) for row in failed]
        amount = sum((row.amount for row in failed), Decimal(0))
        # Pending rows already count as refunded; retrying them spends nothing new.
        retried = sum(
            (row.amount for row in failed if row.status == RefundStatus.PENDING), Decimal(0)
        )
    else:
        plan, retried = _refund_plan(payments, amount), Decimal(0)
    if amount > payment_balance(order).refundable + retried:
        raise _refund_error(
            _("The refund exceeds what was paid and not yet refunded."),
            OrderErrorCode.REFUND_EXCEEDS_PAYMENT,
        )
    rows = [_attempt_refund(payment, part, reasons[payment.pk], actor) for payment, part in plan]
    _refund_events(order, rows, actor, reason)
    return [row for row in earlier if row not in failed] + rows


def _refund_plan(payments: list[Payment], amount: Decimal) -> list[tuple[Payment, Decimal]]:
    """``amount`` split over ``payments`` in order, each up to what it has left."""
    if amount <= 0 or not is_whole_cents(amount):
        raise _refund_error(
            _("Enter a positive amount in euros and cents."), OrderErrorCode.INVALID
        )
    plan = []
    left = amount
    for payment in payments:
        part = min(left, payment_refundable(payment))
        if part > 0:
            plan.append((payment, part))
            left -= part
    return plan


def _refund_events(
    order: Order, rows: list[PaymentTransaction], actor: User | None, reason: str
) -> None:
    for row in rows:
        if row.status == RefundStatus.SUCCESS:
            order_event(order, OrderEvent.Type.REFUNDED, actor, reason, amount=str(row.amount))
            get_invoicer().order_refunded(order, row)
        elif row.status == RefundStatus.FAILED:
            order_event(
                order, OrderEvent.Type.REFUND_FAILED, actor, row.message, amount=str(row.amount)
            )


def payment_give_back_all(*, order: Order, actor: User | None) -> None:
    """Give back every payment of a cancelled order (``payment_give_back``): a
    failure is an order event for staff and the next payment is still tried."""
    for payment in order.payments.order_by("pk"):
        with contextlib.suppress(PaymentError):
            payment_give_back(payment=payment, reason=RefundReason.CANCELLED, actor=actor)
