"""Helpers of the recovery tests (reset, confirmation, e-mail change, consent)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core import mail

from tests.operations import operation

STOREFRONT = "http://127.0.0.1:8000/storefront/"
RESET_URL = STOREFRONT + "#/reset-password"
EMAIL_CHANGE_URL = STOREFRONT + "#/email-change"


def call(gql: Any, name: str, input: dict[str, Any], capture: Any, **kwargs: Any) -> Any:
    """Run ``storefront/<name>`` with ``input`` and its after-commit work (the
    outbox's e-mails); returns the mutation's payload."""
    with capture(execute=True):
        body = gql(operation(f"storefront/{name}"), {"input": input}, **kwargs)
    assert "errors" not in body, body
    return body["data"][name[0].lower() + name[1:]]


def link_in(message: mail.EmailMessage) -> str:
    urls = re.findall(r"https?://\S+", message.body)
    assert len(urls) == 1, message.body
    return urls[0]


def link_params(url: str) -> dict[str, str]:
    """The query parameters of a link, read from its fragment when it has one."""
    parts = urlsplit(url)
    query = parts.fragment.partition("?")[2] if parts.fragment else parts.query
    return {name: values[0] for name, values in parse_qs(query, strict_parsing=True).items()}
