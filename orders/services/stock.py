"""Stock for checkouts and orders: reserve while paying, allocate on order,
release on cancellation, decrement on fulfilment.

Every writer locks the ``Stock`` rows it reads, in primary-key order, so
concurrent buyers queue instead of overselling and never deadlock on each
other. Units free for a checkout are ``quantity - allocated`` minus the live
reservations of *other* checkouts. Variants that do not track inventory are
always available and never reserved or allocated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductVariant, Stock
from orders.errors import CheckoutErrorCode
from orders.models import Allocation, Checkout, CheckoutLine, OrderLine, Reservation


def reserved_elsewhere(stock_ids: Iterable[int], *, checkout: Checkout | None) -> dict[int, int]:
    """Units held by live reservations of checkouts other than ``checkout``, per stock row."""
    rows = Reservation.objects.filter(stock_id__in=list(stock_ids), expires_at__gt=timezone.now())
    if checkout is not None and checkout.pk:
        rows = rows.exclude(line__checkout=checkout)
    totals = (
        rows.values("stock_id").annotate(total=Sum("quantity")).values_list("stock_id", "total")
    )
    return dict(totals)


def quantities_available(
    variants: Sequence[ProductVariant], *, checkout: Checkout | None
) -> dict[int, int | None]:
    """Units ``checkout`` could buy now per variant (None: not tracked). Reads
    without locks: a hint for the cart; allocation decides under locks."""
    tracked = [variant.pk for variant in variants if variant.track_inventory]
    stocks = list(Stock.objects.filter(variant_id__in=tracked))
    held = reserved_elsewhere([stock.pk for stock in stocks], checkout=checkout)
    free: dict[int, int | None] = {variant.pk: None for variant in variants}
    for variant_id in tracked:
        free[variant_id] = 0
    for stock in stocks:
        units = stock.quantity - stock.allocated - held.get(stock.pk, 0)
        free[stock.variant_id] = (free[stock.variant_id] or 0) + max(units, 0)
    return free


def insufficient_stock(names: Sequence[str]) -> ValidationError:
    message = _("Not enough stock of: %(names)s.") % {"names": ", ".join(names)}
    return ValidationError(
        {"lines": ValidationError(message, code=CheckoutErrorCode.INSUFFICIENT_STOCK)}
    )


def _lock_stocks(variant_ids: Iterable[int]) -> dict[int, list[Stock]]:
    """The variants' stock rows, locked in primary-key order, grouped by variant."""
    by_variant: dict[int, list[Stock]] = defaultdict(list)
    rows = Stock.objects.select_for_update().filter(variant_id__in=set(variant_ids)).order_by("pk")
    for stock in rows:
        by_variant[stock.variant_id].append(stock)
    return by_variant


def _plan(
    wanted: Sequence[tuple[ProductVariant, int]], *, checkout: Checkout | None
) -> list[tuple[int, Stock, int]]:
    """Lock the stock and split each wanted quantity over the variant's rows.

    Returns ``(index in wanted, stock, units)``; raises INSUFFICIENT_STOCK
    naming every variant that cannot be covered.
    """
    tracked = [(index, variant, qty) for index, (variant, qty) in enumerate(wanted)]
    tracked = [item for item in tracked if item[1].track_inventory]
    stocks = _lock_stocks(variant.pk for _index, variant, _qty in tracked)
    held = reserved_elsewhere(
        [stock.pk for rows in stocks.values() for stock in rows], checkout=checkout
    )
    plan: list[tuple[int, Stock, int]] = []
    short: list[str] = []
    for index, variant, quantity in tracked:
        needed = quantity
        for stock in stocks.get(variant.pk, []):
            take = min(needed, stock.quantity - stock.allocated - held.get(stock.pk, 0))
            if take > 0:
                plan.append((index, stock, take))
                held[stock.pk] = held.get(stock.pk, 0) + take
                needed -= take
        if needed > 0:
            short.append(str(variant))
    if short:
        raise insufficient_stock(short)
    return plan


def stock_reserve(*, checkout: Checkout, lines: Sequence[CheckoutLine], until: datetime) -> None:
    """Hold the lines' units for ``checkout`` until ``until``, replacing its
    earlier reservations. Call inside a transaction."""
    plan = _plan([(line.variant, line.quantity) for line in lines], checkout=checkout)
    Reservation.objects.filter(line__checkout=checkout).delete()
    Reservation.objects.bulk_create(
        Reservation(line=lines[index], stock=stock, quantity=units, expires_at=until)
        for index, stock, units in plan
    )


def stock_release_reservations(*, checkout: Checkout) -> None:
    Reservation.objects.filter(line__checkout=checkout).delete()


def stock_allocate(
    *, checkout: Checkout | None, lines: Sequence[tuple[OrderLine, ProductVariant]]
) -> None:
    """Allocate the order lines' units (the checkout's own reservations count as
    free for it) and drop its reservations. Call inside a transaction."""
    plan = _plan([(variant, line.quantity) for line, variant in lines], checkout=checkout)
    for _index, stock, units in plan:
        Stock.objects.filter(pk=stock.pk).update(allocated=F("allocated") + units)
    Allocation.objects.bulk_create(
        Allocation(line=lines[index][0], stock=stock, quantity=units)
        for index, stock, units in plan
    )
    if checkout is not None:
        stock_release_reservations(checkout=checkout)


def _locked_allocations(lines: Iterable[OrderLine]) -> list[Allocation]:
    allocations = list(Allocation.objects.filter(line__in=list(lines)).order_by("pk"))
    list(
        Stock.objects.select_for_update()
        .filter(pk__in={allocation.stock_id for allocation in allocations})
        .order_by("pk")
    )
    return allocations


def stock_deallocate(*, lines: Iterable[OrderLine]) -> None:
    """Give the lines' allocated units back (an order cancelled)."""
    for allocation in _locked_allocations(lines):
        Stock.objects.filter(pk=allocation.stock_id).update(
            allocated=F("allocated") - allocation.quantity
        )
        allocation.delete()


def stock_fulfil(*, quantities: dict[OrderLine, int]) -> None:
    """Units leave the warehouse: decrement quantity and allocation together."""
    left = {line.pk: quantity for line, quantity in quantities.items()}
    for allocation in _locked_allocations(quantities):
        take = min(left[allocation.line_id], allocation.quantity)
        if take == 0:
            continue
        left[allocation.line_id] -= take
        Stock.objects.filter(pk=allocation.stock_id).update(
            quantity=F("quantity") - take, allocated=F("allocated") - take
        )
        allocation.quantity -= take
        if allocation.quantity:
            allocation.save(update_fields=["quantity"])
        else:
            allocation.delete()


def reservations_delete_expired(*, now: datetime | None = None) -> int:
    """Delete expired reservations (they already count for nothing); returns how many."""
    deleted, _by_model = Reservation.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
