"""The dashboard on the admin's index: its figures (one selector each), the
blocks each role sees, the charts' accessible fallbacks, and a query count
that does not grow with the shop's data."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from admin_ui import charts, dashboard
from billing_bridge import services_exchange
from billing_bridge.models import BillCharge
from catalog.models import Stock
from orders import services
from orders.models import Claim, Order
from orders.payments.memory import gateway
from shop.accounts.roles import (
    BILLING_OPERATOR,
    CATALOGUE_MANAGER,
    ORDER_MANAGER,
    SHOP_ADMINISTRATOR,
)
from tests.admin_ui.test_claims_admin import open_claim, opened_days_ago, shipped_order
from tests.billing_bridge.test_water_bill_payment import linked_customer, water_bill_order
from tests.factories import StaffFactory
from tests.factories.catalog import StockFactory, VariantFactory, WarehouseFactory
from tests.factories.orders import place_order, ready_checkout, staff_in_role, stocked_variant

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}
BLOCKS = {
    "sales": 'id="chart-sales"',
    "orders": 'id="chart-orders"',
    "claims": 'id="chart-claims"',
    "billing": 'id="chart-current-cycle"',
    "stock": 'id="low-stock"',
}


@pytest.fixture(autouse=True)
def _payment_methods(settings, tmp_path):
    settings.SHOP_PAYMENT_METHODS = {
        "card": "orders.payments.memory.InMemoryPaymentMethod",
        "water_bill": "billing_bridge.payment.WaterBillPaymentMethod",
    }
    settings.BILLING_EXCHANGE_DIR = tmp_path
    settings.BILLING_EXCHANGE_ADAPTER = "billing_bridge.exchange.file.FileExchange"
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    gateway.reset()
    yield
    gateway.reset()


def placed_days_ago(order: Order, days: int) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days))


def blocks_seen(page: str) -> set[str]:
    return {name for name, marker in BLOCKS.items() if marker in page}


# Sales


def test_sales_per_day_split_by_payment_route_over_thirty_days():
    today = timezone.localdate()
    card = place_order(lines=[(stocked_variant(price="12.10"), 1)])  # 12.10 + 4.95
    user, _contract = linked_customer()
    water_bill_order(user, installments=3)  # 20.00 + 4.95, charged at once
    earlier = place_order(lines=[(stocked_variant(price="5.00"), 2)])  # 10.00 + 4.95
    placed_days_ago(earlier, 3)
    too_old = place_order(lines=[(stocked_variant(price="7.00"), 1)])
    placed_days_ago(too_old, 30)
    manager = staff_in_role(ORDER_MANAGER)
    services.order_refund(actor=manager, order=card, amount=Decimal("2.00"), idempotency_key="r1")

    sales = dashboard.sales_per_day(today=today)

    assert len(sales.days) == 30
    assert (sales.days[0].day, sales.days[-1].day) == (today - timedelta(days=29), today)
    assert sales.routes == ["card", "water_bill"]
    assert sales.days[-1].by_route == {"card": Decimal("17.05"), "water_bill": Decimal("24.95")}
    assert sales.days[-4].by_route == {"card": Decimal("14.95")}
    assert sum(1 for day in sales.days if day.by_route) == 2
    assert (sales.charged, sales.refunded) == (Decimal("56.95"), Decimal("2.00"))


def test_sales_count_only_what_was_charged():
    place_order(lines=[(stocked_variant(), 1)])
    unpaid = place_order(lines=[(stocked_variant(), 1)])
    unpaid.payments.get().transactions.all().delete()

    sales = dashboard.sales_per_day(today=timezone.localdate())

    assert sales.charged == Decimal("17.05")


def test_sales_chart_scales_to_a_round_top_and_describes_itself():
    place_order(lines=[(stocked_variant(price="12.10"), 1)])  # 17.05

    with translation.override("en"):
        chart = dashboard.sales_chart(dashboard.sales_per_day(today=timezone.localdate()))

    assert [tick.text for tick in chart.ticks] == [
        "0.00 €",
        "5.00 €",
        "10.00 €",
        "15.00 €",
        "20.00 €",
    ]
    assert chart.description == (
        "Charged for the orders of the last 30 days: 17.05 €. Card: 17.05 €."
    )
    today = chart.columns[-1]
    assert [(s.colour, s.title) for s in today.segments] == [
        (dashboard.BLUE, f"{today.label} · Card: 17.05 €")
    ]
    assert today.segments[0].height == round(188 * 17.05 / 20, 1)
    assert [column.shown for column in chart.columns].count(True) == 5


@pytest.mark.parametrize(
    ("value", "top"),
    [("0", "1"), ("0.4", "0.5"), ("17.05", "20"), ("100", "100"), ("101", "200"), ("2100", "2500")],
)
def test_nice_ceiling(value, top):
    assert charts.nice_ceiling(Decimal(value)) == Decimal(top)


# Orders and claims


def test_orders_by_status_lists_every_status():
    manager = staff_in_role(ORDER_MANAGER)
    place_order(lines=[(stocked_variant(), 1)])
    place_order(lines=[(stocked_variant(), 1)])
    cancelled = place_order(lines=[(stocked_variant(), 1)])
    services.order_cancel(actor=manager, order=cancelled, reason="duplicado")

    tallies = dashboard.orders_by_status()

    assert [(t.key, t.count) for t in tallies] == [
        ("unfulfilled", 2),
        ("partially_fulfilled", 0),
        ("fulfilled", 0),
        ("cancelled", 1),
    ]


def test_open_claims_by_age_in_three_buckets():
    variant = stocked_variant(quantity=20, price="10.00")
    claims = [open_claim(shipped_order(variant)) for _ in range(5)]
    opened_days_ago(claims[1], 2)  # 2 days and an hour
    opened_days_ago(claims[2], 6)
    opened_days_ago(claims[3], 8)
    closed = claims[4]
    opened_days_ago(closed, 9)
    Claim.objects.filter(pk=closed.pk).update(status=Claim.Status.REJECTED)
    Claim.objects.filter(pk=claims[2].pk).update(status=Claim.Status.IN_REVIEW)

    ages = dashboard.open_claims_by_age(now=timezone.now())

    assert (ages.recent, ages.waiting, ages.late, ages.total) == (1, 2, 1, 4)


# Bill charges


def test_bill_charges_of_the_current_and_previous_cycle_by_status():
    user, _contract = linked_customer()
    water_bill_order(user, installments=3)  # 8.32 on 20/12/2026, 8.32 on 20/02, 8.31 on 20/04
    services_exchange.bill_cycle_export(cutoff=date(2026, 12, 20), actor=None)

    cycles = dashboard.bill_charges_by_cycle(today=date(2027, 1, 10))

    assert cycles.previous.cutoff == date(2026, 12, 20)
    assert [(t.key, t.count, t.amount) for t in cycles.previous.tallies if t.count] == [
        ("exported", 1, Decimal("8.32"))
    ]
    assert cycles.current.cutoff == date(2027, 2, 20)
    assert [(t.key, t.count, t.amount) for t in cycles.current.tallies if t.count] == [
        ("pending", 1, Decimal("8.32"))
    ]
    assert [t.key for t in cycles.current.tallies] == list(BillCharge.Status.values)
    assert (cycles.current.count, cycles.current.amount) == (1, Decimal("8.32"))


def test_the_current_cycle_includes_a_cut_off_today_and_nothing_is_no_cycle():
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)

    on_the_day = dashboard.bill_charges_by_cycle(today=date(2026, 12, 20))
    after_all = dashboard.bill_charges_by_cycle(today=date(2027, 1, 1))

    assert (on_the_day.current.cutoff, on_the_day.previous.cutoff) == (date(2026, 12, 20), None)
    assert (after_all.current.cutoff, after_all.previous.cutoff) == (None, date(2026, 12, 20))
    assert after_all.current.count == 0


# Stock


def test_low_stock_lists_tracked_variants_below_the_threshold_lowest_first():
    warehouse, other = WarehouseFactory(), WarehouseFactory()
    three = VariantFactory(sku="JARRA-3")
    StockFactory(variant=three, warehouse=warehouse, quantity=5, allocated=4)
    StockFactory(variant=three, warehouse=other, quantity=2, allocated=0)
    VariantFactory(sku="JARRA-0", name="")  # tracked, never stocked
    StockFactory(variant=VariantFactory(sku="JARRA-5"), warehouse=warehouse, quantity=5)
    StockFactory(variant=VariantFactory(sku="SERVICIO", track_inventory=False), warehouse=warehouse)
    Stock.objects.filter(variant__sku="SERVICIO").update(quantity=0)

    stock = dashboard.low_stock(threshold=5)
    first = dashboard.low_stock(threshold=5, limit=1)

    assert [(v.sku, v.free) for v in stock.variants] == [("JARRA-0", 0), ("JARRA-3", 3)]
    assert stock.variants[1].name == f"{stock_product(three)} (Único)"
    assert (first.count, [v.sku for v in first.variants]) == (2, ["JARRA-0"])


def test_low_stock_takes_live_reservations_off_the_free_units():
    warehouse = WarehouseFactory()
    reserved = VariantFactory(sku="JARRA-RESERVADA")
    StockFactory(variant=reserved, warehouse=warehouse, quantity=8)
    StockFactory(variant=VariantFactory(sku="JARRA-LIBRE"), warehouse=warehouse, quantity=8)
    paying = ready_checkout(lines=[(reserved, 6)])
    services.checkout_payment_start(checkout=paying, method_code="card")

    stock = dashboard.low_stock(threshold=5)

    assert (stock.count, [(v.sku, v.free) for v in stock.variants]) == (1, [("JARRA-RESERVADA", 2)])


def stock_product(variant):
    return variant.product.name


# The page


def dashboard_page(client, user, **headers):
    client.force_login(user)
    response = client.get("/admin/", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "blocks"),
    [
        (CATALOGUE_MANAGER, {"stock"}),
        (ORDER_MANAGER, {"sales", "orders", "claims", "billing", "stock"}),
        (BILLING_OPERATOR, {"billing"}),
        (SHOP_ADMINISTRATOR, {"sales", "orders", "claims", "billing", "stock"}),
    ],
)
def test_each_role_sees_the_blocks_of_its_areas(client, role, blocks):
    assert blocks_seen(dashboard_page(client, staff_in_role(role))) == blocks


def test_staff_without_a_role_sees_no_dashboard(client):
    page = dashboard_page(client, StaffFactory())

    assert blocks_seen(page) == set()
    assert 'class="shop-dashboard"' not in page


def test_a_block_needs_its_own_permission(client):
    page = dashboard_page(client, StaffFactory(permissions=["billing_bridge.view_billcharge"]))

    assert blocks_seen(page) == {"billing"}


def test_the_dashboard_shows_euros_with_two_decimals_in_spanish(client):
    place_order(lines=[(stocked_variant(price="12.10"), 1)])

    page = dashboard_page(client, staff_in_role(ORDER_MANAGER))

    assert '<span class="kpi-value">17,05 €</span>' in page
    assert '<td class="number">17,05 €</td>' in page


def test_charts_have_a_title_a_description_and_a_data_table(client):
    place_order(lines=[(stocked_variant(price="12.10"), 1)])
    user, _contract = linked_customer()
    water_bill_order(user, installments=1)  # due at the next cut-off: no previous cycle

    page = dashboard_page(client, staff_in_role(ORDER_MANAGER), **EN)

    for slug in ("sales", "orders", "claims", "current-cycle"):
        svg = re.search(rf'<svg [^>]*aria-labelledby="chart-{slug}-title chart-{slug}-desc"', page)
        assert svg is not None, slug
        assert 'role="img"' in svg.group(0)
        assert f'<title id="chart-{slug}-title">' in page
        assert f'<desc id="chart-{slug}-desc">' in page
    assert page.count("<summary>Data table</summary>") == 4
    assert '<desc id="chart-orders-desc">Unfulfilled: 2; Partially fulfilled: 0; ' in page
    previous = page.split('id="chart-previous-cycle"')[1].split("</div>")[0]
    assert "<h2>Previous cycle: no charges</h2>" in previous
    assert "Nothing to show." in previous
    assert "<svg" not in previous


def test_chart_coordinates_are_not_localised(client):
    place_order(lines=[(stocked_variant(price="12.10"), 1)])

    page = dashboard_page(client, staff_in_role(ORDER_MANAGER))

    charts = "".join(re.findall(r"<svg viewBox=.*?</svg>", page, re.DOTALL))
    coordinates = re.findall(r'\b(?:x|y|x1|x2|width|height)="([^"]*)"', charts)
    assert coordinates
    assert [v for v in coordinates if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", v)] == []


def test_low_stock_links_to_the_variant_for_those_who_may_open_it(client):
    variant = stocked_variant(quantity=2)

    page = dashboard_page(client, staff_in_role(CATALOGUE_MANAGER))

    assert f'<a href="/admin/catalog/productvariant/{variant.pk}/change/">{variant.sku}</a>' in page
    assert '<td class="number">2</td>' in page


def a_day_of_business(customer):
    """An order on each route, a claim, bill charges in two cycles, a low variant."""
    place_order(lines=[(stocked_variant(quantity=3), 1)])
    water_bill_order(customer, installments=3)
    open_claim(shipped_order(stocked_variant(quantity=10, price="10.00")))


def dashboard_queries(client, django_assert_num_queries, count):
    with django_assert_num_queries(count):
        response = client.get("/admin/")
    assert response.status_code == 200


# The admin's own: session, user, the session's verified second-factor device,
# the user's and their groups' permissions, recent actions. The dashboard's:
# sales, orders by status, payments to give back, open claims, bill charges,
# low stock (2: how many, and the lowest), discounts given and codes used.
INDEX_QUERIES = 6
DASHBOARD_QUERIES = 8


def test_dashboard_query_count_does_not_grow_with_the_data(client, django_assert_num_queries):
    user = staff_in_role(ORDER_MANAGER)
    client.force_login(user)
    customer, _contract = linked_customer(credit_limit=Decimal("1000.00"))
    a_day_of_business(customer)
    dashboard_queries(client, django_assert_num_queries, INDEX_QUERIES + DASHBOARD_QUERIES)

    for _ in range(3):
        a_day_of_business(customer)
    for variant in VariantFactory.create_batch(3):
        StockFactory(variant=variant, quantity=1)

    assert Order.objects.count() == 12
    dashboard_queries(client, django_assert_num_queries, INDEX_QUERIES + DASHBOARD_QUERIES)
