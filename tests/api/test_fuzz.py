"""The whole schema, fuzzed: every query and mutation that hypothesis-graphql builds
from ``graphql/schema.graphql`` (valid documents with arbitrary arguments), sent
through the real endpoint as a guest, a customer and an administrator, gets an
answer a client can use -- never the masked "Unexpected error.", never a server
error in the log.

The documents come from the printed schema (the contract clients see), so a field
added to the code is fuzzed as soon as ``make schema`` prints it. Hypothesis runs
derandomised (tests/conftest.py's profile): the same examples on every run, so a
failure repeats; ``FUZZ_EXAMPLES`` raises the count for a longer hunt.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC
from pathlib import Path

import graphql
import orjson
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries
from strawberry import relay

from shop.accounts.tokens import create_token
from shop.api.errors import MASKED_MESSAGE
from tests.catalog.storefront_factories import customer
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))  # per root field
SCHEMA = graphql.build_schema(
    (Path(django_settings.BASE_DIR) / "graphql" / "schema.graphql").read_text()
)


def _text_or(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[graphql.ValueNode]:
    """A well-formed value of the scalar, or any text (which it must refuse cleanly)."""
    return st.one_of(strategy, st.text(max_size=40)).map(nodes.String)


SCALARS = {
    "Date": _text_or(st.dates()),
    "DateTime": _text_or(st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())),
    "Decimal": _text_or(st.decimals(allow_nan=False, allow_infinity=False, places=2)),
    "JSON": st.text(max_size=40).map(nodes.String),
    "UUID": _text_or(st.uuids()),
    # Files come only as multipart parts; an inline literal must be refused.
    "Upload": st.just("file").map(nodes.String),
}
# Kept small enough to pass the request limits most of the time: a document over
# them is refused with a 400 too, which is also a right answer.
OPTIONS = {"codec": "utf-8", "allow_x00": False, "custom_scalars": SCALARS}
ROOTS = [
    *((queries, name) for name in SCHEMA.query_type.fields),  # type: ignore[union-attr]
    *((mutations, name) for name in SCHEMA.mutation_type.fields),  # type: ignore[union-attr]
]


@pytest.fixture
def server_errors(caplog):
    """What the shop logged as an error (or with a traceback) while the test ran."""
    caplog.set_level(logging.INFO)

    def read():
        records = caplog.get_records("call")
        found = [r.getMessage() for r in records if r.levelno >= logging.ERROR or r.exc_info]
        caplog.clear()
        return found

    return read


def _real_ids() -> list[str]:
    """Global IDs of rows that exist, a few per Node type, so that the fuzzed
    arguments get past "not found" into the services."""
    models = {model.__name__: model for model in apps.get_models()}
    ids = []
    for name, type_ in SCHEMA.type_map.items():
        node = isinstance(type_, graphql.GraphQLObjectType) and "Node" in {
            interface.name for interface in type_.interfaces
        }
        if node and name in models:
            pks = models[name].objects.order_by("pk").values_list("pk", flat=True)[:3]
            ids += [relay.to_base64(name, pk) for pk in pks]
    return ids


def _callers() -> dict[str, dict[str, str]]:
    admin = StaffFactory(is_superuser=True)
    return {
        "guest": {},
        "customer": {"Authorization": f"Bearer {create_token(customer(), 'access')}"},
        "administrator": {"Authorization": f"Bearer {create_token(admin, 'access')}"},
    }


def test_every_root_field_answers_usably_whatever_its_arguments(client, server_errors):
    call_command("seed_demo", verbosity=0, password="Fuzz-2026-demo")
    ids = _real_ids()
    assert len(ids) > 20
    callers = _callers()
    options = {
        "codec": "utf-8",
        "allow_x00": False,
        "custom_scalars": {
            **SCALARS,
            "ID": st.one_of(st.sampled_from(ids), st.text(max_size=20)).map(nodes.String),
        },
    }
    # One run per root field: drawn from the whole schema at once, the examples
    # crowd onto the first few fields.
    for documents, root in ROOTS:

        @settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
        @given(
            document=documents(SCHEMA, fields=[root], **options),
            caller=st.sampled_from(sorted(callers)),
        )
        def check(document, caller):
            _check_answer(client, callers[caller], server_errors, document)

        check()


def _check_answer(client, headers, server_errors, document):
    response = client.post(
        "/graphql/",
        data=orjson.dumps({"query": document}),
        content_type="application/json",
        headers={"Accept-Language": "en", **headers},
    )
    body = orjson.loads(response.content)
    messages = [error["message"] for error in body.get("errors", [])]
    assert response.status_code in (200, 400), (response.status_code, document, messages)
    assert "data" in body or messages, (document, body)
    assert MASKED_MESSAGE not in messages, (document, body)
    assert server_errors() == [], document
