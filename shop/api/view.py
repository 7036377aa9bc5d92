"""The one GraphQL endpoint: sync Django view, orjson responses."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from strawberry.django.views import GraphQLView, TemporalHttpResponse

from shop.api.context import ShopContext


class ShopGraphQLView(GraphQLView[ShopContext, None]):
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def get_context(self, request: HttpRequest, response: TemporalHttpResponse) -> ShopContext:
        return ShopContext(request=request, response=response)

    @property
    def graphql_ide_html(self) -> str:
        from shop.api.graphiql import graphiql_html

        return graphiql_html()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        # Responses carry per-user data (tokens, orders): never cache them in between.
        response.setdefault("Cache-Control", "no-store")
        return response  # type: ignore[no-any-return]
