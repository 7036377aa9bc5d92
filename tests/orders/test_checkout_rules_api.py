"""The checkout's rules as storefronts meet them through /graphql/: every refused
input answers with its typed error code and changes nothing in the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from catalog.models import Stock
from orders import models, services
from orders.payments.memory import gateway
from tests.factories import UserFactory
from tests.factories.orders import (
    ADDRESS,
    API_ADDRESS,
    PickupPointFactory,
    ShippingMethodFactory,
    gid,
    ready_checkout,
    stocked_variant,
    zone_for,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

MADRID_ADDRESS = {**API_ADDRESS, "streetAddress1": "Calle Mayor 1", "postalCode": "28013"}


def run(gql, name: str, input: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The payload of the storefront mutation ``name`` (e.g. ``"CheckoutLinesAdd"``)."""
    body = gql(operation(f"storefront/{name}"), {"input": input}, **kwargs)
    payload: dict[str, Any] = body["data"][name[0].lower() + name[1:]]
    return payload


def error(field: str | None, code: str, message: str, **params: Any) -> dict[str, Any]:
    """A payload error as a shopper sees it (in Spanish, the default language)."""
    with translation.override("es"):
        text = gettext(message)
    return {"field": field, "code": code, "message": text % params if params else text}


def lines(*pairs) -> list[dict[str, Any]]:
    return [{"variantId": gid("ProductVariant", variant.pk), "quantity": q} for variant, q in pairs]


def cart(checkout: models.Checkout) -> dict[int, int]:
    return dict(checkout.lines.values_list("variant_id", "quantity"))


def state(checkout: models.Checkout) -> dict[str, Any]:
    """Everything a refused mutation must leave as it was."""
    row = models.Checkout.objects.get(pk=checkout.pk)
    return {
        "user": row.user_id,
        "email": row.email,
        "shipping_address": row.shipping_address,
        "billing_address": row.billing_address,
        "shipping_method": row.shipping_method_id,
        "pickup_point": row.pickup_point_id,
        "version": row.version,
        "lines": cart(row),
    }


def start_payment(gql, checkout: models.Checkout, **kwargs: Any) -> dict[str, Any]:
    return run(
        gql, "CheckoutPaymentStart", {"token": str(checkout.token), "method": "CARD"}, **kwargs
    )


def complete(gql, checkout: models.Checkout, **kwargs: Any) -> dict[str, Any]:
    return run(gql, "CheckoutComplete", {"token": str(checkout.token)}, **kwargs)


def charges() -> int:
    return models.PaymentTransaction.objects.filter(
        kind=models.PaymentTransaction.Kind.CHARGE
    ).count()


# Quantities and lines.


def test_adding_zero_units_is_refused(gql):
    variant = stocked_variant(quantity=10)
    checkout = services.checkout_create(user=None, lines=[(variant, 1)])
    before = state(checkout)

    payload = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((variant, 0))}
    )

    assert payload == {
        "checkout": None,
        "errors": [error("lines", "INVALID_QUANTITY", "Quantities must be at least 1.")],
    }
    assert state(checkout) == before


@pytest.mark.parametrize("in_cart", [0, 1])
def test_adding_beyond_the_line_quantity_limit_is_refused(gql, in_cart):
    limit = settings.SHOP_MAX_LINE_QUANTITY
    variant = stocked_variant(quantity=limit + 10)
    checkout = services.checkout_create(user=None, lines=[(variant, in_cart)] if in_cart else [])
    before = state(checkout)
    adding = limit + 1 - in_cart

    payload = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((variant, adding))}
    )

    assert payload == {
        "checkout": None,
        "errors": [
            error("lines", "INVALID_QUANTITY", "Quantities go from 1 to %(limit)d.", limit=limit)
        ],
    }
    assert state(checkout) == before


def test_adding_up_to_the_line_quantity_limit_is_accepted(gql):
    limit = settings.SHOP_MAX_LINE_QUANTITY
    variant = stocked_variant(quantity=limit + 10)
    checkout = services.checkout_create(user=None, lines=[(variant, 1)])

    payload = run(
        gql,
        "CheckoutLinesAdd",
        {"token": str(checkout.token), "lines": lines((variant, limit - 1))},
    )

    assert payload["errors"] == []
    assert payload["checkout"]["quantity"] == limit
    assert cart(checkout) == {variant.pk: limit}


def test_creating_a_checkout_with_a_refused_quantity_creates_nothing(gql):
    variant = stocked_variant(quantity=10)

    payload = run(gql, "CheckoutCreate", {"email": "ana@example.com", "lines": lines((variant, 0))})

    assert payload == {
        "checkout": None,
        "errors": [error("lines", "INVALID_QUANTITY", "Quantities must be at least 1.")],
    }
    assert not models.Checkout.objects.exists()
    assert not models.CheckoutLine.objects.exists()


@override_settings(SHOP_MAX_CHECKOUT_LINES=2)
def test_adding_a_line_beyond_the_lines_limit_is_refused(gql):
    first, second, third = stocked_variant(), stocked_variant(), stocked_variant()
    checkout = services.checkout_create(user=None, lines=[(first, 1), (second, 1)])
    before = state(checkout)

    payload = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((third, 1))}
    )

    assert payload == {
        "checkout": None,
        "errors": [
            error("lines", "TOO_MANY_LINES", "A cart holds at most %(limit)d lines.", limit=2)
        ],
    }
    assert state(checkout) == before


@override_settings(SHOP_MAX_CHECKOUT_LINES=2)
def test_adding_units_to_an_existing_line_of_a_full_cart_is_accepted(gql):
    first, second = stocked_variant(), stocked_variant()
    checkout = services.checkout_create(user=None, lines=[(first, 1), (second, 1)])

    payload = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((first, 2))}
    )

    assert payload["errors"] == []
    assert cart(checkout) == {first.pk: 3, second.pk: 1}


@override_settings(SHOP_MAX_CHECKOUT_LINES=2)
def test_creating_a_checkout_with_too_many_lines_creates_nothing(gql):
    variants = [stocked_variant() for _ in range(3)]

    payload = run(gql, "CheckoutCreate", {"lines": lines(*[(v, 1) for v in variants])})

    assert payload == {
        "checkout": None,
        "errors": [
            error("lines", "TOO_MANY_LINES", "A cart holds at most %(limit)d lines.", limit=2)
        ],
    }
    assert not models.Checkout.objects.exists()


@pytest.mark.parametrize("hidden", ["product", "category"])
def test_creating_a_checkout_with_a_product_not_for_sale_creates_nothing(gql, hidden):
    variant = stocked_variant()
    owner = variant.product if hidden == "product" else variant.product.category
    type(owner).objects.filter(pk=owner.pk).update(is_published=False)

    payload = run(gql, "CheckoutCreate", {"lines": lines((stocked_variant(), 1), (variant, 1))})

    assert payload == {
        "checkout": None,
        "errors": [
            error(
                "lines", "PRODUCT_UNAVAILABLE", "No longer for sale: %(names)s.", names=str(variant)
            )
        ],
    }
    assert not models.Checkout.objects.exists()
    assert not models.CheckoutLine.objects.exists()


def test_creating_a_checkout_with_more_than_the_free_stock_creates_nothing(gql):
    variant = stocked_variant(quantity=3)

    # The two lines of one variant are one line of 4 units.
    payload = run(gql, "CheckoutCreate", {"lines": lines((variant, 2), (variant, 2))})

    assert payload == {
        "checkout": None,
        "errors": [
            error(
                "lines", "INSUFFICIENT_STOCK", "Not enough stock of: %(names)s.", names=str(variant)
            )
        ],
    }
    assert not models.Checkout.objects.exists()
    assert not models.CheckoutLine.objects.exists()


def test_a_new_checkout_answers_the_free_units_a_later_read_shows(gql):
    variant = stocked_variant(quantity=5)
    paying = ready_checkout(lines=[(variant, 1)])
    assert start_payment(gql, paying)["errors"] == []

    created = run(gql, "CheckoutCreate", {"lines": lines((variant, 2))})
    token = created["checkout"]["token"]
    read = gql(operation("storefront/Checkout"), {"token": token})["data"]["checkout"]

    # The answer is built from the lines just written and the free units read to
    # check them: the same figures as reading the checkout afterwards.
    assert [line["quantityAvailable"] for line in created["checkout"]["lines"]] == [4]
    assert created["checkout"] == read


def test_adding_a_product_not_for_sale_is_refused(gql):
    hidden = stocked_variant(product__is_published=False)
    checkout = services.checkout_create(user=None, lines=[(stocked_variant(), 1)])
    before = state(checkout)

    payload = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((hidden, 1))}
    )

    assert payload == {
        "checkout": None,
        "errors": [
            error(
                "lines",
                "PRODUCT_UNAVAILABLE",
                "No longer for sale: %(names)s.",
                names=str(hidden),
            )
        ],
    }
    assert state(checkout) == before


def test_adding_an_unknown_variant_is_not_found(gql):
    variant = stocked_variant()
    checkout = services.checkout_create(user=None, lines=[(variant, 1)])
    before = state(checkout)
    unknown = {"variantId": gid("ProductVariant", variant.pk + 1000), "quantity": 1}

    payload = run(
        gql,
        "CheckoutLinesAdd",
        {"token": str(checkout.token), "lines": [*lines((variant, 1)), unknown]},
    )

    assert payload == {"checkout": None, "errors": [error("lines", "NOT_FOUND", "Not found.")]}
    assert state(checkout) == before


def test_creating_a_checkout_with_an_unknown_variant_creates_nothing(gql):
    unknown = {"variantId": gid("ProductVariant", 999_999), "quantity": 1}

    payload = run(gql, "CheckoutCreate", {"email": "ana@example.com", "lines": [unknown]})

    assert payload == {"checkout": None, "errors": [error("lines", "NOT_FOUND", "Not found.")]}
    assert not models.Checkout.objects.exists()


def test_setting_a_line_to_zero_removes_it(gql):
    kept, dropped = stocked_variant(), stocked_variant()
    checkout = services.checkout_create(user=None, lines=[(kept, 2), (dropped, 3)])

    payload = run(
        gql, "CheckoutLinesUpdate", {"token": str(checkout.token), "lines": lines((dropped, 0))}
    )

    assert payload["errors"] == []
    assert [
        (line["variant"]["sku"], line["quantity"]) for line in payload["checkout"]["lines"]
    ] == [(kept.sku, 2)]
    assert cart(checkout) == {kept.pk: 2}


# Stock.


def test_adding_more_than_the_free_stock_is_refused(gql):
    variant = stocked_variant(quantity=3)
    checkout = services.checkout_create(user=None, lines=[(variant, 2)])
    before = state(checkout)

    payload = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((variant, 2))}
    )

    assert payload == {
        "checkout": None,
        "errors": [
            error(
                "lines", "INSUFFICIENT_STOCK", "Not enough stock of: %(names)s.", names=str(variant)
            )
        ],
    }
    assert state(checkout) == before


def test_units_reserved_by_another_shopper_paying_are_not_free(gql):
    variant = stocked_variant(quantity=3)
    paying = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, paying)["errors"] == []
    checkout = services.checkout_create(user=None, lines=[(variant, 1)])
    before = state(checkout)

    refused = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((variant, 1))}
    )

    assert refused == {
        "checkout": None,
        "errors": [
            error(
                "lines", "INSUFFICIENT_STOCK", "Not enough stock of: %(names)s.", names=str(variant)
            )
        ],
    }
    assert state(checkout) == before
    seen = gql(operation("storefront/Checkout"), {"token": str(checkout.token)})
    assert seen["data"]["checkout"]["lines"][0]["quantityAvailable"] == 1
    assert Stock.objects.get(variant=variant).allocated == 0


def test_units_of_an_expired_reservation_are_free_again(gql):
    variant = stocked_variant(quantity=3)
    paying = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, paying)["errors"] == []
    models.Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    checkout = services.checkout_create(user=None)

    payload = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((variant, 3))}
    )

    assert payload["errors"] == []
    assert payload["checkout"]["lines"][0]["quantityAvailable"] == 3
    assert cart(checkout) == {variant.pk: 3}


def checkout_seen(gql, checkout: models.Checkout) -> dict[str, Any]:
    body = gql(operation("storefront/Checkout"), {"token": str(checkout.token)})
    seen: dict[str, Any] = body["data"]["checkout"]
    return seen


def test_a_checkout_paying_still_sees_the_units_it_reserved_as_its_own(gql):
    variant = stocked_variant(quantity=11)
    paying = ready_checkout(lines=[(variant, 11)])
    assert start_payment(gql, paying)["errors"] == []

    seen = checkout_seen(gql, paying)

    assert [(line["quantity"], line["quantityAvailable"]) for line in seen["lines"]] == [(11, 11)]
    assert seen["problems"] == []
    assert complete(gql, paying)["errors"] == []


def test_units_reserved_by_another_shopper_are_a_problem_and_the_payment_start_refuses(gql):
    variant = stocked_variant(quantity=11)
    other = ready_checkout(lines=[(variant, 1)], email="otra@example.com")
    paying = ready_checkout(lines=[(variant, 11)])
    assert checkout_seen(gql, other)["problems"] == []
    assert start_payment(gql, paying)["errors"] == []
    before = state(other)

    seen = checkout_seen(gql, other)
    started = start_payment(gql, other)

    shortage = error(
        "lines", "INSUFFICIENT_STOCK", "Not enough stock of: %(names)s.", names=str(variant)
    )
    assert [(line["quantity"], line["quantityAvailable"]) for line in seen["lines"]] == [(1, 0)]
    assert seen["problems"] == [shortage]
    assert started == {"payment": None, "checkout": None, "errors": [shortage]}
    assert state(other) == before
    assert not models.Payment.objects.filter(checkout=other).exists()
    assert not models.Reservation.objects.filter(line__checkout=other).exists()


def test_a_shortage_is_no_longer_a_problem_once_the_other_reservation_expires(gql):
    variant = stocked_variant(quantity=11)
    other = ready_checkout(lines=[(variant, 4)], email="otra@example.com")
    paying = ready_checkout(lines=[(variant, 8)])
    assert start_payment(gql, paying)["errors"] == []
    assert [e["code"] for e in checkout_seen(gql, other)["problems"]] == ["INSUFFICIENT_STOCK"]

    models.Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    seen = checkout_seen(gql, other)
    assert [(line["quantity"], line["quantityAvailable"]) for line in seen["lines"]] == [(4, 11)]
    assert seen["problems"] == []
    assert start_payment(gql, other)["errors"] == []


# E-mail and addresses.


def test_an_invalid_email_is_refused(gql):
    checkout = services.checkout_create(user=None, email="ana@example.com")
    before = state(checkout)

    payload = run(gql, "CheckoutEmailUpdate", {"token": str(checkout.token), "email": "ana@"})

    assert payload == {
        "checkout": None,
        "errors": [error("email", "INVALID", "Enter a valid e-mail address.")],
    }
    assert state(checkout) == before


def test_creating_a_checkout_with_an_invalid_email_creates_nothing(gql):
    payload = run(gql, "CheckoutCreate", {"email": "not an e-mail", "lines": []})

    assert payload == {
        "checkout": None,
        "errors": [error("email", "INVALID", "Enter a valid e-mail address.")],
    }
    assert not models.Checkout.objects.exists()


@pytest.mark.parametrize("name", ["CheckoutShippingAddressUpdate", "CheckoutBillingAddressUpdate"])
def test_an_address_with_a_bad_postal_code_is_refused(gql, name):
    checkout = ready_checkout()
    before = state(checkout)

    payload = run(
        gql,
        name,
        {"token": str(checkout.token), "address": {**API_ADDRESS, "postalCode": "4100"}},
    )

    assert payload == {
        "checkout": None,
        "errors": [
            error(
                "postalCode",
                "INVALID_POSTAL_CODE",
                "Enter a valid Spanish postal code (5 digits).",
            )
        ],
    }
    assert state(checkout) == before


@pytest.mark.parametrize("name", ["CheckoutShippingAddressUpdate", "CheckoutBillingAddressUpdate"])
def test_an_address_outside_spain_is_refused(gql, name):
    checkout = ready_checkout()
    before = state(checkout)
    paris = {**API_ADDRESS, "postalCode": "75001", "city": "Paris", "country": "FR"}

    payload = run(gql, name, {"token": str(checkout.token), "address": paris})

    assert payload == {
        "checkout": None,
        "errors": [
            error("country", "INVALID", "The shop delivers in Spain only."),
            error(
                "postalCode",
                "INVALID_POSTAL_CODE",
                "Enter a valid Spanish postal code (5 digits).",
            ),
        ],
    }
    assert state(checkout) == before


# Shipping.


def test_a_method_of_a_zone_not_serving_the_address_is_refused(gql):
    ShippingMethodFactory(zone=zone_for("41"), name="Sevilla")
    madrid = ShippingMethodFactory(zone=zone_for("28"), name="Madrid")
    checkout = services.checkout_create(user=None, lines=[(stocked_variant(), 1)])
    services.checkout_shipping_address_update(checkout=checkout, address=ADDRESS)
    before = state(checkout)

    payload = run(
        gql,
        "CheckoutShippingMethodUpdate",
        {"token": str(checkout.token), "shippingMethodId": gid("ShippingMethod", madrid.pk)},
    )

    assert payload == {
        "checkout": None,
        "errors": [
            error(
                "shippingMethod",
                "SHIPPING_NOT_AVAILABLE",
                "This shipping method is not available for this address and cart.",
            )
        ],
    }
    assert state(checkout) == before


@pytest.fixture
def pickup():
    """A pickup method in Sevilla with one office, another office it does not use,
    and a checkout delivering to Sevilla."""
    office, elsewhere = PickupPointFactory(name="Oficina Plaza Nueva"), PickupPointFactory()
    method = ShippingMethodFactory(
        zone=zone_for("41"), kind=models.ShippingMethod.Kind.PICKUP, name="Recogida", price="0.00"
    )
    method.pickup_points.add(office)
    checkout = services.checkout_create(user=None, lines=[(stocked_variant(), 1)])
    services.checkout_shipping_address_update(checkout=checkout, address=ADDRESS)
    return {"method": method, "office": office, "elsewhere": elsewhere, "checkout": checkout}


@pytest.mark.parametrize("point", [None, "elsewhere"])
def test_a_pickup_method_needs_one_of_its_pickup_points(gql, pickup, point):
    checkout = pickup["checkout"]
    before = state(checkout)
    input = {
        "token": str(checkout.token),
        "shippingMethodId": gid("ShippingMethod", pickup["method"].pk),
    }
    if point:
        input["pickupPointId"] = gid("PickupPoint", pickup[point].pk)

    payload = run(gql, "CheckoutShippingMethodUpdate", input)

    assert payload == {
        "checkout": None,
        "errors": [
            error(
                "pickupPoint",
                "PICKUP_POINT_REQUIRED",
                "Choose one of this method's pickup points.",
            )
        ],
    }
    assert state(checkout) == before


def test_a_pickup_method_with_its_pickup_point_is_chosen(gql, pickup):
    checkout, method, office = pickup["checkout"], pickup["method"], pickup["office"]

    payload = run(
        gql,
        "CheckoutShippingMethodUpdate",
        {
            "token": str(checkout.token),
            "shippingMethodId": gid("ShippingMethod", method.pk),
            "pickupPointId": gid("PickupPoint", office.pk),
        },
    )

    assert payload["errors"] == []
    assert payload["checkout"]["shippingMethod"] == {
        "id": gid("ShippingMethod", method.pk),
        "name": "Recogida",
        "kind": "PICKUP",
        "price": {"amount": "0.00"},
    }
    assert payload["checkout"]["pickupPoint"] == {
        "id": gid("PickupPoint", office.pk),
        "name": "Oficina Plaza Nueva",
    }
    row = models.Checkout.objects.get(pk=checkout.pk)
    assert (row.shipping_method_id, row.pickup_point_id) == (method.pk, office.pk)


def test_the_methods_offered_follow_the_address_and_a_method_no_longer_serving_is_dropped(gql):
    sevilla = ShippingMethodFactory(zone=zone_for("41"), name="Sevilla", price="3.95")
    madrid = ShippingMethodFactory(zone=zone_for("28"), name="Madrid", price="5.95")
    checkout = services.checkout_create(user=None, lines=[(stocked_variant(), 1)])
    token = str(checkout.token)
    in_sevilla = run(gql, "CheckoutShippingAddressUpdate", {"token": token, "address": API_ADDRESS})
    assert [m["id"] for m in in_sevilla["checkout"]["availableShippingMethods"]] == [
        gid("ShippingMethod", sevilla.pk)
    ]
    chosen = run(
        gql,
        "CheckoutShippingMethodUpdate",
        {"token": token, "shippingMethodId": gid("ShippingMethod", sevilla.pk)},
    )
    assert chosen["checkout"]["shippingMethod"]["name"] == "Sevilla"

    moved = run(gql, "CheckoutShippingAddressUpdate", {"token": token, "address": MADRID_ADDRESS})

    assert moved["errors"] == []
    assert [m["id"] for m in moved["checkout"]["availableShippingMethods"]] == [
        gid("ShippingMethod", madrid.pk)
    ]
    assert moved["checkout"]["shippingMethod"] is None
    assert moved["checkout"]["shippingPrice"] == {
        "gross": {"amount": "0.00"},
        "tax": {"amount": "0.00"},
    }
    assert models.Checkout.objects.get(pk=checkout.pk).shipping_method_id is None


# Paying.


def test_starting_to_pay_an_incomplete_checkout_lists_what_is_missing(gql):
    token = run(gql, "CheckoutCreate", {"lines": []})["checkout"]["token"]

    payload = run(gql, "CheckoutPaymentStart", {"token": token, "method": "CARD"})

    assert payload == {
        "payment": None,
        "checkout": None,
        "errors": [
            error("lines", "EMPTY", "The cart is empty."),
            error("email", "REQUIRED", "Enter an e-mail address."),
            error("shippingAddress", "REQUIRED", "Enter the delivery address."),
            error("billingAddress", "REQUIRED", "Enter the billing address."),
        ],
    }
    assert not models.Payment.objects.exists()
    assert gateway.payments == {}


def test_starting_to_pay_without_a_shipping_method_is_refused(gql):
    ShippingMethodFactory()
    checkout = services.checkout_create(
        user=None, email="ana@example.com", lines=[(stocked_variant(), 1)]
    )
    services.checkout_shipping_address_update(checkout=checkout, address=ADDRESS)
    services.checkout_billing_address_update(checkout=checkout, address=ADDRESS)

    payload = start_payment(gql, checkout)

    assert payload["errors"] == [
        error("shippingMethod", "SHIPPING_NOT_AVAILABLE", "Choose an available shipping method.")
    ]
    assert not models.Payment.objects.exists()
    assert not models.Reservation.objects.exists()


@pytest.mark.parametrize("hidden", ["product", "category"])
def test_starting_to_pay_for_a_product_withdrawn_from_sale_is_refused(gql, hidden):
    variant = stocked_variant(quantity=5)
    checkout = ready_checkout(lines=[(variant, 1)])
    owner = variant.product if hidden == "product" else variant.product.category
    type(owner).objects.filter(pk=owner.pk).update(is_published=False)

    payload = start_payment(gql, checkout)

    assert payload == {
        "payment": None,
        "checkout": None,
        "errors": [
            error(
                "lines", "PRODUCT_UNAVAILABLE", "No longer for sale: %(names)s.", names=str(variant)
            )
        ],
    }
    assert not models.Payment.objects.exists()
    assert not models.Reservation.objects.exists()


def test_a_payment_declined_at_completion_places_no_order(gql):
    variant = stocked_variant(quantity=5)
    checkout = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, checkout)["errors"] == []
    gateway.outcome = "failed"

    payload = complete(gql, checkout)

    assert payload == {
        "order": None,
        "errors": [error(None, "PAYMENT_DECLINED", "The payment was declined.")],
    }
    assert not models.Order.objects.exists()
    assert models.Checkout.objects.filter(pk=checkout.pk).exists()
    assert models.Payment.objects.get().status == models.Payment.Status.FAILED
    assert Stock.objects.get(variant=variant).allocated == 0
    assert charges() == 0


def test_a_card_declined_at_start_is_refused(gql):
    checkout = ready_checkout()
    gateway.declined = True

    payload = start_payment(gql, checkout)

    assert payload == {
        "payment": None,
        "checkout": None,
        "errors": [error("method", "PAYMENT_DECLINED", "The card was declined.")],
    }
    assert models.Payment.objects.get().status == models.Payment.Status.FAILED
    assert not models.Order.objects.exists()


def test_a_pending_payment_places_no_order_until_a_new_payment_is_charged(gql):
    checkout = ready_checkout()
    assert start_payment(gql, checkout)["errors"] == []
    gateway.outcome = "pending"

    pending = complete(gql, checkout)

    assert pending == {
        "order": None,
        "errors": [error(None, "PAYMENT_PENDING", "The payment is not finished yet.")],
    }
    assert not models.Order.objects.exists()
    assert charges() == 0

    run(gql, "CheckoutEmailUpdate", {"token": str(checkout.token), "email": "ana@example.com"})
    assert start_payment(gql, checkout)["errors"] == []  # updates the unpaid payment
    gateway.outcome = "charged"
    placed = complete(gql, checkout)

    assert placed["errors"] == []
    assert placed["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert models.Order.objects.count() == 1
    assert charges() == 1


def test_completing_without_starting_the_payment_is_refused(gql):
    checkout = ready_checkout()

    payload = complete(gql, checkout)

    assert payload == {
        "order": None,
        "errors": [error(None, "PAYMENT_NOT_STARTED", "Start the payment first.")],
    }
    assert not models.Order.objects.exists()


def test_a_gateway_down_at_payment_start_is_retried_with_one_charge(gql):
    variant = stocked_variant(quantity=5)
    checkout = ready_checkout(lines=[(variant, 2)])
    gateway.unavailable = True

    down = start_payment(gql, checkout)

    assert down == {
        "payment": None,
        "checkout": None,
        "errors": [
            error(
                None,
                "GATEWAY_UNAVAILABLE",
                "The payment service did not answer. Please try again in a moment.",
            )
        ],
    }
    assert not models.Order.objects.exists()
    assert gateway.payments == {}

    gateway.unavailable = False
    assert start_payment(gql, checkout)["errors"] == []
    placed = complete(gql, checkout)

    assert placed["errors"] == []
    assert placed["order"]["paymentStatus"] == "FULLY_CHARGED"
    assert models.Order.objects.count() == 1
    assert models.Payment.objects.count() == 1
    assert len(gateway.payments) == 1
    assert charges() == 1
    assert Stock.objects.get(variant=variant).allocated == 2


def test_a_gateway_down_at_completion_is_retried_with_one_charge(gql):
    variant = stocked_variant(quantity=5)
    checkout = ready_checkout(lines=[(variant, 2)])
    assert start_payment(gql, checkout)["errors"] == []
    gateway.unavailable = True

    down = complete(gql, checkout)

    assert down == {
        "order": None,
        "errors": [
            error(
                None,
                "GATEWAY_UNAVAILABLE",
                "The payment service did not answer. Please try again in a moment.",
            )
        ],
    }
    assert not models.Order.objects.exists()
    assert charges() == 0
    assert Stock.objects.get(variant=variant).allocated == 0

    gateway.unavailable = False
    placed = complete(gql, checkout)
    again = complete(gql, checkout)

    assert placed["errors"] == []
    assert again["order"]["id"] == placed["order"]["id"]
    assert models.Order.objects.count() == 1
    assert charges() == 1
    assert Stock.objects.get(variant=variant).allocated == 2


def test_a_cart_changed_after_the_payment_started_places_no_order(gql):
    variant = stocked_variant(quantity=5)
    checkout = ready_checkout(lines=[(variant, 1)])
    assert start_payment(gql, checkout)["errors"] == []
    changed = run(
        gql, "CheckoutLinesAdd", {"token": str(checkout.token), "lines": lines((variant, 1))}
    )
    assert changed["errors"] == []

    payload = complete(gql, checkout)

    assert payload == {
        "order": None,
        "errors": [
            error(
                None,
                "PAYMENT_OUTDATED",
                "The cart changed after the payment started. Start the payment again.",
            )
        ],
    }
    assert not models.Order.objects.exists()
    assert charges() == 0
    assert Stock.objects.get(variant=variant).allocated == 0


# Signed-in customers.


def test_a_checkout_created_signed_in_belongs_to_the_customer(gql):
    customer = UserFactory(email="marta@example.com")
    variant = stocked_variant()

    payload = run(gql, "CheckoutCreate", {"lines": lines((variant, 1))}, user=customer)

    assert payload["errors"] == []
    assert payload["checkout"]["email"] == "marta@example.com"
    checkout = models.Checkout.objects.get()
    assert str(checkout.token) == payload["checkout"]["token"]
    assert (checkout.user_id, checkout.email) == (customer.pk, "marta@example.com")


def test_signing_in_merges_the_anonymous_cart_into_the_customers_cart(gql):
    customer = UserFactory()
    shared, other = stocked_variant(), stocked_variant()
    own = services.checkout_create(user=customer, lines=[(shared, 1)])
    anonymous = services.checkout_create(user=None, lines=[(shared, 2), (other, 1)])

    payload = run(gql, "CheckoutCustomerAttach", {"token": str(anonymous.token)}, user=customer)

    assert payload["errors"] == []
    assert payload["checkout"]["token"] == str(own.token)
    assert [
        (line["variant"]["sku"], line["quantity"]) for line in payload["checkout"]["lines"]
    ] == [
        (shared.sku, 3),
        (other.sku, 1),
    ]
    assert list(models.Checkout.objects.values_list("pk", flat=True)) == [own.pk]
    assert cart(own) == {shared.pk: 3, other.pk: 1}


def test_signing_in_adopts_the_anonymous_cart_when_the_customer_has_none(gql):
    customer = UserFactory(email="marta@example.com")
    variant = stocked_variant()
    anonymous = services.checkout_create(user=None, lines=[(variant, 2)])

    payload = run(gql, "CheckoutCustomerAttach", {"token": str(anonymous.token)}, user=customer)

    assert payload["errors"] == []
    assert payload["checkout"]["token"] == str(anonymous.token)
    assert payload["checkout"]["email"] == "marta@example.com"
    row = models.Checkout.objects.get()
    assert (row.pk, row.user_id, row.email) == (anonymous.pk, customer.pk, "marta@example.com")
    assert cart(row) == {variant.pk: 2}


@override_settings(SHOP_MAX_CHECKOUT_LINES=2)
def test_signing_in_refuses_to_merge_carts_beyond_the_lines_limit(gql):
    customer = UserFactory()
    first, second, third = stocked_variant(), stocked_variant(), stocked_variant()
    own = services.checkout_create(user=customer, lines=[(first, 1), (second, 1)])
    anonymous = services.checkout_create(user=None, lines=[(third, 1)])
    before = (state(own), state(anonymous))

    payload = run(gql, "CheckoutCustomerAttach", {"token": str(anonymous.token)}, user=customer)

    assert payload == {
        "checkout": None,
        "errors": [
            error("lines", "TOO_MANY_LINES", "A cart holds at most %(limit)d lines.", limit=2)
        ],
    }
    assert (state(own), state(anonymous)) == before


def test_attaching_a_checkout_needs_a_signed_in_customer(gql):
    anonymous = services.checkout_create(user=None, lines=[(stocked_variant(), 1)])
    before = state(anonymous)

    body = gql(
        operation("storefront/CheckoutCustomerAttach"), {"input": {"token": str(anonymous.token)}}
    )

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert state(anonymous) == before
