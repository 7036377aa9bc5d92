"""GraphiQL: only with DEBUG, and served from the shop's own static files."""

import re
from pathlib import Path

import pytest

from shop.api.graphiql import graphiql_html

STATIC = Path(__file__).resolve().parents[2] / "shop" / "static"


def test_graphiql_page_loads_nothing_from_outside():
    html = graphiql_html()
    assert "unpkg" not in html
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []


def test_graphiql_assets_exist_locally():
    urls = re.findall(r'(?:src|href)="/static/([^"]+)"', graphiql_html())
    assert len(urls) == 7
    for url in urls:
        assert (STATIC / url).is_file(), url


@pytest.mark.django_db
def test_no_graphiql_when_debug_is_off(client):
    response = client.get("/graphql/", headers={"Accept": "text/html"})
    assert response.status_code == 404
