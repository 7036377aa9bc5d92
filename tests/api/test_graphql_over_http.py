"""GraphQL over HTTP: ``application/graphql-response+json`` when the client accepts it,
with 4xx for requests refused before execution; ``application/json`` as before."""

import logging

import orjson
import pytest

from shop.api import security
from tests.factories.catalog import ProductFactory

pytestmark = pytest.mark.django_db

GRAPHQL_RESPONSE = "application/graphql-response+json"
# What Apollo Client 4 sends by default.
APOLLO_ACCEPT = "application/graphql-response+json, application/json;q=0.9"

REQUEST_ERRORS = {
    "parse": (
        "{ shop { name }",
        None,
        [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 16}],
            }
        ],
    ),
    "validation": (
        "{ shop { nope } }",
        None,
        [
            {
                "message": "Cannot query field 'nope' on type 'Shop'.",
                "locations": [{"line": 1, "column": 10}],
            }
        ],
    ),
    "variable coercion": (
        "query($first: Int!) { products(first: $first) { totalCount } }",
        {"first": "ten"},
        [
            {
                "message": "Variable '$first' has invalid value: "
                "Int cannot represent non-integer value: 'ten'",
                "locations": [{"line": 1, "column": 7}],
            }
        ],
    ),
}


def post(client, query, variables=None, accept=None):
    headers = {"Accept": accept} if accept is not None else {}
    return client.post(
        "/graphql/",
        data=orjson.dumps({"query": query, "variables": variables}),
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def no_server_errors_logged(caplog):
    caplog.set_level(logging.INFO)
    yield
    records = caplog.get_records("call")
    assert [r.getMessage() for r in records if r.levelno >= logging.ERROR] == []
    assert [r.getMessage() for r in records if r.exc_info] == []


@pytest.mark.parametrize("kind", REQUEST_ERRORS)
@pytest.mark.parametrize("accept", [APOLLO_ACCEPT, GRAPHQL_RESPONSE])
def test_a_request_error_is_a_400_without_data_in_graphql_response_json(
    client, no_server_errors_logged, kind, accept
):
    query, variables, errors = REQUEST_ERRORS[kind]
    response = post(client, query, variables, accept=accept)
    assert response.status_code == 400
    assert response["Content-Type"] == GRAPHQL_RESPONSE
    assert orjson.loads(response.content) == {"errors": errors}


@pytest.mark.parametrize("kind", REQUEST_ERRORS)
@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "text/html"])
def test_a_request_error_is_still_a_200_with_null_data_in_json(
    client, no_server_errors_logged, kind, accept
):
    query, variables, errors = REQUEST_ERRORS[kind]
    response = post(client, query, variables, accept=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert orjson.loads(response.content) == {"data": None, "errors": errors}


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (APOLLO_ACCEPT, GRAPHQL_RESPONSE),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
        ("application/json, application/graphql-response+json", "application/json"),
    ],
)
def test_a_successful_query_is_a_200_in_the_media_type_asked_for(client, accept, content_type):
    ProductFactory()
    response = post(client, "{ products(first: 5) { totalCount } }", accept=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert orjson.loads(response.content) == {"data": {"products": {"totalCount": 1}}}


@pytest.mark.parametrize("accept", [APOLLO_ACCEPT, "application/json"])
def test_an_executed_request_with_field_errors_is_a_200(client, no_server_errors_logged, accept):
    response = post(client, "{ customers(first: 5) { totalCount } }", accept=accept)
    assert response.status_code == 200
    body = orjson.loads(response.content)
    assert body["data"] is None
    assert [(e["path"], e["extensions"]) for e in body["errors"]] == [
        (["customers"], {"code": "UNAUTHENTICATED"})
    ]


def test_a_malformed_body_is_a_400_in_the_media_type_asked_for(client):
    response = client.post(
        "/graphql/", data=b"{", content_type="application/json", headers={"Accept": APOLLO_ACCEPT}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == GRAPHQL_RESPONSE
    assert orjson.loads(response.content) == {
        "errors": [{"message": "Unable to parse request body as JSON"}]
    }


def test_a_server_failure_before_execution_is_a_500_not_a_400(client, monkeypatch, caplog):
    def broken(self, node, *args):
        raise RuntimeError("validation rule bug")

    monkeypatch.setattr(security.MaxPageSizeRule, "enter_argument", broken)
    query = "{ products(first: 3) { totalCount } }"
    as_graphql_response = post(client, query, accept=APOLLO_ACCEPT)
    as_json = post(client, query + " ", accept="application/json")
    assert as_graphql_response.status_code == 500
    assert orjson.loads(as_graphql_response.content) == {
        "errors": [{"message": "Unexpected error."}]
    }
    assert as_json.status_code == 200
    assert orjson.loads(as_json.content) == {
        "data": None,
        "errors": [{"message": "Unexpected error."}],
    }
    shop_errors = [r for r in caplog.records if r.name == "shop.api"]
    assert [(r.levelname, r.exc_info[0]) for r in shop_errors] == [
        ("ERROR", RuntimeError),
        ("ERROR", RuntimeError),
    ]
