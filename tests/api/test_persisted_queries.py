"""Persisted queries by hash (Apollo's APQ shape), over GET with ETag, and the shared
response cache for anonymous catalogue reads: every catalogue writer invalidates it,
signed-in and staff requests never touch it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import services as catalog
from orders import services as orders
from shop.accounts.tokens import create_token
from shop.content import services as content
from tests.catalog.storefront_factories import (
    AttributeFactory,
    CollectionFactory,
    catalogue_manager,
    customer,
    priced_product,
)
from tests.catalog.test_media import image_bytes
from tests.factories import StaffFactory
from tests.factories.catalog import MediaFactory, ProductFactory, WarehouseFactory
from tests.factories.orders import ready_checkout, stocked_variant
from tests.operations import operation

pytestmark = pytest.mark.django_db


def sha(name: str) -> str:
    return hashlib.sha256(operation(f"storefront/{name}").encode()).hexdigest()


def persisted_get(client, name: str, variables: dict[str, Any] | None = None, **headers: str):
    return client.get(
        "/graphql/",
        {
            "operationName": name,
            "variables": orjson.dumps(variables or {}).decode(),
            "extensions": orjson.dumps(
                {"persistedQuery": {"version": 1, "sha256Hash": sha(name)}}
            ).decode(),
        },
        headers=headers,
    )


def fresh(gql, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer computed now (a POST is never served from the cache)."""
    return gql(operation(f"storefront/{name}"), variables or {})


def test_get_by_hash_answers_like_the_document_with_an_etag(client, gql):
    priced_product("12.10", slug="grifo")
    response = persisted_get(client, "ProductList", {"first": 10})
    assert response.status_code == 200
    assert orjson.loads(response.content) == fresh(gql, "ProductList", {"first": 10})
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert response["ETag"].startswith('"')
    assert "Accept-Language" in response["Vary"]


def test_second_request_is_served_from_the_cache_and_revalidates_with_304(
    client, django_assert_num_queries
):
    priced_product("12.10", slug="grifo")
    first = persisted_get(client, "ProductList", {"first": 10})
    with django_assert_num_queries(0):
        again = persisted_get(client, "ProductList", {"first": 10})
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    with django_assert_num_queries(0):
        unchanged = persisted_get(client, "ProductList", {"first": 10}, If_None_Match=first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged.content == b""


def test_variables_and_language_are_part_of_the_key(client):
    priced_product("12.10", slug="grifo", name="Grifo", name_en="Tap")
    spanish = orjson.loads(persisted_get(client, "ProductList", {"first": 10}).content)
    english = orjson.loads(
        persisted_get(client, "ProductList", {"first": 10}, Accept_Language="en").content
    )
    none = orjson.loads(persisted_get(client, "ProductList", {"first": 0}).content)
    assert spanish["data"]["products"]["edges"][0]["node"]["name"] == "Grifo"
    assert english["data"]["products"]["edges"][0]["node"]["name"] == "Tap"
    assert none["data"]["products"]["edges"] == []


def test_unknown_hash_is_apollos_not_found_error(client):
    response = client.get(
        "/graphql/",
        {"extensions": orjson.dumps({"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}})},
    )
    assert response.status_code == 200
    assert orjson.loads(response.content) == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }


def test_persisted_document_by_post_runs_uncached(client, gql):
    priced_product("12.10", slug="grifo")
    body = orjson.dumps(
        {
            "variables": {"first": 5},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha("ProductList")}},
        }
    )
    response = client.post("/graphql/", body, content_type="application/json")
    assert orjson.loads(response.content) == fresh(gql, "ProductList", {"first": 5})
    assert response["Cache-Control"] == "no-store"


def test_persisted_mutation_is_refused_over_get(client):
    response = persisted_get(client, "CheckoutCreate", {"input": {"lines": []}})
    assert response.status_code == 400
    assert orjson.loads(response.content) == {
        "errors": [{"message": "mutations are not allowed when using GET"}]
    }


def test_private_documents_are_never_cached(client, django_assert_max_num_queries):
    persisted_get(client, "Checkout", {"token": "00000000-0000-0000-0000-000000000000"})
    response = persisted_get(client, "Checkout", {"token": "00000000-0000-0000-0000-000000000000"})
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


def bearer(user) -> str:
    return f"Bearer {create_token(user, 'access')}"


def test_staff_view_of_unpublished_products_never_reaches_the_cache(client):
    priced_product("12.10", slug="publicado")
    priced_product("9.00", slug="borrador", is_published=False)
    manager = catalogue_manager()
    staff = orjson.loads(
        persisted_get(client, "ProductList", {"first": 10}, Authorization=bearer(manager)).content
    )
    public = persisted_get(client, "ProductList", {"first": 10})
    staff_again = persisted_get(client, "ProductList", {"first": 10}, Authorization=bearer(manager))
    slugs = lambda body: sorted(e["node"]["slug"] for e in body["data"]["products"]["edges"])  # noqa: E731
    assert slugs(staff) == ["borrador", "publicado"]
    assert slugs(orjson.loads(public.content)) == ["publicado"]
    assert slugs(orjson.loads(staff_again.content)) == ["borrador", "publicado"]
    assert staff_again["Cache-Control"] == "no-store"


def test_signed_in_requests_neither_read_nor_fill_the_cache(client, django_assert_num_queries):
    priced_product("12.10", slug="grifo")
    shopper = customer()
    signed_in = persisted_get(client, "ProductList", {"first": 10}, Authorization=bearer(shopper))
    assert signed_in["Cache-Control"] == "no-store"
    # Nothing was stored: the first anonymous request runs its queries.
    with CaptureQueriesContext(connection) as queries:
        persisted_get(client, "ProductList", {"first": 10})
    assert len(queries) > 0
    with django_assert_num_queries(0):
        persisted_get(client, "ProductList", {"first": 10})
    # A cached entry is not served to a signed-in client either.
    with CaptureQueriesContext(connection) as queries:
        persisted_get(client, "ProductList", {"first": 10}, Authorization=bearer(shopper))
    assert len(queries) > 0


# Every service writing what the public catalogue shows: (document, variables, setup, write).
# ``setup`` builds rows and returns what ``write`` needs; the write runs with its
# commit callbacks executed, as after a real commit.
Writer = tuple[str, dict[str, Any], Callable[[], Any], Callable[[Any, Any], Any]]
LIST = ("ProductList", {"first": 10})


def _product() -> Any:
    return priced_product("12.10", slug="grifo")


def _stocked() -> Any:
    return stocked_variant(quantity=5).product


def _placed() -> Any:
    variant = stocked_variant(quantity=5)
    checkout = ready_checkout(lines=[(variant, 1)])
    orders.checkout_payment_start(checkout=checkout, method_code="card")
    return orders.checkout_complete(checkout=checkout, actor=None)


WRITERS: dict[str, Writer] = {
    "product_create": (
        *LIST,
        lambda: ProductFactory(slug="viejo").category,
        lambda actor, category: catalog.product_create(
            actor=actor, data={"name": "Nuevo", "slug": "nuevo", "category": category}
        ),
    ),
    "product_update": (
        *LIST,
        _product,
        lambda actor, p: catalog.product_update(actor=actor, product=p, data={"name": "Otro"}),
    ),
    "product_delete": (
        *LIST,
        _product,
        lambda actor, p: catalog.product_delete(actor=actor, product=p),
    ),
    "variant_create": (
        *LIST,
        _product,
        lambda actor, p: catalog.variant_create(
            actor=actor,
            product=p,
            data={"sku": "NEW-1", "name": "Nueva", "price": Decimal("3.00")},
        ),
    ),
    "variant_update": (
        *LIST,
        _product,
        lambda actor, p: catalog.variant_update(
            actor=actor, variant=p.variants.get(), data={"price": Decimal("20.00")}
        ),
    ),
    "variant_delete": (
        *LIST,
        _product,
        lambda actor, p: catalog.variant_delete(actor=actor, variant=p.variants.get()),
    ),
    "stock_update": (
        *LIST,
        _stocked,
        lambda actor, p: catalog.stock_update(
            actor=actor,
            variant=p.variants.get(),
            warehouse=p.variants.get().stocks.get().warehouse,
            quantity=1,
        ),
    ),
    "stock_update_new_warehouse": (
        *LIST,
        _stocked,
        lambda actor, p: catalog.stock_update(
            actor=actor, variant=p.variants.get(), warehouse=WarehouseFactory(), quantity=7
        ),
    ),
    "category_update": (
        *LIST,
        _product,
        lambda actor, p: catalog.category_update(
            actor=actor, category=p.category, data={"name": "Otra"}
        ),
    ),
    "category_unpublish": (
        *LIST,
        _product,
        lambda actor, p: catalog.category_update(
            actor=actor, category=p.category, data={"is_published": False}
        ),
    ),
    "collection_update": (
        "Collections",
        {},
        lambda: CollectionFactory(slug="verano"),
        lambda actor, c: catalog.collection_update(actor=actor, collection=c, data={"name": "X"}),
    ),
    "collection_products_add": (
        "Collection",
        {"slug": "verano"},
        lambda: (CollectionFactory(slug="verano"), _product()),
        lambda actor, cp: catalog.collection_products_add(
            actor=actor, collection=cp[0], products=[cp[1]]
        ),
    ),
    "product_media_create": (
        *LIST,
        _product,
        lambda actor, product: catalog.product_media_create(
            actor=actor,
            product=product,
            upload=SimpleUploadedFile("grifo.png", image_bytes(size=(80, 60)), "image/png"),
        ),
    ),
    "product_media_delete": (
        *LIST,
        lambda: MediaFactory(product=_product()),
        lambda actor, media: catalog.product_media_delete(actor=actor, media=media),
    ),
    "attribute_update": (
        "Attributes",
        {},
        lambda: AttributeFactory(is_filterable=True),
        lambda actor, a: catalog.attribute_update(actor=actor, attribute=a, data={"name": "Z"}),
    ),
    "stock_reserve (checkoutPaymentStart)": (
        *LIST,
        lambda: ready_checkout(lines=[(stocked_variant(quantity=5), 2)]),
        lambda _actor, checkout: orders.checkout_payment_start(
            checkout=checkout, method_code="card"
        ),
    ),
    "stock_allocate (checkoutComplete)": (
        *LIST,
        lambda: _started(),
        lambda _actor, checkout: orders.checkout_complete(checkout=checkout, actor=None),
    ),
    "stock_deallocate (orderCancel)": (
        *LIST,
        _placed,
        lambda actor, order: orders.order_cancel(actor=actor, order=order),
    ),
    "stock_fulfill (orderFulfill)": (
        *LIST,
        _placed,
        lambda actor, order: orders.order_fulfill(
            actor=actor, order=order, quantities=[(order.lines.get(), 1)], notify=False
        ),
    ),
    "reservations_delete_expired": (
        *LIST,
        lambda: _started(),
        lambda _actor, _checkout: orders.reservations_delete_expired(now=_far_future()),
    ),
    "shop_settings_update": (
        "ShopHome",
        {},
        lambda: None,
        lambda actor, _: content.shop_settings_update(actor=actor, data={"name": "Tienda X"}),
    ),
    "legal_page_update": (
        "LegalPages",
        {},
        lambda: None,
        lambda actor, _: content.legal_page_update(
            actor=actor,
            kind="terms_of_sale",
            data={"title": "Condiciones", "body": "<p>Nuevas</p>"},
        ),
    ),
}


def _started() -> Any:
    checkout = ready_checkout(lines=[(stocked_variant(quantity=5), 1)])
    orders.checkout_payment_start(checkout=checkout, method_code="card")
    return checkout


def _far_future() -> datetime:
    return timezone.now() + timedelta(days=365)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_catalogue_writer_invalidates_the_cache(
    client, gql, django_capture_on_commit_callbacks, writer
):
    name, variables, setup, write = WRITERS[writer]
    target = setup()
    actor = StaffFactory(is_superuser=True)
    before = persisted_get(client, name, variables)
    assert before.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert persisted_get(client, name, variables).content == before.content
    assert len(queries) == 0  # cached

    with django_capture_on_commit_callbacks(execute=True):
        write(actor, target)

    with CaptureQueriesContext(connection) as queries:
        after = persisted_get(client, name, variables)
    assert len(queries) > 0  # recomputed, not served from the old entry
    assert orjson.loads(after.content) == fresh(gql, name, variables)


# A Redis cache on a port nothing listens on: every cache call fails at once.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_while_the_cache_is_down_catalogue_reads_answer_uncached(client, gql, settings):
    priced_product("12.10", slug="grifo")
    expected = fresh(gql, "ProductList", {"first": 10})
    settings.CACHES = REDIS_DOWN

    answer = persisted_get(client, "ProductList", {"first": 10})

    assert answer.status_code == 200
    assert orjson.loads(answer.content) == expected
    assert answer["Cache-Control"] == "no-store"
    assert "ETag" not in answer


def test_while_the_cache_is_down_an_order_is_placed_and_answered(
    gql, settings, django_capture_on_commit_callbacks
):
    checkout = _started()
    settings.CACHES = REDIS_DOWN

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = gql(
            operation("storefront/CheckoutComplete"), {"input": {"token": str(checkout.token)}}
        )

    placed = answer["data"]["checkoutComplete"]
    assert placed["errors"] == []
    assert placed["order"]["number"] is not None
    assert "_bump" in [getattr(callback, "__name__", None) for callback in callbacks]
