"""portalSignIn with RS256 tokens and the portal's JWKS, served over HTTP by a
local server and fetched by PyJWT's real client: caching, key rotation, unknown
keys, algorithm confusion."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from billing_bridge.models import ContractLink
from shop.accounts.models import User
from tests.accounts.portal_tokens import INVALID, claims, contract, forge, refused, sign_in
from tests.accounts.utils import bearer

pytestmark = pytest.mark.django_db


@dataclass
class FakeJWKS:
    """The portal's JWKS endpoint: ``keys`` are served as they are at each request."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    url: str = ""

    def publish(self, *pairs: tuple[str, rsa.RSAPrivateKey]) -> None:
        self.keys = [jwk(kid, key) for kid, key in pairs]


def jwk(kid: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
    public = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


def rs256(payload: dict[str, Any], key: rsa.RSAPrivateKey, kid: str | None) -> str:
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(payload, key, algorithm="RS256", headers=headers)


@pytest.fixture(scope="module")
def keys() -> dict[str, rsa.RSAPrivateKey]:
    return {name: rsa.generate_private_key(65537, 2048) for name in ("one", "two", "rogue")}


@pytest.fixture
def jwks(settings, keys) -> Iterator[FakeJWKS]:
    fake = FakeJWKS()
    fake.publish(("key-1", keys["one"]))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests += 1
            body = json.dumps({"keys": fake.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    settings.PORTAL_JWT_SECRET = ""
    settings.PORTAL_JWKS_URL = fake.url
    settings.PORTAL_JWT_ISSUER = "https://oficina.aguas.example"
    settings.PORTAL_JWKS_COOLDOWN = 0
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _counts():
    return User.objects.count(), ContractLink.objects.count()


def test_rs256_token_signs_in_and_the_key_set_is_cached(gql, jwks, keys):
    # given
    contract("41000123")

    # when
    first = sign_in(gql, rs256(claims(), keys["one"], "key-1"))
    second = sign_in(gql, rs256(claims(), keys["one"], "key-1"))

    # then
    assert first["errors"] == second["errors"] == []
    assert first["user"]["email"] == "lucia.romero@correo.example"
    assert gql("{ me { email } }", headers=bearer(second["token"])) == {
        "data": {"me": {"email": "lucia.romero@correo.example"}}
    }
    assert _counts() == (1, 1)
    assert jwks.requests == 1


def test_a_rotated_key_is_picked_up_by_fetching_the_set_again(gql, jwks, keys):
    # given
    assert sign_in(gql, rs256(claims(), keys["one"], "key-1"))["errors"] == []
    jwks.publish(("key-2", keys["two"]))

    # when
    payload = sign_in(gql, rs256(claims(name="Lucía R."), keys["two"], "key-2"))

    # then
    assert payload["errors"] == []
    assert payload["user"]["firstName"] == "Lucía R."
    assert jwks.requests == 2
    assert User.objects.count() == 1


def test_a_withdrawn_key_stops_working_when_the_set_is_fetched_again(gql, jwks, keys):
    # given: key-1 is withdrawn, and a key-2 token makes the shop fetch the set
    assert sign_in(gql, rs256(claims(), keys["one"], "key-1"))["errors"] == []
    jwks.publish(("key-2", keys["two"]))
    assert sign_in(gql, rs256(claims(), keys["two"], "key-2"))["errors"] == []

    # when
    payload = sign_in(gql, rs256(claims(), keys["one"], "key-1"))

    # then
    assert payload == INVALID


def test_unknown_key_is_refused_and_creates_nothing(gql, jwks, keys):
    # given
    contract("41000123")

    # when
    payload = sign_in(gql, rs256(claims(), keys["rogue"], "key-9"))

    # then
    assert payload == INVALID
    assert _counts() == (0, 0)
    assert jwks.requests == 2  # the set, then once more for the unknown key


def test_unknown_key_ids_refetch_the_set_at_most_once_per_cooldown(gql, jwks, keys, settings):
    # given
    settings.PORTAL_JWKS_COOLDOWN = 60

    # when
    payloads = [sign_in(gql, rs256(claims(), keys["rogue"], f"made-up-{n}")) for n in range(5)]

    # then
    assert payloads == [INVALID] * 5
    assert jwks.requests == 1


REFUSED = {
    "HS256 signed with the portal's public key": lambda keys: forge(
        claims(),
        {"alg": "HS256", "typ": "JWT", "kid": "key-1"},
        keys["one"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
    ),
    "alg none": lambda _keys: forge(claims(), {"alg": "none", "kid": "key-1"}),
    "a known kid, signed with another key": lambda keys: rs256(claims(), keys["rogue"], "key-1"),
    "no kid": lambda keys: rs256(claims(), keys["one"], None),
    "RS512": lambda keys: jwt.encode(
        claims(), keys["one"], algorithm="RS512", headers={"kid": "key-1"}
    ),
    "wrong audience": lambda keys: rs256(claims(aud="another-shop"), keys["one"], "key-1"),
    "wrong issuer": lambda keys: rs256(claims(iss="https://evil.example"), keys["one"], "key-1"),
}


@pytest.mark.parametrize("make_token", REFUSED.values(), ids=REFUSED.keys())
def test_refused_rs256_tokens_create_nothing(gql, jwks, keys, make_token):
    # given
    contract("41000123")

    # when
    payload = sign_in(gql, make_token(keys))

    # then
    assert payload == INVALID
    assert _counts() == (0, 0)


def test_hs256_token_is_refused_when_rs256_is_configured_even_with_a_shared_secret(gql, jwks, keys):
    # given: a secret the shop might once have had does not matter with RS256
    token = jwt.encode(claims(), "p" * 64, algorithm="HS256", headers={"kid": "key-1"})

    # when
    payload = sign_in(gql, token)

    # then
    assert payload == INVALID
    assert _counts() == (0, 0)


def test_rs256_token_is_refused_when_hs256_is_configured(gql, settings, keys):
    # given
    settings.PORTAL_JWKS_URL = ""
    settings.PORTAL_JWT_SECRET = "s" * 64
    settings.PORTAL_JWT_ISSUER = "https://oficina.aguas.example"

    # when
    payload = sign_in(gql, rs256(claims(), keys["one"], "key-1"))

    # then
    assert payload == INVALID
    assert _counts() == (0, 0)


def test_weak_keys_in_the_set_are_refused(gql, jwks):
    # given
    weak = rsa.generate_private_key(65537, 1024)  # noqa: S505 -- the weak key under test
    jwks.publish(("weak", weak))
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = rs256(claims(), weak, "weak")

    # when
    payload = sign_in(gql, token)

    # then
    assert payload == INVALID
    assert _counts() == (0, 0)


def test_unreachable_jwks_makes_sign_in_unavailable_without_counting_a_failure(
    gql, jwks, keys, settings
):
    # given
    settings.LOGIN_THROTTLE_IP_MAX_FAILURES = 1
    settings.PORTAL_JWKS_URL = "http://127.0.0.1:9/jwks.json"  # discard port: nobody listens

    # when
    payloads = [sign_in(gql, rs256(claims(), keys["one"], "key-1")) for _ in range(2)]

    # then
    assert (
        payloads
        == [
            refused(
                "PORTAL_SIGN_IN_UNAVAILABLE",
                "The customer portal could not be reached. Please try again later.",
                field=None,
            )
        ]
        * 2
    )
    assert _counts() == (0, 0)
