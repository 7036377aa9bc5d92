"""Password reset (requestPasswordReset, setPassword) and passwordChange, through
/graphql/ with the storefront's documents; and the revocation of every earlier
token by a password change."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import base_user
from django.contrib.auth import tokens as django_tokens
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.accounts import recovery
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from shop.outbox.models import Message
from tests.accounts.recovery_helpers import RESET_URL, STOREFRONT, call, link_in, link_params
from tests.accounts.utils import bearer, db_state
from tests.factories import PASSWORD, UserFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-secret-42"


@pytest.fixture(autouse=True)
def _origins(settings: Any) -> None:
    settings.SHOP_STOREFRONT_URL = STOREFRONT
    settings.PORTAL_ORIGINS = ["https://oficina.example"]


def _request(gql, capture, email, redirect_url=RESET_URL, **kwargs):
    return call(
        gql,
        "RequestPasswordReset",
        {"email": email, "redirectUrl": redirect_url},
        capture,
        **kwargs,
    )


def _reset_link(gql, capture, user) -> dict[str, str]:
    mail.outbox.clear()
    assert _request(gql, capture, user.email) == {"errors": []}
    assert [message.to for message in mail.outbox] == [[user.email]]
    return link_params(link_in(mail.outbox[0]))


def _set_password(gql, capture, email, token, password=NEW_PASSWORD):
    return call(gql, "SetPassword", {"email": email, "token": token, "password": password}, capture)


def _invalid_token() -> list[dict[str, str]]:
    return [
        {
            "field": "token",
            "code": "INVALID_TOKEN",
            "message": "This link is invalid or has expired.",
        }
    ]


def test_a_reset_link_sets_a_new_password_and_signs_in(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com", language_code="en")

    # when
    body = _request(gql, django_capture_on_commit_callbacks, "  ANA@example.com ")

    # then: one e-mail in English with a link on the storefront's reset page
    assert body == {"errors": []}
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == "Choose a new password"
    assert "The link works once, for 1 hour." in message.body
    url = link_in(message)
    assert url.startswith(RESET_URL + "?email=ana%40example.com&token=")
    params = link_params(url)
    assert params["email"] == "ana@example.com"

    # when
    payload = _set_password(gql, django_capture_on_commit_callbacks, **params)

    # then
    user.refresh_from_db()
    assert payload["errors"] == []
    assert payload["user"]["email"] == "ana@example.com"
    assert payload["user"]["isConfirmed"] is True  # the link proved the address
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    me = gql("{ me { email } }", headers=bearer(payload["token"]))
    assert me == {"data": {"me": {"email": "ana@example.com"}}}


def test_the_reset_e_mail_speaks_the_users_language(gql, django_capture_on_commit_callbacks):
    # given
    UserFactory(email="ana@example.com", language_code="es")

    # when
    _request(gql, django_capture_on_commit_callbacks, "ana@example.com")

    # then
    (message,) = mail.outbox
    assert message.body.startswith("Hola:\n")  # a string the catalogue has already
    alternative, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'lang="es"' in alternative


def test_a_reset_token_is_single_use(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    params = _reset_link(gql, django_capture_on_commit_callbacks, user)
    assert _set_password(gql, django_capture_on_commit_callbacks, **params)["errors"] == []
    before = db_state()

    # when
    payload = _set_password(gql, django_capture_on_commit_callbacks, **params, password="x" * 20)

    # then
    assert payload == {
        "token": None,
        "refreshToken": None,
        "user": None,
        "errors": _invalid_token(),
    }
    assert db_state() == before


def test_a_reset_token_expires(gql, django_capture_on_commit_callbacks, monkeypatch, settings):
    # given
    user = UserFactory(email="ana@example.com")
    params = _reset_link(gql, django_capture_on_commit_callbacks, user)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    monkeypatch.setattr(recovery.PasswordResetTokens, "_now", lambda _self: later)
    before = db_state()

    # when
    payload = _set_password(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert payload["errors"] == _invalid_token()
    assert db_state() == before


def test_a_reset_token_still_works_just_before_it_expires(
    gql, django_capture_on_commit_callbacks, monkeypatch, settings
):
    # given
    user = UserFactory(email="ana@example.com")
    params = _reset_link(gql, django_capture_on_commit_callbacks, user)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 5)
    monkeypatch.setattr(recovery.PasswordResetTokens, "_now", lambda _self: later)

    # when
    payload = _set_password(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert payload["errors"] == []


def test_a_sign_in_after_the_request_spoils_the_reset_token(
    gql, django_capture_on_commit_callbacks
):
    # given
    user = UserFactory(email="ana@example.com")
    params = _reset_link(gql, django_capture_on_commit_callbacks, user)
    signed_in = call(
        gql,
        "TokenCreate",
        {"email": user.email, "password": PASSWORD},
        django_capture_on_commit_callbacks,
    )
    assert signed_in["errors"] == []
    before = db_state()

    # when
    payload = _set_password(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert payload["errors"] == _invalid_token()
    assert db_state() == before


def test_a_password_change_after_the_request_spoils_the_reset_token(
    gql, django_capture_on_commit_callbacks
):
    # given
    user = UserFactory(email="ana@example.com")
    params = _reset_link(gql, django_capture_on_commit_callbacks, user)
    changed = call(
        gql,
        "PasswordChange",
        {"oldPassword": PASSWORD, "newPassword": "another-fine-secret-7"},
        django_capture_on_commit_callbacks,
        user=user,
    )
    assert changed["errors"] == []
    before = db_state()

    # when
    payload = _set_password(gql, django_capture_on_commit_callbacks, **params)

    # then
    assert payload["errors"] == _invalid_token()
    assert db_state() == before


def test_a_token_of_another_purpose_or_account_does_not_reset(
    gql, django_capture_on_commit_callbacks
):
    # given
    ana = UserFactory(email="ana@example.com")
    eva = UserFactory(email="eva@example.com")
    confirmation = recovery.confirmation_tokens.make_token(ana)
    change = recovery.email_change_tokens.make_token(ana)
    django_default = django_tokens.default_token_generator.make_token(ana)
    evas = recovery.reset_tokens.make_token(eva)
    before = db_state()

    # when
    payloads = [
        _set_password(gql, django_capture_on_commit_callbacks, ana.email, token)
        for token in (confirmation, change, django_default, evas, "", "zz-zz", "nonsense")
    ]

    # then
    assert [payload["errors"] for payload in payloads] == [_invalid_token()] * 7
    assert db_state() == before


def test_set_password_reports_the_validators_messages(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    params = _reset_link(gql, django_capture_on_commit_callbacks, user)
    before = db_state()

    # when
    payload = _set_password(gql, django_capture_on_commit_callbacks, **params, password="1234")

    # then
    assert payload["errors"] == [
        {
            "field": "password",
            "code": "PASSWORD_TOO_SHORT",
            "message": "This password is too short. It must contain at least 8 characters.",
        },
        {
            "field": "password",
            "code": "PASSWORD_TOO_COMMON",
            "message": "This password is too common.",
        },
        {
            "field": "password",
            "code": "PASSWORD_ENTIRELY_NUMERIC",
            "message": "This password is entirely numeric.",
        },
    ]
    assert db_state() == before
    # the token was not spent by the refusal
    assert _set_password(gql, django_capture_on_commit_callbacks, **params)["errors"] == []


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(
    gql, django_capture_on_commit_callbacks
):
    # given
    UserFactory(email="ana@example.com")

    # when
    known = _request(gql, django_capture_on_commit_callbacks, "ana@example.com")
    unknown = _request(gql, django_capture_on_commit_callbacks, "nobody@example.com")

    # then
    assert known == unknown == {"errors": []}
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]


def _shape(sql: str, email: str) -> str:
    """A query with its address, times and savepoint names blanked."""
    sql = sql.replace(email, "?")
    sql = re.sub(r"\d{4}-\d\d-\d\d[ T][\d:.+]+", "<time>", sql)
    return re.sub(r'"s\d+_x\d+"', "<savepoint>", sql)


class _Counter:
    """Counts the calls of the password hasher and of the token HMAC."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: dict[str, int] = {"make_password": 0, "check_password": 0, "token_hmac": 0}
        for module, name, key in (
            (base_user, "make_password", "make_password"),
            (base_user, "check_password", "check_password"),
            (django_tokens, "salted_hmac", "token_hmac"),
        ):
            monkeypatch.setattr(module, name, self._wrap(getattr(module, name), key))

    def _wrap(self, function: Any, key: str) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[key] += 1
            return function(*args, **kwargs)

        return counted


def test_known_and_unknown_addresses_cost_the_request_the_same_work(
    gql, django_capture_on_commit_callbacks, monkeypatch
):
    """No enumeration by timing: the request does the same hashing (none: the
    token is made by the outbox task) and the same queries on both paths."""
    # given
    UserFactory(email="ana@example.com")
    UserFactory(email="portal@example.com", portal_subject="p-1")
    counter = _Counter(monkeypatch)
    work = {}

    # when
    for email in ("ana@example.com", "nobody@example.com", "portal@example.com"):
        counter.calls = dict.fromkeys(counter.calls, 0)
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as owed,
        ):
            body = gql(
                operation("storefront/RequestPasswordReset"),
                {"input": {"email": email, "redirectUrl": RESET_URL}},
            )
        assert body == {"data": {"requestPasswordReset": {"errors": []}}}
        work[email] = (
            dict(counter.calls),
            [_shape(query["sql"], email) for query in queries.captured_queries],
            len(owed),
        )

    # then
    assert work["ana@example.com"] == work["nobody@example.com"] == work["portal@example.com"]
    assert [message.kwargs["email"] for message in Message.objects.order_by("pk")] == [
        "ana@example.com",
        "nobody@example.com",
        "portal@example.com",
    ]
    assert mail.outbox == []


def test_the_task_hashes_only_for_a_known_account(
    gql, django_capture_on_commit_callbacks, monkeypatch
):
    """What differs between the paths runs in the outbox task, after the answer."""
    # given
    UserFactory(email="ana@example.com")
    counter = _Counter(monkeypatch)

    # when
    for email in ("ana@example.com", "nobody@example.com"):
        recovery.password_reset_request(email=email, redirect_url=RESET_URL, ip="1.2.3.4")

    # then: no hashing before the e-mail task runs
    assert counter.calls == {"make_password": 0, "check_password": 0, "token_hmac": 0}


def test_portal_customers_and_deactivated_accounts_get_no_reset_e_mail(
    gql, django_capture_on_commit_callbacks
):
    # given
    UserFactory(email="portal@example.com", portal_subject="p-1")
    UserFactory(email="gone@example.com", is_active=False)

    # when
    answers = [
        _request(gql, django_capture_on_commit_callbacks, email)
        for email in ("portal@example.com", "gone@example.com")
    ]

    # then
    assert answers == [{"errors": []}, {"errors": []}]
    assert mail.outbox == []


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/storefront/#/reset-password",
        "http://127.0.0.1:8000.evil.example/storefront/",
        "http://user@127.0.0.1:8000/storefront/",
        "https://127.0.0.1:8000/storefront/",  # another scheme is another origin
        "javascript:alert(1)",
        "//evil.example/",
        "",
    ],
)
def test_a_redirect_url_off_the_shops_origins_is_refused(
    gql, django_capture_on_commit_callbacks, url
):
    # given
    UserFactory(email="ana@example.com")

    # when
    body = _request(gql, django_capture_on_commit_callbacks, "ana@example.com", redirect_url=url)

    # then
    assert body == {
        "errors": [
            {
                "field": "redirectUrl",
                "code": "INVALID_REDIRECT_URL",
                "message": "This URL is not one of the shop's.",
            }
        ]
    }
    assert Message.objects.count() == 0
    assert mail.outbox == []


def test_the_portals_origin_may_receive_the_link(gql, django_capture_on_commit_callbacks):
    # given
    UserFactory(email="ana@example.com")

    # when
    body = _request(
        gql,
        django_capture_on_commit_callbacks,
        "ana@example.com",
        redirect_url="https://oficina.example/tienda/restablecer?from=shop",
    )

    # then
    assert body == {"errors": []}
    url = link_in(mail.outbox[0])
    assert url.startswith(
        "https://oficina.example/tienda/restablecer?from=shop&email=ana%40example.com&token="
    )


def test_reset_requests_are_throttled_per_address(
    gql, django_capture_on_commit_callbacks, settings
):
    # given
    settings.RECOVERY_THROTTLE_MAX_PER_ADDRESS = 2
    UserFactory(email="ana@example.com")

    # when
    answers = {
        email: [_request(gql, django_capture_on_commit_callbacks, email) for _ in range(3)]
        for email in ("ana@example.com", "nobody@example.com")
    }

    # then: known and unknown addresses are refused alike, the third time
    refused = {
        "errors": [
            {
                "field": None,
                "code": "TOO_MANY_ATTEMPTS",
                "message": "Too many requests. Try again later.",
            }
        ]
    }
    assert (
        answers["ana@example.com"]
        == answers["nobody@example.com"]
        == [
            {"errors": []},
            {"errors": []},
            refused,
        ]
    )
    assert len(mail.outbox) == 2
    assert Message.objects.count() == 4


def test_reset_requests_are_throttled_per_ip(gql, django_capture_on_commit_callbacks, settings):
    # given
    settings.RECOVERY_THROTTLE_MAX_PER_IP = 2
    settings.TRUSTED_PROXIES = 1
    one = {"X-Forwarded-For": "203.0.113.7"}
    other = {"X-Forwarded-For": "198.51.100.9"}

    # when
    codes = [
        [
            error["code"]
            for error in _request(gql, django_capture_on_commit_callbacks, email, headers=ip)[
                "errors"
            ]
        ]
        for email, ip in (
            ("a@example.com", one),
            ("b@example.com", one),
            ("c@example.com", one),
            ("c@example.com", other),
        )
    ]

    # then
    assert codes == [[], [], ["TOO_MANY_ATTEMPTS"], []]


# -- passwordChange and the revocation of earlier tokens ---------------------------


def _change(gql, capture, old=PASSWORD, new=NEW_PASSWORD, **kwargs):
    return call(gql, "PasswordChange", {"oldPassword": old, "newPassword": new}, capture, **kwargs)


def _refresh(gql, refresh_token):
    return gql(operation("storefront/TokenRefresh"), {"input": {"refreshToken": refresh_token}})[
        "data"
    ]["tokenRefresh"]


def test_a_password_change_refuses_every_earlier_token(gql, django_capture_on_commit_callbacks):
    # given: two sessions of the same customer
    user = UserFactory(email="ana@example.com")
    phone = (create_token(user, "access"), create_token(user, "refresh"))
    laptop = (create_token(user, "access"), create_token(user, "refresh"))

    # when
    payload = _change(gql, django_capture_on_commit_callbacks, headers=bearer(laptop[0]))

    # then
    user.refresh_from_db()
    assert payload["errors"] == []
    assert user.check_password(NEW_PASSWORD)
    for access, refresh in (phone, laptop):
        me = gql("{ me { email } }", headers=bearer(access))
        assert me["data"] == {"me": None}
        assert me["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
        assert me["errors"][0]["message"] == "The token is no longer valid."
        assert _refresh(gql, refresh)["errors"] == [
            {
                "field": "refreshToken",
                "code": "INVALID_TOKEN",
                "message": "The token is no longer valid.",
            }
        ]
    # the session that changed it carries on with the new tokens
    assert gql("{ me { email } }", headers=bearer(payload["token"])) == {
        "data": {"me": {"email": "ana@example.com"}}
    }
    assert _refresh(gql, payload["refreshToken"])["errors"] == []


def test_a_password_set_by_reset_refuses_every_earlier_token(
    gql, django_capture_on_commit_callbacks
):
    # given
    user = UserFactory(email="ana@example.com")
    access, refresh = create_token(user, "access"), create_token(user, "refresh")
    params = _reset_link(gql, django_capture_on_commit_callbacks, user)

    # when
    assert _set_password(gql, django_capture_on_commit_callbacks, **params)["errors"] == []

    # then
    assert gql("{ me { email } }", headers=bearer(access))["data"] == {"me": None}
    assert _refresh(gql, refresh)["errors"][0]["code"] == "INVALID_TOKEN"


def test_a_password_set_anywhere_else_refuses_earlier_tokens_too(gql):
    """The administration and ``manage.py changepassword`` call ``set_password``."""
    # given
    user = UserFactory(email="ana@example.com")
    access, refresh = create_token(user, "access"), create_token(user, "refresh")

    # when
    user.set_password(PASSWORD)  # even the same password, newly salted
    user.save()

    # then
    assert gql("{ me { email } }", headers=bearer(access))["data"] == {"me": None}
    assert _refresh(gql, refresh)["errors"][0]["code"] == "INVALID_TOKEN"


def test_other_changes_keep_the_tokens(gql):
    # given
    user = UserFactory(email="ana@example.com")
    access = create_token(user, "access")

    # when
    User.objects.filter(pk=user.pk).update(first_name="Otra", language_code="en")

    # then
    assert gql("{ me { email } }", headers=bearer(access)) == {
        "data": {"me": {"email": "ana@example.com"}}
    }


def test_a_wrong_current_password_changes_nothing(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    access = create_token(user, "access")
    before = db_state()

    # when
    payload = _change(gql, django_capture_on_commit_callbacks, old="not-it", headers=bearer(access))

    # then
    assert payload == {
        "token": None,
        "refreshToken": None,
        "user": None,
        "errors": [
            {
                "field": "oldPassword",
                "code": "INVALID_CREDENTIALS",
                "message": "The current password is not right.",
            }
        ],
    }
    assert db_state() == before
    assert gql("{ me { email } }", headers=bearer(access))["data"] == {
        "me": {"email": "ana@example.com"}
    }


def test_a_weak_new_password_is_reported_on_new_password(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="ana@example.com")
    before = db_state()

    # when
    payload = _change(gql, django_capture_on_commit_callbacks, new="ana@example.com", user=user)
    too_long = _change(gql, django_capture_on_commit_callbacks, new="x" * 129, user=user)

    # then
    assert payload["errors"] == [
        {
            "field": "newPassword",
            "code": "PASSWORD_TOO_SIMILAR",
            "message": "The password is too similar to the e-mail.",
        }
    ]
    assert too_long["errors"] == [
        {"field": "newPassword", "code": "INVALID", "message": "This value is too long."}
    ]
    assert db_state() == before


def test_password_change_needs_a_signed_in_customer(gql, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        body = gql(
            operation("storefront/PasswordChange"),
            {"input": {"oldPassword": PASSWORD, "newPassword": NEW_PASSWORD}},
        )

    # then
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


def test_a_portal_customer_has_no_password_to_change(gql, django_capture_on_commit_callbacks):
    # given
    user = UserFactory(email="portal@example.com", portal_subject="p-1")
    before = db_state()

    # when
    payload = _change(gql, django_capture_on_commit_callbacks, user=user)

    # then
    assert payload["errors"] == [
        {
            "field": None,
            "code": "PORTAL_MANAGED",
            "message": "You sign in through the customer portal; your password is managed there.",
        }
    ]
    assert db_state() == before
