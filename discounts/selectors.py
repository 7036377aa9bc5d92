"""Reads: the promotions live now, a promo code's voucher and whether a cart may
use it. One place prices a variant for shoppers (:func:`variant_unit_price`),
used by the catalogue's types and by the checkout's totals.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category, Collection, Product, ProductVariant
from discounts import pricing
from discounts.models import Promotion, PromotionVersion, Voucher, VoucherCode, VoucherUsage
from orders.errors import CheckoutErrorCode as Code
from orders.models import Order, OrderLine
from shop.money import quantize

PROMO_CODE_FIELD = "promoCode"


def normalize_code(code: str) -> str:
    """Codes are matched without spaces and case: " agua 10 " is AGUA10."""
    return "".join(code.split()).upper()


def live_q(now: datetime.datetime) -> Q:
    """Active, started, not ended at ``now``."""
    return Q(is_active=True, starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def _children() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    return children


def _below(roots: set[int], children: dict[int | None, list[int]]) -> frozenset[int]:
    """``roots`` and every category under them."""
    found, todo = set(roots), list(roots)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def targets_of(
    model: type[Promotion] | type[Voucher], ids: Sequence[int]
) -> dict[int, pricing.Targets]:
    """The targets of each of ``ids`` (promotions or vouchers), in one query: a
    union over the link tables, collections read as their products; one more for
    the category tree when some target is a category (subcategories count)."""
    if not ids:
        return {}
    owner = f"{model._meta.model_name}_id"
    links = [
        ("products", "product_id", "p"),
        ("categories", "category_id", "c"),
        ("collections", "collection__entries__product_id", "p"),
    ]
    if model is Promotion:
        links.append(("variants", "productvariant_id", "v"))
    parts: list[QuerySet[Any]] = [
        getattr(model, relation)
        .through.objects.filter(**{f"{owner}__in": ids, f"{column}__isnull": False})
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list(owner, column, "kind")
        .order_by()
        for relation, column, kind in links
    ]
    raw: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for owner_id, target_id, kind in parts[0].union(*parts[1:], all=True):
        raw[owner_id][kind].add(target_id)
    tree = _children() if any(kinds["c"] for kinds in raw.values()) else {}
    return {
        pk: pricing.Targets(
            product_ids=frozenset(raw[pk]["p"]),
            variant_ids=frozenset(raw[pk]["v"]),
            category_ids=_below(raw[pk]["c"], tree),
        )
        for pk in ids
    }


def _sales(promotions: QuerySet[Promotion]) -> list[tuple[Promotion, pricing.Sale]]:
    """``promotions`` oldest first, each with its sale (targets: one or two more
    queries when there is any)."""
    found = list(promotions.order_by("starts_at", "pk"))
    targets = targets_of(Promotion, [promotion.pk for promotion in found])
    return [
        (
            promotion,
            pricing.Sale(
                promotion.pk,
                promotion.name,
                promotion.value_type,
                promotion.value,
                targets[promotion.pk],
            ),
        )
        for promotion in found
    ]


def live_sales(now: datetime.datetime | None = None) -> list[pricing.Sale]:
    """The promotions running at ``now`` (default: now) with their targets,
    oldest first: one query, and one or two more when any runs."""
    return [
        sale for _promotion, sale in _sales(Promotion.objects.filter(live_q(now or timezone.now())))
    ]


def promotion_version() -> Subquery:
    """The promotion version's token (``PromotionVersion``) as a subquery, to read
    with a row the operation reads anyway (``orders.selectors.checkout_for``)."""
    return Subquery(PromotionVersion.objects.filter(pk=1).values("token")[:1])


# The active promotions not ended when this process read them, with the time it
# read them, under the promotion version's token read before them (read-only:
# shared by the process's requests and threads).
_sales_read: tuple[int, datetime.datetime, list[tuple[Promotion, pricing.Sale]]] | None = None


def promotion_sales(version: int | None) -> list[pricing.Sale]:
    """:func:`live_sales` now, from the process's copy when ``version`` (the token
    read in this transaction; None: unknown) is the one it was read under. The copy
    holds the promotions not ended when it was read; which of them run is decided
    now, by their times."""
    global _sales_read
    now = timezone.now()
    if version is None:
        return live_sales(now)
    read = _sales_read
    if read is None or read[0] != version or read[1] > now:
        not_ended = Q(is_active=True) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        read = _sales_read = (version, now, _sales(Promotion.objects.filter(not_ended)))
    return [
        sale
        for promotion, sale in read[2]
        if promotion.starts_at <= now and (promotion.ends_at is None or promotion.ends_at > now)
    ]


def request_sales(memo: dict[str, Any], *, version: int | None = None) -> list[pricing.Sale]:
    """:func:`live_sales`, read once per request (``ShopContext.memo``), so a list
    of any length prices its products with the same few queries; from the
    process's copy (:func:`promotion_sales`) when the caller read the promotion
    version (``version``) with its rows."""
    if "discounts:sales" not in memo:
        memo["discounts:sales"] = promotion_sales(version)
    sales: list[pricing.Sale] = memo["discounts:sales"]
    return sales


def variant_unit_price(
    variant: ProductVariant, product: Product, sales: Sequence[pricing.Sale]
) -> pricing.UnitPrice:
    """The variant's price for shoppers now: its catalogue price after the best
    live promotion (no query: ``product`` is the variant's)."""
    return pricing.unit_price(
        price=variant.price,
        variant_id=variant.pk,
        product_id=product.pk,
        category_id=product.category_id,
        sales=sales,
    )


@dataclass(frozen=True)
class ProductPrices:
    """A product's price range now and before promotions, and whether any of its
    variants is on sale (a live promotion, or a compare-at price)."""

    start: pricing.UnitPrice
    stop: pricing.UnitPrice
    undiscounted_start: Decimal
    undiscounted_stop: Decimal
    on_sale: bool


def product_prices(
    product: Product, variants: Sequence[ProductVariant], sales: Sequence[pricing.Sale]
) -> ProductPrices | None:
    """Prices of ``variants`` (the product's, prefetched) after ``sales``; None
    without variants. No query."""
    units = [variant_unit_price(variant, product, sales) for variant in variants]
    if not units:
        return None
    by_price = sorted(units, key=lambda unit: unit.price)
    undiscounted = sorted(unit.undiscounted for unit in units)
    return ProductPrices(
        start=by_price[0],
        stop=by_price[-1],
        undiscounted_start=undiscounted[0],
        undiscounted_stop=undiscounted[-1],
        on_sale=any(unit.on_sale for unit in units)
        or any(variant.compare_at_price is not None for variant in variants),
    )


# Vouchers.


def code_lookup(code: str) -> VoucherCode | None:
    """The code row (with its voucher) for what the shopper typed, or None."""
    code = normalize_code(code)
    if not code:
        return None
    return VoucherCode.objects.select_related("voucher").filter(code=code).first()


def live_usages(
    voucher: Voucher, *, now: datetime.datetime | None = None
) -> QuerySet[VoucherUsage]:
    """Uses that count against the limits: made, or held by a checkout until later."""
    now = now or timezone.now()
    return VoucherUsage.objects.filter(voucher=voucher).filter(
        Q(status=VoucherUsage.Status.USED)
        | Q(status=VoucherUsage.Status.RESERVED, expires_at__gt=now)
    )


@dataclass(frozen=True)
class Redeemer:
    """Who uses a code: the checkout it is held for, its customer and e-mail."""

    checkout_token: uuid.UUID
    user_id: int | None
    email: str


def _error(message: str, code: Code) -> ValidationError:
    return ValidationError({PROMO_CODE_FIELD: ValidationError(message, code=code)})


def usage_problem(
    code: VoucherCode, redeemer: Redeemer, *, now: datetime.datetime | None = None
) -> ValidationError | None:
    """VOUCHER_USED_UP when the code's limits leave no use for ``redeemer``
    (its own hold does not count against it). Exact only under the voucher's
    row lock (``discounts.services.voucher_usage_reserve``); a hint otherwise."""
    voucher = code.voucher
    others = live_usages(voucher, now=now).exclude(checkout_token=redeemer.checkout_token)
    used_up = _("This code has been used up.")
    if code.single_use and others.filter(code=code).exists():
        return _error(used_up, Code.VOUCHER_USED_UP)
    if voucher.usage_limit is not None and others.count() >= voucher.usage_limit:
        return _error(used_up, Code.VOUCHER_USED_UP)
    if voucher.usage_limit_per_customer is not None:
        mine = Q(email__iexact=redeemer.email) if redeemer.email else Q(pk__in=[])
        if redeemer.user_id is not None:
            mine |= Q(user_id=redeemer.user_id)
        if others.filter(mine).count() >= voucher.usage_limit_per_customer:
            return _error(
                _("You have already used this code as often as it allows."), Code.VOUCHER_USED_UP
            )
    return None


def validity_problem(
    voucher: Voucher, *, now: datetime.datetime | None = None
) -> ValidationError | None:
    """Why the voucher cannot be used at ``now`` (inactive, not yet valid, expired)."""
    now = now or timezone.now()
    if not voucher.is_active:
        return _error(_("This code is no longer valid."), Code.VOUCHER_EXPIRED)
    if voucher.starts_at > now:
        return _error(
            _("This code is valid from %(date)s.")
            % {"date": timezone.localtime(voucher.starts_at).strftime("%d/%m/%Y %H:%M")},
            Code.VOUCHER_NOT_YET_VALID,
        )
    if voucher.ends_at is not None and voucher.ends_at <= now:
        return _error(_("This code has expired."), Code.VOUCHER_EXPIRED)
    return None


def cart_problem(
    voucher: Voucher, offer: pricing.Offer, lines: Sequence[pricing.CartLine]
) -> ValidationError | None:
    """Why the cart (priced after promotions) does not qualify: nothing it
    applies to, below the minimum value or quantity."""
    applicable = (
        pricing.applicable_lines(offer, lines) if offer.scope != pricing.SHIPPING else list(lines)
    )
    if not applicable:
        return _error(
            _("This code does not apply to anything in the cart."), Code.VOUCHER_NOT_APPLICABLE
        )
    value = sum((line.gross for line in applicable), Decimal(0))
    if voucher.min_order_value is not None and value < voucher.min_order_value:
        return _error(
            _("This code needs a purchase of at least %(amount)s €.")
            % {"amount": quantize(voucher.min_order_value)},
            Code.VOUCHER_MINIMUM_NOT_REACHED,
        )
    quantity = sum(line.quantity for line in applicable)
    if voucher.min_quantity is not None and quantity < voucher.min_quantity:
        return _error(
            _("This code needs at least %(count)d units in the cart.")
            % {"count": voucher.min_quantity},
            Code.VOUCHER_MINIMUM_NOT_REACHED,
        )
    return None


def offer_of(voucher: Voucher) -> pricing.Offer:
    targets = (
        targets_of(Voucher, [voucher.pk])[voucher.pk]
        if voucher.scope == Voucher.Scope.SPECIFIC_PRODUCTS
        else pricing.Targets()
    )
    return pricing.Offer(voucher.scope, voucher.value_type, voucher.value, targets)


@dataclass(frozen=True)
class AppliedCode:
    """A promo code on a checkout: the voucher's offer when it may be used now,
    else the reason it may not (``problem``, on ``promoCode``)."""

    code: VoucherCode | None  # None: the code names no voucher (any more)
    offer: pricing.Offer | None
    problem: ValidationError | None


def applied_code(
    code: str,
    lines: Sequence[pricing.CartLine],
    redeemer: Redeemer,
    *,
    now: datetime.datetime | None = None,
) -> AppliedCode:
    """The code a checkout carries, checked against its cart now (None when the
    code names no voucher: problem VOUCHER_INVALID)."""
    found = code_lookup(code)
    if found is None:
        return AppliedCode(None, None, _error(_("This code does not exist."), Code.VOUCHER_INVALID))
    voucher = found.voucher
    problem = validity_problem(voucher, now=now)
    offer = None if problem else offer_of(voucher)
    if offer is not None:
        problem = cart_problem(voucher, offer, lines) or usage_problem(found, redeemer, now=now)
    return AppliedCode(found, None if problem else offer, problem)


# Staff figures: usage and revenue. One place computes them for the admin's
# lists and pages, the staff API and the dashboard. A use counts while its order
# stands (a cancelled order gives its use back: ``VoucherUsage.Status.USED``
# rows are exactly the orders that carry a code); a promotion counts on the
# lines of orders not cancelled. Revenue is the orders' totals after discounts.


def _sum(queryset: QuerySet[Any], expression: Any) -> Coalesce:
    """A correlated subquery: the aggregate ``expression`` over ``queryset``
    (filtered on ``OuterRef``), 0 when it is empty. No GROUP BY, so any number
    of these annotate one list without multiplying rows."""
    output = expression.output_field if hasattr(expression, "output_field") else None
    total = queryset.order_by().annotate(figure=expression).values("figure")[:1]
    return Coalesce(Subquery(total, output_field=output), Value(0), output_field=output)


def _used() -> QuerySet[VoucherUsage]:
    return VoucherUsage.objects.filter(status=VoucherUsage.Status.USED)


def _promotion_lines() -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(promotion__isnull=False).exclude(
        order__status=Order.Status.CANCELLED
    )


MONEY = DecimalField(max_digits=14, decimal_places=2)


def _count() -> Func:
    return Func(F("pk"), function="COUNT", output_field=IntegerField())


def _total(field: str) -> Func:
    return Func(F(field), function="SUM", output_field=MONEY)


def vouchers_with_usage(
    vouchers: QuerySet[Voucher], *, now: datetime.datetime | None = None
) -> QuerySet[Voucher]:
    """``vouchers`` annotated with ``usage_uses``, ``usage_reserved`` (held by
    checkouts paying now), ``usage_discount``, ``usage_revenue`` and
    ``single_use_codes``; and their shared codes prefetched (``shared_codes``).
    Read :func:`voucher_stats` from them: no query per voucher."""
    now = now or timezone.now()
    used = _used().filter(voucher=OuterRef("pk"))
    held = VoucherUsage.objects.filter(
        voucher=OuterRef("pk"), status=VoucherUsage.Status.RESERVED, expires_at__gt=now
    )
    single = VoucherCode.objects.filter(voucher=OuterRef("pk"), single_use=True)
    return vouchers.annotate(
        usage_uses=_sum(used, _count()),
        usage_reserved=_sum(held, _count()),
        usage_discount=_sum(used, _total("discount_gross")),
        usage_revenue=_sum(used, _total("order__total_gross")),
        single_use_codes=_sum(single, _count()),
    ).prefetch_related(
        Prefetch(
            "codes",
            queryset=VoucherCode.objects.filter(single_use=False).order_by("pk"),
            to_attr="shared_codes",
        )
    )


def promotions_with_usage(
    promotions: QuerySet[Promotion], *, targets: bool = True
) -> QuerySet[Promotion]:
    """``promotions`` annotated with ``usage_orders`` (orders with a line it
    discounted), ``usage_discount`` (what it took off them) and ``usage_revenue``
    (those orders' totals); with ``targets``, their targets prefetched (primary
    keys only)."""
    lines = _promotion_lines().filter(promotion=OuterRef("pk"))
    orders = Order.objects.exclude(status=Order.Status.CANCELLED).filter(
        Exists(OrderLine.objects.filter(order=OuterRef("pk"), promotion=OuterRef(OuterRef("pk"))))
    )
    annotated = promotions.annotate(
        usage_orders=_sum(orders, _count()),
        usage_discount=_sum(lines, _total("promotion_discount_gross")),
        usage_revenue=_sum(orders, _total("total_gross")),
    )
    if not targets:
        return annotated
    return annotated.prefetch_related(
        *(
            Prefetch(relation, queryset=model.objects.only("pk").order_by("pk"))
            for relation, model in (
                ("products", Product),
                ("variants", ProductVariant),
                ("categories", Category),
                ("collections", Collection),
            )
        )
    )


@dataclass(frozen=True)
class VoucherStats:
    uses: int
    reserved: int
    discount: Decimal
    revenue: Decimal  # the orders' totals, after the discount


def voucher_stats(voucher: Voucher) -> VoucherStats:
    """From :func:`vouchers_with_usage`'s annotations, or read for this voucher."""
    if not hasattr(voucher, "usage_uses"):
        voucher = vouchers_with_usage(Voucher.objects.filter(pk=voucher.pk)).get()
    return VoucherStats(
        uses=voucher.usage_uses,  # type: ignore[attr-defined]
        reserved=voucher.usage_reserved,  # type: ignore[attr-defined]
        discount=quantize(voucher.usage_discount),  # type: ignore[attr-defined]
        revenue=quantize(voucher.usage_revenue),  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class PromotionStats:
    orders: int
    discount: Decimal
    revenue: Decimal


def promotion_stats(promotion: Promotion) -> PromotionStats:
    """From :func:`promotions_with_usage`'s annotations, or read for this promotion."""
    if not hasattr(promotion, "usage_orders"):
        promotion = promotions_with_usage(Promotion.objects.filter(pk=promotion.pk)).get()
    return PromotionStats(
        orders=promotion.usage_orders,  # type: ignore[attr-defined]
        discount=quantize(promotion.usage_discount),  # type: ignore[attr-defined]
        revenue=quantize(promotion.usage_revenue),  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class DiscountTotals:
    """Discounts over a period, for the dashboard: the sums of the vouchers' and
    promotions' figures over the orders placed in it."""

    code_uses: int
    voucher_discount: Decimal
    promotion_discount: Decimal

    @property
    def discount(self) -> Decimal:
        return self.voucher_discount + self.promotion_discount


def discount_totals(*, since: datetime.datetime | None = None) -> DiscountTotals:
    """Promo-code uses and what codes and promotions took off, over the orders
    placed since ``since`` (all when None): the same rows as the vouchers' and
    promotions' figures. One query."""
    orders = Order.objects.exclude(status=Order.Status.CANCELLED)
    if since is not None:
        orders = orders.filter(created_at__gte=since)
    lines = _promotion_lines().filter(order=OuterRef("pk"))
    used = Q(voucher_usage__status=VoucherUsage.Status.USED)
    sums = orders.annotate(promoted=_sum(lines, _total("promotion_discount_gross"))).aggregate(
        uses=Count("voucher_usage", filter=used),
        codes=Sum("voucher_usage__discount_gross", filter=used),
        promotions=Sum("promoted"),
    )
    return DiscountTotals(
        code_uses=sums["uses"],
        voucher_discount=quantize(sums["codes"] or Decimal(0)),
        promotion_discount=quantize(sums["promotions"] or Decimal(0)),
    )
