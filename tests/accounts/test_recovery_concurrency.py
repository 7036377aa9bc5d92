"""Single use under parallel requests: real parallel connections on PostgreSQL.
A reset link or an e-mail change link used by several requests at once works
for exactly one of them (the account's row is locked while the token is checked)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from shop.accounts import recovery
from shop.accounts.models import User
from tests.factories import UserFactory
from tests.operations import operation
from tests.parallel import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="parallel connections need PostgreSQL (SQLite serialises them)",
    ),
]

REQUESTS = 6


def _post(client: Client, name: str, input: dict[str, Any]) -> Any:
    response = client.post(
        "/graphql/",
        orjson.dumps({"query": operation(f"storefront/{name}"), "variables": {"input": input}}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    return orjson.loads(response.content)["data"][name[0].lower() + name[1:]]


def test_parallel_uses_of_one_reset_link_set_one_password():
    # given
    user = UserFactory(email="ana@example.com")
    token = recovery.reset_tokens.make_token(user)
    passwords = [f"parallel-secret-number-{index}" for index in range(REQUESTS)]

    def use(password: str) -> Any:
        def job(client: Client) -> list[str]:
            payload = _post(
                client, "SetPassword", {"email": user.email, "token": token, "password": password}
            )
            return [error["code"] for error in payload["errors"]]

        return job

    # when
    results = run_together([use(password) for password in passwords])

    # then
    winners = [password for password, codes in zip(passwords, results, strict=True) if not codes]
    assert len(winners) == 1
    assert sorted(map(tuple, results)) == [()] + [("INVALID_TOKEN",)] * (REQUESTS - 1)
    user.refresh_from_db()
    assert user.check_password(winners[0])


def test_parallel_uses_of_one_email_change_link_move_the_account_once():
    # given
    user = UserFactory(email="ana@example.com")
    token = recovery.email_change_token(user, "ana.new@example.com")
    mail.outbox = []

    def job(client: Client) -> list[str]:
        payload = _post(client, "ConfirmEmailChange", {"token": token})
        return [error["code"] for error in payload["errors"]]

    # when
    results = run_together([job] * REQUESTS)

    # then
    assert sorted(map(tuple, results)) == [()] + [("INVALID_TOKEN",)] * (REQUESTS - 1)
    assert User.objects.get(pk=user.pk).email == "ana.new@example.com"
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]  # told once
