"""Bad input gets a clear error, never a 500; the limits refuse a request before
any database query runs."""

import logging

import orjson
import pytest
from django.contrib.auth.models import Permission
from strawberry.extensions.validation_cache import _get_validate_cache

from shop.accounts.models import User
from shop.api import security
from shop.api.security import CACHE_SIZE
from shop.content import selectors as content_selectors

pytestmark = pytest.mark.django_db


def post_raw(client, body, content_type="application/json"):
    return client.post("/graphql/", data=body, content_type=content_type)


def messages(body):
    return [error["message"] for error in body["errors"]]


def test_malformed_json_is_a_400_with_a_json_error(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = post_raw(client, b'{"query": "{ shop { name } }"')
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert orjson.loads(response.content) == {
        "errors": [{"message": "Unable to parse request body as JSON"}]
    }


def test_request_without_query_is_a_400(client):
    response = post_raw(client, b'{"variables": {}}')
    assert response.status_code == 400
    assert orjson.loads(response.content) == {
        "errors": [{"message": "No GraphQL query found in the request"}]
    }


def test_queries_via_get_are_refused(client):
    response = client.get("/graphql/", {"query": "{ shop { name } }"})
    assert response.status_code == 400
    assert orjson.loads(response.content) == {
        "errors": [{"message": "queries are not allowed when using GET"}]
    }


def test_batched_requests_are_refused(client):
    response = post_raw(client, orjson.dumps([{"query": "{ shop { name } }"}] * 2))
    assert response.status_code == 400
    assert orjson.loads(response.content) == {"errors": [{"message": "Batching is not enabled"}]}


def test_unknown_operation_name_is_an_error(client):
    body = orjson.dumps({"query": "query A { shop { name } }", "operationName": "B"})
    response = post_raw(client, body)
    assert response.status_code == 400
    assert orjson.loads(response.content) == {
        "errors": [{"message": 'Unknown operation named "B".'}]
    }


def test_syntax_error_is_a_clear_error(gql, django_assert_num_queries):
    with django_assert_num_queries(0):
        body = gql("{ shop { name ", status=200)
    assert body["data"] is None
    assert messages(body) == ["Syntax Error: Expected Name, found <EOF>."]


def test_wrong_variable_type_is_an_error_and_nothing_runs(gql, django_assert_num_queries):
    query = "query($first: Int) { customers(first: $first) { totalCount } }"
    with django_assert_num_queries(0):
        body = gql(query, {"first": "ten"})
    assert body["data"] is None
    assert messages(body) == [
        "Variable '$first' has invalid value: Int cannot represent non-integer value: 'ten'"
    ]


def test_field_suggestions_are_not_given(gql):
    body = gql("{ shop { nam } }")
    assert messages(body) == ["Cannot query field 'nam' on type 'Shop'."]


def test_introspection_is_off_in_production(gql, django_assert_num_queries):
    with django_assert_num_queries(0):
        body = gql("{ __schema { types { name } } }")
    assert body["data"] is None
    assert (
        "GraphQL introspection has been disabled, but the requested query contained the field"
        " '__schema'."
    ) in messages(body)


def test_over_deep_query_is_refused_before_any_query(gql, django_assert_num_queries):
    deep = "{ me " + "{ addresses " * 12 + "{ id }" + " }" * 12 + " }"
    with django_assert_num_queries(0):
        body = gql(deep)
    assert body["data"] is None
    assert "'anonymous' exceeds maximum operation depth of 12" in messages(body)


def test_too_many_aliases_are_refused_before_any_query(gql, django_assert_num_queries):
    query = "{ " + " ".join(f"a{i}: shop {{ name }}" for i in range(16)) + " }"
    with django_assert_num_queries(0):
        body = gql(query)
    assert body["data"] is None
    assert messages(body) == ["16 aliases found. Allowed: 15"]


def test_allowed_number_of_aliases_answers(gql):
    query = "{ " + " ".join(f"a{i}: shop {{ currency }}" for i in range(15)) + " }"
    body = gql(query)
    assert body == {"data": {f"a{i}": {"currency": "EUR"} for i in range(15)}}


def test_over_long_query_is_refused_before_any_query(gql, django_assert_num_queries):
    query = "{ shop { " + "name " * 2100 + "} }"
    with django_assert_num_queries(0):
        body = gql(query)
    assert body["data"] is None
    assert messages(body) == [
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    ]


def test_page_size_over_100_as_literal_is_refused_before_any_query(gql, django_assert_num_queries):
    with django_assert_num_queries(0):
        body = gql("{ customers(first: 1000) { totalCount } }")
    assert body["data"] is None
    assert messages(body) == ["'first' must be between 0 and 100."]


def test_negative_page_size_is_refused(gql):
    body = gql("{ customers(last: -1) { totalCount } }")
    assert messages(body) == ["'last' must be between 0 and 100."]


def test_page_size_over_100_in_a_variable_is_refused(gql):
    staff = User.objects.create_user("staff@example.com", "pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    User.objects.create_user("c@example.com", "pw")
    query = "query($first: Int) { customers(first: $first) { totalCount } }"
    body = gql(query, {"first": 1000}, user=staff)
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("'first' debe estar entre 0 y 100.", {"code": "PAGE_SIZE"})
    ]


def test_page_size_error_in_english_when_asked(gql):
    staff = User.objects.create_user("staff@example.com", "pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    query = "query($first: Int) { customers(first: $first) { totalCount } }"
    body = gql(query, {"first": 101}, user=staff, headers={"Accept-Language": "en"})
    assert messages(body) == ["'first' must be between 0 and 100."]


def test_unexpected_errors_are_masked(gql, monkeypatch):
    def broken():
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(content_selectors, "shop_settings", broken)
    body = gql("{ shop { name } }")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Unexpected error.",
                "locations": [{"line": 1, "column": 10}],
                "path": ["shop", "name"],
            }
        ],
    }


def test_unexpected_errors_outside_resolvers_are_masked_too(gql, monkeypatch):
    def broken(self, node, *args):
        raise RuntimeError("validation rule bug in /srv/shop/security.py")

    monkeypatch.setattr(security.MaxPageSizeRule, "enter_argument", broken)
    body = gql("{ products(first: 3) { totalCount } }")
    assert body == {"data": None, "errors": [{"message": "Unexpected error."}]}


def test_unexpected_errors_are_logged_in_full_and_client_errors_in_one_line(
    gql, monkeypatch, caplog
):
    def broken():
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(content_selectors, "shop_settings", broken)
    caplog.set_level(logging.INFO, logger="shop.api")
    gql("{ shop { name } }")
    gql("{ customers(first: 1) { totalCount } }")
    records = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]
    [(level, message, exc_info), client] = records
    assert (level, message.splitlines()[0]) == ("ERROR", "database password is hunter2")
    assert isinstance(exc_info[1], RuntimeError)
    assert client == (
        "INFO",
        "Client error UNAUTHENTICATED at ['customers']: Necesitas iniciar sesión para hacer esto.",
        None,
    )


def test_authentication_errors_are_shown_with_their_code(gql):
    body = gql("{ customers(first: 5) { totalCount } }")
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("Necesitas iniciar sesión para hacer esto.", {"code": "UNAUTHENTICATED"})
    ]


def test_validation_rules_are_built_once_so_the_validation_cache_hits(gql):
    cache = _get_validate_cache(CACHE_SIZE)
    query = "{ shop { currency languages } }"
    gql(query)
    hits = cache.cache_info().hits
    gql(query)
    gql(query)
    assert cache.cache_info().hits == hits + 2


def test_responses_are_not_cacheable(client):
    response = post_raw(client, orjson.dumps({"query": "{ shop { currency } }"}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
