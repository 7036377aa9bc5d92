"""E-mail change: requestEmailChange then confirmEmailChange, the new address
proving itself and the old one told."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail, signing

from shop.accounts import recovery
from shop.accounts.models import User
from shop.outbox.models import Message
from tests.accounts.recovery_helpers import (
    EMAIL_CHANGE_URL,
    STOREFRONT,
    call,
    link_in,
    link_params,
)
from tests.accounts.utils import db_state
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _origins(settings: Any) -> None:
    settings.SHOP_STOREFRONT_URL = STOREFRONT
    settings.PORTAL_ORIGINS = []


def _request(gql, capture, user, new_email="ana.new@example.com", password=PASSWORD, **extra):
    return call(
        gql,
        "RequestEmailChange",
        {
            "newEmail": new_email,
            "password": password,
            "redirectUrl": EMAIL_CHANGE_URL,
            **extra,
        },
        capture,
        user=user,
    )


def _confirm(gql, capture, token, **kwargs):
    return call(gql, "ConfirmEmailChange", {"token": token}, capture, **kwargs)


def _token_sent() -> str:
    (message,) = mail.outbox
    return link_params(link_in(message))["token"]


def test_the_new_address_proves_itself_and_the_old_one_is_told(
    gql, django_capture_on_commit_callbacks
):
    # given
    user = UserFactory(email="ana@example.com", language_code="en")

    # when
    requested = _request(gql, django_capture_on_commit_callbacks, user)

    # then: the link goes to the new address; nothing has changed yet
    assert requested == {
        "user": {"id": requested["user"]["id"], "email": "ana@example.com"},
        "errors": [],
    }
    (message,) = mail.outbox
    assert message.to == ["ana.new@example.com"]
    assert message.subject == "Confirm your new e-mail address"
    assert link_in(message).startswith(EMAIL_CHANGE_URL + "?token=")
    assert User.objects.get(pk=user.pk).email == "ana@example.com"
    token = _token_sent()
    mail.outbox.clear()

    # when
    confirmed = _confirm(gql, django_capture_on_commit_callbacks, token, user=user)

    # then
    user.refresh_from_db()
    assert confirmed == {
        "user": {
            "id": requested["user"]["id"],
            "email": "ana.new@example.com",
            "isConfirmed": True,
        },
        "errors": [],
    }
    assert user.email == "ana.new@example.com"
    (notice,) = mail.outbox
    assert notice.to == ["ana@example.com"]
    assert notice.subject == "The e-mail address of your account has changed"
    assert "from ana@example.com to ana.new@example.com" in notice.body


def test_an_email_change_token_is_single_use(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    _request(gql, django_capture_on_commit_callbacks, user)
    token = _token_sent()
    assert _confirm(gql, django_capture_on_commit_callbacks, token)["errors"] == []
    before = db_state()

    # when
    again = _confirm(gql, django_capture_on_commit_callbacks, token)

    # then
    assert again["errors"] == [
        {
            "field": "token",
            "code": "INVALID_TOKEN",
            "message": "This link is invalid or has expired.",
        }
    ]
    assert db_state() == before


def test_a_password_change_spoils_a_pending_email_change(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    _request(gql, django_capture_on_commit_callbacks, user)
    token = _token_sent()
    user.set_password("another-fine-secret-7")
    user.save()
    before = db_state()

    # when
    payload = _confirm(gql, django_capture_on_commit_callbacks, token)

    # then
    assert payload["errors"][0]["code"] == "INVALID_TOKEN"
    assert db_state() == before


@pytest.mark.parametrize("case", ["forged", "expired", "tampered address"])
def test_a_bad_email_change_token_changes_nothing(
    gql, django_capture_on_commit_callbacks, monkeypatch, settings, case
):
    # given
    user = UserFactory(email="ana@example.com")
    token = recovery.email_change_token(user, "ana.new@example.com")
    if case == "forged":
        token = signing.dumps(
            {"user": user.pk, "email": "x@example.com", "check": "1-2"},
            salt=recovery.EMAIL_CHANGE_SALT,
        )
    elif case == "expired":
        settings.EMAIL_CHANGE_TIMEOUT = -1
    else:
        data = signing.loads(token, salt=recovery.EMAIL_CHANGE_SALT)
        data["email"] = "attacker@example.com"
        token = signing.dumps(data, salt="another salt")
    before = db_state()

    # when
    body = _confirm(gql, django_capture_on_commit_callbacks, token)

    # then
    assert body["errors"][0]["code"] == "INVALID_TOKEN"
    assert db_state() == before
    assert mail.outbox == []


def test_a_wrong_password_sends_nothing(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")

    # when
    payload = _request(gql, django_capture_on_commit_callbacks, user, password="not-it")

    # then
    assert payload["errors"] == [
        {
            "field": "password",
            "code": "INVALID_CREDENTIALS",
            "message": "The password is not right.",
        }
    ]
    assert Message.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("new_email", "code", "message"),
    [
        ("EVA@example.com", "UNIQUE", "An account with this e-mail already exists."),
        ("ana@example.com", "INVALID", "This is already your e-mail address."),
        ("not an address", "INVALID", "Enter a valid e-mail address."),
    ],
)
def test_a_taken_or_bad_new_address_is_refused(
    gql, django_capture_on_commit_callbacks, new_email, code, message
):
    # given
    user = UserFactory(email="ana@example.com")
    UserFactory(email="eva@example.com")

    # when
    payload = _request(gql, django_capture_on_commit_callbacks, user, new_email=new_email)

    # then
    assert payload["errors"] == [{"field": "newEmail", "code": code, "message": message}]
    assert Message.objects.count() == 0


def test_an_address_taken_meanwhile_is_refused_at_confirmation(
    gql, django_capture_on_commit_callbacks
):
    # given
    user = UserFactory(email="ana@example.com")
    _request(gql, django_capture_on_commit_callbacks, user)
    token = _token_sent()
    UserFactory(email="ana.new@example.com")
    before = db_state()

    # when
    payload = _confirm(gql, django_capture_on_commit_callbacks, token)

    # then
    assert payload == {
        "user": None,
        "errors": [
            {
                "field": "token",
                "code": "UNIQUE",
                "message": "An account with this e-mail already exists.",
            }
        ],
    }
    assert db_state() == before


def test_a_foreign_redirect_url_is_refused(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")

    # when
    payload = _request(
        gql, django_capture_on_commit_callbacks, user, redirectUrl="https://evil.example/"
    )

    # then
    assert payload["errors"][0]["field"] == "redirectUrl"
    assert payload["errors"][0]["code"] == "INVALID_REDIRECT_URL"
    assert Message.objects.count() == 0


def test_portal_customers_change_their_address_in_the_portal(
    gql, django_capture_on_commit_callbacks
):
    # given
    user = UserFactory(email="portal@example.com", portal_subject="p-1")
    before = db_state()

    # when
    payload = _request(gql, django_capture_on_commit_callbacks, user)

    # then
    assert payload["errors"] == [
        {
            "field": None,
            "code": "PORTAL_MANAGED",
            "message": "Your e-mail address is managed by the customer portal; change it there.",
        }
    ]
    assert db_state() == before
    assert Message.objects.count() == 0
