"""Discounts through /graphql/: sale prices in listings (queries flat in page
size), promo codes on checkouts, staff mutations and lists."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discounts.models import Promotion, Voucher, VoucherCode
from orders.models import Checkout
from shop.accounts.roles import CATALOGUE_MANAGER
from tests.discounts.factories import PromotionFactory, voucher_with_code
from tests.factories import UserFactory
from tests.factories.catalog import ProductFactory, VariantFactory
from tests.factories.orders import gid, ready_checkout, staff_in_role, stocked_variant
from tests.operations import operation

pytestmark = pytest.mark.django_db

PRICING = operation("storefront/ProductPricing")
ADD = operation("storefront/CheckoutAddPromoCode")
REMOVE = operation("storefront/CheckoutRemovePromoCode")


def _products(count: int) -> list:
    products = []
    for _ in range(count):
        product = ProductFactory()
        VariantFactory(product=product, price=D("24.20"))
        VariantFactory(product=product, price=D("12.10"))
        products.append(product)
    return products


def test_listings_show_the_sale_price_the_undiscounted_one_and_on_sale(gql):
    on_sale, full_price = _products(2)
    PromotionFactory(name="Verano", products=[on_sale], value=D("50"))

    body = gql(PRICING)

    nodes = {edge["node"]["slug"]: edge["node"] for edge in body["data"]["products"]["edges"]}
    sale = nodes[on_sale.slug]
    assert sale["pricing"] == {
        "onSale": True,
        "priceRange": {
            "start": {"gross": {"amount": "6.05"}},
            "stop": {"gross": {"amount": "12.10"}},
        },
        "priceRangeUndiscounted": {
            "start": {"gross": {"amount": "12.10"}},
            "stop": {"gross": {"amount": "24.20"}},
        },
    }
    assert sale["variants"][0]["pricing"] == {
        "onSale": True,
        "promotionName": "Verano",
        "price": {
            "gross": {"amount": "12.10"},
            "net": {"amount": "10.00"},
            "tax": {"amount": "2.10"},
        },
        "priceUndiscounted": {"gross": {"amount": "24.20"}},
        "discount": {"gross": {"amount": "12.10"}},
    }
    assert nodes[full_price.slug]["pricing"]["onSale"] is False
    assert nodes[full_price.slug]["variants"][0]["pricing"]["discount"] is None


@pytest.mark.parametrize("with_promotions", [False, True])
def test_sale_prices_cost_the_same_queries_whatever_the_page_size(gql, with_promotions):
    products = _products(6)
    if with_promotions:
        PromotionFactory(products=products[:2])
        PromotionFactory(categories=[products[3].category], value_type="fixed", value=D("1.00"))
        PromotionFactory(variants=[products[4].variants.first()])
    gql(PRICING, {"first": 1})  # the process's copy of the promotions, read once
    counts = []
    for first in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            body = gql(PRICING, {"first": first})
        assert len(body["data"]["products"]["edges"]) == first
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_add_promo_code_shows_the_discount_in_the_checkout_totals(gql):
    voucher_with_code("AGUA10", value=D("10"))
    checkout = ready_checkout(lines=[(stocked_variant(price="12.10"), 2)])

    body = gql(ADD, {"input": {"token": str(checkout.token), "promoCode": "agua10"}})

    payload = body["data"]["checkoutAddPromoCode"]
    assert payload["errors"] == []
    result = payload["checkout"]
    assert result["voucherCode"] == "AGUA10"
    assert result["discount"] == {"amount": "2.42", "currency": "EUR"}
    assert result["lines"][0]["discount"] == {"amount": "2.42", "currency": "EUR"}
    assert result["lines"][0]["undiscountedTotalPrice"] == {"amount": "24.20", "currency": "EUR"}
    assert result["lines"][0]["totalPrice"]["gross"] == {"amount": "21.78"}
    assert result["totalPrice"]["gross"] == {"amount": "26.73", "currency": "EUR"}
    assert result["taxes"] == [{"rate": "0.21", "amount": {"amount": "4.64"}}]

    body = gql(REMOVE, {"input": {"token": str(checkout.token)}})

    result = body["data"]["checkoutRemovePromoCode"]["checkout"]
    assert (result["voucherCode"], result["discount"]) == (
        None,
        {"amount": "0.00", "currency": "EUR"},
    )
    assert result["totalPrice"]["gross"]["amount"] == "29.15"


def test_a_code_below_the_minimum_is_refused_on_promo_code_with_a_reason(gql):
    voucher_with_code("VERANO", min_order_value=D("50.00"))
    checkout = ready_checkout(lines=[(stocked_variant(price="12.10"), 1)])

    body = gql(
        ADD,
        {"input": {"token": str(checkout.token), "promoCode": "VERANO"}},
        headers={"Accept-Language": "en"},
    )

    assert body["data"]["checkoutAddPromoCode"] == {
        "checkout": None,
        "errors": [
            {
                "field": "promoCode",
                "code": "VOUCHER_MINIMUM_NOT_REACHED",
                "message": "This code needs a purchase of at least 50.00 €.",
            }
        ],
    }
    assert Checkout.objects.get(pk=checkout.pk).promo_code == ""


def test_somebody_elses_checkout_is_not_found_and_keeps_no_code(gql):
    voucher_with_code("AGUA10")
    checkout = ready_checkout(user=UserFactory())

    body = gql(ADD, {"input": {"token": str(checkout.token), "promoCode": "AGUA10"}})

    assert body["data"]["checkoutAddPromoCode"]["errors"][0]["code"] == "NOT_FOUND"
    assert body["data"]["checkoutAddPromoCode"]["errors"][0]["field"] == "token"
    assert Checkout.objects.get(pk=checkout.pk).promo_code == ""


def test_staff_create_a_voucher_and_a_promotion_and_list_usage(gql):
    staff = staff_in_role(CATALOGUE_MANAGER)
    product = ProductFactory()

    body = gql(
        operation("staff/VoucherCreate"),
        {
            "input": {
                "code": "agua-10",
                "voucher": {
                    "name": "Folleto factura",
                    "valueType": "PERCENTAGE",
                    "value": "10",
                    "startsAt": "2026-01-01T00:00:00+00:00",
                    "usageLimit": 100,
                },
            }
        },
        user=staff,
    )
    assert body["data"]["voucherCreate"]["errors"] == []
    assert body["data"]["voucherCreate"]["voucher"]["codes"] == ["AGUA-10"]
    body = gql(
        operation("staff/PromotionCreate"),
        {
            "input": {
                "name": "Kit a mitad de precio",
                "valueType": "PERCENTAGE",
                "value": "50",
                "startsAt": "2026-06-01T00:00:00+00:00",
                "products": [gid("Product", product.pk)],
            }
        },
        user=staff,
    )
    assert body["data"]["promotionCreate"]["errors"] == []
    assert body["data"]["promotionCreate"]["promotion"]["targets"] == [gid("Product", product.pk)]
    body = gql(operation("staff/Vouchers"), user=staff)
    (node,) = [edge["node"] for edge in body["data"]["vouchers"]["edges"]]
    assert node["usage"] == {
        "uses": 0,
        "reserved": 0,
        "discount": {"amount": "0.00"},
        "revenue": {"amount": "0.00"},
    }


def test_a_percentage_above_100_is_refused_on_value_and_nothing_is_saved(gql):
    staff = staff_in_role(CATALOGUE_MANAGER)

    body = gql(
        operation("staff/PromotionCreate"),
        {
            "input": {
                "name": "Mal",
                "valueType": "PERCENTAGE",
                "value": "150",
                "startsAt": "2026-06-01T00:00:00+00:00",
            }
        },
        user=staff,
    )

    assert [(e["field"], e["code"]) for e in body["data"]["promotionCreate"]["errors"]] == [
        ("value", "INVALID")
    ]
    assert Promotion.objects.count() == 0


def test_customers_may_not_create_vouchers(gql):
    body = gql(
        operation("staff/VoucherCreate"),
        {"input": {"voucher": {"name": "x", "startsAt": "2026-01-01T00:00:00+00:00"}}},
        user=UserFactory(),
    )
    assert body["data"] is None
    assert body["errors"]
    assert (Voucher.objects.count(), VoucherCode.objects.count()) == (0, 0)


@pytest.mark.parametrize("code", ["AGUA-10!", "agua_10", "10%-OFF", "-" * 41])
def test_a_code_with_other_characters_is_refused_on_code_and_nothing_is_saved(gql, code):
    staff = staff_in_role(CATALOGUE_MANAGER)

    body = gql(
        operation("staff/VoucherCreate"),
        {
            "input": {
                "code": code,
                "voucher": {
                    "name": "Folleto factura",
                    "valueType": "PERCENTAGE",
                    "value": "10",
                    "startsAt": "2026-01-01T00:00:00+00:00",
                },
            }
        },
        user=staff,
    )

    assert [(e["field"], e["code"]) for e in body["data"]["voucherCreate"]["errors"]] == [
        ("code", "INVALID")
    ]
    assert (Voucher.objects.count(), VoucherCode.objects.count()) == (0, 0)
