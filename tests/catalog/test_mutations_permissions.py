"""Every catalogue mutation is refused to guests, customers and staff without the
permission, and a refused request leaves the database and the media folder as they were."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from strawberry.utils.str_converters import to_camel_case

from catalog import models
from catalog.api.mutations import CatalogMutations
from shop.accounts.models import User
from shop.accounts.tokens import create_token
from tests.factories import UserFactory, gid, staff_in_role
from tests.factories.catalog import (
    CategoryFactory,
    MediaFactory,
    ProductFactory,
    StockFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.operations import operation

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
CATALOG_MODELS = (
    models.Category,
    models.Product,
    models.ProductVariant,
    models.ProductAttributeValue,
    models.Collection,
    models.CollectionProduct,
    models.ProductMedia,
    models.Warehouse,
    models.Stock,
)

Catalog = dict[str, Any]
Variables = Callable[[Catalog], dict[str, Any]]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def order_manager() -> User:
    """Staff who may see the catalogue but change nothing in it."""
    return staff_in_role("Gestor de pedidos")


def catalog_snapshot(media_root: Path) -> dict[str, Any]:
    """Every catalogue row, the history and the stored files."""
    snapshot: dict[str, Any] = {
        model.__name__: list(model.objects.order_by("pk").values()) for model in CATALOG_MODELS
    }
    snapshot["LogEntry"] = list(LogEntry.objects.order_by("pk").values())
    snapshot["files"] = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*"))
    return snapshot


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (0, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def catalog() -> Catalog:
    """One of everything, so that each mutation below would change something if allowed."""
    category = CategoryFactory(slug="filtros")
    product = ProductFactory(category=category, slug="jarra")
    variant = VariantFactory(product=product, sku="JARRA-1")
    warehouse = WarehouseFactory(slug="central")
    StockFactory(variant=variant, warehouse=warehouse, quantity=10)
    collection = models.Collection.objects.create(name="Verano", slug="verano")
    models.CollectionProduct.objects.create(collection=collection, product=product, position=1)
    return {
        "category": category,
        "empty_category": CategoryFactory(slug="vacia"),
        "product": product,
        "other_product": ProductFactory(category=category, slug="grifo"),
        "variant": variant,
        "warehouse": warehouse,
        "collection": collection,
        "media": [
            MediaFactory(product=product, position=1),
            MediaFactory(product=product, position=2),
        ],
    }


def _id(catalog: Catalog, key: str, type_name: str) -> str:
    return gid(type_name, catalog[key].pk)


MUTATIONS: dict[str, tuple[str, Variables]] = {
    "categoryCreate": ("CategoryCreate", lambda _c: {"name": "Nueva"}),
    "categoryUpdate": (
        "CategoryUpdate",
        lambda c: {"id": _id(c, "category", "Category"), "category": {"name": "Cambiada"}},
    ),
    "categoryDelete": ("CategoryDelete", lambda c: {"id": _id(c, "empty_category", "Category")}),
    "productCreate": (
        "ProductCreate",
        lambda c: {"category": _id(c, "category", "Category"), "name": "Nuevo"},
    ),
    "productUpdate": (
        "ProductUpdate",
        lambda c: {"id": _id(c, "product", "Product"), "product": {"name": "Cambiado"}},
    ),
    "productDelete": ("ProductDelete", lambda c: {"id": _id(c, "other_product", "Product")}),
    "productVariantCreate": (
        "ProductVariantCreate",
        lambda c: {
            "product": _id(c, "product", "Product"),
            "variant": {"sku": "NUEVA", "price": "5.00"},
        },
    ),
    "productVariantUpdate": (
        "ProductVariantUpdate",
        lambda c: {"id": _id(c, "variant", "ProductVariant"), "variant": {"price": "1.00"}},
    ),
    "productVariantDelete": (
        "ProductVariantDelete",
        lambda c: {"id": _id(c, "variant", "ProductVariant")},
    ),
    "collectionCreate": ("CollectionCreate", lambda _c: {"name": "Nueva"}),
    "collectionUpdate": (
        "CollectionUpdate",
        lambda c: {"id": _id(c, "collection", "Collection"), "collection": {"name": "Otra"}},
    ),
    "collectionDelete": ("CollectionDelete", lambda c: {"id": _id(c, "collection", "Collection")}),
    "collectionAddProducts": (
        "CollectionAddProducts",
        lambda c: {
            "id": _id(c, "collection", "Collection"),
            "products": [_id(c, "other_product", "Product")],
        },
    ),
    "collectionRemoveProducts": (
        "CollectionRemoveProducts",
        lambda c: {
            "id": _id(c, "collection", "Collection"),
            "products": [_id(c, "product", "Product")],
        },
    ),
    "collectionSetProducts": (
        "CollectionSetProducts",
        lambda c: {
            "id": _id(c, "collection", "Collection"),
            "products": [_id(c, "other_product", "Product")],
        },
    ),
    "productMediaCreate": (
        "ProductMediaCreate",
        lambda c: {"product": _id(c, "product", "Product"), "image": None, "alt": "Foto"},
    ),
    "productMediaReorder": (
        "ProductMediaReorder",
        lambda c: {
            "product": _id(c, "product", "Product"),
            "media": [gid("ProductMedia", m.pk) for m in reversed(c["media"])],
        },
    ),
    "productMediaDelete": (
        "ProductMediaDelete",
        lambda c: {"id": gid("ProductMedia", c["media"][0].pk)},
    ),
    "stockUpdate": (
        "StockUpdate",
        lambda c: {
            "variant": _id(c, "variant", "ProductVariant"),
            "warehouse": _id(c, "warehouse", "Warehouse"),
            "quantity": 3,
        },
    ),
    "warehouseCreate": ("WarehouseCreate", lambda _c: {"name": "Norte"}),
    "warehouseUpdate": (
        "WarehouseUpdate",
        lambda c: {"id": _id(c, "warehouse", "Warehouse"), "warehouse": {"city": "Huelva"}},
    ),
}


def send(client: Client, mutation: str, catalog: Catalog, user: User | None) -> dict[str, Any]:
    """POST the mutation's document; productMediaCreate goes as a multipart request."""
    name, variables = MUTATIONS[mutation]
    operations = {"query": operation(f"staff/{name}"), "variables": {"input": variables(catalog)}}
    headers = dict(EN)
    if user is not None:
        headers["Authorization"] = f"Bearer {create_token(user, 'access')}"
    if mutation == "productMediaCreate":
        response = client.post(
            "/graphql/",
            data={
                "operations": orjson.dumps(operations).decode(),
                "map": orjson.dumps({"0": ["variables.input.image"]}).decode(),
                "0": SimpleUploadedFile("foto.png", png(), content_type="image/png"),
            },
            headers=headers,
        )
    else:
        response = client.post(
            "/graphql/",
            data=orjson.dumps(operations),
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = orjson.loads(response.content)
    return body


def _denied(mutation: str, code: str, message: str) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {
                "message": message,
                "locations": [{"line": 2, "column": 3}],
                "path": [mutation],
                "extensions": {"code": code},
            }
        ],
    }


def test_every_catalog_mutation_is_checked_here():
    definition = CatalogMutations.__strawberry_definition__
    assert {to_camel_case(field.python_name) for field in definition.fields} == set(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_anonymous(client, catalog, tmp_path, mutation):
    # given
    before = catalog_snapshot(tmp_path)

    # when
    body = send(client, mutation, catalog, None)

    # then
    assert body == _denied(mutation, "UNAUTHENTICATED", "You need to sign in to do this.")
    assert catalog_snapshot(tmp_path) == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_a_customer(client, catalog, tmp_path, mutation):
    # given
    customer = UserFactory()
    before = catalog_snapshot(tmp_path)

    # when
    body = send(client, mutation, catalog, customer)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert catalog_snapshot(tmp_path) == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_staff_without_the_permission(
    client, catalog, order_manager, tmp_path, mutation
):
    # given
    before = catalog_snapshot(tmp_path)

    # when
    body = send(client, mutation, catalog, order_manager)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert catalog_snapshot(tmp_path) == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_mutation_refused_to_a_non_staff_user_in_the_catalogue_group(
    client, catalog, tmp_path, mutation
):
    # given: the group's permissions are not enough without the staff flag
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Gestor de catálogo"))
    before = catalog_snapshot(tmp_path)

    # when
    body = send(client, mutation, catalog, user)

    # then
    assert body == _denied(mutation, "PERMISSION_DENIED", "You do not have permission to do this.")
    assert catalog_snapshot(tmp_path) == before


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_the_refused_requests_would_change_the_catalog_for_a_manager(
    client, catalog, manager, tmp_path, mutation
):
    # given: the very requests the denial tests send
    before = catalog_snapshot(tmp_path)

    # when
    body = send(client, mutation, catalog, manager)

    # then: they are valid, so an unchanged catalogue above really means "refused"
    assert body["data"][mutation]["errors"] == []
    assert catalog_snapshot(tmp_path) != before
