from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQL


@pytest.fixture
def gql(gql: GraphQL) -> GraphQL:
    """The root ``gql`` fixture, asking for English unless ``headers`` name a language.

    The accounts tests compare whole payloads, messages included; asking for English
    compares them with the source strings, so editing the Spanish catalogue does not
    break them. ``test_messages_follow_the_request_language`` covers the Spanish default.
    """

    def run(query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        kwargs["headers"] = {"Accept-Language": "en", **(kwargs.get("headers") or {})}
        return gql(query, variables, **kwargs)

    return run
