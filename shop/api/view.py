"""The one GraphQL endpoint: sync Django view, orjson responses."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from strawberry.django.views import GraphQLView

from shop.api.context import ShopContext
from shop.api.graphiql import graphiql_html


class ShopGraphQLView(GraphQLView[ShopContext, None]):
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def get_context(self, request: HttpRequest, response: HttpResponse) -> ShopContext:
        return ShopContext(request=request, response=response)

    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(graphiql_html())

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response: HttpResponseBase = self.run(request=request)
        except HTTPException as exc:
            # Malformed requests (bad JSON, no query, wrong method) answer in JSON too.
            response = HttpResponse(
                orjson.dumps({"errors": [{"message": exc.reason}]}),
                status=exc.status_code,
                content_type="application/json",
            )
        # Responses carry per-user data (tokens, orders): never cache them in between.
        response.setdefault("Cache-Control", "no-store")
        return response
