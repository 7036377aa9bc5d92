from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from django.core.cache import cache
from django.test import Client

from shop.accounts.models import User
from shop.accounts.tokens import create_token

GraphQL = Callable[..., dict[str, Any]]


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _post(
    client: Client,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    extra = dict(headers or {})
    if user is not None:
        extra["Authorization"] = f"Bearer {create_token(user, 'access')}"
    response = client.post(
        "/graphql/",
        data=orjson.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        headers=extra,
    )
    assert response.status_code == status, response.content
    body: dict[str, Any] = orjson.loads(response.content)
    return body


@pytest.fixture
def gql(client: Client) -> GraphQL:
    """POST a GraphQL document to /graphql/ and return the decoded body."""

    def run(query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        return _post(client, query, variables, **kwargs)

    return run
