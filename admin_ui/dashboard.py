"""The dashboard on the admin's index page.

Figures are read by the selectors below, one per figure, each returning plain
dataclasses in a fixed number of queries however many orders, claims, charges
or variants there are. :func:`dashboard_for` builds only the blocks the user
may see, with their charts (:mod:`admin_ui.charts`), which the templates in
``admin_ui/dashboard/`` draw as inline SVG, each with a data table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from admin_ui.charts import BarChart, Column, ColumnChart, Segment, Tick, bar_chart, nice_ceiling
from admin_ui.order_forms import euros
from billing_bridge.models import BillCharge
from catalog.models import ProductVariant
from catalog.selectors import variant_free_units
from orders.models import Claim, Order
from orders.payments import get_payment_method
from orders.selectors import payments_to_give_back, with_payment_sums
from shop.accounts.models import User
from shop.money import quantize

SALES_DAYS = 30
LOW_STOCK_SHOWN = 10
OPEN_CLAIMS = (Claim.Status.OPEN, Claim.Status.IN_REVIEW)
TO_SHIP = (Order.Status.UNFULFILLED, Order.Status.PARTIALLY_FULFILLED)

# Colours by name: admin_ui/dashboard/style.html gives each a shade with a
# contrast of 4.5:1 or more on the admin's light and dark backgrounds. Blue and
# orange stay apart for colour-blind readers, and every bar is labelled too.
BLUE, ORANGE, GREY, GREEN, RED = "blue", "orange", "grey", "green", "red"
ROUTE_COLOURS = {"card": BLUE, "water_bill": ORANGE}
ROUTE_LABELS = {"card": _("Card"), "water_bill": _("Water bill")}


# Selectors


@dataclass(frozen=True)
class DaySales:
    day: date
    by_route: dict[str, Decimal]  # payment method code -> amount charged

    @property
    def total(self) -> Decimal:
        return sum(self.by_route.values(), Decimal(0))


@dataclass(frozen=True)
class Sales:
    days: list[DaySales]  # every day of the period, the oldest first
    routes: list[str]  # the method codes that sold, the configured ones first
    charged: Decimal
    refunded: Decimal


def sales_per_day(*, today: date, days: int = SALES_DAYS) -> Sales:
    """What was charged for the orders placed on each of the ``days`` days up to
    ``today`` (local dates), per payment route (the payment's method code), and
    how much of it has been refunded since. Sums from the payment ledger as
    :func:`orders.selectors.with_payment_sums` computes them. One query."""
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=timezone.get_current_timezone())
    # values() before the sums' annotation: one row per day and route, not per order.
    placed = (
        Order.objects.filter(created_at__gte=start)
        .order_by()
        .values(day=TruncDate("created_at"), route=F("payments__method"))
    )
    rows = cast(Iterable[dict[str, Any]], with_payment_sums(cast(QuerySet[Order], placed)))
    by_day: dict[date, dict[str, Decimal]] = {}
    refunded = Decimal(0)
    for row in rows:
        if row["ledger_charged"] is None:
            continue
        route_sales = by_day.setdefault(row["day"], {})
        route_sales[row["route"]] = quantize(row["ledger_charged"])
        refunded += quantize(row["ledger_refunded"] or Decimal(0))
    used = {route for sales in by_day.values() for route in sales}
    routes = [code for code in ROUTE_COLOURS if code in used] + sorted(used - set(ROUTE_COLOURS))
    series = [
        DaySales(day, by_day.get(day, {}))
        for day in (first + timedelta(days=n) for n in range(days))
    ]
    return Sales(series, routes, sum((d.total for d in series), Decimal(0)), refunded)


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int
    amount: Decimal = Decimal(0)


def orders_by_status() -> list[Tally]:
    """How many orders are in each status, every status listed. One query."""
    counts = dict(
        Order.objects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [Tally(status, str(status.label), counts.get(status, 0)) for status in Order.Status]


@dataclass(frozen=True)
class ClaimAges:
    recent: int  # opened less than 2 days ago
    waiting: int  # 2 to 7 days ago
    late: int  # more than 7 days ago

    @property
    def total(self) -> int:
        return self.recent + self.waiting + self.late


def open_claims_by_age(*, now: datetime) -> ClaimAges:
    """Claims still to handle (open or in review) by how long ago they were
    opened. One query."""
    recent, late = Q(created_at__gt=now - timedelta(days=2)), Q(created_at__lt=now - timedelta(7))
    counts = Claim.objects.filter(status__in=OPEN_CLAIMS).aggregate(
        recent=Count("pk", filter=recent),
        waiting=Count("pk", filter=~recent & ~late),
        late=Count("pk", filter=late),
    )
    return ClaimAges(counts["recent"], counts["waiting"], counts["late"])


@dataclass(frozen=True)
class Cycle:
    cutoff: date | None  # None: no charge is due in this cycle
    tallies: list[Tally]  # every status of a charge, in the ledger's order

    @property
    def count(self) -> int:
        return sum(tally.count for tally in self.tallies)

    @property
    def amount(self) -> Decimal:
        return sum((tally.amount for tally in self.tallies), Decimal(0))


@dataclass(frozen=True)
class Cycles:
    current: Cycle  # the next cut-off on or after today
    previous: Cycle  # the latest cut-off before today


def bill_charges_by_cycle(*, today: date) -> Cycles:
    """Bill charges of the current and the previous cycle (the charges due at
    one cut-off) by status, with their count and amount. One query."""
    upcoming = BillCharge.objects.filter(due_cutoff__gte=today).order_by("due_cutoff")
    past = BillCharge.objects.filter(due_cutoff__lt=today).order_by("-due_cutoff")
    rows = (
        BillCharge.objects.filter(
            Q(due_cutoff=Subquery(upcoming.values("due_cutoff")[:1]))
            | Q(due_cutoff=Subquery(past.values("due_cutoff")[:1]))
        )
        .order_by()
        .values("due_cutoff", "status")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    found: dict[date, dict[str, tuple[int, Decimal]]] = {}
    for row in rows:
        # Quantized: SQLite sums decimals as floats.
        found.setdefault(row["due_cutoff"], {})[row["status"]] = (row["n"], quantize(row["amount"]))

    def cycle(cutoff: date | None) -> Cycle:
        tallies = found.get(cutoff, {}) if cutoff else {}
        return Cycle(
            cutoff,
            [
                Tally(status, str(status.label), *tallies.get(status, (0, Decimal(0))))
                for status in BillCharge.Status
            ],
        )

    current = min((day for day in found if day >= today), default=None)
    previous = max((day for day in found if day < today), default=None)
    return Cycles(cycle(current), cycle(previous))


@dataclass(frozen=True)
class LowVariant:
    pk: int
    sku: str
    name: str
    free: int


@dataclass(frozen=True)
class LowStock:
    threshold: int
    count: int  # variants below the threshold, of which ``variants`` are the lowest
    variants: list[LowVariant]


def low_stock(*, threshold: int, limit: int = LOW_STOCK_SHOWN) -> LowStock:
    """Variants whose stock is tracked with fewer than ``threshold`` free units
    over every warehouse (the figure the variants' list shows as available),
    the ``limit`` lowest first. Two queries."""
    variants = (
        ProductVariant.objects.filter(track_inventory=True)
        .annotate(free=variant_free_units())
        .filter(free__lt=threshold)
    )
    lowest = variants.order_by("free", "sku").values("pk", "sku", "name", "product__name", "free")
    return LowStock(
        threshold,
        variants.count(),
        [
            LowVariant(
                row["pk"],
                row["sku"],
                f"{row['product__name']} ({row['name']})" if row["name"] else row["product__name"],
                row["free"],
            )
            for row in lowest[:limit]
        ],
    )


def route_label(code: str) -> str:
    """The name of a payment route: the admin's own for the shop's two, else the
    method's name for shoppers, else its code (a method no longer configured)."""
    if code in ROUTE_LABELS:
        return str(ROUTE_LABELS[code])
    method = get_payment_method(code)
    return str(method.name) if method is not None and method.name else code


def sales_chart(sales: Sales) -> ColumnChart:
    chart = ColumnChart  # its geometry: the defaults of its fields
    plot = chart.baseline - chart.top
    top = nice_ceiling(max((day.total for day in sales.days), default=Decimal(0)))
    slot = (chart.width - chart.left - chart.right) / max(len(sales.days), 1)
    columns = []
    for index, day in enumerate(sales.days):
        label = formats.date_format(day.day, "j M")
        base = float(chart.baseline)
        segments = []
        for route in sales.routes:
            amount = day.by_route.get(route, Decimal(0))
            if amount:
                height = round(float(plot * amount / top), 1)
                base = round(base - height, 1)
                title = f"{label} · {route_label(route)}: {euros(amount)}"
                segments.append(Segment(base, height, ROUTE_COLOURS.get(route, GREY), title))
        x = chart.left + slot * index + slot * 0.15
        shown = (len(sales.days) - 1 - index) % 7 == 0  # today and every week before
        columns.append(Column(round(x, 1), round(x + slot * 0.35, 1), label, shown, segments))
    ticks = [Tick(chart.baseline - plot * step / 4, euros(top * step / 4)) for step in range(5)]
    by_route = [
        (route, sum((day.by_route.get(route, Decimal(0)) for day in sales.days), Decimal(0)))
        for route in sales.routes
    ]
    description = gettext("Charged for the orders of the last %(days)d days: %(total)s.") % {
        "days": len(sales.days),
        "total": euros(sales.charged),
    }
    if by_route:
        description += " " + "; ".join(f"{route_label(r)}: {euros(a)}" for r, a in by_route) + "."
    return ColumnChart(
        "sales",
        gettext("Sales per day and payment route"),
        description,
        columns,
        ticks,
        [(route_label(route), ROUTE_COLOURS.get(route, GREY)) for route in sales.routes],
        round(slot * 0.7, 1),
    )


# The dashboard


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    url: str = ""


@dataclass(frozen=True)
class StockRow:
    variant: LowVariant
    url: str  # "" for staff who may not open variants


@dataclass(frozen=True)
class Dashboard:
    """The blocks of one user's dashboard; ``None`` for those they may not see."""

    kpis: list[Kpi]
    sales: ColumnChart | None = None
    sales_days: list[tuple[str, list[str], str]] | None = None  # the chart's data table
    orders: BarChart | None = None
    claims: BarChart | None = None
    cycles: list[BarChart] | None = None
    stock: LowStock | None = None
    stock_rows: list[StockRow] | None = None

    @property
    def shown(self) -> bool:
        """Whether the user may see any block."""
        return any(
            block is not None
            for block in (self.sales, self.orders, self.claims, self.cycles, self.stock)
        )


def _url(name: str, *args: Any, query: str = "") -> str:
    return reverse(f"admin:{name}", args=args) + (f"?{query}" if query else "")


def _short_date(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def dashboard_for(user: User) -> Dashboard:
    """The blocks ``user`` may see, each needing the view permission of its area:
    sales and orders ``orders.view_order``, claims ``orders.view_claim``, bill
    charges ``billing_bridge.view_billcharge``, stock ``catalog.view_stock``, the
    payments to give back (shown when there are any) ``orders.view_payment``."""
    kpis: list[Kpi] = []
    blocks: dict[str, Any] = {}
    if user.has_perm("orders.view_order"):
        kpis += _sales_and_orders(blocks)
    if user.has_perm("orders.view_payment"):
        kpis += _give_backs()
    if user.has_perm("orders.view_claim"):
        kpis += _claims(blocks)
    if user.has_perm("billing_bridge.view_billcharge"):
        kpis += _billing(blocks)
    if user.has_perm("catalog.view_stock"):
        kpis += _stock(blocks, links=user.has_perm("catalog.view_productvariant"))
    if user.has_perm("discounts.view_voucherusage"):
        kpis += _discounts()
    return Dashboard(kpis, **blocks)


def _discounts() -> list[Kpi]:
    """Promo codes used and discounts given (codes and promotions) over the sales
    period: ``discounts.selectors.discount_totals``, the sums of the vouchers'
    and promotions' own figures."""
    from discounts.selectors import discount_totals

    totals = discount_totals(since=timezone.now() - timedelta(days=SALES_DAYS))
    return [
        Kpi(
            gettext("Promo codes used, last %(days)d days") % {"days": SALES_DAYS},
            str(totals.code_uses),
            _url("discounts_voucherusage_changelist"),
        ),
        Kpi(
            gettext("Discounts given, last %(days)d days") % {"days": SALES_DAYS},
            euros(totals.discount),
        ),
    ]


def _sales_and_orders(blocks: dict[str, Any]) -> list[Kpi]:
    sales = sales_per_day(today=timezone.localdate())
    statuses = orders_by_status()
    orders_url = _url("orders_order_changelist")
    blocks["sales"] = sales_chart(sales)
    blocks["sales_days"] = [
        (
            _short_date(day.day),
            [euros(day.by_route.get(route, Decimal(0))) for route in sales.routes],
            euros(day.total),
        )
        for day in sales.days
    ]
    blocks["orders"] = bar_chart(
        "orders",
        gettext("Orders by status"),
        (gettext("Status"), gettext("Orders")),
        [
            (t.label, t.count, str(t.count), BLUE, f"{orders_url}?status__exact={t.key}")
            for t in statuses
        ],
    )
    to_ship = sum(t.count for t in statuses if t.key in TO_SHIP)
    return [
        Kpi(
            gettext("Sales, last %(days)d days") % {"days": SALES_DAYS},
            euros(sales.charged),
            orders_url,
        ),
        Kpi(gettext("Refunded of those sales"), euros(sales.refunded)),
        Kpi(
            gettext("Orders to ship"),
            str(to_ship),
            f"{orders_url}?status__in={','.join(TO_SHIP)}",
        ),
    ]


def _give_backs() -> list[Kpi]:
    """Payments no order uses whose give-back failed (one query), when any."""
    count = payments_to_give_back().count()
    if not count:
        return []
    url = _url("orders_payment_changelist", query="give_back=due")
    return [Kpi(gettext("Payments to give back"), str(count), url)]


def _claims(blocks: dict[str, Any]) -> list[Kpi]:
    ages = open_claims_by_age(now=timezone.now())
    url = _url("orders_claim_changelist")
    blocks["claims"] = bar_chart(
        "claims",
        gettext("Open claims by age"),
        (gettext("Opened"), gettext("Claims")),
        [
            (gettext("Less than 2 days ago"), ages.recent, str(ages.recent), GREEN, url),
            (gettext("2 to 7 days ago"), ages.waiting, str(ages.waiting), ORANGE, url),
            (gettext("More than 7 days ago"), ages.late, str(ages.late), RED, url),
        ],
    )
    return [Kpi(gettext("Open claims"), str(ages.total), url)]


def _charges_url(cutoff: date, status: str = "") -> str:
    """The bill charges' list filtered to one cut-off (and status)."""
    query = f"due_cutoff__day={cutoff.day}&due_cutoff__month={cutoff.month}"
    query += f"&due_cutoff__year={cutoff.year}"
    if status:
        query += f"&status__exact={status}"
    return _url("billing_bridge_billcharge_changelist", query=query)


def _cycle_chart(cycle: Cycle, slug: str, name: str) -> BarChart:
    headings = (gettext("Status"), gettext("Charges"))
    if cycle.cutoff is None:
        return bar_chart(slug, gettext("%(cycle)s: no charges") % {"cycle": name}, headings, [])
    title = gettext("%(cycle)s: cut-off of %(cutoff)s") % {
        "cycle": name,
        "cutoff": _short_date(cycle.cutoff),
    }
    rows = [
        (
            tally.label,
            abs(tally.amount),
            ngettext("%(count)d charge, %(amount)s", "%(count)d charges, %(amount)s", tally.count)
            % {"count": tally.count, "amount": euros(tally.amount)},
            ORANGE,
            _charges_url(cycle.cutoff, tally.key),
        )
        for tally in cycle.tallies
    ]
    return bar_chart(slug, title, headings, rows)


def _billing(blocks: dict[str, Any]) -> list[Kpi]:
    cycles = bill_charges_by_cycle(today=timezone.localdate())
    blocks["cycles"] = [
        _cycle_chart(cycles.current, "current-cycle", gettext("Current cycle")),
        _cycle_chart(cycles.previous, "previous-cycle", gettext("Previous cycle")),
    ]
    if cycles.current.cutoff is None:
        return []
    return [
        Kpi(
            gettext("On the bills of %(cutoff)s") % {"cutoff": _short_date(cycles.current.cutoff)},
            euros(cycles.current.amount),
            _charges_url(cycles.current.cutoff),
        )
    ]


def _stock(blocks: dict[str, Any], *, links: bool) -> list[Kpi]:
    stock = low_stock(threshold=settings.SHOP_LOW_STOCK_THRESHOLD)
    blocks["stock"] = stock
    blocks["stock_rows"] = [
        StockRow(variant, _url("catalog_productvariant_change", variant.pk) if links else "")
        for variant in stock.variants
    ]
    return [Kpi(gettext("Variants low on stock"), str(stock.count))]
