"""Consent: the legal texts accepted at registration and at checkout, recorded
with their version and time."""

from __future__ import annotations

import hashlib

import pytest

from orders import models as order_models
from orders import services as order_services
from shop.accounts.models import Consent, User
from shop.content.models import LegalPage
from tests.factories import PASSWORD, UserFactory
from tests.factories.orders import ready_checkout
from tests.operations import operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal() -> dict[str, LegalPage]:
    return {
        kind: LegalPage.objects.create(
            kind=kind, title=f"T {kind}", title_en=f"E {kind}", body=f"<p>{kind}</p>", body_en=""
        )
        for kind in (LegalPage.Kind.PRIVACY_POLICY, LegalPage.Kind.TERMS_OF_SALE)
    }


def _digest(page: LegalPage) -> str:
    text = "\x1f".join((page.title, page.body, page.title_en, page.body_en))
    return hashlib.sha256(text.encode()).hexdigest()


def _rows():
    return list(
        Consent.objects.order_by("document").values(
            "user_id", "email", "context", "reference", "document", "version", "digest"
        )
    )


def _register(gql, **flags):
    return gql(
        operation("storefront/AccountRegister"),
        {"input": {"email": "ana@example.com", "password": PASSWORD, **flags}},
    )["data"]["accountRegister"]


def test_registration_records_the_texts_accepted_as_they_read(gql, legal):
    # when
    payload = _register(gql, acceptPrivacyPolicy=True, acceptTermsOfSale=True)

    # then
    assert payload["errors"] == []
    user = User.objects.get()
    privacy, terms = legal[LegalPage.Kind.PRIVACY_POLICY], legal[LegalPage.Kind.TERMS_OF_SALE]
    assert _rows() == [
        {
            "user_id": user.pk,
            "email": "ana@example.com",
            "context": "registration",
            "reference": "",
            "document": "privacy_policy",
            "version": privacy.updated_at,
            "digest": _digest(privacy),
        },
        {
            "user_id": user.pk,
            "email": "ana@example.com",
            "context": "registration",
            "reference": "",
            "document": "terms_of_sale",
            "version": terms.updated_at,
            "digest": _digest(terms),
        },
    ]
    assert {consent.accepted_at for consent in Consent.objects.all()} == {
        Consent.objects.first().accepted_at
    }
    assert user.date_joined <= Consent.objects.first().accepted_at


def test_nothing_accepted_nothing_recorded(gql, legal):
    # when
    payload = _register(gql)

    # then
    assert payload["errors"] == []
    assert Consent.objects.count() == 0


def test_a_text_the_shop_has_not_published_cannot_be_accepted(gql, legal):
    # given
    legal[LegalPage.Kind.TERMS_OF_SALE].delete()

    # when
    payload = _register(gql, acceptPrivacyPolicy=True, acceptTermsOfSale=True)

    # then
    assert payload == {
        "user": None,
        "errors": [
            {
                "field": "acceptTermsOfSale",
                "code": "INVALID",
                "message": "The shop has not published this legal text.",
            }
        ],
    }
    assert User.objects.count() == 0
    assert Consent.objects.count() == 0


def test_a_later_edit_keeps_the_version_that_was_accepted(gql, legal):
    # given
    _register(gql, acceptPrivacyPolicy=True)
    accepted = Consent.objects.get()
    page = legal[LegalPage.Kind.PRIVACY_POLICY]
    old_digest = _digest(page)

    # when
    page.body = "<p>New wording.</p>"
    page.save()

    # then
    accepted.refresh_from_db()
    assert accepted.digest == old_digest != _digest(page)
    assert accepted.version < LegalPage.objects.get(pk=page.pk).updated_at


def _complete(gql, checkout, user=None, **flags):
    return gql(
        operation("storefront/CheckoutComplete"),
        {"input": {"token": str(checkout.token), **flags}},
        user=user,
    )["data"]["checkoutComplete"]


TERMS = [LegalPage.Kind.TERMS_OF_SALE]


def test_checkout_records_the_terms_accepted_with_the_order(
    gql, legal, django_capture_on_commit_callbacks
):
    # given: accepted when the payment started
    user = UserFactory(email="eva@example.com")
    checkout = ready_checkout(user=user, email=user.email)
    order_services.checkout_payment_start(checkout=checkout, method_code="card", accepted=TERMS)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        completed = _complete(gql, checkout, user, acceptTermsOfSale=True)
        again = _complete(gql, checkout, user, acceptTermsOfSale=True)

    # then: recorded once, with the order
    order = order_models.Order.objects.get()
    assert completed["errors"] == again["errors"] == []
    terms = legal[LegalPage.Kind.TERMS_OF_SALE]
    assert _rows() == [
        {
            "user_id": user.pk,
            "email": "eva@example.com",
            "context": "checkout",
            "reference": order.number,
            "document": "terms_of_sale",
            "version": terms.updated_at,
            "digest": _digest(terms),
        }
    ]


def test_terms_accepted_at_the_payment_start_are_recorded_when_the_webhook_places_it(
    legal, django_capture_on_commit_callbacks
):
    # given
    checkout = ready_checkout(email="guest@example.com")
    order_services.checkout_payment_start(checkout=checkout, method_code="card", accepted=TERMS)

    # when: placed with no word from the shopper (as the card webhook does)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_services.checkout_complete(checkout=checkout, actor=None)

    # then
    assert [(row["email"], row["document"], row["reference"]) for row in _rows()] == [
        ("guest@example.com", "terms_of_sale", order.number)
    ]


def test_a_guest_checkout_records_the_shoppers_address(
    gql, legal, django_capture_on_commit_callbacks
):
    # given
    checkout = ready_checkout(email="guest@example.com")
    order_services.checkout_payment_start(checkout=checkout, method_code="card", accepted=TERMS)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        completed = _complete(gql, checkout, acceptPrivacyPolicy=True)

    # then
    assert completed["errors"] == []
    assert [(row["user_id"], row["email"], row["document"]) for row in _rows()] == [
        (None, "guest@example.com", "privacy_policy"),
        (None, "guest@example.com", "terms_of_sale"),
    ]


def test_an_unpublished_text_refuses_the_checkout_before_the_payment_is_touched(
    gql, legal, django_capture_on_commit_callbacks
):
    # given
    checkout = ready_checkout(email="guest@example.com")
    order_services.checkout_payment_start(checkout=checkout, method_code="card", accepted=TERMS)
    legal[LegalPage.Kind.TERMS_OF_SALE].delete()
    payments = list(order_models.Payment.objects.values("pk", "status", "amount"))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        completed = _complete(gql, checkout, acceptTermsOfSale=True)

    # then
    assert completed["errors"] == [
        {
            "field": "acceptTermsOfSale",
            "code": "INVALID",
            "message": "The shop has not published this legal text.",
        }
    ]
    assert order_models.Order.objects.count() == 0
    assert list(order_models.Payment.objects.values("pk", "status", "amount")) == payments
    assert Consent.objects.count() == 0


def _start(gql, checkout, **flags):
    return gql(
        operation("storefront/CheckoutPaymentStart"),
        {"input": {"token": str(checkout.token), "method": "CARD", **flags}},
    )["data"]["checkoutPaymentStart"]


def test_no_payment_starts_before_published_terms_of_sale_are_accepted(
    gql, legal, django_capture_on_commit_callbacks
):
    # given
    checkout = ready_checkout(email="guest@example.com")
    version = checkout.version

    # when
    refused = _start(gql, checkout, acceptPrivacyPolicy=True)

    # then: nothing charged, reserved or kept
    assert [(error["field"], error["code"]) for error in refused["errors"]] == [
        ("acceptTermsOfSale", "REQUIRED")
    ]
    assert refused["payment"] is None
    assert order_models.Payment.objects.count() == 0
    assert order_models.Reservation.objects.count() == 0
    checkout.refresh_from_db()
    assert checkout.version == version

    # when: accepted at the start, placed without repeating it
    started = _start(gql, checkout, acceptTermsOfSale=True)
    with django_capture_on_commit_callbacks(execute=True):
        placed = _complete(gql, checkout)

    # then
    assert started["errors"] == placed["errors"] == []
    order = order_models.Order.objects.get()
    assert [(row["document"], row["reference"]) for row in _rows()] == [
        ("terms_of_sale", order.number)
    ]


def test_terms_published_after_the_payment_started_are_asked_for_at_completion(
    gql, legal, django_capture_on_commit_callbacks
):
    # given: the terms appeared after the payment started without them
    terms = legal[LegalPage.Kind.TERMS_OF_SALE]
    terms.delete()
    checkout = ready_checkout(email="guest@example.com")
    order_services.checkout_payment_start(checkout=checkout, method_code="card")
    LegalPage.objects.create(kind=terms.kind, title=terms.title, body=terms.body)
    payments = list(order_models.Payment.objects.values("pk", "status", "amount"))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        refused = _complete(gql, checkout, acceptPrivacyPolicy=True)

    # then: refused on the flag, nothing placed, recorded or given back
    assert [(error["field"], error["code"]) for error in refused["errors"]] == [
        ("acceptTermsOfSale", "REQUIRED")
    ]
    assert refused["order"] is None
    assert order_models.Order.objects.count() == 0
    assert order_models.Checkout.objects.filter(pk=checkout.pk).exists()
    assert list(order_models.Payment.objects.values("pk", "status", "amount")) == payments
    assert Consent.objects.count() == 0

    # when: the shopper accepts them
    with django_capture_on_commit_callbacks(execute=True):
        placed = _complete(gql, checkout, acceptTermsOfSale=True)

    # then
    assert placed["errors"] == []
    order = order_models.Order.objects.get()
    assert [(row["document"], row["reference"]) for row in _rows()] == [
        ("terms_of_sale", order.number)
    ]


def test_a_shop_without_terms_of_sale_places_orders_without_accepting_any(
    gql, legal, django_capture_on_commit_callbacks
):
    # given
    legal[LegalPage.Kind.TERMS_OF_SALE].delete()
    checkout = ready_checkout(email="guest@example.com")

    # when
    started = _start(gql, checkout)
    with django_capture_on_commit_callbacks(execute=True):
        placed = _complete(gql, checkout)

    # then
    assert started["errors"] == placed["errors"] == []
    assert order_models.Order.objects.count() == 1
    assert Consent.objects.count() == 0
