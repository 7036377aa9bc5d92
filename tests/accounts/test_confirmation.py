"""Account confirmation (accountRegister's e-mail, accountConfirm,
sendConfirmationEmail, User.isConfirmed), what an unconfirmed account may do,
and guest orders that stay guest orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail

from orders import models as order_models
from shop.accounts import recovery
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from shop.outbox.models import Message
from tests.accounts import portal_tokens
from tests.accounts.recovery_helpers import STOREFRONT, call, link_in, link_params
from tests.accounts.utils import bearer, db_state
from tests.factories import PASSWORD, UserFactory
from tests.factories.orders import gid, place_order, ready_checkout
from tests.operations import operation

pytestmark = pytest.mark.django_db

CONFIRM_URL = STOREFRONT + "#/confirm"


@pytest.fixture(autouse=True)
def _origins(settings: Any) -> None:
    settings.SHOP_STOREFRONT_URL = STOREFRONT
    settings.PORTAL_ORIGINS = ["https://oficina.example"]


def _register(gql, capture, email="ana@example.com", **extra):
    return call(
        gql,
        "AccountRegister",
        {"email": email, "password": PASSWORD, "languageCode": "EN", **extra},
        capture,
    )


def _confirm(gql, capture, email, token, **kwargs):
    return call(gql, "AccountConfirm", {"email": email, "token": token}, capture, **kwargs)


def _invalid_token():
    return [
        {
            "field": "token",
            "code": "INVALID_TOKEN",
            "message": "This link is invalid or has expired.",
        }
    ]


def test_registration_e_mails_a_confirmation_link(gql, django_capture_on_commit_callbacks):
    # when
    payload = _register(gql, django_capture_on_commit_callbacks)

    # then
    assert payload["errors"] == []
    assert payload["user"]["isConfirmed"] is False
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == "Confirm your e-mail address"
    assert "The link works for 7 days." in message.body
    url = link_in(message)
    assert url.startswith(CONFIRM_URL + "?email=ana%40example.com&token=")
    assert User.objects.get().confirmed_at is None


def test_the_confirmation_link_confirms_the_account(gql, django_capture_on_commit_callbacks):
    # given
    _register(gql, django_capture_on_commit_callbacks)
    params = link_params(link_in(mail.outbox[0]))
    user = User.objects.get()

    # when: clicked in a browser where the customer is signed in
    payload = _confirm(gql, django_capture_on_commit_callbacks, **params, user=user)

    # then
    user.refresh_from_db()
    assert payload == {
        "user": {"id": payload["user"]["id"], "email": "ana@example.com", "isConfirmed": True},
        "errors": [],
    }
    assert user.confirmed_at is not None
    assert gql(operation("storefront/Me"), user=user)["data"]["me"]["isConfirmed"] is True


def test_confirming_without_signing_in_shows_no_account_data(
    gql, django_capture_on_commit_callbacks
):
    # given
    _register(gql, django_capture_on_commit_callbacks)
    params = link_params(link_in(mail.outbox[0]))

    # when
    payload = _confirm(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert payload == {"user": None, "errors": []}
    assert User.objects.get().is_confirmed


def test_a_second_click_is_harmless(gql, django_capture_on_commit_callbacks):
    # given
    _register(gql, django_capture_on_commit_callbacks)
    params = link_params(link_in(mail.outbox[0]))
    assert _confirm(gql, django_capture_on_commit_callbacks, **params)["errors"] == []
    before = db_state()

    # when
    again = _confirm(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert again == {"user": None, "errors": []}
    assert db_state() == before


def test_signing_in_before_clicking_does_not_spoil_the_link(
    gql, django_capture_on_commit_callbacks
):
    # given
    _register(gql, django_capture_on_commit_callbacks)
    params = link_params(link_in(mail.outbox[0]))
    signed_in = call(
        gql,
        "TokenCreate",
        {"email": "ana@example.com", "password": PASSWORD},
        django_capture_on_commit_callbacks,
    )
    assert signed_in["errors"] == []

    # when
    payload = _confirm(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert payload["errors"] == []
    assert User.objects.get().is_confirmed


@pytest.mark.parametrize("case", ["wrong token", "other purpose", "other account", "unknown"])
def test_a_bad_confirmation_changes_nothing(gql, django_capture_on_commit_callbacks, case):
    # given
    ana = UserFactory(email="ana@example.com")
    eva = UserFactory(email="eva@example.com")
    email, token = {
        "wrong token": ("ana@example.com", "abc-123"),
        "other purpose": ("ana@example.com", recovery.reset_tokens.make_token(ana)),
        "other account": ("ana@example.com", recovery.confirmation_tokens.make_token(eva)),
        "unknown": ("nobody@example.com", recovery.confirmation_tokens.make_token(ana)),
    }[case]
    before = db_state()

    # when
    payload = _confirm(gql, django_capture_on_commit_callbacks, email, token)

    # then
    assert payload == {"user": None, "errors": _invalid_token()}
    assert db_state() == before


def test_a_confirmation_link_expires(
    gql, django_capture_on_commit_callbacks, monkeypatch, settings
):
    # given
    _register(gql, django_capture_on_commit_callbacks)
    params = link_params(link_in(mail.outbox[0]))
    later = datetime.now() + timedelta(seconds=settings.ACCOUNT_CONFIRMATION_TIMEOUT + 1)
    monkeypatch.setattr(recovery.ConfirmationTokens, "_now", lambda _self: later)
    before = db_state()

    # when
    payload = _confirm(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert payload["errors"] == _invalid_token()
    assert db_state() == before


def test_a_foreign_redirect_url_refuses_the_registration(gql, django_capture_on_commit_callbacks):
    # when
    payload = _register(
        gql, django_capture_on_commit_callbacks, redirectUrl="https://evil.example/confirm"
    )

    # then
    assert payload == {
        "user": None,
        "errors": [
            {
                "field": "redirectUrl",
                "code": "INVALID_REDIRECT_URL",
                "message": "This URL is not one of the shop's.",
            }
        ],
    }
    assert User.objects.count() == 0
    assert Message.objects.count() == 0
    assert mail.outbox == []


def test_the_confirmation_link_may_lead_to_the_portal(gql, django_capture_on_commit_callbacks):
    # when
    _register(
        gql, django_capture_on_commit_callbacks, redirectUrl="https://oficina.example/confirmar"
    )

    # then
    assert link_in(mail.outbox[0]).startswith(
        "https://oficina.example/confirmar?email=ana%40example.com&token="
    )


def test_the_link_can_be_sent_again(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")

    # when
    payload = call(gql, "SendConfirmationEmail", {}, django_capture_on_commit_callbacks, user=user)

    # then
    assert payload == {"errors": []}
    params = link_params(link_in(mail.outbox[0]))
    assert _confirm(gql, django_capture_on_commit_callbacks, **params)["errors"] == []


def test_a_confirmed_account_is_sent_no_second_link(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    User.objects.filter(pk=user.pk).update(confirmed_at="2026-01-01T00:00:00Z")
    user.refresh_from_db()

    # when
    payload = call(gql, "SendConfirmationEmail", {}, django_capture_on_commit_callbacks, user=user)

    # then
    assert payload == {"errors": []}
    assert mail.outbox == []


def test_portal_customers_are_confirmed_by_the_portal(
    gql, django_capture_on_commit_callbacks, settings
):
    # given
    settings.PORTAL_JWKS_URL = ""
    settings.PORTAL_JWT_SECRET = portal_tokens.SECRET
    settings.PORTAL_JWT_ISSUER = portal_tokens.ISSUER
    settings.PORTAL_JWT_AUDIENCE = portal_tokens.AUDIENCE
    token = portal_tokens.hs256(portal_tokens.claims(sub="p-77", email="portal@example.com"))

    # when
    payload = call(gql, "PortalSignIn", {"portalToken": token}, django_capture_on_commit_callbacks)

    # then
    assert payload["errors"] == []
    assert User.objects.get(portal_subject="p-77").is_confirmed


# -- what an unconfirmed account may do -------------------------------------------


def _start(gql, checkout, user):
    return gql(
        operation("storefront/CheckoutPaymentStart"),
        {"input": {"token": str(checkout.token), "method": "CARD"}},
        user=user,
    )["data"]["checkoutPaymentStart"]


def _complete(gql, checkout, user):
    return gql(
        operation("storefront/CheckoutComplete"),
        {"input": {"token": str(checkout.token)}},
        user=user,
    )["data"]["checkoutComplete"]


NOT_CONFIRMED = [
    {
        "field": None,
        "code": "ACCOUNT_NOT_CONFIRMED",
        "message": "Confirm your e-mail address before buying: follow the link we sent you.",
    }
]


def test_unconfirmed_customers_may_buy_by_default(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    checkout = ready_checkout(user=user, email=user.email)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        started = _start(gql, checkout, user)
        completed = _complete(gql, checkout, user)

    # then
    assert started["errors"] == []
    assert completed["errors"] == []
    assert order_models.Order.objects.get().user == user


def test_when_they_may_not_payment_start_is_refused(gql, settings):
    # given
    settings.ACCOUNT_UNCONFIRMED_MAY_BUY = False
    user = UserFactory(email="ana@example.com")
    checkout = ready_checkout(user=user, email=user.email)

    # when
    started = _start(gql, checkout, user)

    # then
    assert started["errors"] == NOT_CONFIRMED
    assert started["payment"] is None
    assert order_models.Payment.objects.count() == 0


def test_when_they_may_not_checkout_complete_is_refused(
    gql, settings, django_capture_on_commit_callbacks
):
    # given: paid before the setting changed
    user = UserFactory(email="ana@example.com")
    checkout = ready_checkout(user=user, email=user.email)
    assert _start(gql, checkout, user)["errors"] == []
    settings.ACCOUNT_UNCONFIRMED_MAY_BUY = False
    payments = list(order_models.Payment.objects.values("pk", "status", "amount"))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        completed = _complete(gql, checkout, user)

    # then: nothing placed, nothing given back: the payment waits for the confirmation
    assert completed == {"order": None, "errors": NOT_CONFIRMED}
    assert order_models.Order.objects.count() == 0
    assert list(order_models.Payment.objects.values("pk", "status", "amount")) == payments

    # when the customer confirms
    User.objects.filter(pk=user.pk).update(confirmed_at="2026-01-01T00:00:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        completed = _complete(gql, checkout, user)

    # then
    assert completed["errors"] == []
    assert order_models.Order.objects.get().user_id == user.pk


def test_guests_and_confirmed_customers_buy_when_unconfirmed_ones_may_not(
    gql, settings, django_capture_on_commit_callbacks
):
    # given
    settings.ACCOUNT_UNCONFIRMED_MAY_BUY = False
    confirmed = UserFactory(email="eva@example.com")
    User.objects.filter(pk=confirmed.pk).update(confirmed_at="2026-01-01T00:00:00Z")
    confirmed.refresh_from_db()
    guest_checkout = ready_checkout(email="guest@example.com")
    customer_checkout = ready_checkout(user=confirmed, email=confirmed.email)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        results = [
            (_start(gql, checkout, user)["errors"], _complete(gql, checkout, user)["errors"])
            for checkout, user in ((guest_checkout, None), (customer_checkout, confirmed))
        ]

    # then
    assert results == [([], []), ([], [])]
    assert order_models.Order.objects.count() == 2


# -- guest orders are never attached by e-mail ---------------------------------------


def test_guest_orders_with_the_same_e_mail_stay_guest_orders(
    gql, django_capture_on_commit_callbacks
):
    """Saleor CVE-2026-44472: registering (or confirming, or signing in with) an
    address must not hand over the guest orders placed with it."""
    # given
    with django_capture_on_commit_callbacks(execute=True):
        guest_order = place_order(email="ana@example.com")
    assert guest_order.user_id is None

    # when: the address is registered, confirmed and signed in with
    _register(gql, django_capture_on_commit_callbacks)
    params = link_params(link_in(mail.outbox[-1]))
    assert _confirm(gql, django_capture_on_commit_callbacks, **params)["errors"] == []
    signed_in = call(
        gql,
        "TokenCreate",
        {"email": "ana@example.com", "password": PASSWORD},
        django_capture_on_commit_callbacks,
    )

    # then
    guest_order.refresh_from_db()
    assert guest_order.user_id is None
    orders = gql(operation("storefront/MyOrders"), headers=bearer(signed_in["token"]))
    assert orders["data"]["me"]["orders"]["totalCount"] == 0
    user = User.objects.get(email="ana@example.com")
    assert gql(
        "query($id: ID!) { order(id: $id) { number } }",
        {"id": _order_id(guest_order)},
        headers=bearer(create_token(user, "access")),
    )["data"] == {"order": None}


def _order_id(order: order_models.Order) -> str:
    return gid("Order", order.pk)
