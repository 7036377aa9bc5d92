"""A tax id given with the billing address at checkout, through /graphql/."""

from __future__ import annotations

import pytest

from orders import models
from tests.factories.orders import API_ADDRESS, ready_checkout
from tests.operations import operation

pytestmark = pytest.mark.django_db

UPDATE = operation("storefront/CheckoutBillingAddressUpdate")


def test_a_valid_tax_id_is_kept_clean_with_the_billing_address(gql):
    checkout = ready_checkout()
    address = {**API_ADDRESS, "companyName": "Fontanería Martín, S.L.", "taxId": "b-1234567-4"}

    body = gql(UPDATE, {"input": {"token": str(checkout.token), "address": address}})

    assert body["data"]["checkoutBillingAddressUpdate"]["errors"] == []
    checkout.refresh_from_db()
    assert checkout.billing_address["tax_id"] == "B12345674"
    assert checkout.billing_address["company_name"] == "Fontanería Martín, S.L."


def test_a_tax_id_with_a_wrong_check_character_is_refused_on_its_field(gql):
    checkout = ready_checkout()
    before = models.Checkout.objects.get(pk=checkout.pk).billing_address
    address = {**API_ADDRESS, "taxId": "B12345675"}

    body = gql(
        UPDATE,
        {"input": {"token": str(checkout.token), "address": address}},
        headers={"Accept-Language": "en"},
    )

    assert body["data"]["checkoutBillingAddressUpdate"]["errors"] == [
        {
            "field": "taxId",
            "code": "INVALID_TAX_ID",
            "message": "The check character of B12345675 is wrong: check the tax id.",
        }
    ]
    assert models.Checkout.objects.get(pk=checkout.pk).billing_address == before


def test_without_a_tax_id_the_billing_address_has_none(gql):
    checkout = ready_checkout()

    body = gql(UPDATE, {"input": {"token": str(checkout.token), "address": API_ADDRESS}})

    assert body["data"]["checkoutBillingAddressUpdate"]["errors"] == []
    checkout.refresh_from_db()
    assert "tax_id" not in checkout.billing_address
