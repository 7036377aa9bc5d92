"""The one GraphQL endpoint: sync Django view, orjson responses, GraphQL over HTTP."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from strawberry.django.views import GraphQLView, TemporalHttpResponse
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.sync_base_view import SyncHTTPRequestAdapter
from strawberry.types import ExecutionResult
from typing_extensions import override

from shop.api import persisted
from shop.api.context import ShopContext
from shop.api.errors import request_error_status
from shop.api.graphiql import graphiql_html

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# In order of preference when the client likes both equally (``*/*``, no Accept):
# application/json, which legacy clients expect.
MEDIA_TYPES = [JSON, GRAPHQL_RESPONSE_JSON]


class ShopGraphQLView(GraphQLView[ShopContext, None]):
    """Answers in the media type the client prefers (``Accept``), as the GraphQL over
    HTTP spec says: with ``application/graphql-response+json``, a request refused
    before execution (parse, validation, variable coercion) is a 400 with no
    ``data``; with ``application/json`` (or an Accept naming neither) it stays a
    200 with ``data: null``. An executed request is a 200 in both."""

    media_type = JSON
    # The persisted document this request names (shop.api.persisted), if any.
    document: persisted.Document | None = None

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def get_context(self, request: HttpRequest, response: HttpResponse) -> ShopContext:
        return ShopContext(request=request, response=response)

    @override
    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(graphiql_html())

    def get_sub_response(self, request: HttpRequest) -> TemporalHttpResponse:
        response = super().get_sub_response(request)
        response["Content-Type"] = self.media_type
        return response

    def parse_http_body(
        self, request: SyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):
            document = persisted.document_for(data.extensions, data.query)
            if document is not None:
                self.document = document
                data.query = document.text
        return data

    def execute_single(self, request: Any, request_adapter: Any, *args: Any, **kwargs: Any) -> Any:
        # Persisted queries may come by GET (plain GET queries stay refused).
        if self.document is not None and request_adapter.method == "GET":
            try:
                self.allow_queries_via_get = True
                return super().execute_single(request, request_adapter, *args, **kwargs)
            finally:
                self.allow_queries_via_get = False
        return super().execute_single(request, request_adapter, *args, **kwargs)

    def execute_operation(
        self,
        request: HttpRequest,
        context: ShopContext,
        root_value: None,
        sub_response: TemporalHttpResponse,
    ) -> ExecutionResult | list[ExecutionResult]:
        result = super().execute_operation(request, context, root_value, sub_response)
        if self.media_type == GRAPHQL_RESPONSE_JSON and isinstance(result, ExecutionResult):
            sub_response.status_code = request_error_status(result)
        return result

    def process_result(self, request: HttpRequest, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = super().process_result(request, result)
        if self.media_type == GRAPHQL_RESPONSE_JSON and request_error_status(result):
            # The operation never ran: the spec's "request error" has no data entry.
            del response["data"]
        return response

    @override
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.media_type = request.get_preferred_type(MEDIA_TYPES) or JSON
        key = None
        try:
            if request.method == "GET":
                document = persisted.cacheable(
                    request, persisted.document_for(_json_param(request, "extensions"), None)
                )
                if document is not None:
                    key, cached = persisted.lookup(request, document, self.media_type)
                    if cached is not None:
                        return cached
            response: HttpResponseBase = self.run(request=request)
        except persisted.PersistedQueryNotFound:
            response = HttpResponse(orjson.dumps(persisted.NOT_FOUND), content_type=self.media_type)
        except HTTPException as exc:
            # Malformed requests (bad JSON, no query, wrong method) answer in JSON too.
            response = HttpResponse(
                orjson.dumps({"errors": [{"message": exc.reason}]}),
                status=exc.status_code,
                content_type=self.media_type,
            )
        if key is not None and isinstance(response, HttpResponse):
            return persisted.store(request, key, response)
        # Responses carry per-user data (tokens, orders): never cache them in between.
        response.setdefault("Cache-Control", "no-store")
        return response


def _json_param(request: HttpRequest, name: str) -> Any:
    """A JSON-encoded query parameter, or None when absent or malformed (the
    GraphQL layer then refuses the request as it would without persisted queries)."""
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
