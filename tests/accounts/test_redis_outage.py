"""While Redis (the shared cache) is unreachable, sign-in keeps working: attempt
counters and spent portal tokens are kept in the process (``shop.cache_fallback``),
so the limits still hold per process and nothing answers with an error."""

from __future__ import annotations

import pytest

from tests.accounts.portal_tokens import AUDIENCE, ISSUER, SECRET, claims, hs256, sign_in
from tests.accounts.utils import db_state
from tests.factories import UserFactory
from tests.operations import operation

pytestmark = pytest.mark.django_db

TOKEN_CREATE = operation("storefront/TokenCreate")
# A Redis cache on a port nothing listens on: every cache call fails at once.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def token_create(gql, password: str) -> dict:
    body = gql(TOKEN_CREATE, {"input": {"email": "ana@example.com", "password": password}})
    assert "errors" not in body, body
    return body["data"]["tokenCreate"]


def test_a_customer_signs_in_while_redis_is_down(gql, settings):
    # given
    UserFactory(email="ana@example.com", password="right-password-1")
    settings.CACHES = REDIS_DOWN

    # when
    payload = token_create(gql, "right-password-1")

    # then
    assert payload["errors"] == []
    assert payload["token"]


def test_wrong_passwords_are_still_limited_while_redis_is_down(gql, settings):
    # given
    assert settings.LOGIN_THROTTLE_MAX_FAILURES == 5
    UserFactory(email="ana@example.com", password="right-password-1")
    settings.CACHES = REDIS_DOWN
    before = db_state()

    # when
    codes = [
        [error["code"] for error in token_create(gql, f"wrong-{n}")["errors"]] for n in range(6)
    ]
    right = token_create(gql, "right-password-1")

    # then: five checked, the sixth refused unchecked, and so is the right one now
    assert codes == [["INVALID_CREDENTIALS"]] * 5 + [["TOO_MANY_ATTEMPTS"]]
    assert [error["code"] for error in right["errors"]] == ["TOO_MANY_ATTEMPTS"]
    assert right["token"] is None
    assert db_state() == before


def test_a_portal_token_signs_in_once_while_redis_is_down(gql, settings):
    # given
    settings.PORTAL_JWKS_URL = ""
    settings.PORTAL_JWT_SECRET = SECRET
    settings.PORTAL_JWT_ISSUER = ISSUER
    settings.PORTAL_JWT_AUDIENCE = AUDIENCE
    settings.CACHES = REDIS_DOWN
    token = hs256(claims(contracts=[]))

    # when
    first = sign_in(gql, token)
    again = sign_in(gql, token)

    # then
    assert first["errors"] == []
    assert first["token"]
    assert [error["code"] for error in again["errors"]] == ["PORTAL_TOKEN_REPLAYED"]
