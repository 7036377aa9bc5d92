"""Staff roles in the back office, through the test client: the sections each
role sees on the index, the pages of other areas it is refused, and forbidden
changes that are refused and leave the object as it was.

The roles' permissions come from the data migrations that call
``shop.accounts.roles.grant``; these tests read them as they are.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import RequestFactory

from orders.models import Order, ShippingZone
from shop.accounts.models import User
from shop.accounts.roles import (
    BILLING_OPERATOR,
    CATALOGUE_MANAGER,
    ORDER_MANAGER,
    SHOP_ADMINISTRATOR,
)
from tests.factories import StaffFactory
from tests.factories.catalog import ProductFactory
from tests.factories.orders import place_order, staff_in_role, stocked_variant

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}

# role -> {section: models it sees there (verbose_name_plural, in English)}
SEES = {
    CATALOGUE_MANAGER: {
        "catalogue": [
            "Products",
            "Variants",
            "Stock",
            "Categories",
            "Collections",
            "Attributes",
            "Warehouses",
        ],
        "discounts": ["Promotions", "Vouchers", "Voucher uses"],
    },
    ORDER_MANAGER: {
        "catalogue": ["Products", "Variants", "Stock", "Warehouses"],
        "discounts": ["Promotions", "Vouchers", "Voucher uses"],
        "orders": ["Orders", "Payments"],
        "claims": ["Claims"],
        "shipping": ["Shipping zones", "Shipping methods", "Pickup points"],
        "billing": ["Bill charges"],
        "invoices": ["Invoices"],
        "users": ["Users"],
    },
    BILLING_OPERATOR: {
        "billing": [
            "Bill charges",
            "Export batches",
            "Acknowledgement files",
            "Supply contracts",
            "Contract links",
            "Billing events",
        ],
        "invoices": ["Invoices", "VERI*FACTU records", "VERI*FACTU submissions"],
        "users": ["Users"],
    },
    SHOP_ADMINISTRATOR: {
        "catalogue": [
            "Products",
            "Variants",
            "Stock",
            "Categories",
            "Collections",
            "Attributes",
            "Warehouses",
        ],
        "discounts": ["Promotions", "Vouchers", "Voucher uses"],
        "orders": ["Orders", "Payments"],
        "claims": ["Claims"],
        "shipping": ["Shipping zones", "Shipping methods", "Pickup points"],
        "billing": [
            "Bill charges",
            "Export batches",
            "Acknowledgement files",
            "Supply contracts",
            "Contract links",
            "Billing events",
        ],
        "invoices": ["Invoices", "VERI*FACTU records", "VERI*FACTU submissions"],
        "settings": [
            "Shop settings",
            "Home page sections",
            "FAQ entries",
            "FAQ categories",
            "Legal pages",
        ],
        "users": ["Users", "Consents"],
    },
}

# role -> list pages of areas outside it
REFUSED = {
    CATALOGUE_MANAGER: [
        "/admin/orders/order/",
        "/admin/orders/payment/",
        "/admin/orders/claim/",
        "/admin/orders/shippingzone/",
        "/admin/billing_bridge/billcharge/",
        "/admin/invoicing/invoice/",
        "/admin/content/shopsettings/",
        "/admin/accounts/user/",
    ],
    ORDER_MANAGER: [
        "/admin/catalog/category/",
        "/admin/catalog/product/add/",
        "/admin/orders/shippingzone/add/",
        "/admin/billing_bridge/exportbatch/",
        "/admin/billing_bridge/supplycontract/",
        "/admin/invoicing/submission/",
        "/admin/content/faqentry/",
        "/admin/auth/group/",
    ],
    BILLING_OPERATOR: [
        "/admin/catalog/product/",
        "/admin/catalog/stock/",
        "/admin/orders/order/",
        "/admin/orders/claim/",
        "/admin/orders/shippingzone/",
        "/admin/content/faqentry/",
    ],
    SHOP_ADMINISTRATOR: [
        "/admin/accounts/user/add/",
        "/admin/auth/group/",
    ],
}


def signed_in(client, role):
    user = staff_in_role(role)
    client.force_login(user)
    return user


def sections_on(page: str) -> list[str]:
    return re.findall(r'<div class="app-([a-z]+) module', page)


def product_form(product, **changes):
    """The product change form as the admin posts it, without inline rows."""
    data = {
        "category": product.category_id,
        "name": product.name,
        "name_en": product.name_en,
        "slug": product.slug,
        "tax_class": product.tax_class,
        "description": product.description,
        "description_en": product.description_en,
    }
    for prefix in ("variants", "attribute_values", "media"):
        data |= management_form(prefix)
    return data | changes


def zone_form(zone, **changes):
    data = {"name": zone.name, "countries": "ES", "is_active": "on"}
    return data | management_form("rules") | management_form("methods") | changes


def management_form(prefix):
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# What each role sees


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_sees_the_sections_of_its_areas_on_the_index(client, role):
    signed_in(client, role)

    page = client.get("/admin/", headers=EN).content.decode()

    assert sections_on(page) == list(SEES[role])


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_sees_the_models_it_has_permissions_for(role, english):
    # No middleware runs for a RequestFactory request: its Accept-Language is not enough.
    request = RequestFactory().get("/admin/", headers=EN)
    request.user = staff_in_role(role)

    sections = admin.site.get_app_list(request)

    assert {
        section["app_label"]: [str(model["name"]) for model in section["models"]]
        for section in sections
    } == SEES[role]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (CATALOGUE_MANAGER, "/admin/catalog/product/"),
        (ORDER_MANAGER, "/admin/orders/order/"),
        (BILLING_OPERATOR, "/admin/billing_bridge/billcharge/"),
        (SHOP_ADMINISTRATOR, "/admin/content/faqentry/"),
    ],
)
def test_the_sidebar_shows_the_same_sections(client, role, url):
    signed_in(client, role)

    page = client.get(url, headers=EN).content.decode()

    sidebar = page.split('id="nav-sidebar"')[1]

    assert sections_on(sidebar) == list(SEES[role])


def test_staff_without_a_role_sees_no_section(client):
    client.force_login(StaffFactory())

    page = client.get("/admin/", headers=EN).content.decode()

    assert sections_on(page) == []
    assert (
        "You don\N{RIGHT SINGLE QUOTATION MARK}t have permission to view or edit anything." in page
    )


def test_the_shop_administrator_manages_the_catalogue(client):
    signed_in(client, SHOP_ADMINISTRATOR)

    assert "catalogue" in sections_on(client.get("/admin/").content.decode())


# What each role is refused


@pytest.mark.parametrize(
    ("role", "url"), [(role, url) for role, urls in REFUSED.items() for url in urls]
)
def test_pages_of_other_areas_are_refused(client, role, url):
    signed_in(client, role)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("role", "section"),
    [
        (role, section)
        for role in SEES
        for section in ("catalogue", "settings")
        if section not in SEES[role]
    ],
)
def test_the_page_of_a_section_the_role_does_not_see_is_not_found(client, role, section):
    signed_in(client, role)

    assert client.get(f"/admin/section/{section}/").status_code == 404


@pytest.mark.parametrize("role", [ORDER_MANAGER, BILLING_OPERATOR])
def test_changing_a_product_outside_the_catalogue_role_is_refused(client, role):
    product = ProductFactory(name="Jarra filtrante")
    signed_in(client, role)

    response = client.post(
        f"/admin/catalog/product/{product.pk}/change/", product_form(product, name="Otra")
    )

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "Jarra filtrante"
    assert not LogEntry.objects.exists()


def test_the_catalogue_manager_may_change_that_product(client):
    product = ProductFactory(name="Jarra filtrante")
    user = signed_in(client, CATALOGUE_MANAGER)

    response = client.post(
        f"/admin/catalog/product/{product.pk}/change/", product_form(product, name="Otra")
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Otra"
    assert LogEntry.objects.get().user == user


@pytest.mark.parametrize("role", [CATALOGUE_MANAGER, ORDER_MANAGER, BILLING_OPERATOR])
def test_changing_a_shipping_zone_outside_the_shop_administrator_is_refused(client, role):
    zone = ShippingZone.objects.create(name="Sevilla capital", countries=["ES"])
    signed_in(client, role)

    response = client.post(
        f"/admin/orders/shippingzone/{zone.pk}/change/", zone_form(zone, name="Otra")
    )

    assert response.status_code == 403
    zone.refresh_from_db()
    assert (zone.name, zone.is_active) == ("Sevilla capital", True)
    assert not LogEntry.objects.exists()


def test_the_shop_administrator_may_change_that_zone(client):
    zone = ShippingZone.objects.create(name="Sevilla capital", countries=["ES"])
    user = signed_in(client, SHOP_ADMINISTRATOR)

    response = client.post(
        f"/admin/orders/shippingzone/{zone.pk}/change/", zone_form(zone, name="Otra")
    )

    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.name == "Otra"
    assert LogEntry.objects.get().user == user


@pytest.mark.parametrize("role", [CATALOGUE_MANAGER, BILLING_OPERATOR])
def test_cancelling_an_order_outside_the_order_roles_is_refused(client, role):
    variant = stocked_variant(quantity=5)
    order = place_order(lines=[(variant, 2)])
    signed_in(client, role)

    response = client.post(f"/admin/orders/order/{order.pk}/cancel/", {"reason": "Prueba"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.UNFULFILLED
    assert order.events.filter(type="cancelled").count() == 0
    assert variant.stocks.get().allocated == 2
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("role", [ORDER_MANAGER, SHOP_ADMINISTRATOR])
def test_the_order_roles_may_cancel_that_order(client, role):
    order = place_order(lines=[(stocked_variant(quantity=5), 2)])
    user = signed_in(client, role)

    response = client.post(f"/admin/orders/order/{order.pk}/cancel/", {"reason": "Prueba"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert LogEntry.objects.get().user == user


def test_the_shop_administrator_cannot_create_roles(client):
    signed_in(client, SHOP_ADMINISTRATOR)
    groups = set(Group.objects.values_list("name", flat=True))

    response = client.post("/admin/auth/group/add/", {"name": "Superpoderes"})

    assert response.status_code == 403
    assert set(Group.objects.values_list("name", flat=True)) == groups


def test_the_shop_administrator_cannot_change_a_user(client):
    signed_in(client, SHOP_ADMINISTRATOR)
    customer = User.objects.create_user("cliente@example.com", "x", first_name="Lucía")

    response = client.post(
        f"/admin/accounts/user/{customer.pk}/change/",
        {"email": "cliente@example.com", "first_name": "Otra", "is_staff": "on"},
    )

    assert response.status_code == 403
    customer.refresh_from_db()
    assert (customer.first_name, customer.is_staff) == ("Lucía", False)


def test_a_refused_page_says_why_in_the_admins_language_and_leads_back(client):
    signed_in(client, CATALOGUE_MANAGER)

    response = client.get("/admin/billing_bridge/exportbatch/", headers=EN)

    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Access denied</h1>" in page
    assert '<a href="/admin/">Back to the administration</a>' in page
