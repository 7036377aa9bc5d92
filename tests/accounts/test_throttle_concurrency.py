"""Sign-in limits under parallel attempts: real parallel connections on PostgreSQL
and the counters in the real Redis, as two API processes share them."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test import Client

from shop.accounts.models import User
from tests.factories import UserFactory
from tests.operations import operation
from tests.parallel import CallCounter, run_together, shared_cache

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="parallel connections need PostgreSQL (SQLite serialises them)",
    ),
]

TOKEN_CREATE = operation("storefront/TokenCreate")
ATTEMPTS = 24


def sign_in(email: str, password: str) -> Any:
    def job(client: Client) -> tuple[int, tuple[str, ...]]:
        variables = {"input": {"email": email, "password": password}}
        response = client.post(
            "/graphql/",
            orjson.dumps({"query": TOKEN_CREATE, "variables": variables}),
            content_type="application/json",
        )
        payload = orjson.loads(response.content)["data"]["tokenCreate"]
        assert payload["token"] is None
        return response.status_code, tuple(error["code"] for error in payload["errors"])

    return job


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> CallCounter:
    """Counts the passwords checked, by any thread."""
    counter = CallCounter(User.check_password)
    monkeypatch.setattr(User, "check_password", lambda user, raw: counter(user, raw))
    return counter


def test_parallel_wrong_passwords_for_one_account_check_at_most_the_limit(settings, checks):
    # given
    assert settings.LOGIN_THROTTLE_MAX_FAILURES == 5
    UserFactory(email="ana@example.com")

    with shared_cache(settings):
        # when
        answers = run_together([sign_in("ana@example.com", f"wrong-{n}") for n in range(ATTEMPTS)])

    # then
    assert checks.calls == 5
    assert Counter(answers) == {
        (200, ("INVALID_CREDENTIALS",)): 5,
        (200, ("TOO_MANY_ATTEMPTS",)): ATTEMPTS - 5,
    }


def test_parallel_wrong_passwords_from_one_ip_check_at_most_the_ip_limit(settings, checks):
    # given: one attempt per account, all from the test client's address
    settings.LOGIN_THROTTLE_IP_MAX_FAILURES = 5
    emails = [UserFactory(email=f"user{n}@example.com").email for n in range(ATTEMPTS)]

    with shared_cache(settings):
        # when
        answers = run_together([sign_in(email, "wrong-horse-battery-1") for email in emails])

    # then
    assert checks.calls == 5
    assert Counter(answers) == {
        (200, ("INVALID_CREDENTIALS",)): 5,
        (200, ("TOO_MANY_ATTEMPTS",)): ATTEMPTS - 5,
    }
