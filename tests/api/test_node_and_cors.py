import pytest
from django.test import override_settings
from strawberry import relay

from shop.content.models import FaqCategory, FaqEntry

pytestmark = pytest.mark.django_db

NODE = "query($id: ID!) { node(id: $id) { __typename ... on FaqEntry { question } } }"


def test_node_resolves_a_published_faq_entry(gql):
    category = FaqCategory.objects.create(name="Pagos")
    entry = FaqEntry.objects.create(category=category, question="¿Cómo pago?", answer="-")
    body = gql(NODE, {"id": relay.to_base64("FaqEntry", entry.pk)})
    assert body == {"data": {"node": {"__typename": "FaqEntry", "question": "¿Cómo pago?"}}}


def test_node_hides_an_unpublished_faq_entry_from_the_public(gql):
    category = FaqCategory.objects.create(name="Pagos")
    entry = FaqEntry.objects.create(
        category=category, question="Borrador", answer="-", is_published=False
    )
    body = gql(NODE, {"id": relay.to_base64("FaqEntry", entry.pk)})
    assert body == {"data": {"node": None}}


def test_node_with_a_garbage_id_is_a_clear_error(gql):
    body = gql(NODE, {"id": "not-base64!"}, headers={"Accept-Language": "en"})
    assert body["data"] == {"node": None}
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("'id' is not a valid ID.", {"code": "INVALID_ID"})
    ]


@override_settings(CORS_ALLOWED_ORIGINS=["https://oficina.aguas.example"])
def test_cors_allows_the_portal_origin_only(client):
    allowed = client.options(
        "/graphql/",
        headers={
            "Origin": "https://oficina.aguas.example",
            "Access-Control-Request-Method": "POST",
        },
    )
    other = client.options(
        "/graphql/",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed["Access-Control-Allow-Origin"] == "https://oficina.aguas.example"
    assert "Access-Control-Allow-Origin" not in other
