import uuid
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.test import override_settings

from shop.accounts.tokens import (
    ALGORITHM,
    ISSUER,
    TokenError,
    create_token,
    password_stamp,
    user_from_access_token,
    user_from_token,
)
from tests.factories import UserFactory

# The messages compared are the English source strings.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize(
    ("kind", "ttl_setting"), [("access", "JWT_ACCESS_TTL"), ("refresh", "JWT_REFRESH_TTL")]
)
def test_created_token_carries_the_claims(kind, ttl_setting):
    # given
    user = UserFactory()

    # when
    token = create_token(user, kind)

    # then
    claims = jwt.decode(token, settings.JWT_SIGNING_KEY, algorithms=[ALGORITHM], issuer=ISSUER)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert {key: claims[key] for key in ("iss", "sub", "typ", "ver", "pwd")} == {
        "iss": ISSUER,
        "sub": str(user.pk),
        "typ": kind,
        "ver": str(user.token_version),
        "pwd": password_stamp(user),
    }
    assert claims["exp"] - claims["iat"] == int(getattr(settings, ttl_setting).total_seconds())
    assert len(claims["jti"]) == 32


def test_every_token_has_its_own_id():
    # given
    user = UserFactory()

    # when
    first, second = create_token(user, "access"), create_token(user, "access")

    # then
    assert first != second


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_token_names_its_user(kind):
    # given
    user = UserFactory()

    # when
    found = user_from_token(create_token(user, kind), kind)

    # then
    assert found == user


def test_user_from_access_token_is_for_access_tokens():
    # given
    user = UserFactory()

    # when / then
    assert user_from_access_token(create_token(user, "access")) == user
    with pytest.raises(TokenError, match=r"^The token is invalid\.$"):
        user_from_access_token(create_token(user, "refresh"))


@pytest.mark.parametrize(("made", "expected"), [("access", "refresh"), ("refresh", "access")])
def test_token_of_the_wrong_kind_is_refused(made, expected):
    # given
    token = create_token(UserFactory(), made)

    # when / then
    with pytest.raises(TokenError, match=r"^The token is invalid\.$"):
        user_from_token(token, expected)


def test_expired_token_is_refused():
    # given
    user = UserFactory()
    with override_settings(JWT_ACCESS_TTL=timedelta(seconds=-1)):
        token = create_token(user, "access")

    # when / then
    with pytest.raises(TokenError, match=r"^The token has expired\.$"):
        user_from_token(token, "access")


def test_token_is_refused_once_the_version_rotates():
    # given
    user = UserFactory()
    token = create_token(user, "refresh")
    user.token_version = uuid.uuid4()
    user.save()

    # when / then
    with pytest.raises(TokenError, match=r"^The token is no longer valid\.$"):
        user_from_token(token, "refresh")


def test_token_of_an_inactive_user_is_refused():
    # given
    user = UserFactory()
    token = create_token(user, "access")
    user.is_active = False
    user.save()

    # when / then
    with pytest.raises(TokenError, match=r"^The token is no longer valid\.$"):
        user_from_token(token, "access")


def test_token_signed_with_another_key_is_refused():
    # given
    user = UserFactory()
    with override_settings(JWT_SIGNING_KEY="another-signing-key-" + "z" * 50):
        token = create_token(user, "access")

    # when / then
    with pytest.raises(TokenError, match=r"^The token is invalid\.$"):
        user_from_token(token, "access")


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "typ", "ver", "pwd", "iss"])
def test_token_missing_a_required_claim_is_refused(claim):
    # given
    user = UserFactory()
    claims = jwt.decode(
        create_token(user, "access"),
        settings.JWT_SIGNING_KEY,
        algorithms=[ALGORITHM],
        issuer=ISSUER,
    )
    del claims[claim]
    token = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=ALGORITHM)

    # when / then
    with pytest.raises(TokenError, match=r"^The token is invalid\.$"):
        user_from_token(token, "access")
