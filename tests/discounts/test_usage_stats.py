"""Usage and revenue of promotions and vouchers: one selector computes them for
the admin's lists and pages, the staff API and the dashboard; staff lists read
them with the same queries whatever their length.

Orders: (1) 3 x 12.10 at 21 % with the promotion (2.10 off each), 2 x 5.50 at
10 %, code AGUA10: 41.85, of which the code took 4.10 and the promotion 6.30;
(2) 1 x 12.10 with the promotion, no code: 10.00 + 4.95 = 14.95; (3) like (2)
with 2 units and the code, then cancelled: counted nowhere.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry import relay

from admin_ui.dashboard import dashboard_for
from admin_ui.order_forms import euros
from catalog.models import Collection
from discounts import selectors
from discounts import services as discounts
from discounts.models import Promotion, Voucher
from orders import services
from orders.payments.memory import gateway
from shop.accounts.roles import CATALOGUE_MANAGER, ORDER_MANAGER, SHOP_ADMINISTRATOR
from tests.discounts.factories import PromotionFactory, voucher_with_code
from tests.factories.catalog import CategoryFactory, ProductFactory
from tests.factories.invoicing import METHODS, variant_at
from tests.factories.orders import ready_checkout, staff_in_role
from tests.operations import operation

pytestmark = pytest.mark.django_db

VOUCHERS = operation("staff/Vouchers")
PROMOTIONS = operation("staff/Promotions")


@pytest.fixture(autouse=True)
def _methods(settings):
    settings.SHOP_PAYMENT_METHODS = METHODS
    gateway.reset()


def _order(lines, code=""):
    checkout = ready_checkout(lines=lines)
    if code:
        checkout = discounts.checkout_promo_code_add(checkout=checkout, promo_code=code)
    services.checkout_payment_start(checkout=checkout, method_code="card")
    return services.checkout_complete(checkout=checkout, actor=None)


@pytest.fixture
def sales():
    general = variant_at("0.21", "12.10")
    reduced = variant_at("0.10", "5.50")
    promotion = PromotionFactory(
        name="Kit", products=[general.product], value_type="fixed", value=D("2.10")
    )
    idle = PromotionFactory(name="Sin ventas", products=[reduced.product], is_active=False)
    voucher = voucher_with_code("AGUA10", value=D("10"))
    first = _order([(general, 3), (reduced, 2)], code="AGUA10")
    second = _order([(general, 1)])
    cancelled = _order([(general, 2)], code="AGUA10")
    services.order_cancel(actor=staff_in_role(ORDER_MANAGER), order=cancelled)
    assert (first.total_gross, second.total_gross) == (D("41.85"), D("14.95"))
    return promotion, idle, voucher


def test_a_vouchers_usage_counts_the_orders_that_stand(sales):
    _promotion, _idle, voucher = sales

    assert selectors.voucher_stats(voucher) == selectors.VoucherStats(
        uses=1, reserved=0, discount=D("4.10"), revenue=D("41.85")
    )


def test_a_promotions_usage_counts_its_orders_discount_and_revenue(sales):
    promotion, idle, _voucher = sales

    assert selectors.promotion_stats(promotion) == selectors.PromotionStats(
        orders=2, discount=D("8.40"), revenue=D("56.80")
    )
    assert selectors.promotion_stats(idle) == selectors.PromotionStats(
        orders=0, discount=D("0.00"), revenue=D("0.00")
    )


def test_the_dashboard_figure_is_the_sum_of_the_vouchers_and_promotions(sales):
    promotion, idle, voucher = sales

    totals = selectors.discount_totals()

    assert (totals.code_uses, totals.voucher_discount, totals.promotion_discount) == (
        1,
        D("4.10"),
        D("8.40"),
    )
    assert totals.discount == D("12.50")  # = 10.40 + 2.10, the two orders' discount_gross
    promotions = (
        selectors.promotion_stats(promotion).discount + selectors.promotion_stats(idle).discount
    )
    assert totals.discount == selectors.voucher_stats(voucher).discount + promotions
    kpis = [kpi.value for kpi in dashboard_for(staff_in_role(SHOP_ADMINISTRATOR)).kpis]
    assert kpis[-2:] == ["1", euros(D("12.50"))]


def test_the_staff_api_shows_the_same_figures(gql, sales):
    promotion, _idle, _voucher = sales
    staff = staff_in_role(CATALOGUE_MANAGER)

    vouchers = gql(VOUCHERS, user=staff)["data"]["vouchers"]["edges"]
    promotions = gql(PROMOTIONS, user=staff)["data"]["promotions"]["edges"]

    assert [edge["node"]["usage"] for edge in vouchers] == [
        {"uses": 1, "reserved": 0, "discount": {"amount": "4.10"}, "revenue": {"amount": "41.85"}}
    ]
    assert {edge["node"]["name"]: edge["node"]["usage"] for edge in promotions} == {
        "Kit": {"orders": 2, "discount": {"amount": "8.40"}, "revenue": {"amount": "56.80"}},
        "Sin ventas": {"orders": 0, "discount": {"amount": "0.00"}, "revenue": {"amount": "0.00"}},
    }
    kit = next(edge["node"] for edge in promotions if edge["node"]["name"] == "Kit")
    assert kit["targets"] == [relay.to_base64("Product", promotion.products.get().pk)]


def test_the_admin_lists_and_pages_show_the_same_figures(client, sales):
    promotion, _idle, _voucher = sales
    client.force_login(staff_in_role(CATALOGUE_MANAGER))

    promotions = client.get("/admin/discounts/promotion/")
    vouchers = client.get("/admin/discounts/voucher/")
    page = client.get(f"/admin/discounts/promotion/{promotion.pk}/change/")

    rows = {obj.pk: obj for obj in promotions.context["cl"].result_list}
    assert (rows[promotion.pk].usage_orders, rows[promotion.pk].usage_discount) == (2, D("8.40"))
    assert rows[promotion.pk].usage_revenue == D("56.80")
    (row,) = vouchers.context["cl"].result_list
    assert (row.usage_uses, row.usage_discount, row.usage_revenue) == (1, D("4.10"), D("41.85"))
    for figure in (euros(D("8.40")), euros(D("56.80"))):
        assert figure.encode() in promotions.content
        assert figure.encode() in page.content
    for figure in (euros(D("4.10")), euros(D("41.85"))):
        assert figure.encode() in vouchers.content


def _statements(gql, document, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        body = gql(document, user=user)
    assert "errors" not in body, body
    return len(queries)


def _used_voucher(index: int) -> Voucher:
    voucher = voucher_with_code(f"LISTA{index}", value=D("10"))
    _order([(variant_at("0.21", "12.10"), 1)], code=f"LISTA{index}")
    voucher.codes.create(code=f"UNICO{index}", single_use=True)
    return voucher


def _targeted_promotion() -> Promotion:
    index = Promotion.objects.count()
    return PromotionFactory(
        products=[ProductFactory()],
        categories=[CategoryFactory()],
        collections=[Collection.objects.create(name=f"C{index}", slug=f"c-{index}")],
        variants=[variant_at("0.21", "12.10")],
    )


def test_the_staff_voucher_list_reads_the_same_queries_for_1_and_5_vouchers(gql):
    staff = staff_in_role(CATALOGUE_MANAGER)
    _used_voucher(0)
    one = _statements(gql, VOUCHERS, staff)

    for index in range(1, 5):
        _used_voucher(index)
    five = _statements(gql, VOUCHERS, staff)

    assert Voucher.objects.count() == 5
    assert five == one


def test_the_staff_promotion_list_reads_the_same_queries_for_1_and_5_promotions(gql):
    staff = staff_in_role(CATALOGUE_MANAGER)
    _targeted_promotion()
    one = _statements(gql, PROMOTIONS, staff)

    for _ in range(4):
        _targeted_promotion()
    five = _statements(gql, PROMOTIONS, staff)

    assert Promotion.objects.count() == 5
    assert five == one


def test_the_admin_lists_read_the_same_queries_for_1_and_5_rows(client):
    client.force_login(staff_in_role(CATALOGUE_MANAGER))
    _used_voucher(0)
    _targeted_promotion()
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/discounts/voucher/")
        client.get("/admin/discounts/promotion/")

    for index in range(1, 5):
        _used_voucher(index)
        _targeted_promotion()
    with CaptureQueriesContext(connection) as five:
        client.get("/admin/discounts/voucher/")
        client.get("/admin/discounts/promotion/")

    assert len(five) == len(one)


def test_the_migration_reads_the_promotion_of_lines_placed_before_from_their_sources(sales):
    from importlib import import_module

    from django.apps import apps

    from orders.models import OrderLine

    promotion, _idle, _voucher = sales
    OrderLine.objects.update(promotion=None, promotion_discount_gross=D("0.00"))
    migration = import_module("orders.migrations.0010_order_line_promotion")

    migration.promotions_from_sources(apps, None)

    assert selectors.promotion_stats(promotion) == selectors.PromotionStats(
        orders=2, discount=D("8.40"), revenue=D("56.80")
    )
    assert list(
        OrderLine.objects.order_by("pk").values_list("promotion", "promotion_discount_gross")
    ) == [
        (promotion.pk, D("6.30")),
        (None, D("0.00")),
        (promotion.pk, D("2.10")),
        (promotion.pk, D("4.20")),  # the cancelled order's: kept, counted nowhere
    ]


def test_a_promotion_deleted_while_its_order_is_placed_is_not_linked_and_its_discount_stays():
    from django.db import transaction

    from orders import selectors as order_selectors
    from orders.services.orders import order_place

    kit = variant_at("0.21", "12.10")
    promotion = PromotionFactory(products=[kit.product], value=D("50"))
    checkout = ready_checkout(lines=[(kit, 2)])
    payment, _session = services.checkout_payment_start(checkout=checkout, method_code="card")
    summary = order_selectors.checkout_summary(checkout)
    promotion.delete()

    with transaction.atomic():
        order = order_place(summary=summary, payment=payment, actor=None)

    (line,) = order.lines.all()
    assert (line.promotion, line.promotion_discount_gross, line.discount_gross) == (
        None,
        D("12.10"),
        D("12.10"),
    )
    assert order.total_gross == D("17.05")
