"""Portal tokens: the customer portal vouches for the customer signed in to it.

The portal signs a short-lived JWT naming its customer -- ``sub`` (the portal's
stable customer id), ``email``, optionally ``name`` (or ``given_name`` and
``family_name``) -- and the supply contracts they hold (``contracts``, a list of
contract numbers). :func:`portal_claims` checks one; ``services.portal_sign_in``
acts on it. A token is accepted only when:

- it is signed with the algorithm the *configuration* pins: RS256 with the key
  the portal's JWKS (``PORTAL_JWKS_URL``) publishes under the token's ``kid``,
  or HS256 with ``PORTAL_JWT_SECRET``. The token's ``alg`` header must agree and
  is never obeyed, so ``alg: none`` and HS256 tokens "signed" with the portal's
  public key are refused; keys shorter than the minimum are refused too;
- ``aud`` is ``PORTAL_JWT_AUDIENCE``, ``iss`` is ``PORTAL_JWT_ISSUER``, and
  ``exp``, ``nbf``, ``iat`` and ``sub`` are present and hold, give or take
  ``PORTAL_JWT_LEEWAY`` seconds of clock skew;
- it lives no longer than ``PORTAL_JWT_MAX_LIFETIME`` seconds (``exp - iat``);
- it has a ``jti`` (token id) never seen before: a token is single use. Its id
  is spent in the shared cache (``cache.add``, atomic) the first time the token
  is accepted, and remembered until past ``exp`` plus the leeway, when the token
  would be refused as expired anyway; a replay is PORTAL_TOKEN_REPLAYED.

The JWKS is fetched when first needed and kept for ``JWKS_CACHE_SECONDS``. A
``kid`` it does not hold fetches it again -- which picks up a rotated key -- but
at most once every ``PORTAL_JWKS_COOLDOWN`` seconds, so tokens with made-up key
ids cannot make the shop hammer the portal. Keys are never cached by ``kid``
beyond the set's lifetime: a key the portal withdraws stops working with it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.core.validators import validate_email
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.accounts.errors import AccountErrorCode as Code
from shop.cache_fallback import on_shared_cache

logger = logging.getLogger(__name__)

JWKS_CACHE_SECONDS = 300
JWKS_TIMEOUT_SECONDS = 5
MAX_TOKEN_LENGTH = 8192
MAX_CONTRACTS = 100
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]
MAX_JTI_LENGTH = 255


class PortalTokenError(Exception):
    """A portal token was refused. The message is safe to show; ``code`` says why:
    PORTAL_TOKEN_INVALID, PORTAL_TOKEN_EXPIRED, PORTAL_TOKEN_REPLAYED, or
    PORTAL_SIGN_IN_UNAVAILABLE (not configured, or the portal's keys could not be
    fetched: not the caller's fault)."""

    def __init__(self, message: str, code: Code = Code.PORTAL_TOKEN_INVALID) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PortalClaims:
    """What a valid portal token says about its customer."""

    subject: str
    email: str
    first_name: str
    last_name: str
    contracts: tuple[str, ...]


def portal_claims(token: str) -> PortalClaims:
    """The claims of a valid portal token, which is spent: the same token is
    refused from then on (PORTAL_TOKEN_REPLAYED). ``PortalTokenError`` otherwise."""
    algorithm = _algorithm()
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid("token too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _invalid(f"malformed: {exc}") from exc
    if header.get("alg") != algorithm:
        raise _invalid(f"alg {header.get('alg')!r}, configured {algorithm}")
    key = _jwks_key(header.get("kid")) if algorithm == "RS256" else settings.PORTAL_JWT_SECRET
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=settings.PORTAL_JWT_AUDIENCE,
            issuer=settings.PORTAL_JWT_ISSUER,
            leeway=settings.PORTAL_JWT_LEEWAY,
            options={"require": REQUIRED_CLAIMS, "enforce_minimum_key_length": True},
        )
    except jwt.ExpiredSignatureError as exc:
        logger.info("Portal token refused: expired.")
        raise PortalTokenError(
            _(
                "The link from the customer portal has expired. "
                "Open the shop from the portal again."
            ),
            code=Code.PORTAL_TOKEN_EXPIRED,
        ) from exc
    except jwt.PyJWTError as exc:  # InvalidTokenError, or InvalidKeyError for a weak key
        raise _invalid(str(exc)) from exc
    if float(claims["exp"]) - float(claims["iat"]) > settings.PORTAL_JWT_MAX_LIFETIME:
        raise _invalid("lifetime over PORTAL_JWT_MAX_LIFETIME")
    checked = _portal_claims(claims)
    _spend(claims)
    return checked


def _spend(claims: dict[str, Any]) -> None:
    """Mark the token's ``jti`` used, or refuse it if it already was."""
    token_id = claims["jti"]
    if not isinstance(token_id, str) or not token_id.strip() or len(token_id) > MAX_JTI_LENGTH:
        raise _invalid("jti not a string, empty or too long")
    digest = hashlib.sha256(f"{claims['iss']}\n{token_id}".encode()).hexdigest()
    # Remembered while the token would still pass the expiry check, and a second more.
    seconds = math.ceil(float(claims["exp"]) + settings.PORTAL_JWT_LEEWAY - time.time()) + 1
    key = f"portal-jti:{digest}"
    if not on_shared_cache(lambda cache: cache.add(key, 1, timeout=max(seconds, 1))):
        logger.info("Portal token refused: jti already used.")
        raise PortalTokenError(
            _(
                "This link from the customer portal has already been used. "
                "Open the shop from the portal again."
            ),
            code=Code.PORTAL_TOKEN_REPLAYED,
        )


def _algorithm() -> str:
    if settings.PORTAL_JWKS_URL and settings.PORTAL_JWT_ISSUER:
        return "RS256"
    if settings.PORTAL_JWT_SECRET and settings.PORTAL_JWT_ISSUER:
        return "HS256"
    raise PortalTokenError(
        _("Signing in through the customer portal is not available."),
        code=Code.PORTAL_SIGN_IN_UNAVAILABLE,
    )


def _invalid(reason: str) -> PortalTokenError:
    logger.info("Portal token refused: %s", reason)
    return PortalTokenError(_("The link from the customer portal is not valid."))


def _portal_claims(claims: dict[str, Any]) -> PortalClaims:
    subject = claims["sub"]
    if not subject.strip() or len(subject) > 255:
        raise _invalid("sub empty or too long")
    email = claims.get("email")
    if not isinstance(email, str):
        raise _invalid("no email")
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise _invalid("email not valid") from exc
    contracts = claims.get("contracts", [])
    if (
        not isinstance(contracts, list)
        or len(contracts) > MAX_CONTRACTS
        or not all(isinstance(number, str) and number.strip() for number in contracts)
    ):
        raise _invalid("contracts not a list of contract numbers")
    first_name, last_name = _names(claims)
    return PortalClaims(
        subject=subject,
        email=email,
        first_name=first_name,
        last_name=last_name,
        contracts=tuple(dict.fromkeys(number.strip() for number in contracts)),
    )


def _names(claims: dict[str, Any]) -> tuple[str, str]:
    """(first, last) from ``given_name``/``family_name``, else the whole ``name``
    as the first name (splitting "María José Pérez" would guess wrong)."""
    given, family, name = (claims.get(k) for k in ("given_name", "family_name", "name"))
    if isinstance(given, str) or isinstance(family, str):
        first, last = given or "", family or ""
    else:
        first, last = (name if isinstance(name, str) else ""), ""
    if not isinstance(first, str) or not isinstance(last, str):
        raise _invalid("names are not strings")
    return first.strip()[:150], last.strip()[:150]


_jwks_clients: dict[str, jwt.PyJWKClient] = {}
_jwks_lock = threading.Lock()


def _jwks_client() -> jwt.PyJWKClient:
    url = settings.PORTAL_JWKS_URL
    with _jwks_lock:
        if url not in _jwks_clients:
            _jwks_clients[url] = jwt.PyJWKClient(
                url,
                cache_keys=False,
                cache_jwk_set=True,
                lifespan=JWKS_CACHE_SECONDS,
                timeout=JWKS_TIMEOUT_SECONDS,
                cooldown_duration=settings.PORTAL_JWKS_COOLDOWN,
                headers={"User-Agent": "water-shop"},
            )
        return _jwks_clients[url]


@receiver(setting_changed)
def _forget_jwks(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith("PORTAL_"):
        with _jwks_lock:
            _jwks_clients.clear()


def _jwks_key(kid: object) -> jwt.PyJWK:
    if not isinstance(kid, str) or not kid or len(kid) > 200:
        raise _invalid("no usable kid")
    try:
        return _jwks_client().get_signing_key(kid)
    except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError) as exc:
        logger.warning("Portal JWKS %s unusable: %s", settings.PORTAL_JWKS_URL, exc)
        raise PortalTokenError(
            _("The customer portal could not be reached. Please try again later."),
            code=Code.PORTAL_SIGN_IN_UNAVAILABLE,
        ) from exc
    except jwt.PyJWKClientError as exc:
        raise _invalid(f"unknown kid {kid!r}") from exc


def mint_token(
    *,
    email: str,
    subject: str,
    name: str = "",
    contracts: Sequence[str] = (),
    lifetime: int = 300,
) -> str:
    """An HS256 portal token signed with ``PORTAL_JWT_SECRET``, as the portal
    would sign it, with a fresh ``jti`` (tokens are single use): for trying portal
    sign-in locally (``manage.py portal_token``, the /portal-demo/ page). Raises
    ``PortalTokenError`` (PORTAL_SIGN_IN_UNAVAILABLE) when the shop has no secret --
    with RS256 only the portal holds the key."""
    if settings.PORTAL_JWKS_URL or not settings.PORTAL_JWT_SECRET:
        raise PortalTokenError(
            _("Portal tokens can only be made here with a PORTAL_JWT_SECRET (HS256)."),
            code=Code.PORTAL_SIGN_IN_UNAVAILABLE,
        )
    now = timezone.now()
    claims: dict[str, Any] = {
        "iss": settings.PORTAL_JWT_ISSUER,
        "aud": settings.PORTAL_JWT_AUDIENCE,
        "sub": subject,
        "email": email,
        "contracts": list(contracts),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=lifetime),
        "jti": uuid.uuid4().hex,
    }
    if name:
        claims["name"] = name
    return jwt.encode(claims, settings.PORTAL_JWT_SECRET, algorithm="HS256")
