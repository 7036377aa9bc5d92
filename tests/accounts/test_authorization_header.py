import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from shop.accounts.tokens import ALGORITHM, ISSUER, create_token, password_stamp
from tests.accounts.utils import bearer, db_state
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "{ me { email } }"


def _unauthenticated(message):
    return {
        "data": {"me": None},
        "errors": [
            {
                "message": message,
                "locations": [{"line": 1, "column": 3}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }


def _claims(user, **overrides):
    now = timezone.now()
    claims = {
        "iss": ISSUER,
        "sub": str(user.pk),
        "typ": "access",
        "ver": str(user.token_version),
        "pwd": password_stamp(user),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_valid_bearer_token_authenticates(gql):
    # given
    user = UserFactory(email="ana@example.com")

    # when
    body = gql(ME, headers=bearer(create_token(user, "access")))

    # then
    assert body == {"data": {"me": {"email": "ana@example.com"}}}


def test_bearer_scheme_is_case_insensitive(gql):
    # given
    user = UserFactory(email="ana@example.com")

    # when
    body = gql(ME, headers={"Authorization": f"bearer {create_token(user, 'access')}"})

    # then
    assert body == {"data": {"me": {"email": "ana@example.com"}}}


@pytest.mark.parametrize(
    "header",
    ["Token abc", "Basic YW5hOnB3", "Bearer", "Bearer    ", "abc.def.ghi"],
)
def test_malformed_authorization_header_is_refused(gql, header):
    before = db_state()

    # when
    body = gql(ME, headers={"Authorization": header})

    # then
    assert body == _unauthenticated("The Authorization header must be 'Bearer <token>'.")
    assert db_state() == before


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.xyz"])
def test_garbage_token_is_refused(gql, token):
    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token is invalid.")
    assert db_state() == before


def test_bad_token_fails_only_the_fields_that_need_the_user(gql):
    before = db_state()

    # when
    body = gql("{ me { email } shop { name } }", headers=bearer("garbage"))

    # then
    assert body == {
        "data": {"me": None, "shop": {"name": "Tienda del Agua"}},
        "errors": [
            {
                "message": "The token is invalid.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["me"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before


def test_expired_token_is_refused(gql):
    # given
    user = UserFactory()
    with override_settings(JWT_ACCESS_TTL=timedelta(seconds=-1)):
        token = create_token(user, "access")

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token has expired.")
    assert db_state() == before


def test_expired_token_crafted_with_the_signing_key_is_refused(gql):
    # given
    user = UserFactory()
    past = timezone.now() - timedelta(hours=1)
    token = jwt.encode(
        _claims(user, iat=past, exp=past + timedelta(minutes=5)),
        settings.JWT_SIGNING_KEY,
        algorithm=ALGORITHM,
    )

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token has expired.")
    assert db_state() == before


def test_token_signed_with_another_key_is_refused(gql):
    # given
    user = UserFactory()
    token = jwt.encode(_claims(user), "another-key-" + "x" * 60, algorithm=ALGORITHM)

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token is invalid.")
    assert db_state() == before


def test_unsigned_token_with_alg_none_is_refused(gql):
    # given
    user = UserFactory()
    claims = _claims(user)
    claims["iat"] = int(claims["iat"].timestamp())
    claims["exp"] = int(claims["exp"].timestamp())
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())

    before = db_state()

    # when
    without_signature = gql(ME, headers=bearer(f"{header}.{payload}."))
    with_fake_signature = gql(ME, headers=bearer(f"{header}.{payload}.{_b64(b'sig')}"))

    # then
    assert without_signature == _unauthenticated("The token is invalid.")
    assert with_fake_signature == _unauthenticated("The token is invalid.")
    assert db_state() == before


def test_token_with_another_hmac_algorithm_is_refused(gql):
    # given
    user = UserFactory()
    token = jwt.encode(_claims(user), settings.JWT_SIGNING_KEY, algorithm="HS512")

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token is invalid.")
    assert db_state() == before


def test_token_from_another_issuer_is_refused(gql):
    # given
    user = UserFactory()
    token = jwt.encode(_claims(user, iss="portal"), settings.JWT_SIGNING_KEY, algorithm=ALGORITHM)

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token is invalid.")
    assert db_state() == before


def test_token_without_a_version_is_refused(gql):
    # given
    user = UserFactory()
    claims = _claims(user)
    del claims["ver"]
    token = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=ALGORITHM)

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token is invalid.")
    assert db_state() == before


def test_token_of_a_deleted_user_is_refused(gql):
    # given
    user = UserFactory()
    token = create_token(user, "access")
    user.delete()

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token is no longer valid.")
    assert db_state() == before


def test_token_of_a_deactivated_user_is_refused(gql):
    # given
    user = UserFactory()
    token = create_token(user, "access")
    user.is_active = False
    user.save()

    before = db_state()

    # when
    body = gql(ME, headers=bearer(token))

    # then
    assert body == _unauthenticated("The token is no longer valid.")
    assert db_state() == before


def test_bad_token_on_a_mutation_is_refused_and_changes_nothing(gql):
    # given
    UserFactory(first_name="Ana")
    before = db_state()

    # when
    body = gql(
        'mutation { accountUpdate(input: {firstName: "Eve"}) { user { firstName } } }',
        headers=bearer("garbage"),
    )

    # then
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "The token is invalid.",
                "locations": [{"line": 1, "column": 12}],
                "path": ["accountUpdate"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    assert db_state() == before
