"""Stock for checkouts and orders: reserve while paying, allocate on order,
release on cancellation, decrement on fulfillment.

Every writer locks the ``Stock`` rows it reads, in primary-key order, so
concurrent buyers queue instead of overselling and never deadlock on each
other. Units free for a checkout are the free stock of
``catalog.selectors.free_units`` with its own reservations counted as its own.
Variants that do not track inventory are always available and never reserved
or allocated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductVariant, Stock
from catalog.selectors import stocks_with_free_units, variant_free_units
from orders.errors import CheckoutErrorCode
from orders.models import Allocation, Checkout, CheckoutLine, OrderLine, Reservation
from shop.catalog_version import catalog_changed


def _own(checkout: Checkout | None) -> int | None:
    """The checkout whose reservations are free for it (none before it is saved)."""
    return checkout.pk if checkout is not None and checkout.pk else None


def quantities_available(
    variants: Sequence[ProductVariant], *, checkout: Checkout | None
) -> dict[int, int | None]:
    """Units ``checkout`` could buy now per variant (None: not tracked), its own
    reservations counted as its own (``catalog.selectors.free_units``). Reads
    without locks, in one query (none for a new checkout when the variants were
    read with their ``free_units``): a hint for the cart; allocation decides under locks."""
    free: dict[int, int | None] = {variant.pk: None for variant in variants}
    if checkout is None and all(hasattr(variant, "free_units") for variant in variants):
        # Read with the variants (``orders.selectors.new_cart_variants``).
        free.update((v.pk, v.free_units) for v in variants if v.track_inventory)  # type: ignore[attr-defined]
        return free
    totals = (
        ProductVariant.objects.filter(
            pk__in=[variant.pk for variant in variants if variant.track_inventory]
        )
        .annotate(free=variant_free_units(checkout_id=_own(checkout)))
        .values_list("pk", "free")
    )
    free.update(totals)
    return free


def short_of_stock(
    wanted: dict[ProductVariant, int],
    *,
    checkout: Checkout | None,
    free: Mapping[int, int | None] | None = None,
) -> list[str]:
    """The variants of ``wanted`` with fewer units free for ``checkout`` than
    wanted (see :func:`quantities_available`; ``free`` when the caller has read it
    already), by name."""
    if free is None:
        free = quantities_available(list(wanted), checkout=checkout)
    return [
        str(variant)
        for variant, quantity in wanted.items()
        if (units := free[variant.pk]) is not None and units < quantity
    ]


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
) -> tuple[list[tuple[int, Stock, int]], bool | None]:
    """Lock the stock and split each wanted quantity over the variant's rows.

    Returns ``(index in wanted, stock, units)`` and whether ``checkout`` holds
    reservations (None: not read); raises INSUFFICIENT_STOCK naming every
    variant that cannot be covered.
    """
    tracked = [(index, variant, qty) for index, (variant, qty) in enumerate(wanted)]
    tracked = [item for item in tracked if item[1].track_inventory]
    stocks = _lock_stocks(variant.pk for _index, variant, _qty in tracked)
    own = _own(checkout)
    # Read in a statement of its own, after the locks: on PostgreSQL it then sees
    # the reservations committed by the buyer this one queued behind. Whether the
    # checkout holds any is read with it: under the checkout's lock (the caller's)
    # nobody else adds any (only this module's stock_reserve does, under it).
    held = Exists(Reservation.objects.filter(line__checkout_id=own)) if own else Value(False)
    rows = (
        stocks_with_free_units(checkout_id=own)
        .filter(pk__in=[stock.pk for group in stocks.values() for stock in group])
        .annotate(held=held)
        .order_by()
        .values_list("pk", "free", "held")
    )
    free: dict[int, int] = {}
    holds: bool | None = None
    for pk, units, any_held in rows:
        free[pk], holds = units, any_held
    plan: list[tuple[int, Stock, int]] = []
    short: list[str] = []
    for index, variant, quantity in tracked:
        needed = quantity
        for stock in stocks.get(variant.pk, []):
            take = min(needed, free[stock.pk])
            if take > 0:
                plan.append((index, stock, take))
                free[stock.pk] -= take
                needed -= take
        if needed > 0:
            short.append(str(variant))
    if short:
        raise insufficient_stock(short)
    return plan, holds


def stock_reserve(*, checkout: Checkout, lines: Sequence[CheckoutLine], until: datetime) -> None:
    """Hold the lines' units for ``checkout`` until ``until``, replacing its
    earlier reservations. Call inside a transaction, holding the checkout's lock."""
    catalog_changed()
    plan, held = _plan([(line.variant, line.quantity) for line in lines], checkout=checkout)
    if held is not False:
        Reservation.objects.filter(line__checkout=checkout).delete()
    Reservation.objects.bulk_create(
        Reservation(line=lines[index], stock=stock, quantity=units, expires_at=until)
        for index, stock, units in plan
    )


def stock_release_reservations(*, checkout: Checkout) -> None:
    catalog_changed()
    Reservation.objects.filter(line__checkout=checkout).delete()


AllocationPlan = list[tuple[int, Stock, int]]


def stock_allocation_plan(
    *, checkout: Checkout | None, wanted: Sequence[tuple[ProductVariant, int]]
) -> AllocationPlan:
    """Lock the stock of ``wanted`` (variant, units) and split it over the stock
    rows (the checkout's own reservations count as free for it), for
    :func:`stock_allocate` in this transaction; INSUFFICIENT_STOCK naming every
    variant short. Writes nothing."""
    return _plan(wanted, checkout=checkout)[0]


def stock_allocate(
    *,
    checkout: Checkout | None,
    lines: Sequence[tuple[OrderLine, ProductVariant]],
    plan: AllocationPlan | None = None,
) -> None:
    """Allocate the order lines' units (the checkout's own reservations count as
    free for it) and drop its reservations. Call inside a transaction. ``plan``:
    :func:`stock_allocation_plan`'s for these lines, read already."""
    catalog_changed()
    if plan is None:
        plan = stock_allocation_plan(
            checkout=checkout, wanted=[(variant, line.quantity) for line, variant in lines]
        )
    taken: dict[int, int] = defaultdict(int)
    for _index, stock, units in plan:
        taken[stock.pk] += units
    if taken:  # one statement whatever the number of rows
        Stock.objects.filter(pk__in=taken).update(
            allocated=F("allocated")
            + Case(*(When(pk=pk, then=Value(units)) for pk, units in taken.items()), default=0)
        )
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
    catalog_changed()
    for allocation in _locked_allocations(lines):
        Stock.objects.filter(pk=allocation.stock_id).update(
            allocated=F("allocated") - allocation.quantity
        )
        allocation.delete()


def stock_fulfill(*, quantities: dict[OrderLine, int]) -> None:
    """Units leave the warehouse: decrement quantity and allocation together."""
    catalog_changed()
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
    catalog_changed()
    deleted, _by_model = Reservation.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
