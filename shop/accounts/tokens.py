"""The shop's own JWTs: short-lived access tokens and long-lived refresh tokens.

Both carry the user's ``token_version`` (``ver``) and a stamp of their password
(``pwd``), and both are checked against the user's current row on every
authenticated request and every refresh. Rotating ``token_version``
(``user_tokens_revoke``) invalidates every token issued before; so does any change
of the password, by whatever path (reset, ``passwordChange``, the administration,
``manage.py changepassword``): the stamp is an HMAC of the stored password hash,
which a new password (even the same one, newly salted) always changes. The
algorithm is pinned to HS256.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from shop.accounts.models import User

ALGORITHM = "HS256"
ISSUER = "water-shop"
TokenKind = Literal["access", "refresh"]


class TokenError(Exception):
    """The token is malformed, expired, of the wrong kind, or revoked."""


def password_stamp(user: User) -> str:
    """A short HMAC of ``user``'s password hash: changes with every password
    change, and tells nothing about the password (keyed with the signing key)."""
    return salted_hmac(
        "shop.accounts.tokens.password_stamp", user.password, secret=settings.JWT_SIGNING_KEY
    ).hexdigest()[:20]


def create_token(user: User, kind: TokenKind) -> str:
    now = timezone.now()
    ttl = settings.JWT_ACCESS_TTL if kind == "access" else settings.JWT_REFRESH_TTL
    claims = {
        "iss": ISSUER,
        "sub": str(user.pk),
        "typ": kind,
        "ver": str(user.token_version),
        "pwd": password_stamp(user),
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=ALGORITHM)


def _claims(token: str, kind: TokenKind) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "typ", "ver", "pwd", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError(_("The token has expired.")) from exc
    except jwt.InvalidTokenError as exc:
        raise TokenError(_("The token is invalid.")) from exc
    if claims["typ"] != kind:
        raise TokenError(_("The token is invalid."))
    return claims


def user_from_token(token: str, kind: TokenKind) -> User:
    """The active user a valid, unrevoked token of ``kind`` names; ``TokenError`` otherwise."""
    claims = _claims(token, kind)
    user = User.objects.filter(pk=claims["sub"], is_active=True).first()
    if (
        user is None
        or str(user.token_version) != claims["ver"]
        or not constant_time_compare(password_stamp(user), str(claims["pwd"]))
    ):
        raise TokenError(_("The token is no longer valid."))
    return user


def user_from_access_token(token: str) -> User:
    return user_from_token(token, "access")
