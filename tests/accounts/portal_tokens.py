"""Portal tokens for the portal sign-in tests: claims, signing, forging."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import date
from typing import Any

import jwt

from billing_bridge.models import SupplyContract
from tests.operations import operation

SECRET = "portal-shared-secret-for-the-tests-only-0123456789"
ISSUER = "https://oficina.aguas.example"
AUDIENCE = "water-shop"
PORTAL_SIGN_IN = operation("storefront/PortalSignIn")
DROP = object()


def claims(**changes: Any) -> dict[str, Any]:
    """Valid claims for the portal's customer OV-1, with a token id (``jti``) of their
    own, and ``changes`` (``DROP`` removes one)."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "OV-1",
        "email": "lucia.romero@correo.example",
        "name": "Lucía Romero",
        "contracts": ["41000123"],
        "iat": now,
        "nbf": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not DROP}


def hs256(payload: dict[str, Any], secret: str = SECRET, **headers: Any) -> str:
    return jwt.encode(payload, secret, algorithm="HS256", headers=headers or None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(payload: dict[str, Any], header: dict[str, Any], key: bytes = b"") -> str:
    """A token built by hand, as an attacker would: any header, HMAC-SHA256 with
    ``key`` (which PyJWT itself refuses to do with a PEM key), or no signature."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    if header.get("alg") == "none":
        return f"{signing_input}."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def sign_in(gql: Any, token: str, **kwargs: Any) -> dict[str, Any]:
    """The ``portalSignIn`` payload for ``token``, through /graphql/ with the document."""
    body = gql(PORTAL_SIGN_IN, {"input": {"portalToken": token}}, **kwargs)
    payload: dict[str, Any] = body["data"]["portalSignIn"]
    return payload


def refused(code: str, message: str, field: str | None = "portalToken") -> dict[str, Any]:
    return {
        "token": None,
        "refreshToken": None,
        "user": None,
        "errors": [{"field": field, "code": code, "message": message}],
    }


INVALID = refused("PORTAL_TOKEN_INVALID", "The link from the customer portal is not valid.")
EXPIRED = refused(
    "PORTAL_TOKEN_EXPIRED",
    "The link from the customer portal has expired. Open the shop from the portal again.",
)


def contract(number: str, **fields: Any) -> SupplyContract:
    defaults = {
        "holder_name": "Lucía Romero",
        "supply_address": "Calle Betis 12, Sevilla",
        "postal_code": "41010",
        "next_cutoff": date(2026, 12, 20),
    }
    return SupplyContract.objects.create(number=number, **{**defaults, **fields})
