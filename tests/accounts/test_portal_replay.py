"""A portal token signs in once: its ``jti`` is spent in the shared cache, and
the same token is refused for as long as it would otherwise be accepted."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import jwt
import orjson
import pytest
from django.db import connection
from django.test import Client

from billing_bridge.models import ContractLink
from shop.accounts.models import User
from tests.accounts.portal_tokens import (
    AUDIENCE,
    ISSUER,
    PORTAL_SIGN_IN,
    SECRET,
    claims,
    contract,
    hs256,
    refused,
    sign_in,
)
from tests.accounts.utils import CacheClock
from tests.parallel import run_together, shared_cache

pytestmark = pytest.mark.django_db

REPLAYED = refused(
    "PORTAL_TOKEN_REPLAYED",
    "This link from the customer portal has already been used. "
    "Open the shop from the portal again.",
)


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_JWKS_URL = ""
    settings.PORTAL_JWT_SECRET = SECRET
    settings.PORTAL_JWT_ISSUER = ISSUER
    settings.PORTAL_JWT_AUDIENCE = AUDIENCE


def state() -> dict[str, list[dict[str, Any]]]:
    return {
        "users": list(User.objects.order_by("pk").values()),
        "links": list(ContractLink.objects.order_by("pk").values()),
    }


def test_the_same_token_signs_in_once(gql):
    # given
    linked = contract("41000123")
    token = hs256(claims(contracts=["41000123"]))
    first = sign_in(gql, token)
    after_first = state()

    # when
    again = sign_in(gql, token)

    # then
    assert first["errors"] == []
    assert first["token"]
    assert again == REPLAYED
    assert state() == after_first
    assert [link["contract_id"] for link in after_first["links"]] == [linked.pk]


def test_another_token_of_the_same_customer_signs_in(gql):
    # given
    sign_in(gql, hs256(claims()))

    # when
    payload = sign_in(gql, hs256(claims()))

    # then
    assert payload["errors"] == []
    assert User.objects.count() == 1


def test_a_spent_token_is_remembered_while_the_shop_would_accept_it(gql, settings, monkeypatch):
    # given: a token that lives two minutes more, spent
    clock = CacheClock.install(monkeypatch)
    token = hs256(claims(exp=int(time.time()) + 120))
    assert sign_in(gql, token)["errors"] == []
    after_first = state()

    # when: the cache's clock reaches the token's expiry plus the clock skew forgiven
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    clock.now += exp + settings.PORTAL_JWT_LEEWAY - time.time()
    again = sign_in(gql, token)

    # then
    assert again == REPLAYED
    assert state() == after_first


def test_replays_count_as_failures_from_their_address(gql, settings):
    # given
    settings.LOGIN_THROTTLE_IP_MAX_FAILURES = 2
    token = hs256(claims())
    sign_in(gql, token)
    replays = [sign_in(gql, token) for _ in range(2)]

    # when
    payload = sign_in(gql, hs256(claims()))

    # then
    assert replays == [REPLAYED] * 2
    assert payload["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="parallel connections need PostgreSQL (SQLite serialises them)",
)
def test_the_same_token_sent_in_parallel_signs_in_once(settings):
    # given: one token, sent by ten processes sharing the cache at once
    contract("41000123")
    token = hs256(claims())

    def job(client: Client) -> tuple[str, ...]:
        response = client.post(
            "/graphql/",
            orjson.dumps({"query": PORTAL_SIGN_IN, "variables": {"input": {"portalToken": token}}}),
            content_type="application/json",
        )
        payload = orjson.loads(response.content)["data"]["portalSignIn"]
        return tuple(error["code"] for error in payload["errors"])

    with shared_cache(settings):
        # when
        answers = run_together([job] * 10)

    # then
    assert Counter(answers) == {(): 1, ("PORTAL_TOKEN_REPLAYED",): 9}
    assert User.objects.count() == ContractLink.objects.count() == 1
