"""Promotions and vouchers in admin_ui: written through the services, codes
generated and exported, usage on the voucher's page and the dashboard."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group

from discounts.models import Promotion, Voucher, VoucherCode
from shop.accounts.models import User
from shop.accounts.roles import CATALOGUE_MANAGER, SHOP_ADMINISTRATOR
from tests.discounts.factories import voucher_with_code
from tests.factories.catalog import ProductFactory

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}


@pytest.fixture
def manager(client):
    user = User.objects.create_user("campanas@example.com", "x-9-horse-battery", is_staff=True)
    user.groups.add(Group.objects.get(name=CATALOGUE_MANAGER))
    client.force_login(user)
    return user


def test_a_promotion_added_in_the_admin_goes_through_the_service(client, manager):
    product = ProductFactory()

    response = client.post(
        "/admin/discounts/promotion/add/",
        {
            "name": "Kit de ahorro",
            "name_en": "Saving kit",
            "value_type": "percentage",
            "value": "50",
            "starts_at_0": "2026-06-01",
            "starts_at_1": "00:00:00",
            "is_active": "on",
            "products": [product.pk],
        },
    )

    assert response.status_code == 302, response.content
    promotion = Promotion.objects.get()
    assert (promotion.name, promotion.value, list(promotion.products.all())) == (
        "Kit de ahorro",
        D("50.00"),
        [product],
    )
    assert LogEntry.objects.filter(object_id=str(promotion.pk), action_flag=ADDITION).count() == 1


def test_a_percentage_above_100_shows_on_value_and_nothing_is_saved(client, manager):
    response = client.post(
        "/admin/discounts/promotion/add/",
        {
            "name": "Mal",
            "value_type": "percentage",
            "value": "150",
            "starts_at_0": "2026-06-01",
            "starts_at_1": "00:00:00",
        },
        headers=EN,
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["value"] == [
        "A percentage goes from 0 to 100."
    ]
    assert Promotion.objects.count() == 0


def test_a_voucher_added_with_its_shared_code(client, manager):
    response = client.post(
        "/admin/discounts/voucher/add/",
        {
            "code": "agua10",
            "name": "Folleto",
            "scope": "entire_order",
            "value_type": "percentage",
            "value": "10",
            "starts_at_0": "2026-01-01",
            "starts_at_1": "00:00:00",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content
    voucher = Voucher.objects.get()
    assert list(voucher.codes.values_list("code", "single_use")) == [("AGUA10", False)]


def test_generate_codes_and_export_them_as_csv(client, manager):
    voucher = voucher_with_code("AGUA10")

    response = client.post(
        f"/admin/discounts/voucher/{voucher.pk}/generate/", {"count": "25", "code_prefix": "fac"}
    )

    assert response.status_code == 302
    generated = VoucherCode.objects.filter(voucher=voucher, single_use=True)
    assert generated.count() == 25
    assert all(code.code.startswith("FAC-") and len(code.code) == 12 for code in generated)
    response = client.get(f"/admin/discounts/voucher/{voucher.pk}/codes.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "single_use", "used"]
    assert sorted(row[0] for row in rows[1:]) == sorted(
        ["AGUA10", *generated.values_list("code", flat=True)]
    )
    page = client.get(f"/admin/discounts/voucher/{voucher.pk}/change/", headers=EN)
    assert b"0 uses, 0 held by checkouts paying now" in page.content
    assert b"26 codes" in page.content


def test_staff_without_the_permission_cannot_generate_codes(client):
    user = User.objects.create_user("pedidos@example.com", "x-9-horse-battery", is_staff=True)
    client.force_login(user)
    voucher = voucher_with_code("AGUA10")

    response = client.post(f"/admin/discounts/voucher/{voucher.pk}/generate/", {"count": "5"})

    assert response.status_code == 403
    assert voucher.codes.count() == 1


def test_the_dashboard_shows_discount_usage(client):
    user = User.objects.create_user("admin@example.com", "x-9-horse-battery", is_staff=True)
    user.groups.add(Group.objects.get(name=SHOP_ADMINISTRATOR))
    client.force_login(user)

    page = client.get("/admin/", headers=EN)

    assert b"Promo codes used, last" in page.content
    assert b"Discounts given, last" in page.content
