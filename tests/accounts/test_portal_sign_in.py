"""portalSignIn with HS256 portal tokens: the customer the portal vouches for,
their contracts, refused tokens (nothing created), throttling."""

import time
from typing import Any

import jwt
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from billing_bridge.models import ContractLink
from shop.accounts import services
from shop.accounts.models import User
from tests.accounts.portal_tokens import (
    DROP,
    EXPIRED,
    INVALID,
    SECRET,
    claims,
    contract,
    forge,
    hs256,
    refused,
    sign_in,
)
from tests.accounts.utils import bearer, global_id
from tests.factories import PASSWORD, UserFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

UNAVAILABLE = refused(
    "PORTAL_SIGN_IN_UNAVAILABLE",
    "Signing in through the customer portal is not available.",
    field=None,
)


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_JWKS_URL = ""
    settings.PORTAL_JWT_SECRET = SECRET
    settings.PORTAL_JWT_ISSUER = "https://oficina.aguas.example"
    settings.PORTAL_JWT_AUDIENCE = "water-shop"


def _counts():
    return User.objects.count(), ContractLink.objects.count()


def test_valid_token_creates_the_customer_with_contracts_and_working_tokens(gql):
    # given
    active = contract("41000123")
    contract("41000456")  # in the mirror, not in the token

    # when
    payload = sign_in(gql, hs256(claims(contracts=["41000123", "99999999"])))

    # then
    user = User.objects.get()
    assert payload == {
        "token": payload["token"],
        "refreshToken": payload["refreshToken"],
        "user": {
            "id": global_id("User", user.pk),
            "email": "lucia.romero@correo.example",
            "firstName": "Lucía Romero",
            "lastName": "",
        },
        "errors": [],
    }
    assert payload["token"]
    assert payload["refreshToken"]
    assert user.portal_subject == "OV-1"
    assert user.has_usable_password() is False
    assert user.is_staff is False
    assert user.last_login is not None
    assert list(ContractLink.objects.values_list("user", "contract", "source")) == [
        (user.pk, active.pk, "portal")
    ]
    me = gql(operation("storefront/WaterContracts"), headers=bearer(payload["token"]))
    assert [c["number"] for c in me["data"]["me"]["waterContracts"]] == ["41000123"]
    assert gql("{ me { email } }", headers=bearer(payload["token"])) == {
        "data": {"me": {"email": "lucia.romero@correo.example"}}
    }
    refreshed = gql(
        "mutation($t: String!) { tokenRefresh(input: {refreshToken: $t}) { errors { code } } }",
        {"t": payload["refreshToken"]},
    )
    assert refreshed == {"data": {"tokenRefresh": {"errors": []}}}


def test_second_sign_in_updates_the_same_customer(gql):
    # given
    first_contract = contract("41000123")
    second_contract = contract("41000456")
    first = sign_in(gql, hs256(claims()))
    user = User.objects.get()

    # when
    again = sign_in(
        gql,
        hs256(
            claims(
                email="Lucia.Nueva@Correo.example",
                name=DROP,
                given_name="Lucía",
                family_name="Romero Gil",
                contracts=["41000123", "41000456"],
            )
        ),
    )

    # then
    assert again["errors"] == []
    assert again["user"] == {
        "id": first["user"]["id"],
        "email": "lucia.nueva@correo.example",
        "firstName": "Lucía",
        "lastName": "Romero Gil",
    }
    assert User.objects.get().pk == user.pk
    assert sorted(ContractLink.objects.values_list("user", "contract")) == [
        (user.pk, first_contract.pk),
        (user.pk, second_contract.pk),
    ]


def test_sign_in_without_a_name_keeps_the_name_the_shop_has(gql):
    # given
    sign_in(gql, hs256(claims()))

    # when
    payload = sign_in(gql, hs256(claims(name=DROP, contracts=DROP)))

    # then
    assert payload["errors"] == []
    assert payload["user"]["firstName"] == "Lucía Romero"
    assert User.objects.get().first_name == "Lucía Romero"


def _now():
    return int(time.time())


REFUSED_TOKENS = {
    "alg none": lambda: forge(claims(), {"alg": "none", "typ": "JWT"}),
    "alg none, no signature at all": lambda: forge(claims(), {"alg": "none"}).rstrip("."),
    "HS384 while HS256 is configured": lambda: jwt.encode(claims(), SECRET, algorithm="HS384"),
    "another secret": lambda: hs256(claims(), "another-secret-of-the-same-length-0123456789"),
    "wrong audience": lambda: hs256(claims(aud="another-shop")),
    "wrong issuer": lambda: hs256(claims(iss="https://evil.example")),
    "not before in the future": lambda: hs256(claims(nbf=_now() + 120, exp=_now() + 240)),
    "issued in the future": lambda: hs256(claims(iat=_now() + 120, exp=_now() + 240)),
    "lifetime over five minutes": lambda: hs256(claims(iat=_now(), exp=_now() + 301)),
    "no exp": lambda: hs256(claims(exp=DROP)),
    "no iat": lambda: hs256(claims(iat=DROP)),
    "no nbf": lambda: hs256(claims(nbf=DROP)),
    "no sub": lambda: hs256(claims(sub=DROP)),
    "no aud": lambda: hs256(claims(aud=DROP)),
    "no iss": lambda: hs256(claims(iss=DROP)),
    "no jti": lambda: hs256(claims(jti=DROP)),
    "empty jti": lambda: hs256(claims(jti=" ")),
    "numeric jti": lambda: hs256(claims(jti=12)),
    "jti too long": lambda: hs256(claims(jti="j" * 256)),
    "empty sub": lambda: hs256(claims(sub=" ")),
    "numeric sub": lambda: hs256(claims(sub=12)),
    "no email": lambda: hs256(claims(email=DROP)),
    "email not valid": lambda: hs256(claims(email="not-an-email")),
    "contracts not a list": lambda: hs256(claims(contracts="41000123")),
    "contracts not strings": lambda: hs256(claims(contracts=[41000123])),
    "tampered payload": lambda: _tampered(),
    "not a token": lambda: "not-a-token",
    "too long": lambda: hs256(claims(padding="x" * 9000)),
}


def _tampered():
    header, _payload, signature = hs256(claims()).split(".")
    _h, other_payload, _s = hs256(claims(sub="OV-2", email="ana@correo.example")).split(".")
    return f"{header}.{other_payload}.{signature}"


@pytest.mark.parametrize("make_token", REFUSED_TOKENS.values(), ids=REFUSED_TOKENS.keys())
def test_refused_tokens_create_nothing(gql, make_token):
    # given
    contract("41000123")
    before = _counts()

    # when
    payload = sign_in(gql, make_token())

    # then
    assert payload == INVALID
    assert _counts() == before == (0, 0)


def test_expired_token_is_refused_as_expired(gql):
    # given
    contract("41000123")
    token = hs256(claims(iat=_now() - 200, nbf=_now() - 200, exp=_now() - 31))

    # when
    payload = sign_in(gql, token)

    # then
    assert payload == EXPIRED
    assert _counts() == (0, 0)


def test_small_clock_skew_is_forgiven(gql):
    # given: the portal's clock is a few seconds ahead, or the token just expired
    ahead = hs256(claims(iat=_now() + 10, nbf=_now() + 10, exp=_now() + 100))
    just_expired = hs256(claims(iat=_now() - 100, nbf=_now() - 100, exp=_now() - 10))

    # when
    payloads = [sign_in(gql, ahead), sign_in(gql, just_expired)]

    # then
    assert [p["errors"] for p in payloads] == [[], []]


def test_messages_follow_the_request_language(gql):
    # when
    payload = sign_in(gql, "not-a-token", headers={"Accept-Language": "es"})

    # then
    with translation.override("es"):
        message = translation.gettext("The link from the customer portal is not valid.")
    assert payload["errors"] == [
        {"field": "portalToken", "code": "PORTAL_TOKEN_INVALID", "message": message}
    ]


def test_portal_sign_in_is_unavailable_without_a_key(gql, settings):
    # given
    settings.PORTAL_JWT_SECRET = ""

    # when
    payload = sign_in(gql, hs256(claims()))

    # then
    assert payload == UNAVAILABLE
    assert _counts() == (0, 0)


def test_failures_from_one_ip_block_even_valid_tokens(gql):
    # given
    with override_settings(LOGIN_THROTTLE_IP_MAX_FAILURES=3):
        failures = [sign_in(gql, hs256(claims(aud="another-shop"))) for _ in range(3)]

        # when
        payload = sign_in(gql, hs256(claims()))

    # then
    assert failures == [INVALID] * 3
    assert payload == refused(
        "TOO_MANY_ATTEMPTS", "Too many failed sign-in attempts. Try again later.", field=None
    )
    assert _counts() == (0, 0)


def test_portal_failures_do_not_lock_password_sign_in(gql, settings):
    # given
    settings.LOGIN_THROTTLE_IP_MAX_FAILURES = 2
    UserFactory(email="ana@example.com")
    for _ in range(2):
        sign_in(gql, "not-a-token")

    # when
    body = gql(
        'mutation($p: String!) { tokenCreate(input: {email: "ana@example.com", password: $p})'
        " { errors { code } } }",
        {"p": PASSWORD},
    )

    # then
    assert body == {"data": {"tokenCreate": {"errors": []}}}


def test_unavailable_sign_in_is_not_counted_as_a_failure(gql, settings):
    # given
    settings.LOGIN_THROTTLE_IP_MAX_FAILURES = 2
    settings.PORTAL_JWT_SECRET = ""
    unavailable = [sign_in(gql, hs256(claims())) for _ in range(3)]
    settings.PORTAL_JWT_SECRET = SECRET

    # when
    payload = sign_in(gql, hs256(claims()))

    # then
    assert unavailable == [UNAVAILABLE] * 3
    assert payload["errors"] == []


def test_sign_ins_arriving_while_a_token_is_checked_count_against_the_ip_limit(
    gql, settings, monkeypatch
):
    # given: while the first bad token is being checked, three more sign-ins
    # arrive from the same address (one interleaving of parallel requests)
    settings.LOGIN_THROTTLE_IP_MAX_FAILURES = 3
    check = services.portal_claims
    checked: list[str] = []
    arrived: list[str] = []

    def checking(token: str) -> Any:
        checked.append(token)
        if len(checked) == 1:
            for n in range(3):
                try:
                    services.portal_sign_in(token=f"bad-{n}", ip="127.0.0.1")
                except ValidationError as exc:
                    (error,) = [e for errors in exc.update_error_dict({}).values() for e in errors]
                    arrived.append(str(error.code))
        return check(token)

    monkeypatch.setattr(services, "portal_claims", checking)

    # when
    payload = sign_in(gql, "bad")

    # then: three tokens checked in all; the fourth sign-in was refused unchecked
    assert checked == ["bad", "bad-0", "bad-1"]
    assert arrived == ["portal_token_invalid"] * 2 + ["too_many_attempts"]
    assert payload == INVALID
    assert _counts() == (0, 0)
