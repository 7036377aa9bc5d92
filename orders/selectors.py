"""Reads: which zones serve an address and which methods apply; a checkout's lines,
shipping and totals; who may see a checkout, an order or a claim (one
``NotFound`` for "missing" and "not yours"); an order's payment status; the
payments no order will use still to give back. One place computes each of these."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    prefetch_related_objects,
)

from catalog.models import Product, ProductVariant, Stock
from catalog.selectors import total_free_units, variant_free_units
from discounts.pricing import CartLine, UnitPrice, shipping_discount, voucher_shares
from discounts.selectors import (
    AppliedCode,
    Redeemer,
    applied_code,
    promotion_sales,
    promotion_version,
    variant_unit_price,
)
from orders.models import (
    Checkout,
    CheckoutLine,
    Claim,
    Order,
    Payment,
    PaymentTransaction,
    PostalCodeRule,
    ShippingMethod,
    ShippingVersion,
    ShippingZone,
)
from orders.payments import keys
from orders.pricing import LineTotal, PricedLine, Totals, order_totals
from shop.accounts import spain
from shop.accounts.models import User
from shop.accounts.selectors import staff_may
from shop.content.selectors import legal_version
from shop.errors import NotFound
from shop.money import quantize

T = TypeVar("T")


def zone_serves(zone: ShippingZone, *, country: str, postal_code: str) -> bool:
    """Whether ``zone`` serves the address (reads the prefetched ``rules``)."""
    if country.upper() not in zone.countries:
        return False
    rules = list(zone.rules.all())
    includes = [rule for rule in rules if rule.inclusion == PostalCodeRule.Inclusion.INCLUDE]
    excludes = [rule for rule in rules if rule.inclusion == PostalCodeRule.Inclusion.EXCLUDE]
    if includes and not any(rule.matches(postal_code) for rule in includes):
        return False
    return not any(rule.matches(postal_code) for rule in excludes)


def active_zones() -> list[ShippingZone]:
    """Active zones with their rules and active methods (and the pickup points of
    pickup methods, the only ones that have any): 3 queries, 4 with pickup methods."""
    methods = ShippingMethod.objects.filter(is_active=True)
    zones = list(
        ShippingZone.objects.filter(is_active=True).prefetch_related(
            "rules", Prefetch("methods", queryset=methods)
        )
    )
    pickups = [
        method
        for zone in zones
        for method in zone.methods.all()
        if method.kind == ShippingMethod.Kind.PICKUP
    ]
    prefetch_related_objects(pickups, "pickup_points")
    return zones


# Inside checkout_memo(): what one operation reads once (None: no memo).
_memo: ContextVar[dict[object, Any] | None] = ContextVar("checkout_memo", default=None)


@contextmanager
def checkout_memo() -> Iterator[None]:
    """Within, the data a checkout summary needs is read once per operation: the
    active zones (:func:`zones_serving`), the live promotions, and each
    checkout's lines with their free stock, keyed by the checkout's ``version``
    (a mutation summarises its checkout before its write, after it, and for
    the answer). Writers forget what they change (:func:`forget_shipping_zones`,
    :func:`forget_checkout_lines`). Used around each GraphQL operation."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def forget_shipping_zones() -> None:
    """This operation wrote zones: it reads them again, never from the process's
    copy (its token was read before the write, which is not committed yet)."""
    memo = _memo.get()
    if memo is not None:
        memo.pop("zones", None)
        memo["zones written"] = True


def forget_checkout_lines(checkout: Checkout) -> None:
    """The checkout's lines changed: the next summary reads them again."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(("lines", checkout.pk), None)


def checkout_version_bumped(checkout: Checkout, *, previous: int) -> None:
    """The checkout's ``version`` went from ``previous`` to ``checkout.version``
    with its lines unchanged: lines read at ``previous`` stay valid."""
    memo = _memo.get()
    entry = memo.get(("lines", checkout.pk)) if memo is not None else None
    if memo is not None and entry is not None and entry[0] == previous:
        memo[("lines", checkout.pk)] = (checkout.version, entry[1])


def _memoized(key: object, read: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    value: T = memo[key]
    return value


def shipping_version() -> Subquery:
    """The shipping version's token (``ShippingVersion``), as a subquery: read
    with the checkout (``checkout_for``), it costs no statement of its own."""
    return Subquery(ShippingVersion.objects.filter(pk=1).values("token")[:1])


# The active zones this process read last, under the shipping version's token
# read before them (read-only: shared by the process's requests and threads).
_zones_read: tuple[int, list[ShippingZone]] | None = None


def _active_zones(version: int | None) -> list[ShippingZone]:
    """The active zones: the process's copy when ``version`` (the token read
    in this transaction, None: unknown) is the one they were read under."""
    global _zones_read
    memo = _memo.get()
    if version is None or (memo is not None and "zones written" in memo):
        return _memoized("zones", active_zones)
    read = _zones_read
    if read is None or read[0] != version:
        read = _zones_read = (version, active_zones())
    return read[1]


def zones_serving(
    *, country: str, postal_code: str, version: int | None = None
) -> list[ShippingZone]:
    """The active zones serving the address. ``version``: the shipping version's
    token read in this transaction (:func:`shipping_version`), which lets the
    zones come from the process's copy."""
    postal_code = spain.normalize_postal_code(postal_code)
    return [
        zone
        for zone in _active_zones(version)
        if zone_serves(zone, country=country, postal_code=postal_code)
    ]


@dataclass(frozen=True)
class ShippingQuote:
    method: ShippingMethod
    price: Decimal  # gross, IVA included


def method_applies(method: ShippingMethod, *, order_value: Decimal, weight_grams: int) -> bool:
    """Whether the order (gross subtotal, total weight) falls inside the method's bands."""
    if method.min_order_value is not None and order_value < method.min_order_value:
        return False
    if method.max_order_value is not None and order_value > method.max_order_value:
        return False
    if method.min_weight_grams is not None and weight_grams < method.min_weight_grams:
        return False
    return method.max_weight_grams is None or weight_grams <= method.max_weight_grams


def method_price(method: ShippingMethod, *, order_value: Decimal) -> Decimal:
    if method.free_above is not None and order_value >= method.free_above:
        return Decimal("0.00")
    return method.price


def shipping_quotes(
    zones: Iterable[ShippingZone], *, order_value: Decimal, weight_grams: int
) -> list[ShippingQuote]:
    """The methods of ``zones`` that apply to the order, with their price, cheapest first."""
    quotes = [
        ShippingQuote(method, method_price(method, order_value=order_value))
        for zone in zones
        for method in zone.methods.all()
        if method_applies(method, order_value=order_value, weight_grams=weight_grams)
    ]
    return sorted(quotes, key=lambda quote: (quote.price, quote.method.position, quote.method.pk))


# Checkouts.

SHIPPING_TAX_RATE = Decimal("0.21")  # shipping is a service at the general rate
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CheckoutLineView:
    line: CheckoutLine
    variant: ProductVariant
    product: Product
    total: LineTotal  # after discounts; ``total.discount`` is promotion + voucher
    unit: UnitPrice  # the catalogue's price and the price after promotions
    voucher_discount: Decimal = Decimal("0.00")  # this line's share of the voucher

    @property
    def unit_gross(self) -> Decimal:
        """The catalogue's unit price, before any discount."""
        return self.unit.undiscounted

    def discount_sources(self) -> list[dict[str, str]]:
        """What the line's discount came from, with each part's amount."""
        sources = []
        if self.unit.sale is not None:
            sources.append(
                {
                    "kind": "promotion",
                    "id": str(self.unit.sale.id),
                    "name": self.unit.sale.name,
                    "amount": str(self.unit.discount * self.line.quantity),
                }
            )
        if self.voucher_discount:
            sources.append(
                {"kind": "voucher", "id": "", "name": "", "amount": str(self.voucher_discount)}
            )
        return sources


@dataclass(frozen=True)
class CheckoutSummary:
    checkout: Checkout
    lines: tuple[CheckoutLineView, ...]
    weight_grams: int
    quotes: tuple[ShippingQuote, ...]  # the methods the checkout may choose from
    shipping: ShippingQuote | None  # the chosen method, while it is still available
    totals: Totals
    promo: AppliedCode | None = None  # the checkout's promo code, checked now
    # Units the checkout could have now per line variant (None: not tracked),
    # read with the lines and without locks: the cart's figure, a hint.
    free: Mapping[int, int | None] = field(default_factory=dict)

    @property
    def promo_problem(self) -> ValidationError | None:
        return self.promo.problem if self.promo else None

    @property
    def voucher_discount(self) -> Decimal:
        """What the promo code takes off: its line shares and the shipping."""
        shipping = self.totals.shipping.discount if self.totals.shipping else ZERO
        return sum((view.voucher_discount for view in self.lines), ZERO) + shipping


CheckoutLines = tuple[list[CheckoutLine], dict[int, int | None]]


def checkout_lines_with_free(checkout: Checkout) -> CheckoutLines:
    """The checkout's lines (variant, product, category joined) and the units free
    for it per variant (``orders.services.stock.quantities_available``'s figure),
    in one query."""
    stocks = Stock.objects.filter(variant=OuterRef("variant_id"))
    lines: list[CheckoutLine] = list(
        checkout.lines.select_related("variant__product__category")
        .annotate(free=total_free_units(stocks, "variant", checkout_id=checkout.pk))
        .order_by("pk")
    )
    free: dict[int, int | None] = {
        line.variant_id: getattr(line, "free") if line.variant.track_inventory else None  # noqa: B009
        for line in lines
    }
    return lines, free


def new_cart_variants() -> QuerySet[ProductVariant]:
    """Variants as a new checkout's lines are checked and priced from them, in
    one query: with product and category (what is for sale), ``free_units`` (the
    units free for a checkout holding no reservations:
    ``orders.services.stock.quantities_available``'s figure) and the promotion
    version, under which the live promotions come from the process's copy."""
    return ProductVariant.objects.select_related("product__category").annotate(
        free_units=variant_free_units(), promotion_version=promotion_version()
    )


def remember_checkout_lines(checkout: Checkout, lines: CheckoutLines) -> None:
    """Lines a service has just written (with their variants, products and
    categories): the summary of this version of the checkout reads these."""
    memo = _memo.get()
    if memo is not None:
        memo[("lines", checkout.pk)] = (checkout.version, lines)


def _checkout_lines(checkout: Checkout) -> CheckoutLines:
    memo = _memo.get()
    if memo is None:
        return checkout_lines_with_free(checkout)
    entry = memo.get(("lines", checkout.pk))
    if entry is None or entry[0] != checkout.version:
        entry = memo[("lines", checkout.pk)] = (
            checkout.version,
            checkout_lines_with_free(checkout),
        )
    found: CheckoutLines = entry[1]
    return found


def checkout_summary(checkout: Checkout) -> CheckoutSummary:
    """Lines priced from the catalogue now (after live promotions and the
    checkout's promo code while it may be used), available shipping and totals.
    Inside :func:`checkout_memo` its reads (the lines with their free stock, the
    promotions, the zones) run once per operation and version of the checkout;
    with a code, ``applied_code`` reads too."""
    lines, free = _checkout_lines(checkout)
    sales = _memoized(
        "sales", lambda: promotion_sales(getattr(checkout, "promotion_version", None))
    )
    cart = [
        CartLine(
            key=line.pk,
            variant_id=line.variant_id,
            product_id=line.variant.product_id,
            category_id=line.variant.product.category_id,
            unit=variant_unit_price(line.variant, line.variant.product, sales),
            quantity=line.quantity,
        )
        for line in lines
    ]
    # Shipping bands read the value after promotions, before any voucher.
    subtotal = sum((item.gross for item in cart), Decimal(0))
    weight = sum(line.variant.weight_grams * line.quantity for line in lines)
    quotes: list[ShippingQuote] = []
    address = checkout.shipping_address
    if lines and address:
        zones = zones_serving(
            country=address["country"],
            postal_code=address["postal_code"],
            version=getattr(checkout, "shipping_version", None),
        )
        quotes = shipping_quotes(zones, order_value=subtotal, weight_grams=weight)
    chosen = next((q for q in quotes if q.method.pk == checkout.shipping_method_id), None)
    promo = None
    if checkout.promo_code:
        redeemer = Redeemer(checkout.token, checkout.user_id, checkout.email)
        promo = applied_code(checkout.promo_code, cart, redeemer)
    offer = promo.offer if promo else None
    shares = voucher_shares(offer, cart) if offer else {}
    totals = order_totals(
        [
            PricedLine(
                line.pk,
                item.unit.undiscounted,
                line.quantity,
                line.variant.product.tax_rate,
                discount=item.unit.discount * line.quantity + shares.get(line.pk, ZERO),
            )
            for line, item in zip(lines, cart, strict=True)
        ],
        shipping_gross=chosen.price if chosen else None,
        shipping_rate=SHIPPING_TAX_RATE,
        shipping_discount=shipping_discount(offer, chosen.price if chosen else None),
    )
    views = tuple(
        CheckoutLineView(
            line, line.variant, line.variant.product, total, item.unit, shares.get(line.pk, ZERO)
        )
        for line, item, total in zip(lines, cart, totals.lines, strict=True)
    )
    return CheckoutSummary(checkout, views, weight, tuple(quotes), chosen, totals, promo, free=free)


def with_versions(checkouts: QuerySet[Checkout]) -> QuerySet[Checkout]:
    """Checkouts read with the shipping, promotion and legal texts versions (no
    statement of their own), under which the zones, the live promotions and the
    legal texts come from the process's copies."""
    return checkouts.annotate(
        shipping_version=shipping_version(),
        promotion_version=promotion_version(),
        legal_version=legal_version(),
    )


@dataclass(frozen=True)
class CheckoutRef:
    """The checkout with ``token`` as ``user`` names it, not read yet: a mutation
    passes it to a service, whose locked read (:func:`checkout_for` with ``lock``)
    is also the check of who may use it -- one read of the checkout, not two."""

    user: User | None
    token: uuid.UUID


def checkout_for(user: User | None, *, token: uuid.UUID | str, lock: bool = False) -> Checkout:
    """The checkout with ``token`` if ``user`` may use it: an anonymous checkout
    by whoever holds the token, a customer's only by that customer. ``lock``:
    its row locked for the rest of the transaction (call inside one).

    Raises ``NotFound`` otherwise, as for a token that names nothing.
    """
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        raise NotFound from None
    rows = with_versions(Checkout.objects.filter(token=token))
    checkout = (rows.select_for_update() if lock else rows).first()
    if checkout is None or not (checkout.user_id is None or _is(user, checkout.user_id)):
        raise NotFound
    return checkout


# Orders.

VIEW_ORDERS = "orders.view_order"


def orders_visible_to(
    user: User | None, *, staff_permission: str | None = VIEW_ORDERS
) -> QuerySet[Order]:
    """Every order for staff holding ``staff_permission`` (None: nobody's but
    their own), the customer's own otherwise, none for guests."""
    if user is None:
        return Order.objects.none()
    if staff_permission is not None and staff_may(user, staff_permission):
        return Order.objects.all()
    return Order.objects.filter(user=user)


def order_for(
    user: User | None,
    *,
    id: int | None = None,
    token: uuid.UUID | None = None,
    staff_permission: str | None = VIEW_ORDERS,
    payment_sums: bool = False,
) -> Order:
    """The order with secret ``token``, for whoever holds it; else the order with
    primary key ``id`` among :func:`orders_visible_to` ``user``.

    ``payment_sums``: annotated for :func:`payment_balance` (reads only: the sums
    would go stale under a write). Raises ``NotFound`` for anything else.
    """
    if token is not None:
        orders = Order.objects.filter(token=token)
    elif id is not None:
        orders = orders_visible_to(user, staff_permission=staff_permission).filter(pk=id)
    else:
        raise NotFound
    order = (with_payment_sums(orders) if payment_sums else orders).first()
    if order is None:
        raise NotFound
    return order


def order_placed_from(user: User | None, *, checkout_token: uuid.UUID) -> Order:
    """The order placed from the checkout with ``checkout_token``, for whoever could
    use that checkout (its customer, or anybody for an anonymous one). Raises
    ``NotFound`` otherwise."""
    order = Order.objects.filter(checkout_token=checkout_token).first()
    if order is None or not (order.user_id is None or _is(user, order.user_id)):
        raise NotFound
    return order


# Claims.

VIEW_CLAIMS = "orders.view_claim"


def claims_visible_to(user: User | None) -> QuerySet[Claim]:
    """Every claim for claims staff, those on the customer's orders otherwise."""
    if user is None:
        return Claim.objects.none()
    if staff_may(user, VIEW_CLAIMS):
        return Claim.objects.all()
    return Claim.objects.filter(order__user=user)


def is_claim_customer(user: User | None, claim: Claim, *, order_token: uuid.UUID | None) -> bool:
    """Whether ``user`` (or whoever holds ``order_token``) is the claim's customer."""
    order = claim.order
    return _is(user, order.user_id) or (order_token is not None and order.token == order_token)


def claim_for(
    user: User | None,
    *,
    id: int | None,
    order_token: uuid.UUID | None = None,
    staff_permission: str = VIEW_CLAIMS,
) -> Claim:
    """The claim with primary key ``id`` for its customer (:func:`is_claim_customer`)
    or staff holding ``staff_permission``. Raises ``NotFound`` for anybody else."""
    claim = Claim.objects.select_related("order").filter(pk=id).first() if id else None
    if claim is None or not (
        staff_may(user, staff_permission) or is_claim_customer(user, claim, order_token=order_token)
    ):
        raise NotFound
    return claim


def _is(user: User | None, user_id: int | None) -> bool:
    return user is not None and user_id is not None and user.pk == user_id


class ChargeStatus(enum.StrEnum):
    """An order's payment status, from its ledger (Saleor's ``OrderChargeStatus``;
    ``PaymentStatus`` in the API). Not a payment's own status:
    ``orders.payments.base.PaymentStatus``."""

    NOT_CHARGED = "not_charged"
    PARTIALLY_CHARGED = "partially_charged"
    FULLY_CHARGED = "fully_charged"
    PARTIALLY_REFUNDED = "partially_refunded"
    FULLY_REFUNDED = "fully_refunded"


@dataclass(frozen=True)
class PaymentBalance:
    charged: Decimal
    refunded: Decimal
    status: ChargeStatus

    @property
    def refundable(self) -> Decimal:
        return self.charged - self.refunded


def _ledger_sums(path: str) -> dict[str, Sum]:
    """The ledger's two sums over the transactions at ``path`` ("" when the rows
    are ``PaymentTransaction`` themselves): charges that succeeded, and refunds
    not refused (pending ones count: they cannot be spent twice)."""
    charged = Q(**{f"{path}kind": PaymentTransaction.Kind.CHARGE}) & Q(
        **{f"{path}status": PaymentTransaction.Status.SUCCESS}
    )
    refunded = Q(**{f"{path}kind": PaymentTransaction.Kind.REFUND}) & ~Q(
        **{f"{path}status": PaymentTransaction.Status.FAILED}
    )
    return {
        "ledger_charged": Sum(f"{path}amount", filter=charged),
        "ledger_refunded": Sum(f"{path}amount", filter=refunded),
    }


_ORDER_LEDGER = "payments__transactions__"


def with_payment_sums(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders annotated with the ledger sums :func:`payment_balance` reads, so a
    list computes every payment status in its one query."""
    return orders.annotate(**_ledger_sums(_ORDER_LEDGER))


def payment_balance(order: Order) -> PaymentBalance:
    """Charged and refunded amounts of ``order`` from the ledger, and the status
    they mean. Pending refunds count as refunded: they cannot be spent twice."""
    if hasattr(order, "ledger_charged"):
        charged, refunded = order.ledger_charged, order.ledger_refunded  # type: ignore[attr-defined]
    else:
        sums = Order.objects.filter(pk=order.pk).aggregate(**_ledger_sums(_ORDER_LEDGER))
        charged, refunded = sums["ledger_charged"], sums["ledger_refunded"]
    charged, refunded = _sum(charged), _sum(refunded)
    if charged == 0:
        status = ChargeStatus.NOT_CHARGED
    elif refunded >= charged:
        status = ChargeStatus.FULLY_REFUNDED
    elif refunded > 0:
        status = ChargeStatus.PARTIALLY_REFUNDED
    elif charged >= order.total_gross:
        status = ChargeStatus.FULLY_CHARGED
    else:
        status = ChargeStatus.PARTIALLY_CHARGED
    return PaymentBalance(charged, refunded, status)


def payment_refundable(payment: Payment) -> Decimal:
    """What may still be refunded of one payment, by the same ledger rule as
    :func:`payment_balance` (one query)."""
    sums = PaymentTransaction.objects.filter(payment=payment).aggregate(**_ledger_sums(""))
    return _sum(sums["ledger_charged"]) - _sum(sums["ledger_refunded"])


def _sum(total: Decimal | None) -> Decimal:
    """A ledger sum in cents: SQLite sums decimals with extra digits ("17.0500000000000")."""
    return quantize(total or Decimal(0))


# Refunds refused, or never answered (no provider reference): a retry with their
# key may settle them.
_UNSETTLED_REFUND = Q(kind=PaymentTransaction.Kind.REFUND) & (
    Q(status=PaymentTransaction.Status.FAILED)
    | Q(status=PaymentTransaction.Status.PENDING, psp_reference="")
)


def payment_give_backs_unsettled(payment: Payment) -> list[str]:
    """The reasons (``keys.RefundReason`` values) of the payment's give-backs
    whose refund was refused or never answered, in order."""
    rows = payment.transactions.filter(_UNSETTLED_REFUND)
    reasons = {keys.parse(key).reason for key in rows.values_list("idempotency_key", flat=True)}
    return sorted(reasons & {reason.value for reason in keys.RefundReason})


def payments_to_give_back() -> QuerySet[Payment]:
    """Payments no order will use that may still hold a shopper's money, for
    staff: in no order, and either the last give-back of it failed (perhaps
    with a retry due, ``give_back_retry_at``), or its checkout is gone or it was
    given up (cancelled) with money still taken (charged or authorised) or a
    refund of it refused or never answered."""
    unsettled = PaymentTransaction.objects.filter(_UNSETTLED_REFUND, payment=OuterRef("pk"))
    held = (Payment.Status.CHARGED, Payment.Status.AUTHORIZED)
    unused = Q(checkout__isnull=True) | Q(status=Payment.Status.CANCELLED)
    return Payment.objects.filter(
        ~Q(give_back_error="") | (unused & (Q(status__in=held) | Exists(unsettled))),
        order__isnull=True,
    )
